// Reductions of ember-cuda (ABI.md, "Reductions (reduce.cu)"): reduce_T for T in f32 f64 i64 u8,
//   reduce_T(int op, int nOut, Desc kept, int nRed, Desc red, Desc out, const T* in, void* out)
// Output o (row-major over kept.shape) reduces in[offset_of(kept, o) + offset_of(red, r)] over r < nRed (row-major
// over red.shape) and goes to offset_of(out, o).
//
// LAUNCH RULE (mirrored in the host): blockDim = 256,
//     gridDim = max(1, min(6 * smCount, ceil(nOut * nRed / 2048)))        (the product in 64 bits)
// with smCount the device's multiprocessor count: about 2048 input elements per block, at most one full wave
// (__launch_bounds__(256, 6) below keeps the kernel at 40 registers, so 6 blocks of 256 fit on an SM; 792 blocks
// on an H100). Any gridDim >= 1, and any blockDim that is a multiple of 32 up to 256, gives the same results
// except for the order of floating-point sums; the rule only tunes speed. The kernel picks its strategy from the
// sizes alone (the same in every block):
//   THREAD  nRed <= 16: one thread per output, grid-stride over outputs ((8192, 10) summed over dim 1).
//   COLUMN  kept's innermost stride is 1, red's is not, nOut >= 32: a block takes 32 adjacent outputs, one per
//           lane, and its 8 warps split the reduced rows ((N, C) summed over dim 0: every load is coalesced).
//   WARP    nRed <= 1024, or nOut >= 8192: one warp per output, lanes stride over the reduced elements.
//   BLOCK   otherwise (long reductions, few outputs, e.g. everything of a large tensor): a block per output.
// COLUMN and BLOCK split one output's reduction over S blocks when the grid has blocks to spare
// (S = min(gridDim / tiles, nRed / minimum chunk, scratch room), tiles = nOut or ceil(nOut / 32)): each block
// leaves its partial result in a module-global scratch array and the last block to arrive (an atomic counter per
// tile) combines the S partials in a fixed order and writes the output, all in this one launch: no second kernel,
// no host-side scratch. The scratch and counters are module globals, so two reduce launches must not run
// concurrently (the host uses one stream); the last block resets its counter for the next launch.
//
// Semantics (CpuReduce, ArgReduce): floating sums accumulate in double (f32 too), integer and bool sums in wrapping
// long; MAX/MIN give NaN if any element is NaN, otherwise Math.max/min (+0.0 above -0.0, so the result does not
// depend on the order); ARGMAX/ARGMIN give the first NaN's position if there is a NaN, otherwise the first
// position of the extreme value. Bools count as 0/1. The order of a float sum differs from the CPU's (a tree),
// but for a given launch configuration it is fixed: results are deterministic.
#include "ember.cuh"

#include <climits>
#include <type_traits>

using namespace ember;

namespace {

enum { SUM, MAX, MIN, ARGMAX, ARGMIN };

constexpr int THREAD_MAX_RED = 16;     // THREAD strategy up to this reduction length
constexpr int WARP_MAX_RED = 1024;     // WARP strategy up to this length (about 32 elements per lane) ...
constexpr int WARP_MIN_OUT = 8192;     // ... or from this many outputs on (enough warps to fill the GPU)
constexpr int COL_WIDTH = 32;          // outputs per COLUMN tile (one per lane)
constexpr int COL_WARPS = 8;           // warps splitting a COLUMN tile's rows
constexpr int BLOCK_MIN_CHUNK = 2048;  // a split BLOCK reduction gives each block at least this many elements
constexpr int COL_MIN_ROWS = 64;       // a split COLUMN reduction gives each block at least this many rows
constexpr int MAX_SPLIT_TILES = 1024;  // tiles that may be split (one arrival counter each)
constexpr int MAX_PARTIALS = 32768;    // partial results the scratch holds (16 bytes each)
constexpr unsigned FULL = 0xffffffffu;

// Partial results of split reductions (two 64-bit words each) and the arrival counters (zero between launches).
__device__ __align__(16) unsigned long long g_partials[2 * MAX_PARTIALS];
__device__ unsigned int g_arrivals[MAX_SPLIT_TILES];

// ---------------------------------------------------------------- accumulators

// The value an element contributes: bools as 0/1 longs.
__device__ __forceinline__ float val(float v) { return v; }
__device__ __forceinline__ double val(double v) { return v; }
__device__ __forceinline__ long long val(long long v) { return v; }
__device__ __forceinline__ long long val(unsigned char v) { return v != 0 ? 1 : 0; }

template <typename T>
using Val = decltype(val(T()));

template <typename V>
struct ArgAcc {
    V v;
    int i;
};

__device__ __forceinline__ float shfl_down(float v, int d) { return __shfl_down_sync(FULL, v, d); }
__device__ __forceinline__ double shfl_down(double v, int d) { return __shfl_down_sync(FULL, v, d); }
__device__ __forceinline__ long long shfl_down(long long v, int d) { return __shfl_down_sync(FULL, v, d); }
template <typename V>
__device__ __forceinline__ ArgAcc<V> shfl_down(ArgAcc<V> a, int d) {
    return {shfl_down(a.v, d), __shfl_down_sync(FULL, a.i, d)};
}

// Scratch slot encoding: through L2 only (__stcg / __ldcg), so that the last block sees the others' partials.
__device__ __forceinline__ unsigned long long bits(float v) { return __float_as_uint(v); }
__device__ __forceinline__ unsigned long long bits(double v) { return (unsigned long long) __double_as_longlong(v); }
__device__ __forceinline__ unsigned long long bits(long long v) { return (unsigned long long) v; }
__device__ __forceinline__ void unbits(unsigned long long b, float& v) { v = __uint_as_float((unsigned) b); }
__device__ __forceinline__ void unbits(unsigned long long b, double& v) { v = __longlong_as_double((long long) b); }
__device__ __forceinline__ void unbits(unsigned long long b, long long& v) { v = (long long) b; }

template <typename V>
__device__ __forceinline__ void put(int slot, V v) {
    __stcg(&g_partials[2 * slot], bits(v));
}
template <typename V>
__device__ __forceinline__ void put(int slot, ArgAcc<V> a) {
    __stcg(&g_partials[2 * slot], bits(a.v));
    __stcg(&g_partials[2 * slot + 1], (unsigned long long) (unsigned) a.i);
}
template <typename V>
__device__ __forceinline__ void get(int slot, V& v) {
    unbits(__ldcg(&g_partials[2 * slot]), v);
}
template <typename V>
__device__ __forceinline__ void get(int slot, ArgAcc<V>& a) {
    unbits(__ldcg(&g_partials[2 * slot]), a.v);
    a.i = (int) (unsigned) __ldcg(&g_partials[2 * slot + 1]);
}

template <typename V>
__device__ __forceinline__ V lowest();
template <>
__device__ __forceinline__ float lowest<float>() { return -CUDART_INF_F; }
template <>
__device__ __forceinline__ double lowest<double>() { return -CUDART_INF; }
template <>
__device__ __forceinline__ long long lowest<long long>() { return LLONG_MIN; }

__device__ __forceinline__ double plus(double a, double b) { return a + b; }
__device__ __forceinline__ long long plus(long long a, long long b) { return wrap_add(a, b); }

// The Ops are small objects: MIN and ARGMIN are MAX and ARGMAX of flipped values (flip: -x for floats, ~x for
// integers, both order-reversing bijections that keep NaN and swap the roles of -0.0 and +0.0), chosen at run
// time, so that each kernel carries three reductions instead of five.
__device__ __forceinline__ float flipped(float v) { return -v; }
__device__ __forceinline__ double flipped(double v) { return -v; }
__device__ __forceinline__ long long flipped(long long v) { return ~v; }

// SUM: double for floats, wrapping long for i64 and bools; the output has the input's type for floats, else i64.
template <typename T>
struct Sum {
    using Acc = typename std::conditional<std::is_floating_point<T>::value, double, long long>::type;
    using Out = typename std::conditional<std::is_floating_point<T>::value, T, long long>::type;
    __device__ Acc id() const { return Acc(0); }
    __device__ void add(Acc& a, T v, int) const { a = plus(a, (Acc) val(v)); }
    __device__ Acc comb(Acc a, Acc b) const { return plus(a, b); }
    __device__ void store(void* out, int off, Acc a) const { static_cast<Out*>(out)[off] = (Out) a; }
};

// MAX (MIN with flip): NaN wins, else Math.max (+0.0 above -0.0: order-independent); output of the input's type.
template <typename T>
struct Extreme {
    using Acc = Val<T>;
    bool flip;
    __device__ Acc id() const { return lowest<Acc>(); }
    __device__ Acc comb(Acc a, Acc b) const { return java_max(a, b); }
    __device__ void add(Acc& a, T v, int) const {
        const Acc x = val(v);
        a = java_max(a, flip ? flipped(x) : x);
    }
    __device__ void store(void* out, int off, Acc a) const {
        static_cast<T*>(out)[off] = (T) (flip ? flipped(a) : a);
    }
};

// ARGMAX (ARGMIN with flip): (value, position) pairs. The identity sits at position INT_MAX: it loses every tie.
template <typename T>
struct Arg {
    using V = Val<T>;
    using Acc = ArgAcc<V>;
    bool flip;
    // whether (v1, i1) wins over (v2, i2): a NaN beats numbers, the lower position breaks ties (two NaNs too)
    __device__ static bool better(V v1, int i1, V v2, int i2) {
        const bool n1 = v1 != v1;
        const bool n2 = v2 != v2;
        if (n1 || n2) {
            return n1 && (!n2 || i1 < i2);
        }
        if (v1 != v2) {
            return v1 > v2;
        }
        return i1 < i2;
    }
    __device__ Acc id() const { return {lowest<V>(), INT_MAX}; }
    __device__ void add(Acc& a, T v, int r) const {
        V x = val(v);
        x = flip ? flipped(x) : x;
        if (better(x, r, a.v, a.i)) {
            a.v = x;
            a.i = r;
        }
    }
    __device__ Acc comb(Acc a, Acc b) const { return better(b.v, b.i, a.v, a.i) ? b : a; }
    __device__ void store(void* out, int off, Acc a) const { static_cast<long long*>(out)[off] = a.i; }
};

// ---------------------------------------------------------------- block building blocks

template <typename Op>
__device__ __forceinline__ typename Op::Acc warp_reduce(const Op& op, typename Op::Acc a) {
#pragma unroll
    for (int d = 16; d > 0; d >>= 1) {
        a = op.comb(a, shfl_down(a, d));
    }
    return a;
}

// The block's combined value, valid in thread 0. Every thread of the block must call it.
template <typename Op>
__device__ __forceinline__ typename Op::Acc block_reduce(const Op& op, typename Op::Acc a, typename Op::Acc* sh) {
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    a = warp_reduce(op, a);
    __syncthreads();  // sh may still be read from the previous call
    if (lane == 0) {
        sh[warp] = a;
    }
    __syncthreads();
    if (warp == 0) {
        a = lane < (int) (blockDim.x >> 5) ? sh[lane] : op.id();
        a = warp_reduce(op, a);
    }
    return a;
}

// How many blocks share one tile's reduction (1: no split).
__device__ __forceinline__ int split_count(int tiles, int nRed, int minChunk, int width) {
    if (tiles > MAX_SPLIT_TILES) {
        return 1;
    }
    int s = (int) gridDim.x / tiles;
    s = min(s, nRed / minChunk);
    s = min(s, MAX_PARTIALS / (tiles * width));
    return max(s, 1);
}

// [r0, r1): the part s of S of [0, nRed).
__device__ __forceinline__ void chunk_of(int nRed, int s, int S, unsigned& r0, unsigned& r1) {
    const long long chunk = ((long long) nRed + S - 1) / S;
    r0 = (unsigned) min((long long) nRed, s * chunk);
    r1 = (unsigned) min((long long) nRed, (s + 1) * chunk);
}

// The operands: the Desc parameters (for the ndim-1 fast paths, read straight from the parameter space) and their
// copies staged in shared memory (sd[0] kept, sd[1] red, sd[2] out) for decomposing at run time.
struct Operands {
    const Desc& kept;
    const Desc& red;
    const Desc* sd;
};

__device__ __forceinline__ int kept_offset(const Operands& d, int o) {
    return d.kept.ndim == 1 ? d.kept.offset + o * d.kept.stride[0] : staged_offset(d.sd[0], o);
}

__device__ __forceinline__ int out_offset(const Operands& d, int o) {
    return staged_offset(d.sd[2], o);
}

// Folds p[red(r)] for r = r0, r0 + step, ... < r1 into a (r increasing, as the ARG tie rule wants per thread).
template <typename T, typename Op>
__device__ __forceinline__ void fold(const Op& op, typename Op::Acc& a, const T* __restrict__ p, const Operands& d,
                                     unsigned r0, unsigned r1, unsigned step) {
    if (d.red.ndim == 1) {
        const int st = d.red.stride[0];
        p += d.red.offset;  // 0 by the ABI
#pragma unroll 4
        for (unsigned r = r0; r < r1; r += step) {
            op.add(a, p[(int) r * st], (int) r);
        }
    } else {
        for (unsigned r = r0; r < r1; r += step) {
            op.add(a, p[staged_offset(d.sd[1], (int) r)], (int) r);
        }
    }
}

// ---------------------------------------------------------------- the four strategies

// THREAD, WARP and BLOCK in one loop (one copy of the fold per op): groups of G threads (1, 32 or blockDim) each
// reduce one output at a time, the members striding over the reduced elements. With G = blockDim one output may
// be split over S blocks (see the header comment).
template <typename T, typename Op>
__device__ __forceinline__ void by_group(const Op& op, int G, int nOut, int nRed, const Operands& d,
                                         const T* __restrict__ in, void* out, typename Op::Acc* sh, int* last) {
    using Acc = typename Op::Acc;
    const bool wholeBlock = G == (int) blockDim.x;
    const int S = wholeBlock ? split_count(nOut, nRed, BLOCK_MIN_CHUNK, 1) : 1;
    const unsigned perBlock = blockDim.x / G;
    const unsigned member = threadIdx.x % G;
    const unsigned units = (unsigned) nOut * (unsigned) S;
    for (unsigned u = blockIdx.x * perBlock + threadIdx.x / G; u < units; u += gridDim.x * perBlock) {
        const int o = (int) (u / S);
        const int s = (int) (u % S);
        unsigned r0, r1;
        chunk_of(nRed, s, S, r0, r1);
        Acc a = op.id();
        fold(op, a, in + kept_offset(d, o), d, r0 + member, r1, G);
        if (G == 1) {
            op.store(out, out_offset(d, o), a);
            continue;
        }
        if (!wholeBlock) {
            a = warp_reduce(op, a);
            if (member == 0) {
                op.store(out, out_offset(d, o), a);
            }
            continue;
        }
        a = block_reduce(op, a, sh);
        if (S == 1) {
            if (threadIdx.x == 0) {
                op.store(out, out_offset(d, o), a);
            }
            continue;
        }
        if (threadIdx.x == 0) {
            put(o * S + s, a);
            __threadfence();
            *last = atomicAdd(&g_arrivals[o], 1u) == (unsigned) (S - 1);
        }
        __syncthreads();
        if (*last) {
            // the last of the S blocks: combine the partials in order of s
            __threadfence();
            Acc b = op.id();
            for (int j = threadIdx.x; j < S; j += blockDim.x) {
                Acc q;
                get(o * S + j, q);
                b = op.comb(b, q);
            }
            b = block_reduce(op, b, sh);
            if (threadIdx.x == 0) {
                op.store(out, out_offset(d, o), b);
                g_arrivals[o] = 0;
            }
        }
        __syncthreads();  // *last and sh are reused by the next unit
    }
}

template <typename T, typename Op>
__device__ __forceinline__ void by_column(const Op& op, int nOut, int nRed, const Operands& d, const T* __restrict__ in,
                                          void* out, typename Op::Acc* sh, int* last) {
    using Acc = typename Op::Acc;
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int rowWarps = min((int) (blockDim.x >> 5), COL_WARPS);
    const int tiles = (nOut + COL_WIDTH - 1) / COL_WIDTH;
    const int S = split_count(tiles, nRed, COL_MIN_ROWS, COL_WIDTH);
    const unsigned units = (unsigned) tiles * (unsigned) S;
    for (unsigned u = blockIdx.x; u < units; u += gridDim.x) {
        const int t = (int) (u / S);
        const int s = (int) (u % S);
        const int o = t * COL_WIDTH + lane;
        const bool valid = o < nOut;
        unsigned r0, r1;
        chunk_of(nRed, s, S, r0, r1);
        Acc a = op.id();
        if (valid && warp < rowWarps) {
            fold(op, a, in + kept_offset(d, o), d, r0 + warp, r1, rowWarps);
        }
        __syncthreads();  // sh may still be read from the previous unit
        if (warp < rowWarps) {
            sh[warp * COL_WIDTH + lane] = a;
        }
        __syncthreads();
        if (warp == 0) {
            a = sh[lane];
            for (int w = 1; w < rowWarps; ++w) {
                a = op.comb(a, sh[w * COL_WIDTH + lane]);
            }
        }
        if (S == 1) {
            if (warp == 0 && valid) {
                op.store(out, out_offset(d, o), a);
            }
            continue;
        }
        if (warp == 0) {
            put((t * S + s) * COL_WIDTH + lane, a);
            __threadfence();
        }
        __syncthreads();
        if (threadIdx.x == 0) {
            *last = atomicAdd(&g_arrivals[t], 1u) == (unsigned) (S - 1);
        }
        __syncthreads();
        if (*last && warp == 0) {
            // the last of the S blocks: combine the partials in order of s, one output per lane
            __threadfence();
            Acc b = op.id();
            for (int j = 0; j < S; ++j) {
                Acc q;
                get((t * S + j) * COL_WIDTH + lane, q);
                b = op.comb(b, q);
            }
            if (valid) {
                op.store(out, out_offset(d, o), b);
            }
            if (lane == 0) {
                g_arrivals[t] = 0;
            }
        }
        // *last is rewritten only after the next unit's two __syncthreads
    }
}

template <typename T, typename Op>
__device__ __forceinline__ void reduce_with(const Op& op, int nOut, int nRed, const Operands& d, const T* in,
                                            void* out, unsigned char* smem, int* last) {
    using Acc = typename Op::Acc;
    Acc* sh = reinterpret_cast<Acc*>(smem);
    const bool keptUnit = d.kept.ndim > 0 && stride_at(d.kept, d.kept.ndim - 1) == 1;
    const bool redUnit = d.red.ndim > 0 && stride_at(d.red, d.red.ndim - 1) == 1;
    if (nRed > THREAD_MAX_RED && keptUnit && !redUnit && nOut >= COL_WIDTH) {
        by_column(op, nOut, nRed, d, in, out, sh, last);
        return;
    }
    const int G = nRed <= THREAD_MAX_RED ? 1
                  : (nRed <= WARP_MAX_RED || nOut >= WARP_MIN_OUT) ? 32
                  : (int) blockDim.x;
    by_group(op, G, nOut, nRed, d, in, out, sh, last);
}

template <typename T>
__device__ __forceinline__ void reduce_run(int op, int nOut, const Desc& kept, int nRed, const Desc& red,
                                           const Desc& od, const T* in, void* out, unsigned char* smem, Desc* sd,
                                           int* last) {
    stage(sd[0], kept);
    stage(sd[1], red);
    stage(sd[2], od);
    __syncthreads();
    const Operands d{kept, red, sd};
    switch (op) {
        case SUM: reduce_with(Sum<T>{}, nOut, nRed, d, in, out, smem, last); break;
        case MAX:
        case MIN: reduce_with(Extreme<T>{op == MIN}, nOut, nRed, d, in, out, smem, last); break;
        case ARGMAX:
        case ARGMIN: reduce_with(Arg<T>{op == ARGMIN}, nOut, nRed, d, in, out, smem, last); break;
        default: break;
    }
}

}  // namespace

// Shared memory: COLUMN needs COL_WARPS x 32 accumulators (16 bytes at most), block_reduce 32; plus the 3 staged
// Descs and the last-block flag.
#define EMBER_REDUCE(T, TN)                                                                                     \
    extern "C" __global__ void __launch_bounds__(256, 6) reduce_##TN(int op, int nOut, Desc kept, int nRed,   \
                                                                     Desc red, Desc out, const T* in, void* y) { \
        __shared__ __align__(16) unsigned char smem[COL_WARPS * COL_WIDTH * 16];                                \
        __shared__ Desc sd[3];                                                                                  \
        __shared__ int last;                                                                                    \
        reduce_run<T>(op, nOut, kept, nRed, red, out, in, y, smem, sd, &last);                                  \
    }

EMBER_REDUCE(float, f32)
EMBER_REDUCE(double, f64)
EMBER_REDUCE(long long, i64)
EMBER_REDUCE(unsigned char, u8)
