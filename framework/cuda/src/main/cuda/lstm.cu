// A whole LSTM layer's recurrence in one launch each way (ABI.md, "LSTM sequence (lstm.cu)"): the kernels the
// tensor layer's FusedLstm node uses instead of a product and a cell kernel per time step. The time steps depend on
// each other, so one step's work is spread over a grid of blocks that each own a slice of HB hidden units (their
// 4 HB rows of W_hh stay in shared memory for the whole sequence), and the blocks meet at a grid-wide barrier once
// per step. The grid is at most one block per multiprocessor and the GPU runs nothing else of Ember's meanwhile
// (one stream), so every block is resident and the barrier cannot wait for a block that never starts; the host
// checks the grid against the multiprocessor count.
//
// Precision follows the per-step path: the hidden-to-hidden products accumulate in T with FMA (as the GEMM
// kernels; in k order, or as up to 8 interleaved partial sums where a product is split over threads), the cell is
// java_math.cuh's lstm_cell_one / lstm_cell_backward_one, the cell's own twin.
#include <stdint.h>

#include "java_math.cuh"

using namespace ember_fused;

namespace {

constexpr int LOADS = 8; // independent global loads each thread keeps in flight when staging a step's operands

// Grid-wide barrier: bar[0] counts arrivals, bar[1] is the generation; both 0 at launch. Thread 0 reads the
// generation before arriving, so the last arrival's increment releases exactly the blocks of this round; the
// fences make every block's global writes before the barrier visible to every block after it.
__device__ __forceinline__ void grid_barrier(unsigned* bar) {
    __syncthreads();
    if (threadIdx.x == 0) {
        volatile unsigned* gen = bar + 1;
        const unsigned g = *gen;
        __threadfence();
        if (atomicAdd(bar, 1u) == gridDim.x - 1) {
            atomicExch(bar, 0u);
            __threadfence();
            atomicAdd(bar + 1, 1u);
        } else {
            while (*gen == g) {
#ifdef EMBER_EMULATE
                ember_emu::spin_hint();  // the CPU emulator's blocks share two cores: let the others run
#endif
            }
        }
        __threadfence();
    }
    __syncthreads();
}

// The step processed before step t (whose state t starts from), in the direction of the layer.
__device__ __forceinline__ int before(int t, int reverse) {
    return reverse ? t + 1 : t - 1;
}

// 16-byte chunks: 4 floats or 2 doubles. Operands are staged and multiplied a chunk at a time (one 16-byte load
// instead of four, and four times the bytes in flight per load).
template <typename T>
struct Chunk;
template <>
struct Chunk<float> {
    using V = float4;
    static constexpr int N = 4;
};
template <>
struct Chunk<double> {
    using V = double2;
    static constexpr int N = 2;
};

// acc + a . b over one chunk, element by element in order (the same sums as a plain loop over k).
__device__ __forceinline__ float dot_chunk(const float4& a, const float4& b, float acc) {
    acc = fma(a.x, b.x, acc);
    acc = fma(a.y, b.y, acc);
    acc = fma(a.z, b.z, acc);
    return fma(a.w, b.w, acc);
}
__device__ __forceinline__ double dot_chunk(const double2& a, const double2& b, double acc) {
    acc = fma(a.x, b.x, acc);
    return fma(a.y, b.y, acc);
}

// The shared-memory row stride (elements) of rows of `len` elements: whole chunks, an odd number of them, so that
// 8 threads reading a chunk each from 8 consecutive rows hit 8 different groups of banks. Zero-padded.
// CudaLstm.padded repeats it for the shared-memory sizes.
template <typename T>
__device__ __forceinline__ int padded(int len) {
    const int c = (len + Chunk<T>::N - 1) / Chunk<T>::N;
    return Chunk<T>::N * (c | 1);
}

// Threads per dot product: a power of two up to 8 while the products still fill the block, so that small batches
// use all threads; the parts are added by warp shuffles.
__device__ __forceinline__ int split_of(int outputs) {
    int s = 1;
    while (s < 8 && outputs * s * 2 <= (int) blockDim.x) {
        s *= 2;
    }
    return s;
}

// Calls f(o, a . b) for o in [0, outputs), where the product of output o is that of rows a_row(o), b_row(o) of
// `chunks` chunks in shared memory, `split` threads summing every split-th chunk each. Every thread of the block
// runs the same number of rounds (the shuffles need whole warps).
template <typename T, typename Rows, typename F>
__device__ __forceinline__ void dots(int outputs, int chunks, Rows rows, F f) {
    using V = typename Chunk<T>::V;
    const int split = split_of(outputs);
    const int total = outputs * split;
    for (int base = 0; base < total; base += blockDim.x) {
        const int e = base + threadIdx.x;
        const int o = e / split;
        const int part = e - o * split;
        T acc = T(0);
        if (e < total) {
            const T* a;
            const T* b;
            rows(o, a, b);
            const V* av = reinterpret_cast<const V*>(a);
            const V* bv = reinterpret_cast<const V*>(b);
            for (int c = part; c < chunks; c += split) {
                acc = dot_chunk(av[c], bv[c], acc);
            }
        }
        for (int m = split >> 1; m > 0; m >>= 1) {
            acc += __shfl_xor_sync(0xffffffffu, acc, m);
        }
        if (e < total && part == 0) {
            f(o, acc);
        }
    }
}

// Copies `rows` rows of `per` units U (an element or a 16-byte chunk) from global memory that other blocks wrote
// (so past L1: __ldcg), row r at src + r * stride units, into shared memory at dst + r * dstride units, with LOADS
// loads in flight per thread.
template <typename U>
__device__ __forceinline__ void stage_units(U* dst, int dstride, const U* src, int stride, int rows, int per) {
    const int n = rows * per;
    for (int e0 = threadIdx.x; e0 < n; e0 += LOADS * blockDim.x) {
        U v[LOADS];
#pragma unroll
        for (int q = 0; q < LOADS; q++) {
            const int e = e0 + q * blockDim.x;
            const int r = e / per;
            if (e < n) {
                v[q] = __ldcg(src + (size_t) r * stride + (e - r * per));
            }
        }
#pragma unroll
        for (int q = 0; q < LOADS; q++) {
            const int e = e0 + q * blockDim.x;
            const int r = e / per;
            if (e < n) {
                dst[r * dstride + (e - r * per)] = v[q];
            }
        }
    }
}

// stage_units for rows of `len` elements: in 16-byte chunks when the source is aligned for them, else element by
// element (dst and dstride are always chunk-aligned: padded()).
template <typename T>
__device__ __forceinline__ void stage(T* dst, int dstride, const T* src, int stride, int rows, int len) {
    using V = typename Chunk<T>::V;
    constexpr int CN = Chunk<T>::N;
    if (((uintptr_t) src & 15) == 0 && stride % CN == 0 && len % CN == 0) {
        stage_units(reinterpret_cast<V*>(dst), dstride / CN, reinterpret_cast<const V*>(src), stride / CN, rows,
                    len / CN);
    } else {
        stage_units(dst, dstride, src, stride, rows, len);
    }
}

constexpr int XR = 4;  // input-projection values a thread prefetches into registers (covers N x 4HB <= 1024)

// The block's slice of step t's input projections, element e = (n, r) of the N x R slab: its value, 0 for the
// rows of units past H.
template <typename T>
__device__ __forceinline__ T x_at(const T* __restrict__ xg, int t, int N, int H, int HB, int j0, int hb, int e) {
    const int R = 4 * HB;
    const int n = e / R;
    const int r = e - n * R;
    const int q = r / HB;
    const int u = r - q * HB;
    return u < hb ? xg[((size_t) t * N + n) * 4 * H + q * H + j0 + u] : T(0);
}

template <typename T>
__device__ __forceinline__ void lstm_seq(int L, int N, int H, int HB, const T* __restrict__ xg,
                                         const T* __restrict__ h0, const T* __restrict__ c0,
                                         const T* __restrict__ w, int reverse, T* out, T* __restrict__ gates,
                                         unsigned* bar) {
    extern __shared__ __align__(16) unsigned char smem_raw[];
    const int R = 4 * HB;
    const int HP = padded<T>(H);
    T* ws = (T*) smem_raw;  // R x HP: W_hh rows of this block's units, gate-major (i, f, g, o)
    T* hs = ws + R * HP;    // N x HP: h of the step before
    T* gs = hs + N * HP;    // N x R: this block's gate pre-activations
    T* cs = gs + N * R;     // N x HB: this block's cell state
    const int j0 = blockIdx.x * HB;
    const int hb = min(HB, H - j0);
    const int NR = N * R;
    for (int e = threadIdx.x; e < R * HP; e += blockDim.x) {
        const int r = e / HP;
        const int k = e - r * HP;
        const int q = r / HB;
        const int u = r - q * HB;
        ws[e] = u < hb && k < H ? w[(size_t) (q * H + j0 + u) * H + k] : T(0);
    }
    for (int e = threadIdx.x; e < N * HP; e += blockDim.x) {
        hs[e] = T(0);  // the padding stays 0; staging writes the first H of every row
    }
    for (int e = threadIdx.x; e < N * HB; e += blockDim.x) {
        const int n = e / HB;
        const int u = e - n * HB;
        cs[e] = u < hb ? c0[(size_t) n * H + j0 + u] : T(0);
    }
    __syncthreads();  // the zeroed padding of hs before the first staging writes its rows
    // the first step's input projections; later ones are loaded before the grid barrier that precedes their step
    T xr[XR];
#pragma unroll
    for (int q = 0; q < XR; q++) {
        const int e = threadIdx.x + q * blockDim.x;
        xr[q] = e < NR ? x_at(xg, reverse ? L - 1 : 0, N, H, HB, j0, hb, e) : T(0);
    }
    for (int s = 0; s < L; s++) {
        const int t = reverse ? L - 1 - s : s;
        if (s == 0) {
            stage(hs, HP, h0, H, N, H);
        } else {
            stage(hs, HP, out + (size_t) before(t, reverse) * N * 2 * H, 2 * H, N, H);
        }
#pragma unroll
        for (int q = 0; q < XR; q++) {
            const int e = threadIdx.x + q * blockDim.x;
            if (e < NR) {
                gs[e] = xr[q];
            }
        }
        for (int e = threadIdx.x + XR * blockDim.x; e < NR; e += blockDim.x) {
            gs[e] = x_at(xg, t, N, H, HB, j0, hb, e);
        }
        __syncthreads();
        dots<T>(
            NR, (H + Chunk<T>::N - 1) / Chunk<T>::N,
            [&](int o, const T*& a, const T*& b) {
                a = hs + (o / R) * HP;
                b = ws + (o % R) * HP;
            },
            [&](int o, T acc) { gs[o] = add_(gs[o], acc); });
        __syncthreads();
        T* ot = out + (size_t) t * N * 2 * H;
        T* gt = gates + (size_t) t * N * 4 * H;
        for (int e = threadIdx.x; e < N * HB; e += blockDim.x) {
            const int n = e / HB;
            const int u = e - n * HB;
            if (u < hb) {
                const T* a = gs + n * R;
                T i, f, g, o, cn, h;
                lstm_cell_one<T>(a[u], a[HB + u], a[2 * HB + u], a[3 * HB + u], cs[e], i, f, g, o, cn, h);
                cs[e] = cn;
                const int j = j0 + u;
                ot[(size_t) n * 2 * H + j] = h;
                ot[(size_t) n * 2 * H + H + j] = cn;
                T* gr = gt + (size_t) n * 4 * H + j;
                gr[0] = i;
                gr[H] = f;
                gr[2 * H] = g;
                gr[3 * H] = o;
            }
        }
        if (s + 1 < L) {  // in flight while the block waits at the barrier
            const int tn = reverse ? t - 1 : t + 1;
#pragma unroll
            for (int q = 0; q < XR; q++) {
                const int e = threadIdx.x + q * blockDim.x;
                xr[q] = e < NR ? x_at(xg, tn, N, H, HB, j0, hb, e) : T(0);
            }
        }
        grid_barrier(bar);
    }
}

template <typename T>
__device__ __forceinline__ void lstm_seq_backward(int L, int N, int H, int HB, const T* __restrict__ gout,
                                                  const T* __restrict__ out, const T* __restrict__ gates,
                                                  const T* __restrict__ c0, const T* __restrict__ w, int reverse,
                                                  T* gg, T* __restrict__ gh0, T* __restrict__ gc0, unsigned* bar) {
    extern __shared__ __align__(16) unsigned char smem_raw[];
    const int G = 4 * H;
    const int GP = padded<T>(G);
    T* wc = (T*) smem_raw;  // HB x GP: W_hh's columns of this block's units, transposed
    T* ds = wc + HB * GP;   // N x GP: the step's gate gradients, all units
    T* dh = ds + N * GP;    // N x HB: gradient of this block's units of h of the step before
    T* dc = dh + N * HB;    // N x HB: the same for c
    const int j0 = blockIdx.x * HB;
    const int hb = min(HB, H - j0);
    for (int e = threadIdx.x; e < HB * GP; e += blockDim.x) {
        const int u = e / GP;
        const int r = e - u * GP;
        wc[e] = u < hb && r < G ? w[(size_t) r * H + j0 + u] : T(0);
    }
    for (int e = threadIdx.x; e < N * GP; e += blockDim.x) {
        ds[e] = T(0);  // the padding stays 0
    }
    for (int e = threadIdx.x; e < N * HB; e += blockDim.x) {
        dh[e] = T(0);
        dc[e] = T(0);
    }
    __syncthreads();
    for (int s = L - 1; s >= 0; s--) {
        const int t = reverse ? L - 1 - s : s;
        const T* ot = out + (size_t) t * N * 2 * H;
        const T* gt = gates + (size_t) t * N * 4 * H;
        const T* got = gout + (size_t) t * N * 2 * H;
        const T* cp = s == 0 ? c0 : out + (size_t) before(t, reverse) * N * 2 * H + H;
        const int cstride = s == 0 ? H : 2 * H;
        T* ggt = gg + (size_t) t * N * 4 * H;
        for (int e = threadIdx.x; e < N * HB; e += blockDim.x) {
            const int n = e / HB;
            const int u = e - n * HB;
            if (u < hb) {
                const int j = j0 + u;
                const size_t hr = (size_t) n * 2 * H + j;
                const size_t gr = (size_t) n * 4 * H + j;
                T di, df, dg, dout, dcp;
                // the outputs' own gradients plus what the later step sent back ((add_) as the per-step path's add)
                lstm_cell_backward_one<T>(add_(got[hr], dh[e]), add_(got[hr + H], dc[e]), gt[gr], gt[gr + H],
                                          gt[gr + 2 * H], gt[gr + 3 * H], ot[hr + H], cp[(size_t) n * cstride + j],
                                          di, df, dg, dout, dcp);
                ggt[gr] = di;
                ggt[gr + H] = df;
                ggt[gr + 2 * H] = dg;
                ggt[gr + 3 * H] = dout;
                dc[e] = dcp;
            }
        }
        grid_barrier(bar);
        stage(ds, GP, ggt, G, N, G);
        __syncthreads();
        dots<T>(
            N * HB, G / Chunk<T>::N,
            [&](int o, const T*& a, const T*& b) {
                a = ds + (o / HB) * GP;
                b = wc + (o % HB) * GP;
            },
            [&](int o, T acc) { dh[o] = acc; });
        __syncthreads();
    }
    for (int e = threadIdx.x; e < N * HB; e += blockDim.x) {
        const int n = e / HB;
        const int u = e - n * HB;
        if (u < hb) {
            gh0[(size_t) n * H + j0 + u] = dh[e];
            gc0[(size_t) n * H + j0 + u] = dc[e];
        }
    }
}

}  // namespace

// lstm_seq_T(int L, int N, int H, int HB, const T* xg, const T* h0, const T* c0, const T* w, int reverse, T* out,
//            T* gates, unsigned* bar)
//   xg (L, N, 4H) input projections with both biases, h0 c0 (N, H), w = W_hh (4H, H), out (L, N, 2H) = [h, c] of
//   every step, gates (L, N, 4H) activated; bar: 2 zeroed words. blockDim 256, gridDim ceil(H / HB) (at most the
//   multiprocessor count), dynamic shared memory ((4HB + N) P(H) + 5 N HB) * sizeof(T), where P(len) (padded
//   above) is len rounded up to an odd number of 16-byte chunks.
// lstm_seq_backward_T(int L, int N, int H, int HB, const T* gout, const T* out, const T* gates, const T* c0,
//                     const T* w, int reverse, T* gg, T* gh0, T* gc0, unsigned* bar)
//   gout (L, N, 2H) gradient of out; writes gg (L, N, 4H) gradients of the gate pre-activations and gh0, gc0
//   (N, H). Same grid; dynamic shared memory ((HB + N) P(4H) + 2 N HB) * sizeof(T).
// One block per multiprocessor: __launch_bounds__(256, 1) lets ptxas use the registers it needs (with the default
// bound it spilled the staging chunks to keep room for blocks that never come).
#define EMBER_LSTM_SEQ(T, S)                                                                                    \
    extern "C" __global__ void __launch_bounds__(256, 1) lstm_seq_##S(                                             \
        int L, int N, int H, int HB, const T* xg, const T* h0, const T* c0, const T* w, int reverse, T* out,    \
        T* gates, unsigned* bar) {                                                                              \
        lstm_seq<T>(L, N, H, HB, xg, h0, c0, w, reverse, out, gates, bar);                                      \
    }                                                                                                           \
    extern "C" __global__ void __launch_bounds__(256, 1) lstm_seq_backward_##S(                                    \
        int L, int N, int H, int HB, const T* gout, const T* out, const T* gates, const T* c0, const T* w,      \
        int reverse, T* gg, T* gh0, T* gc0, unsigned* bar) {                                                    \
        lstm_seq_backward<T>(L, N, H, HB, gout, out, gates, c0, w, reverse, gg, gh0, gc0, bar);                 \
    }
EMBER_LSTM_SEQ(float, f32)
EMBER_LSTM_SEQ(double, f64)
#undef EMBER_LSTM_SEQ
