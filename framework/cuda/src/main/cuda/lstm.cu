// A whole LSTM layer's recurrence in one launch each way (ABI.md, "LSTM sequence (lstm.cu)"): the kernels the
// tensor layer's FusedLstm node uses instead of a product and a cell kernel per time step. The time steps depend on
// each other, so one step's work is spread over a grid of blocks that each own a slice of HB hidden units (their
// 4 HB rows of W_hh stay in shared memory for the whole sequence), and the blocks meet at a grid-wide barrier once
// per step. The grid is at most one block per multiprocessor and the GPU runs nothing else of Ember's meanwhile
// (one stream), so every block is resident and the barrier cannot wait for a block that never starts; the host
// checks the grid against the multiprocessor count.
//
// Precision: the hidden-to-hidden products accumulate in T with FMA (as the GEMM kernels do; in k order within a
// thread, a product split over threads adding its parts by shuffles, and the backward's partials per block added in
// block order), the cell is java_math.cuh's lstm_cell_one / lstm_cell_backward_one, the cell kernels' own twin.
#include <stdint.h>

#include "java_math.cuh"

using namespace ember_fused;

namespace {

constexpr int LOADS = 8; // independent global loads each thread keeps in flight when staging a step's operands

// Reads the grid barrier's count with acquire semantics (the emulator: the C++ twin).
__device__ __forceinline__ unsigned load_acquire(const unsigned* p) {
#ifdef EMBER_EMULATE
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
#else
    unsigned v;
    asm volatile("ld.acquire.gpu.global.u32 %0, [%1];" : "=r"(v) : "l"(p) : "memory");
    return v;
#endif
}

// Grid-wide barrier number k (1, 2, ...) of the launch, split in two so that a block can issue the next step's
// loads in between (the fence in arrive would otherwise wait for them too). bar counts arrivals over the whole
// launch (the host zeroes it before), so barrier k is passed once it reads k * gridDim.x: one fence and one
// reduction per block, then a poll. (The barrier this replaced read a generation word first and had the last block
// reset the count and bump the generation: three more trips to L2 on every step's critical path.) The fence
// publishes the block's global writes, which __syncthreads ordered before thread 0's; the acquiring poll and the
// __syncthreads after it make every block's writes visible to the whole block. Cooperative groups' grid sync is
// built the same way.
__device__ __forceinline__ void grid_arrive(unsigned* bar) {
    __syncthreads();
    if (threadIdx.x == 0) {
        __threadfence();
        atomicAdd(bar, 1u);  // the result unused: a reduction, no round trip
    }
}

__device__ __forceinline__ void grid_wait(const unsigned* bar, unsigned k) {
    if (threadIdx.x == 0) {
        const unsigned target = k * gridDim.x;
        while (load_acquire(bar) < target) {
#ifdef EMBER_EMULATE
            ember_emu::spin_hint();  // the CPU emulator's blocks share two cores: let the others run
#endif
        }
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

// Element q of a chunk (q a constant once the loops that use it are unrolled).
__device__ __forceinline__ float lane(const float4& v, int q) {
    return q == 0 ? v.x : q == 1 ? v.y : q == 2 ? v.z : v.w;
}
__device__ __forceinline__ double lane(const double2& v, int q) {
    return q == 0 ? v.x : v.y;
}

// The shared-memory row stride (elements) of rows of `len` elements: whole chunks, an odd number of them, so that
// 8 threads reading a chunk each from 8 consecutive rows hit 8 different groups of banks. Zero-padded.
// CudaLstm.padded repeats it for the shared-memory sizes.
template <typename T>
__device__ __forceinline__ int padded(int len) {
    const int c = (len + Chunk<T>::N - 1) / Chunk<T>::N;
    return Chunk<T>::N * (c | 1);
}

// len rounded up to whole chunks: the extent the products below run over (the rest of a padded row is not read).
template <typename T>
__device__ __forceinline__ int whole(int len) {
    return (len + Chunk<T>::N - 1) / Chunk<T>::N * Chunk<T>::N;
}

// Threads per tile: a power of two up to 8 while the tiles still fill the block, so that small products use all
// threads; the parts are added by warp shuffles.
__device__ __forceinline__ int split_of(int tiles) {
    int s = 1;
    while (s < 8 && tiles * s * 2 <= (int) blockDim.x) {
        s *= 2;
    }
    return s;
}

// C = A B in shared memory: A (M x K) in rows of stride lda, B (K x NC) in rows of stride ldb; K, NC and the strides
// whole chunks, A and B zero past their real extents. Calls f(i, j, c) once for every i < M, j < NC.
//
// A thread computes a tile of TA rows by one chunk of columns, so that every chunk it loads feeds TA or CN of its
// products: the kernels before loaded two chunks for every four multiply-adds, one output at a time, and were bound
// by shared memory's bandwidth (and by one chain of dependent FMAs per thread). Where the tiles do not fill the
// block, `split` adjacent threads share a tile, each summing every split-th chunk of K, and warp shuffles add their
// parts. Within a thread an element is summed in k order with FMA. Every thread runs the same number of rounds (the
// shuffles need whole warps).
template <typename T, int TA, typename F>
__device__ __forceinline__ void outer_tiles(int M, int NC, int K, const T* A, int lda, const T* B, int ldb, F f) {
    using V = typename Chunk<T>::V;
    constexpr int CN = Chunk<T>::N;
    const int cols = NC / CN;
    const int kChunks = K / CN;
    const int tiles = (M + TA - 1) / TA * cols;
    const int split = split_of(tiles);
    const int total = tiles * split;
    for (int base = 0; base < total; base += blockDim.x) {
        const int e = base + threadIdx.x;
        const int tile = e / split;
        const int part = e - tile * split;
        const int i0 = tile / cols * TA;
        const int j0 = (tile - tile / cols * cols) * CN;
        T acc[TA][CN];
#pragma unroll
        for (int a = 0; a < TA; a++) {
#pragma unroll
            for (int c = 0; c < CN; c++) {
                acc[a][c] = T(0);
            }
        }
        if (e < total) {
            for (int kc = part; kc < kChunks; kc += split) {
                V b[CN];
#pragma unroll
                for (int q = 0; q < CN; q++) {
                    b[q] = *reinterpret_cast<const V*>(B + (kc * CN + q) * ldb + j0);
                }
#pragma unroll
                for (int a = 0; a < TA; a++) {
                    // rows past M (the last tile's) read row M - 1 and are not reported
                    const V av = *reinterpret_cast<const V*>(A + min(i0 + a, M - 1) * lda + kc * CN);
#pragma unroll
                    for (int q = 0; q < CN; q++) {
#pragma unroll
                        for (int c = 0; c < CN; c++) {
                            acc[a][c] = fma(lane(av, q), lane(b[q], c), acc[a][c]);
                        }
                    }
                }
            }
        }
        for (int m = split >> 1; m > 0; m >>= 1) {
#pragma unroll
            for (int a = 0; a < TA; a++) {
#pragma unroll
                for (int c = 0; c < CN; c++) {
                    acc[a][c] += __shfl_xor_sync(0xffffffffu, acc[a][c], m);
                }
            }
        }
        if (e < total && part == 0) {
#pragma unroll
            for (int a = 0; a < TA; a++) {
                if (i0 + a < M) {
#pragma unroll
                    for (int c = 0; c < CN; c++) {
                        f(i0 + a, j0 + c, acc[a][c]);
                    }
                }
            }
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
    const int RP = padded<T>(R);
    const int HP = padded<T>(H);
    const int HK = whole<T>(H);
    T* wt = (T*) smem_raw;  // HK x RP: W_hh's rows of this block's units (gate-major i, f, g, o), transposed
    T* hs = wt + HK * RP;   // N x HP: h of the step before
    T* gs = hs + N * HP;    // N x R: this block's gate pre-activations
    T* cs = gs + N * R;     // N x HB: this block's cell state
    const int j0 = blockIdx.x * HB;
    const int hb = min(HB, H - j0);
    const int NR = N * R;
    for (int e = threadIdx.x; e < HK * RP; e += blockDim.x) {
        const int k = e / RP;
        const int r = e - k * RP;
        const int q = r / HB;
        const int u = r - q * HB;
        wt[e] = r < R && u < hb && k < H ? w[(size_t) (q * H + j0 + u) * H + k] : T(0);
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
        // h of the step before: every block's part of it is written (the barrier at the end of that step)
        stage(hs, HP, s == 0 ? h0 : out + (size_t) before(t, reverse) * N * 2 * H, s == 0 ? H : 2 * H, N, H);
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
        outer_tiles<T, 2>(N, R, HK, hs, HP, wt, RP, [&](int n, int r, T acc) { gs[n * R + r] = add_(gs[n * R + r], acc); });
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
        if (s + 1 < L) {
            grid_arrive(bar);
            const int tn = reverse ? t - 1 : t + 1;  // the next step's input projections, in flight meanwhile
#pragma unroll
            for (int q = 0; q < XR; q++) {
                const int e = threadIdx.x + q * blockDim.x;
                xr[q] = e < NR ? x_at(xg, tn, N, H, HB, j0, hb, e) : T(0);
            }
            grid_wait(bar, s + 1);
        }
    }
}

// What one element (n, j) of step t's cell backward reads from global memory: the outputs' own gradients of h and
// c, the activated gates, c, and the c of the step before (c0 for the layer's first step).
template <typename T>
struct CellIn {
    T gh, gc, i, f, g, o, c, cp;
};

template <typename T>
__device__ __forceinline__ CellIn<T> cell_in(const T* __restrict__ gout, const T* __restrict__ out,
                                             const T* __restrict__ gates, const T* __restrict__ c0, int t, int first,
                                             int reverse, int N, int H, int n, int j) {
    const size_t hr = ((size_t) t * N + n) * 2 * H + j;
    const size_t gr = ((size_t) t * N + n) * 4 * H + j;
    CellIn<T> v;
    v.gh = gout[hr];
    v.gc = gout[hr + H];
    v.i = gates[gr];
    v.f = gates[gr + H];
    v.g = gates[gr + 2 * H];
    v.o = gates[gr + 3 * H];
    v.c = out[hr + H];
    v.cp = first ? c0[(size_t) n * H + j] : out[((size_t) before(t, reverse) * N + n) * 2 * H + H + j];
    return v;
}

constexpr int XB = 2;  // elements whose cell-backward inputs a thread prefetches (covers N x HB <= 512)

// The backward runs the recurrence the other way: at every step each block's cell backward gives the gate gradients
// of its units, and the gradient of h of the step before needs all of them: dh[n, k] = sum over r of gg[n, r] W[r, k].
// Each block multiplies its own gate gradients (N x 4HB) by its own rows of W_hh (4HB x H, kept in shared memory),
// a partial dh over all H units, and writes that to global memory; after the grid barrier each block adds, in block
// order, the partials of its units from every block. That moves N x H values per block and step each way, where
// gathering every gate gradient (what the kernel before did) moved N x 4H. `part` holds two steps' partials, so a
// block may write the next step's while a slower block still reads the last one's.
template <typename T>
__device__ __forceinline__ void lstm_seq_backward(int L, int N, int H, int HB, const T* __restrict__ gout,
                                                  const T* __restrict__ out, const T* __restrict__ gates,
                                                  const T* __restrict__ c0, const T* __restrict__ w, int reverse,
                                                  T* __restrict__ gg, T* __restrict__ gh0, T* __restrict__ gc0,
                                                  T* part, unsigned* bar) {
    extern __shared__ __align__(16) unsigned char smem_raw[];
    const int R = 4 * HB;
    const int RP = padded<T>(R);
    const int HP = padded<T>(H);
    const int HBP = padded<T>(HB);
    const int NB = gridDim.x;
    T* ws = (T*) smem_raw;       // R x HP: W_hh's rows of this block's units (gate-major i, f, g, o)
    T* gs = ws + R * HP;         // N x RP: the step's gate gradients of this block's units
    T* red = gs + N * RP;        // NB x N x HBP: every block's partial dh of this block's units
    T* dh = red + NB * N * HBP;  // N x HB: gradient of this block's units of h of the step before
    T* dc = dh + N * HB;         // N x HB: the same for c
    const int j0 = blockIdx.x * HB;
    const int hb = min(HB, H - j0);
    const size_t slot = (size_t) NB * N * H;  // one step's partials, (NB, N, H)
    for (int e = threadIdx.x; e < R * HP; e += blockDim.x) {
        const int r = e / HP;
        const int k = e - r * HP;
        const int q = r / HB;
        const int u = r - q * HB;
        ws[e] = u < hb && k < H ? w[(size_t) (q * H + j0 + u) * H + k] : T(0);
    }
    for (int e = threadIdx.x; e < N * RP; e += blockDim.x) {
        gs[e] = T(0);  // the rows of units past H and the padding stay 0
    }
    for (int e = threadIdx.x; e < N * HB; e += blockDim.x) {
        dh[e] = T(0);
        dc[e] = T(0);
    }
    __syncthreads();
    // dh of this block's units: the sum, in block order, of every block's partial in slot p
    auto gather = [&](int p) {
        stage(red, HBP, part + p * slot + j0, H, NB * N, hb);
        __syncthreads();
        for (int e = threadIdx.x; e < N * HB; e += blockDim.x) {
            const int n = e / HB;
            const int u = e - n * HB;
            if (u < hb) {
                T acc = red[n * HBP + u];
                for (int b = 1; b < NB; b++) {
                    acc = add_(acc, red[(b * N + n) * HBP + u]);
                }
                dh[e] = acc;  // read by this thread only, in the cell backward below
            }
        }
    };
    auto load = [&](int s, int e) {
        const int n = e / HB;
        const int u = min(e - n * HB, hb - 1);  // units past H load a real unit's values and are skipped
        return cell_in(gout, out, gates, c0, reverse ? L - 1 - s : s, s == 0, reverse, N, H, n, j0 + u);
    };
    CellIn<T> pre[XB];
#pragma unroll
    for (int q = 0; q < XB; q++) {
        const int e = threadIdx.x + q * blockDim.x;
        if (e < N * HB) {
            pre[q] = load(L - 1, e);
        }
    }
    for (int s = L - 1; s >= 0; s--) {
        const int t = reverse ? L - 1 - s : s;
        if (s < L - 1) {
            gather((s + 1) & 1);  // every block's partial of the later step is written (the barrier below)
        }
        T* ggt = gg + (size_t) t * N * 4 * H;
        auto cell = [&](const CellIn<T>& v, int e) {
            const int n = e / HB;
            const int u = e - n * HB;
            if (u < hb) {
                T di, df, dg, dout, dcp;
                // the outputs' own gradients plus what the later step sent back ((add_) as the per-step path's add)
                lstm_cell_backward_one<T>(add_(v.gh, dh[e]), add_(v.gc, dc[e]), v.i, v.f, v.g, v.o, v.c, v.cp, di,
                                          df, dg, dout, dcp);
                T* gr = ggt + (size_t) n * 4 * H + j0 + u;
                gr[0] = di;
                gr[H] = df;
                gr[2 * H] = dg;
                gr[3 * H] = dout;
                T* sr = gs + n * RP + u;
                sr[0] = di;
                sr[HB] = df;
                sr[2 * HB] = dg;
                sr[3 * HB] = dout;
                dc[e] = dcp;
            }
        };
#pragma unroll
        for (int q = 0; q < XB; q++) {
            const int e = threadIdx.x + q * blockDim.x;
            if (e < N * HB) {
                cell(pre[q], e);
            }
        }
        for (int e = threadIdx.x + XB * blockDim.x; e < N * HB; e += blockDim.x) {
            cell(load(s, e), e);
        }
        __syncthreads();
        T* pt = part + (s & 1) * slot + (size_t) blockIdx.x * N * H;
        outer_tiles<T, 4>(N, whole<T>(H), R, gs, RP, ws, HP, [&](int n, int k, T acc) {
            if (k < H) {
                pt[(size_t) n * H + k] = acc;
            }
        });
        grid_arrive(bar);
        if (s > 0) {  // the next step's inputs, in flight while the block waits
#pragma unroll
            for (int q = 0; q < XB; q++) {
                const int e = threadIdx.x + q * blockDim.x;
                if (e < N * HB) {
                    pre[q] = load(s - 1, e);
                }
            }
        }
        grid_wait(bar, L - s);
    }
    gather(0);
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
//   every step, gates (L, N, 4H) activated; bar: a zeroed word. blockDim 256, gridDim NB = ceil(H / HB) (at most the
//   multiprocessor count), dynamic shared memory (W(H) P(4HB) + N P(H) + 5 N HB) * sizeof(T), where W(len) (whole
//   above) is len rounded up to whole 16-byte chunks and P(len) (padded) to an odd number of them.
// lstm_seq_backward_T(int L, int N, int H, int HB, const T* gout, const T* out, const T* gates, const T* c0,
//                     const T* w, int reverse, T* gg, T* gh0, T* gc0, T* part, unsigned* bar)
//   gout (L, N, 2H) gradient of out; writes gg (L, N, 4H) gradients of the gate pre-activations and gh0, gc0
//   (N, H); part: scratch of 2 NB N H elements. Same grid; dynamic shared memory
//   (4HB P(H) + N P(4HB) + NB N P(HB) + 2 N HB) * sizeof(T).
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
        int reverse, T* gg, T* gh0, T* gc0, T* part, unsigned* bar) {                                           \
        lstm_seq_backward<T>(L, N, H, HB, gout, out, gates, c0, w, reverse, gg, gh0, gc0, part, bar);           \
    }
EMBER_LSTM_SEQ(float, f32)
EMBER_LSTM_SEQ(double, f64)
#undef EMBER_LSTM_SEQ
