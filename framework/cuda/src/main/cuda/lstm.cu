// A whole LSTM layer's recurrence in one launch each way (ABI.md, "LSTM sequence (lstm.cu)"): the kernels the
// tensor layer's FusedLstm node uses instead of a product and a cell kernel per time step. The time steps depend on
// each other, so one step's work is spread over a grid of blocks that each own a slice of HB hidden units (their
// 4 HB rows of W_hh stay in shared memory for the whole sequence), and the blocks meet at a grid-wide barrier once
// per step. The grid is at most one block per multiprocessor and the GPU runs nothing else of Ember's meanwhile
// (one stream), so every block is resident and the barrier cannot wait for a block that never starts; the host
// checks the grid against the multiprocessor count.
//
// Precision follows the per-step path: the hidden-to-hidden products accumulate in T with FMA (as the GEMM
// kernels), the cell is java_math.cuh's lstm_cell_one / lstm_cell_backward_one, the cell's own twin.
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

template <typename T>
__device__ __forceinline__ void lstm_seq(int L, int N, int H, int HB, const T* __restrict__ xg,
                                         const T* __restrict__ h0, const T* __restrict__ c0,
                                         const T* __restrict__ w, int reverse, T* out, T* __restrict__ gates,
                                         unsigned* bar) {
    extern __shared__ __align__(16) unsigned char smem_raw[];
    const int R = 4 * HB;
    T* ws = (T*) smem_raw;            // R x (H + 1): W_hh rows of this block's units, gate-major (i, f, g, o)
    T* hs = ws + R * (H + 1);         // N x H: h of the step before
    T* gs = hs + N * H;               // N x R: this block's gate pre-activations
    T* cs = gs + N * R;               // N x HB: this block's cell state
    const int j0 = blockIdx.x * HB;
    const int hb = min(HB, H - j0);
    for (int e = threadIdx.x; e < R * H; e += blockDim.x) {
        const int r = e / H;
        const int k = e - r * H;
        const int q = r / HB;
        const int u = r - q * HB;
        ws[r * (H + 1) + k] = u < hb ? w[(size_t) (q * H + j0 + u) * H + k] : T(0);
    }
    for (int e = threadIdx.x; e < N * HB; e += blockDim.x) {
        const int n = e / HB;
        const int u = e - n * HB;
        cs[e] = u < hb ? c0[(size_t) n * H + j0 + u] : T(0);
    }
    for (int s = 0; s < L; s++) {
        const int t = reverse ? L - 1 - s : s;
        const T* hp = s == 0 ? h0 : out + (size_t) before(t, reverse) * N * 2 * H;
        const int hstride = s == 0 ? H : 2 * H;
        // other blocks wrote it: past L1 (__ldcg), 8 loads in flight per thread (L2 latency, not bandwidth, bounds it)
        for (int e0 = threadIdx.x; e0 < N * H; e0 += LOADS * blockDim.x) {
            T v[LOADS];
#pragma unroll
            for (int q = 0; q < LOADS; q++) {
                const int e = e0 + q * blockDim.x;
                const int n = e / H;
                v[q] = e < N * H ? __ldcg(hp + (size_t) n * hstride + (e - n * H)) : T(0);
            }
#pragma unroll
            for (int q = 0; q < LOADS; q++) {
                const int e = e0 + q * blockDim.x;
                if (e < N * H) {
                    hs[e] = v[q];
                }
            }
        }
        __syncthreads();
        const T* x = xg + (size_t) t * N * 4 * H;
        for (int e = threadIdx.x; e < N * R; e += blockDim.x) {
            const int n = e / R;
            const int r = e - n * R;
            const int q = r / HB;
            const int u = r - q * HB;
            if (u < hb) {
                const T* hr = hs + n * H;
                const T* wr = ws + r * (H + 1);
                T acc = T(0);
                for (int k = 0; k < H; k++) {
                    acc = fma(hr[k], wr[k], acc);
                }
                gs[e] = add_(x[(size_t) n * 4 * H + q * H + j0 + u], acc);
            }
        }
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
    T* wc = (T*) smem_raw;            // HB x (G + 1): W_hh's columns of this block's units, transposed
    T* ds = wc + HB * (G + 1);        // N x (G + 1): the step's gate gradients, all units
    T* dh = ds + N * (G + 1);         // N x HB: gradient of this block's units of h of the step before
    T* dc = dh + N * HB;              // N x HB: the same for c
    const int j0 = blockIdx.x * HB;
    const int hb = min(HB, H - j0);
    for (int e = threadIdx.x; e < HB * G; e += blockDim.x) {
        const int u = e / G;
        const int r = e - u * G;
        wc[u * (G + 1) + r] = u < hb ? w[(size_t) r * H + j0 + u] : T(0);
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
        for (int e0 = threadIdx.x; e0 < N * G; e0 += LOADS * blockDim.x) {
            T v[LOADS];
#pragma unroll
            for (int q = 0; q < LOADS; q++) {
                const int e = e0 + q * blockDim.x;
                v[q] = e < N * G ? __ldcg(ggt + e) : T(0);
            }
#pragma unroll
            for (int q = 0; q < LOADS; q++) {
                const int e = e0 + q * blockDim.x;
                if (e < N * G) {
                    const int n = e / G;
                    ds[n * (G + 1) + (e - n * G)] = v[q];
                }
            }
        }
        __syncthreads();
        for (int e = threadIdx.x; e < N * HB; e += blockDim.x) {
            const int n = e / HB;
            const int u = e - n * HB;
            if (u < hb) {
                const T* dr = ds + n * (G + 1);
                const T* wr = wc + u * (G + 1);
                T acc = T(0);
                for (int r = 0; r < G; r++) {
                    acc = fma(dr[r], wr[r], acc);
                }
                dh[e] = acc;
            }
        }
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
//   multiprocessor count), dynamic shared memory (4HB (H+1) + N H + 5 N HB) * sizeof(T).
// lstm_seq_backward_T(int L, int N, int H, int HB, const T* gout, const T* out, const T* gates, const T* c0,
//                     const T* w, int reverse, T* gg, T* gh0, T* gc0, unsigned* bar)
//   gout (L, N, 2H) gradient of out; writes gg (L, N, 4H) gradients of the gate pre-activations and gh0, gc0
//   (N, H). Same grid; dynamic shared memory (HB (4H+1) + N (4H+1) + 2 N HB) * sizeof(T).
#define EMBER_LSTM_SEQ(T, S)                                                                                    \
    extern "C" __global__ void __launch_bounds__(256) lstm_seq_##S(                                             \
        int L, int N, int H, int HB, const T* xg, const T* h0, const T* c0, const T* w, int reverse, T* out,    \
        T* gates, unsigned* bar) {                                                                              \
        lstm_seq<T>(L, N, H, HB, xg, h0, c0, w, reverse, out, gates, bar);                                      \
    }                                                                                                           \
    extern "C" __global__ void __launch_bounds__(256) lstm_seq_backward_##S(                                    \
        int L, int N, int H, int HB, const T* gout, const T* out, const T* gates, const T* c0, const T* w,      \
        int reverse, T* gg, T* gh0, T* gc0, unsigned* bar) {                                                    \
        lstm_seq_backward<T>(L, N, H, HB, gout, out, gates, c0, w, reverse, gg, gh0, gc0, bar);                 \
    }
EMBER_LSTM_SEQ(float, f32)
EMBER_LSTM_SEQ(double, f64)
#undef EMBER_LSTM_SEQ
