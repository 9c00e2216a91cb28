// Fused kernels of ember-cuda (ABI.md, "Fused kernels (fused.cu)"): softmax, layer norm, the optimizer updates,
// the LSTM cell and im2col/col2im, each in one launch. Every operand is contiguous.
//
// The CPU backend (dev.ember.backend.cpu: CpuSoftmax, CpuLayerNorm, CpuOptim, CpuLstm, and
// dev.ember.tensor.Unfold) is the reference, so each kernel repeats its twin's formulas in the same order and
// precision: statistics and sums accumulate in double (for float32 too), exp and tanh of a float are computed in
// double and rounded (Java's (float) Math.exp(x)), and element-wise results use the explicitly rounded
// intrinsics (__fmul_rn, __dadd_rn, ...) wherever the compiler could otherwise fuse a multiply and an add into
// an FMA that Java never does. Only the order of the long sums differs from the CPU (a tree here, lanes there).
//
// Launch configurations (also above each kernel, and mirrored in dev.ember.cuda.CudaFused); blockDim is 256
// everywhere, no dynamic shared memory anywhere, gridDim.y = gridDim.z = 1:
//   row kernels (softmax*, layer_norm, layer_norm_backward), with L = the row length (C or D):
//       gridDim = L <= 1024 ? ceil(R / 8) : R          (one warp per row, 8 rows per block / one block per row)
//   layer_norm_backward_wb:  gridDim = ceil(D / 8)
//   element-wise (adam, sgd, lstm, im2col, col2im):  gridDim = min(ceil(n / 256), 65535) with n = the number
//       of threads' worth of work named above each kernel (the ABI's grid-stride convention).
// Every kernel loops (grid-stride over rows, columns or elements), so any smaller grid is correct as well.

#include <math_constants.h>

#include "java_math.cuh"

namespace ember_fused {

constexpr int THREADS = 256;          // blockDim of every fused kernel
constexpr int WARPS = THREADS / 32;   // rows per block on the warp-per-row path
constexpr int WARP_ROW_MAX = 1024;    // rows up to this length take one warp each, longer ones a whole block
constexpr unsigned FULL = 0xffffffffu;

// ---------------------------------------------------------------- reductions over a warp (G = 32) or a block (256)
//
// Butterfly shuffles leave the same value in every lane (a + b == b + a in IEEE), and the block version adds the
// 8 warp results in a fixed order, so every thread of a row sees the same, run-to-run reproducible result.
// sh: 16 doubles of shared memory (block version only); the trailing __syncthreads lets the next reduction
// reuse it.

template <int G> struct Red;

template <> struct Red<32> {
    static __device__ __forceinline__ double sum(double v, double*) {
#pragma unroll
        for (int o = 16; o > 0; o >>= 1) {
            v += __shfl_xor_sync(FULL, v, o);
        }
        return v;
    }
    static __device__ __forceinline__ void sum2(double& a, double& b, double*) {
#pragma unroll
        for (int o = 16; o > 0; o >>= 1) {
            a += __shfl_xor_sync(FULL, a, o);
            b += __shfl_xor_sync(FULL, b, o);
        }
    }
    template <typename T> static __device__ __forceinline__ T max(T v, double*) {
#pragma unroll
        for (int o = 16; o > 0; o >>= 1) {
            v = nanmax(v, __shfl_xor_sync(FULL, v, o));
        }
        return v;
    }
};

template <> struct Red<THREADS> {
    static __device__ __forceinline__ double sum(double v, double* sh) {
        v = Red<32>::sum(v, sh);
        if ((threadIdx.x & 31) == 0) {
            sh[threadIdx.x >> 5] = v;
        }
        __syncthreads();
        double r = sh[0];
#pragma unroll
        for (int w = 1; w < WARPS; w++) {
            r += sh[w];
        }
        __syncthreads();
        return r;
    }
    static __device__ __forceinline__ void sum2(double& a, double& b, double* sh) {
        Red<32>::sum2(a, b, sh);
        if ((threadIdx.x & 31) == 0) {
            sh[threadIdx.x >> 5] = a;
            sh[WARPS + (threadIdx.x >> 5)] = b;
        }
        __syncthreads();
        a = sh[0];
        b = sh[WARPS];
#pragma unroll
        for (int w = 1; w < WARPS; w++) {
            a += sh[w];
            b += sh[WARPS + w];
        }
        __syncthreads();
    }
    template <typename T> static __device__ __forceinline__ T max(T v, double* sh) {
        v = Red<32>::max(v, sh);
        if ((threadIdx.x & 31) == 0) {
            sh[threadIdx.x >> 5] = (double) v;  // exact, NaN and infinities included
        }
        __syncthreads();
        T r = (T) sh[0];
#pragma unroll
        for (int w = 1; w < WARPS; w++) {
            r = nanmax(r, (T) sh[w]);
        }
        __syncthreads();
        return r;
    }
};

// Registers per thread for caching a row: at most 128 bytes (32 registers). With more, the fully unrolled passes
// (whose loads the compiler hoists for latency) no longer fit the 128 registers of __launch_bounds__(256, 2)
// (2 blocks per SM) without spilling; a row that would take more is streamed from L1/L2 instead.
constexpr int CACHE_BYTES = 128;

// The cached elements per thread for V wanted and `arrays` cached arrays of T, or 0 (stream).
template <typename T> __host__ __device__ constexpr int cached(int v, int arrays) {
    return v * (int) sizeof(T) * arrays <= CACHE_BYTES ? v : 0;
}

// ---------------------------------------------------------------- row kernels
//
// A row of length L is handled by a group of G threads (a warp or the block); thread t takes the elements
// t, t + G, t + 2G, ... (coalesced). VR is the number of elements per thread the dispatch asks for (G * VR >= L,
// or 0 for rows longer than 4096); when they fit the register budget (cached) they stay in registers between
// the passes, otherwise (V == 0) every pass re-reads the row from global memory (it is then in L1/L2).

// CpuSoftmax.rowF / rowD: shift = max (0 if infinite), e = exp(x - shift), sum in double rounded to T;
// softmax y = e / sum, logSoftmax y = x - (log(sum) + shift).
template <typename T, int G, int VR>
__device__ __forceinline__ void softmax_row(const T* __restrict__ x, T* __restrict__ y, int C, int t, int log,
                                            double* sh) {
    constexpr int V = cached<T>(VR, 1);
    constexpr int VC = V > 0 ? V : 1;
    T v[VC];
    T m = neg_inf<T>();
    if constexpr (V > 0) {
#pragma unroll
        for (int k = 0; k < V; k++) {
            int j = t + k * G;
            v[k] = j < C ? x[j] : neg_inf<T>();
            m = nanmax(m, v[k]);
        }
    } else {
#pragma unroll 4
        for (int j = t; j < C; j += G) {
            m = nanmax(m, x[j]);
        }
    }
    m = Red<G>::template max<T>(m, sh);
    const T shift = isinf(m) ? T(0) : m;
    double s = 0.0;
    if constexpr (V > 0) {
#pragma unroll
        for (int k = 0; k < V; k++) {
            if (t + k * G < C) {
                T e = exp_(sub_(v[k], shift));
                s += (double) e;
                if (!log) {
                    v[k] = e;
                }
            }
        }
    } else {
#pragma unroll 4
        for (int j = t; j < C; j += G) {
            s += (double) exp_(sub_(x[j], shift));
        }
    }
    const T sum = (T) Red<G>::sum(s, sh);
    if (log) {
        const T lse = add_(log_(sum), shift);
        if constexpr (V > 0) {
#pragma unroll
            for (int k = 0; k < V; k++) {
                int j = t + k * G;
                if (j < C) {
                    y[j] = sub_(v[k], lse);
                }
            }
        } else {
#pragma unroll 4
            for (int j = t; j < C; j += G) {
                y[j] = sub_(x[j], lse);
            }
        }
    } else {
        if constexpr (V > 0) {
#pragma unroll
            for (int k = 0; k < V; k++) {
                int j = t + k * G;
                if (j < C) {
                    y[j] = div_(v[k], sum);
                }
            }
        } else {
#pragma unroll 4
            for (int j = t; j < C; j += G) {
                y[j] = div_(exp_(sub_(x[j], shift)), sum);
            }
        }
    }
}

// CpuSoftmax.backRowF / backRowD: logSoftmax gx = gy - exp(y) * (T) sum(gy); softmax gx = (gy - (T) sum(gy y)) y.
template <typename T, int G, int VR>
__device__ __forceinline__ void softmax_backward_row(const T* __restrict__ y, const T* __restrict__ gy,
                                                     T* __restrict__ gx, int C, int t, int log, double* sh) {
    constexpr int V = cached<T>(VR, 2);
    constexpr int VC = V > 0 ? V : 1;
    T yv[VC];
    T gv[VC];
    double s = 0.0;
    if constexpr (V > 0) {
#pragma unroll
        for (int k = 0; k < V; k++) {
            int j = t + k * G;
            yv[k] = j < C ? y[j] : T(0);
            gv[k] = j < C ? gy[j] : T(0);
            s += log ? (double) gv[k] : (double) gv[k] * (double) yv[k];
        }
    } else {
#pragma unroll 4
        for (int j = t; j < C; j += G) {
            s += log ? (double) gy[j] : (double) gy[j] * (double) y[j];
        }
    }
    const T r = (T) Red<G>::sum(s, sh);
    if constexpr (V > 0) {
#pragma unroll
        for (int k = 0; k < V; k++) {
            int j = t + k * G;
            if (j < C) {
                gx[j] = log ? sub_(gv[k], mul_(exp_(yv[k]), r)) : mul_(sub_(gv[k], r), yv[k]);
            }
        }
    } else {
#pragma unroll 4
        for (int j = t; j < C; j += G) {
            T yj = y[j];
            T gj = gy[j];
            gx[j] = log ? sub_(gj, mul_(exp_(yj), r)) : mul_(sub_(gj, r), yj);
        }
    }
}

// CpuLayerNorm.forward: mean and biased variance in double (two passes), rstd = 1 / sqrt(var + eps),
// y = (T) ((x - mean) * rstd * w + b) in double with w = 1, b = 0 when absent; mean and rstd stored as T.
template <typename T, int G, int VR>
__device__ __forceinline__ void layer_norm_row(const T* __restrict__ x, const T* __restrict__ w,
                                               const T* __restrict__ b, double eps, T* __restrict__ y, int D,
                                               int t, double* sh, double& muOut, double& rsdOut) {
    constexpr int V = cached<T>(VR, 2);  // counted twice: each element is also kept as a double
    constexpr int VC = V > 0 ? V : 1;
    T v[VC];
    double s = 0.0;
    if constexpr (V > 0) {
#pragma unroll
        for (int k = 0; k < V; k++) {
            int j = t + k * G;
            v[k] = j < D ? x[j] : T(0);
            s += (double) v[k];
        }
    } else {
#pragma unroll 4
        for (int j = t; j < D; j += G) {
            s += (double) x[j];
        }
    }
    const double mu = div_(Red<G>::sum(s, sh), (double) D);
    double sq = 0.0;
    if constexpr (V > 0) {
#pragma unroll
        for (int k = 0; k < V; k++) {
            if (t + k * G < D) {
                double c = (double) v[k] - mu;
                sq += c * c;
            }
        }
    } else {
#pragma unroll 4
        for (int j = t; j < D; j += G) {
            double c = (double) x[j] - mu;
            sq += c * c;
        }
    }
    sq = Red<G>::sum(sq, sh);
    const double rsd = div_(1.0, sqrt_(add_(div_(sq, (double) D), eps)));
    if constexpr (V > 0) {
#pragma unroll
        for (int k = 0; k < V; k++) {
            int j = t + k * G;
            if (j < D) {
                double wv = w != nullptr ? (double) w[j] : 1.0;
                double bv = b != nullptr ? (double) b[j] : 0.0;
                y[j] = (T) add_(mul_(mul_(sub_((double) v[k], mu), rsd), wv), bv);
            }
        }
    } else {
#pragma unroll 4
        for (int j = t; j < D; j += G) {
            double wv = w != nullptr ? (double) w[j] : 1.0;
            double bv = b != nullptr ? (double) b[j] : 0.0;
            y[j] = (T) add_(mul_(mul_(sub_((double) x[j], mu), rsd), wv), bv);
        }
    }
    muOut = mu;
    rsdOut = rsd;
}

// CpuLayerNorm.backward (gx part), in double: xhat = (x - mean) rstd, dy = gy w, a = sum(dy) / D,
// c = sum(dy xhat) / D, gx = (T) (rstd (dy - a - xhat c)).
template <typename T, int G, int VR>
__device__ __forceinline__ void layer_norm_backward_row(const T* __restrict__ gy, const T* __restrict__ x,
                                                        const T* __restrict__ w, double mu, double rsd,
                                                        T* __restrict__ gx, int D, int t, double* sh) {
    // a block-wide row (D > 1024) is streamed from 8 elements per thread on: measured twice as fast at D = 4096
    // than keeping x and gy (and the hoisted loads of w) in registers
    constexpr int V = cached<T>(VR, G == THREADS ? 4 : 2);
    constexpr int VC = V > 0 ? V : 1;
    T xv[VC];
    T gv[VC];
    double sDy = 0.0;
    double sDyXhat = 0.0;
    if constexpr (V > 0) {
#pragma unroll
        for (int k = 0; k < V; k++) {
            int j = t + k * G;
            xv[k] = j < D ? x[j] : T(0);
            gv[k] = j < D ? gy[j] : T(0);
            if (j < D) {
                double xhat = mul_(sub_((double) xv[k], mu), rsd);
                double dy = w != nullptr ? mul_((double) gv[k], (double) w[j]) : (double) gv[k];
                sDy += dy;
                sDyXhat += dy * xhat;
            }
        }
    } else {
#pragma unroll 4
        for (int j = t; j < D; j += G) {
            double xhat = mul_(sub_((double) x[j], mu), rsd);
            double dy = w != nullptr ? mul_((double) gy[j], (double) w[j]) : (double) gy[j];
            sDy += dy;
            sDyXhat += dy * xhat;
        }
    }
    Red<G>::sum2(sDy, sDyXhat, sh);
    const double a = div_(sDy, (double) D);
    const double c = div_(sDyXhat, (double) D);
    if constexpr (V > 0) {
#pragma unroll
        for (int k = 0; k < V; k++) {
            int j = t + k * G;
            if (j < D) {
                double xhat = mul_(sub_((double) xv[k], mu), rsd);
                double dy = w != nullptr ? mul_((double) gv[k], (double) w[j]) : (double) gv[k];
                gx[j] = (T) mul_(rsd, sub_(sub_(dy, a), mul_(xhat, c)));
            }
        }
    } else {
#pragma unroll 4
        for (int j = t; j < D; j += G) {
            double xhat = mul_(sub_((double) x[j], mu), rsd);
            double dy = w != nullptr ? mul_((double) gy[j], (double) w[j]) : (double) gy[j];
            gx[j] = (T) mul_(rsd, sub_(sub_(dy, a), mul_(xhat, c)));
        }
    }
}

// The row loops: rows of length L <= 1024 go one per warp (V = ceil(L / 32) rounded up to a power of two),
// longer ones one per block (V = 8 or 16 up to 4096, streamed beyond). Every thread of a warp (block) takes
// the same branch, so the shuffles and __syncthreads inside are uniform.
#define EMBER_ROW_DISPATCH(L, ROW, ...)                                                                         \
    if ((L) <= WARP_ROW_MAX) {                                                                                  \
        const int t = threadIdx.x & 31;                                                                          \
        for (int r = blockIdx.x * WARPS + (threadIdx.x >> 5); r < R; r += gridDim.x * WARPS) {                  \
            if ((L) <= 32) {                                                                                     \
                ROW<T, 32, 1>(__VA_ARGS__);                                                                     \
            } else if ((L) <= 64) {                                                                             \
                ROW<T, 32, 2>(__VA_ARGS__);                                                                     \
            } else if ((L) <= 128) {                                                                            \
                ROW<T, 32, 4>(__VA_ARGS__);                                                                     \
            } else if ((L) <= 256) {                                                                            \
                ROW<T, 32, 8>(__VA_ARGS__);                                                                     \
            } else if ((L) <= 512) {                                                                            \
                ROW<T, 32, 16>(__VA_ARGS__);                                                                    \
            } else {                                                                                            \
                ROW<T, 32, 32>(__VA_ARGS__);                                                                    \
            }                                                                                                   \
        }                                                                                                       \
    } else {                                                                                                    \
        const int t = threadIdx.x;                                                                              \
        for (int r = blockIdx.x; r < R; r += gridDim.x) {                                                       \
            if ((L) <= 8 * THREADS) {                                                                           \
                ROW<T, THREADS, 8>(__VA_ARGS__);                                                                \
            } else if ((L) <= 16 * THREADS) {                                                                   \
                ROW<T, THREADS, 16>(__VA_ARGS__);                                                               \
            } else {                                                                                            \
                ROW<T, THREADS, 0>(__VA_ARGS__);                                                                \
            }                                                                                                   \
        }                                                                                                       \
    }

template <typename T>
__device__ __forceinline__ void softmax(int R, int C, const T* __restrict__ x, T* __restrict__ y, int log) {
    __shared__ double sh[2 * WARPS];
    EMBER_ROW_DISPATCH(C, softmax_row, x + (size_t) r * C, y + (size_t) r * C, C, t, log, sh)
}

template <typename T>
__device__ __forceinline__ void softmax_backward(int R, int C, const T* __restrict__ y, const T* __restrict__ gy,
                                                 T* __restrict__ gx, int log) {
    __shared__ double sh[2 * WARPS];
    EMBER_ROW_DISPATCH(C, softmax_backward_row, y + (size_t) r * C, gy + (size_t) r * C, gx + (size_t) r * C, C,
                       t, log, sh)
}

template <typename T, int G, int V>
__device__ __forceinline__ void layer_norm_one(int r, const T* __restrict__ x, const T* __restrict__ w,
                                               const T* __restrict__ b, double eps, T* __restrict__ y,
                                               T* __restrict__ mean, T* __restrict__ rstd, int D, int t,
                                               double* sh) {
    double mu;
    double rsd;
    layer_norm_row<T, G, V>(x + (size_t) r * D, w, b, eps, y + (size_t) r * D, D, t, sh, mu, rsd);
    if (t == 0) {
        if (mean != nullptr) {
            mean[r] = (T) mu;
        }
        if (rstd != nullptr) {
            rstd[r] = (T) rsd;
        }
    }
}

template <typename T>
__device__ __forceinline__ void layer_norm(int R, int D, const T* __restrict__ x, const T* __restrict__ w,
                                           const T* __restrict__ b, double eps, T* __restrict__ y,
                                           T* __restrict__ mean, T* __restrict__ rstd) {
    __shared__ double sh[2 * WARPS];
    EMBER_ROW_DISPATCH(D, layer_norm_one, r, x, w, b, eps, y, mean, rstd, D, t, sh)
}

template <typename T>
__device__ __forceinline__ void layer_norm_backward(int R, int D, const T* __restrict__ gy, const T* __restrict__ x,
                                                    const T* __restrict__ w, const T* __restrict__ mean,
                                                    const T* __restrict__ rstd, T* __restrict__ gx) {
    __shared__ double sh[2 * WARPS];
    EMBER_ROW_DISPATCH(D, layer_norm_backward_row, gy + (size_t) r * D, x + (size_t) r * D, w, (double) mean[r],
                       (double) rstd[r], gx + (size_t) r * D, D, t, sh)
}

#undef EMBER_ROW_DISPATCH

// Column sums over the rows: gw[j] = sum_r gy[r, j] xhat[r, j], gb[j] = sum_r gy[r, j], in double. A block takes
// WB_COLS = 8 columns (a 32-byte sector of floats per row, so narrow tiles cost no bandwidth and give D / 8 blocks)
// and splits the rows among 32 row groups: thread t takes column t % 8 and rows t / 8, t / 8 + 32, ... The 4 row
// groups of a warp are combined by shuffles, the 8 warps' partial sums then in warp order (deterministic).
constexpr int WB_COLS = 8;
constexpr int WB_GROUPS = THREADS / WB_COLS;

template <typename T>
__device__ __forceinline__ void layer_norm_backward_wb(int R, int D, const T* __restrict__ gy,
                                                       const T* __restrict__ x, const T* __restrict__ mean,
                                                       const T* __restrict__ rstd, T* __restrict__ gw,
                                                       T* __restrict__ gb) {
    __shared__ double sw[WARPS][WB_COLS];
    __shared__ double sb[WARPS][WB_COLS];
    const int col = threadIdx.x % WB_COLS;
    const int group = threadIdx.x / WB_COLS;
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    for (int j0 = blockIdx.x * WB_COLS; j0 < D; j0 += gridDim.x * WB_COLS) {
        const int j = j0 + col;
        double aw = 0.0;
        double ab = 0.0;
        if (j < D) {
            if (gw != nullptr) {
#pragma unroll 4
                for (int r = group; r < R; r += WB_GROUPS) {
                    const size_t i = (size_t) r * D + j;
                    const double g = (double) gy[i];
                    aw += g * mul_(sub_((double) x[i], (double) mean[r]), (double) rstd[r]);
                    ab += g;
                }
            } else {
#pragma unroll 4
                for (int r = group; r < R; r += WB_GROUPS) {
                    ab += (double) gy[(size_t) r * D + j];
                }
            }
        }
        // lanes col, col + 8, col + 16, col + 24 of a warp hold the same column
        aw += __shfl_xor_sync(FULL, aw, 8);
        ab += __shfl_xor_sync(FULL, ab, 8);
        aw += __shfl_xor_sync(FULL, aw, 16);
        ab += __shfl_xor_sync(FULL, ab, 16);
        if (lane < WB_COLS) {
            sw[warp][lane] = aw;
            sb[warp][lane] = ab;
        }
        __syncthreads();
        if (threadIdx.x < WB_COLS && j < D) {
            double tw = sw[0][col];
            double tb = sb[0][col];
#pragma unroll
            for (int k = 1; k < WARPS; k++) {
                tw += sw[k][col];
                tb += sb[k][col];
            }
            if (gw != nullptr) {
                gw[j] = (T) tw;
            }
            if (gb != nullptr) {
                gb[j] = (T) tb;
            }
        }
        __syncthreads();
    }
}

// ---------------------------------------------------------------- element-wise kernels (grid-stride)

// Unsigned so that i + stride cannot overflow (n < 2^31, stride < 2^24).
#define EMBER_GRID_STRIDE(i, n)                                                                                 \
    for (unsigned i = blockIdx.x * blockDim.x + threadIdx.x; i < (unsigned) (n); i += blockDim.x * gridDim.x)

// CpuOptim.sgdF / sgdD, operation by operation; every scalar rounded to T as the CPU does. SgdK holds the step's
// constants, sgd_one updates element i: shared by the per-tensor and the multi-tensor kernels.
template <typename T>
struct SgdK {
    T wd, mom, damp, negLr;
    bool decay, nesterov, maximize, first;
};

template <typename T>
__device__ __forceinline__ SgdK<T> sgd_consts(double lr, double momentum, double dampening, double weightDecay,
                                              int nesterov, int maximize, int firstStep) {
    SgdK<T> k;
    k.wd = (T) weightDecay;
    k.decay = weightDecay != 0.0;
    k.mom = (T) momentum;
    k.damp = (T) __dsub_rn(1.0, dampening);
    k.negLr = (T) -lr;
    k.nesterov = nesterov != 0;
    k.maximize = maximize != 0;
    k.first = firstStep != 0;
    return k;
}

template <typename T>
__device__ __forceinline__ void sgd_one(const SgdK<T>& k, unsigned i, T* __restrict__ p, const T* __restrict__ g,
                                        T* __restrict__ buf) {
    T gi = k.maximize ? -g[i] : g[i];
    const T pi = p[i];
    if (k.decay) {
        gi = add_(gi, mul_(pi, k.wd));
    }
    if (buf != nullptr) {
        const T bi = k.first ? gi : add_(mul_(buf[i], k.mom), mul_(gi, k.damp));
        buf[i] = bi;
        gi = k.nesterov ? add_(gi, mul_(bi, k.mom)) : bi;
    }
    p[i] = add_(pi, mul_(gi, k.negLr));
}

template <typename T>
__device__ __forceinline__ void sgd_step(int n, T* __restrict__ p, const T* __restrict__ g, T* __restrict__ buf,
                                         double lr, double momentum, double dampening, double weightDecay,
                                         int nesterov, int maximize, int firstStep) {
    const SgdK<T> k = sgd_consts<T>(lr, momentum, dampening, weightDecay, nesterov, maximize, firstStep);
    EMBER_GRID_STRIDE(i, n) {
        sgd_one(k, i, p, g, buf);
    }
}

// CpuOptim.adamF / adamD, operation by operation; every scalar rounded to T as the CPU does. AdamK holds the
// step's constants, adam_one updates element i: shared by the per-tensor and the multi-tensor kernels.
template <typename T>
struct AdamK {
    T b1, c1, b2, c2, wd, shrink, bc2, ep, negStep;
    bool decay, decoupled, maximize, ams;
};

template <typename T>
__device__ __forceinline__ AdamK<T> adam_consts(double beta1, double beta2, double eps, double weightDecay,
                                                int decoupled, int maximize, bool ams, double lr, double stepSize,
                                                double sqrtBiasCorrection2) {
    AdamK<T> k;
    k.b1 = (T) beta1;
    k.c1 = (T) __dsub_rn(1.0, beta1);
    k.b2 = (T) beta2;
    k.c2 = (T) __dsub_rn(1.0, beta2);
    k.wd = (T) weightDecay;
    k.decay = weightDecay != 0.0;
    k.shrink = (T) __dsub_rn(1.0, __dmul_rn(lr, weightDecay));
    k.bc2 = (T) sqrtBiasCorrection2;
    k.ep = (T) eps;
    k.negStep = (T) -stepSize;
    k.decoupled = decoupled != 0;
    k.maximize = maximize != 0;
    k.ams = ams;
    return k;
}

template <typename T>
__device__ __forceinline__ void adam_one(const AdamK<T>& k, unsigned i, T* __restrict__ p, const T* __restrict__ g,
                                         T* __restrict__ m, T* __restrict__ v, T* __restrict__ vmax) {
    T gi = k.maximize ? -g[i] : g[i];
    T pi = p[i];
    if (k.decay) {
        if (k.decoupled) {
            pi = mul_(pi, k.shrink);
        } else {
            gi = add_(gi, mul_(pi, k.wd));
        }
    }
    const T mi = add_(mul_(m[i], k.b1), mul_(gi, k.c1));
    m[i] = mi;
    T vi = add_(mul_(v[i], k.b2), mul_(mul_(gi, k.c2), gi));
    v[i] = vi;
    if (k.ams) {
        vi = java_max(vmax[i], vi);
        vmax[i] = vi;
    }
    p[i] = add_(pi, div_(mul_(mi, k.negStep), add_(div_(sqrt_(vi), k.bc2), k.ep)));
}

// The bias corrections of the step count t (already advanced), in double, as the host computes them.
__device__ __forceinline__ void bias_corrections(double t, double beta1, double beta2, double lr, double& stepSize,
                                                 double& sqrtBiasCorrection2) {
    stepSize = lr / (1.0 - pow(beta1, t));
    sqrtBiasCorrection2 = sqrt(1.0 - pow(beta2, t));
}

template <typename T>
__device__ __forceinline__ void adam_step(int n, T* __restrict__ p, const T* __restrict__ g, T* __restrict__ m,
                                          T* __restrict__ v, T* __restrict__ vmax, double beta1, double beta2,
                                          double eps, double weightDecay, int decoupled, int maximize, int amsgrad,
                                          double lr, double stepSize, double sqrtBiasCorrection2) {
    const AdamK<T> k = adam_consts<T>(beta1, beta2, eps, weightDecay, decoupled, maximize,
                                      amsgrad != 0 && vmax != nullptr, lr, stepSize, sqrtBiasCorrection2);
    EMBER_GRID_STRIDE(i, n) {
        adam_one(k, i, p, g, m, v, vmax);
    }
}

// Up to MULTI_MAX tensors of one multi-tensor launch (PyTorch's multi_tensor_apply), by value: addresses as 64-bit
// words, then sizes, the first block of each tensor (and the total after the last), the count and the elements
// per block. Indexed only with constant indices (unrolled loops), so the parameter is never copied to local memory.
constexpr int MULTI_MAX = 24;
struct TensorList {
    unsigned long long p[MULTI_MAX], g[MULTI_MAX], m[MULTI_MAX], v[MULTI_MAX], vmax[MULTI_MAX], step[MULTI_MAX];
    int n[MULTI_MAX];
    int firstBlock[MULTI_MAX + 1];
    int count;
    int perBlock;
};
static_assert(sizeof(TensorList) == 1360, "TensorList: 340 ints from the host (CudaFused.tensorList)");

// The tensor block b works on: the last one whose first block is at most b (the host leaves out empty tensors).
__device__ __forceinline__ int tensor_of(const TensorList& L, int b) {
    int i = 0;
#pragma unroll
    for (int k = 1; k < MULTI_MAX; k++) {
        if (k < L.count && L.firstBlock[k] <= b) {
            i = k;
        }
    }
    return i;
}

// What block blockIdx.x works on: its tensor's addresses and its run [start, end) of that tensor's elements.
struct Slice {
    unsigned long long p, g, m, v, vmax, step;
    int start, end;
};

__device__ __forceinline__ Slice slice_of(const TensorList& L) {
    const int b = blockIdx.x;
    const int i = tensor_of(L, b);
    Slice s{};
    int n = 0, first = 0;
#pragma unroll
    for (int k = 0; k < MULTI_MAX; k++) {
        if (k == i) {
            s.p = L.p[k];
            s.g = L.g[k];
            s.m = L.m[k];
            s.v = L.v[k];
            s.vmax = L.vmax[k];
            s.step = L.step[k];
            n = L.n[k];
            first = L.firstBlock[k];
        }
    }
    s.start = (b - first) * L.perBlock;
    s.end = min(n, s.start + L.perBlock);
    return s;
}

// Every tensor's SGD step (L.m: the momentum buffers, 0 without momentum), as adam_multi.
template <typename T>
__device__ __forceinline__ void sgd_multi(const TensorList& L, double lr, double momentum, double dampening,
                                          double weightDecay, int nesterov, int maximize) {
    const Slice s = slice_of(L);
    const SgdK<T> k = sgd_consts<T>(lr, momentum, dampening, weightDecay, nesterov, maximize, 0);
    for (int e = s.start + (int) threadIdx.x; e < s.end; e += blockDim.x) {
        sgd_one(k, (unsigned) e, (T*) s.p, (const T*) s.g, (T*) s.m);
    }
}

// Every tensor's Adam step, each block one run of perBlock elements of one tensor. With deviceSteps the bias
// corrections come from each tensor's step count on the device (already advanced), else from the arguments.
template <typename T>
__device__ __forceinline__ void adam_multi(const TensorList& L, double beta1, double beta2, double eps,
                                           double weightDecay, int decoupled, int maximize, int amsgrad, double lr,
                                           double stepSize, double sqrtBiasCorrection2, int deviceSteps) {
    const Slice s = slice_of(L);
    if (deviceSteps) {
        bias_corrections(*(const double*) s.step, beta1, beta2, lr, stepSize, sqrtBiasCorrection2);
    }
    const AdamK<T> k = adam_consts<T>(beta1, beta2, eps, weightDecay, decoupled, maximize,
                                      amsgrad != 0 && s.vmax != 0, lr, stepSize, sqrtBiasCorrection2);
    for (int e = s.start + (int) threadIdx.x; e < s.end; e += blockDim.x) {
        adam_one(k, (unsigned) e, (T*) s.p, (const T*) s.g, (T*) s.m, (T*) s.v, (T*) s.vmax);
    }
}


// CpuLstm.forwardRow: gates (i, f, g, o) = sigmoid, sigmoid, tanh, sigmoid of xg + hg, saved activated;
// c' = f c + i g, h = o tanh(c'), hc = [h, c'].
template <typename T>
__device__ __forceinline__ void lstm_cell(int N, int H, const T* __restrict__ xg, const T* __restrict__ hg,
                                          const T* __restrict__ c, T* __restrict__ hc, T* __restrict__ gates) {
    EMBER_GRID_STRIDE(idx, N * H) {
        const int n = (int) idx / H;
        const int j = (int) idx - n * H;
        const size_t gr = (size_t) n * 4 * H + j;
        T i, f, g, o, cn, h;
        lstm_cell_one<T>(add_(xg[gr], hg[gr]), add_(xg[gr + H], hg[gr + H]), add_(xg[gr + 2 * H], hg[gr + 2 * H]),
                         add_(xg[gr + 3 * H], hg[gr + 3 * H]), c[idx], i, f, g, o, cn, h);
        gates[gr] = i;
        gates[gr + H] = f;
        gates[gr + 2 * H] = g;
        gates[gr + 3 * H] = o;
        const size_t hr = (size_t) n * 2 * H + j;
        hc[hr] = h;
        hc[hr + H] = cn;
    }
}

// CpuLstm.backwardRow (lstm_cell_backward_one) over N x H cells.
template <typename T>
__device__ __forceinline__ void lstm_cell_backward(int N, int H, const T* __restrict__ ghc,
                                                   const T* __restrict__ gates, const T* __restrict__ c,
                                                   const T* __restrict__ hc, T* __restrict__ gg,
                                                   T* __restrict__ gc) {
    EMBER_GRID_STRIDE(idx, N * H) {
        const int n = (int) idx / H;
        const int j = (int) idx - n * H;
        const size_t hr = (size_t) n * 2 * H + j;
        const size_t gr = (size_t) n * 4 * H + j;
        T di, df, dg, dout, dc;
        lstm_cell_backward_one<T>(ghc[hr], ghc[hr + H], gates[gr], gates[gr + H], gates[gr + 2 * H],
                                  gates[gr + 3 * H], hc[hr + H], c[idx], di, df, dg, dout, dc);
        gg[gr] = di;
        gg[gr + H] = df;
        gg[gr + 2 * H] = dg;
        gg[gr + 3 * H] = dout;
        gc[idx] = dc;
    }
}

// Division by a run-time divisor d >= 1 of 0 <= n < 2^31 by multiply and shift (Granlund & Montgomery, as
// PyTorch's IntDivider): the index arithmetic of im2col and col2im would otherwise be dominated by integer
// divisions (~20 instructions each). The magic numbers cost a 64-bit division, so each block computes them once,
// in shared memory (fast_divs).
struct FastDiv {
    unsigned d;
    unsigned m;
    unsigned s;
};

__device__ __forceinline__ FastDiv make_div(int divisor) {
    const unsigned d = divisor < 1 ? 1u : (unsigned) divisor;
    unsigned s = 0;
    while (s < 31 && (1u << s) < d) {
        s++;
    }
    const unsigned long long m = ((1ull << 32) * ((1ull << s) - d)) / d + 1;
    return FastDiv{d, (unsigned) m, s};
}

// n / f.d; t + n < 2^32 because t <= n < 2^31
__device__ __forceinline__ int quot(const FastDiv& f, int n) {
    const unsigned t = __umulhi((unsigned) n, f.m);
    return (int) ((t + (unsigned) n) >> f.s);
}

// n / f.d, and n % f.d into r
__device__ __forceinline__ int divmod(const FastDiv& f, int n, int& r) {
    const int q = quot(f, n);
    r = n - q * (int) f.d;
    return q;
}

// The block's dividers for d0..d3, computed by its first 4 threads (ends with __syncthreads, so every thread of
// the block must call it).
__device__ __forceinline__ void fast_divs(FastDiv* sh, int d0, int d1, int d2, int d3) {
    if (threadIdx.x < 4) {
        const int d = threadIdx.x == 0 ? d0 : threadIdx.x == 1 ? d1 : threadIdx.x == 2 ? d2 : d3;
        sh[threadIdx.x] = make_div(d);
    }
    __syncthreads();
}

// F.unfold: one thread per column element, cols[n, (c*kH + kh)*kW + kw, oh*oW + ow] =
// x[n, c, oh*sH - pH + kh*dH, ow*sW - pW + kw*dW], zero outside the image. Consecutive threads write
// consecutive column entries.
template <typename T>
__device__ __forceinline__ void im2col(int N, int C, int H, int W, int kH, int kW, int dH, int dW, int pH, int pW,
                                       int sH, int sW, int oH, int oW, const T* __restrict__ x,
                                       T* __restrict__ cols) {
    __shared__ FastDiv dv[4];
    fast_divs(dv, oW, oH, kW, kH);
    const FastDiv byOW = dv[0];
    const FastDiv byOH = dv[1];
    const FastDiv byKW = dv[2];
    const FastDiv byKH = dv[3];
    const int total = N * C * kH * kW * oH * oW;
    EMBER_GRID_STRIDE(idx, total) {
        int ow;
        int oh;
        int kw;
        int kh;
        int rest = divmod(byOW, (int) idx, ow);
        rest = divmod(byOH, rest, oh);
        rest = divmod(byKW, rest, kw);
        const int nc = divmod(byKH, rest, kh);  // n * C + c
        const int ih = oh * sH - pH + kh * dH;
        const int iw = ow * sW - pW + kw * dW;
        T v = T(0);
        if (ih >= 0 && ih < H && iw >= 0 && iw < W) {
            v = x[((size_t) nc * H + ih) * W + iw];
        }
        cols[idx] = v;
    }
}

// F.fold: one thread per image pixel gathers the column entries that im2col would have read from it, in the
// order kh, kw (the CPU's composite adds them in that order onto zero, so the sums agree bit for bit).
// Kernel offset kh reads pixel row h from window row oh when th = h + pH - kh*dH = oh*sH with 0 <= oh < oH.
template <typename T>
__device__ __forceinline__ void col2im(int N, int C, int H, int W, int kH, int kW, int dH, int dW, int pH, int pW,
                                       int sH, int sW, int oH, int oW, const T* __restrict__ cols,
                                       T* __restrict__ x) {
    __shared__ FastDiv dv[4];
    fast_divs(dv, W, H, sW, sH);
    const FastDiv byW = dv[0];
    const FastDiv byH = dv[1];
    const FastDiv bySW = dv[2];
    const FastDiv bySH = dv[3];
    const int L = oH * oW;
    const int K = kH * kW;
    const int total = N * C * H * W;
    EMBER_GRID_STRIDE(idx, total) {
        int w;
        int h;
        const int nc = divmod(byH, divmod(byW, (int) idx, w), h);  // n * C + c
        const T* base = cols + (size_t) nc * K * L;
        T acc = T(0);
        for (int kh = 0; kh < kH; kh++) {
            const int th = h + pH - kh * dH;
            if (th < 0) {
                break;  // th only decreases with kh
            }
            int rh;
            const int oh = divmod(bySH, th, rh);
            if (rh != 0 || oh >= oH) {
                continue;
            }
            for (int kw = 0; kw < kW; kw++) {
                const int tw = w + pW - kw * dW;
                if (tw < 0) {
                    break;
                }
                int rw;
                const int ow = divmod(bySW, tw, rw);
                if (rw != 0 || ow >= oW) {
                    continue;
                }
                acc = add_(acc, base[(size_t) (kh * kW + kw) * L + oh * oW + ow]);
            }
        }
        x[idx] = acc;
    }
}


// adam_step with the step count t read from the device (Adam's capturable mode): the bias corrections as the
// host computes them, 1 - beta^t in double, so that a step captured in a CUDA graph stays right at every replay.
template <typename T>
__device__ __forceinline__ void adam_step_dev(int n, T* __restrict__ p, const T* __restrict__ g, T* __restrict__ m,
                                              T* __restrict__ v, T* __restrict__ vmax, double beta1, double beta2,
                                              double eps, double weightDecay, int decoupled, int maximize,
                                              int amsgrad, double lr, const double* __restrict__ step) {
    double stepSize, sqrtBiasCorrection2;
    bias_corrections(*step, beta1, beta2, lr, stepSize, sqrtBiasCorrection2);
    adam_step<T>(n, p, g, m, v, vmax, beta1, beta2, eps, weightDecay, decoupled, maximize, amsgrad, lr, stepSize,
                 sqrtBiasCorrection2);
}

// ReLU's gradient, threshold_backward: g where the output is positive, 0 elsewhere (NaN in out gives 0).
template <typename T>
__device__ __forceinline__ void relu_backward(int n, const T* __restrict__ out, const T* __restrict__ g,
                                              T* __restrict__ gx) {
    EMBER_GRID_STRIDE(i, n) {
        gx[i] = out[i] > T(0) ? g[i] : T(0);
    }
}

// Exact GELU, the CPU's steps (CpuGelu.forward): u = x * -sqrt(1/2) rounded to T, erfc(u) (in double, rounded to
// T, as the unary ERFC kernel), times x, times 1/2.
template <typename T>
__device__ __forceinline__ void gelu(int n, const T* __restrict__ x, T* __restrict__ y) {
    const T c = (T) -0.70710678118654752440;
    EMBER_GRID_STRIDE(i, n) {
        const T xi = x[i];
        const T e = (T) erfc((double) mul_(xi, c));
        y[i] = mul_(mul_(xi, e), (T) 0.5);
    }
}

// dGELU/dx = Phi(x) + x phi(x) in double, times the incoming gradient (CpuGelu.slope).
template <typename T>
__device__ __forceinline__ void gelu_backward(int n, const T* __restrict__ x, const T* __restrict__ g,
                                              T* __restrict__ gx) {
    EMBER_GRID_STRIDE(i, n) {
        const double xi = (double) x[i];
        const double cdf = erfc(xi * -0.70710678118654752440) * 0.5;
        const double pdf = exp(xi * xi * -0.5) * 0.39894228040143267794;
        gx[i] = (T) ((double) g[i] * (cdf + xi * pdf));
    }
}
#undef EMBER_GRID_STRIDE
}  // namespace ember_fused


// ---------------------------------------------------------------- extern "C" entry points (ABI.md)

#define EMBER_FUSED_BOTH(M) M(float, f32) M(double, f64)

// softmax_T(int R, int C, const T* x, T* y, int log)
// blockDim 256, gridDim = C <= 1024 ? ceil(R / 8) : R, no dynamic shared memory.
#define EMBER_SOFTMAX(T, S)                                                                                     \
    extern "C" __global__ void __launch_bounds__(256, 2) softmax_##S(int R, int C, const T* __restrict__ x,        \
                                                                  T* __restrict__ y, int log) {                 \
        ember_fused::softmax<T>(R, C, x, y, log);                                                               \
    }
EMBER_FUSED_BOTH(EMBER_SOFTMAX)

// softmax_backward_T(int R, int C, const T* y, const T* gy, T* gx, int log)
// blockDim 256, gridDim = C <= 1024 ? ceil(R / 8) : R, no dynamic shared memory.
#define EMBER_SOFTMAX_BACKWARD(T, S)                                                                            \
    extern "C" __global__ void __launch_bounds__(256, 2) softmax_backward_##S(                                      \
        int R, int C, const T* __restrict__ y, const T* __restrict__ gy, T* __restrict__ gx, int log) {         \
        ember_fused::softmax_backward<T>(R, C, y, gy, gx, log);                                                 \
    }
EMBER_FUSED_BOTH(EMBER_SOFTMAX_BACKWARD)

// layer_norm_T(int R, int D, const T* x, const T* w, const T* b, double eps, T* y, T* mean, T* rstd)
// w, b may be null. blockDim 256, gridDim = D <= 1024 ? ceil(R / 8) : R, no dynamic shared memory.
#define EMBER_LAYER_NORM(T, S)                                                                                  \
    extern "C" __global__ void __launch_bounds__(256, 2) layer_norm_##S(                                           \
        int R, int D, const T* __restrict__ x, const T* __restrict__ w, const T* __restrict__ b, double eps,    \
        T* __restrict__ y, T* __restrict__ mean, T* __restrict__ rstd) {                                        \
        ember_fused::layer_norm<T>(R, D, x, w, b, eps, y, mean, rstd);                                          \
    }
EMBER_FUSED_BOTH(EMBER_LAYER_NORM)

// layer_norm_backward_T(int R, int D, const T* gy, const T* x, const T* w, const T* mean, const T* rstd, T* gx)
// w may be null (weight 1). blockDim 256, gridDim = D <= 1024 ? ceil(R / 8) : R, no dynamic shared memory.
#define EMBER_LAYER_NORM_BACKWARD(T, S)                                                                         \
    extern "C" __global__ void __launch_bounds__(256, 2) layer_norm_backward_##S(                                  \
        int R, int D, const T* __restrict__ gy, const T* __restrict__ x, const T* __restrict__ w,               \
        const T* __restrict__ mean, const T* __restrict__ rstd, T* __restrict__ gx) {                           \
        ember_fused::layer_norm_backward<T>(R, D, gy, x, w, mean, rstd, gx);                                    \
    }
EMBER_FUSED_BOTH(EMBER_LAYER_NORM_BACKWARD)

// layer_norm_backward_wb_T(int R, int D, const T* gy, const T* x, const T* mean, const T* rstd, T* gw, T* gb)
// gw, gb (D) written (not accumulated), either may be null.
// blockDim 256, gridDim = ceil(D / 8), no dynamic shared memory.
#define EMBER_LAYER_NORM_BACKWARD_WB(T, S)                                                                      \
    extern "C" __global__ void __launch_bounds__(256) layer_norm_backward_wb_##S(                               \
        int R, int D, const T* __restrict__ gy, const T* __restrict__ x, const T* __restrict__ mean,            \
        const T* __restrict__ rstd, T* __restrict__ gw, T* __restrict__ gb) {                                   \
        ember_fused::layer_norm_backward_wb<T>(R, D, gy, x, mean, rstd, gw, gb);                                \
    }
EMBER_FUSED_BOTH(EMBER_LAYER_NORM_BACKWARD_WB)

// adam_step_T(int n, T* p, const T* g, T* m, T* v, T* vmax, double beta1, double beta2, double eps,
//             double weightDecay, int decoupled, int maximize, int amsgrad, double lr, double stepSize,
//             double sqrtBiasCorrection2)           vmax null without amsgrad
// blockDim 256, gridDim = min(ceil(n / 256), 65535), no dynamic shared memory.
#define EMBER_ADAM(T, S)                                                                                        \
    extern "C" __global__ void __launch_bounds__(256) adam_step_##S(                                            \
        int n, T* __restrict__ p, const T* __restrict__ g, T* __restrict__ m, T* __restrict__ v,                \
        T* __restrict__ vmax, double beta1, double beta2, double eps, double weightDecay, int decoupled,        \
        int maximize, int amsgrad, double lr, double stepSize, double sqrtBiasCorrection2) {                    \
        ember_fused::adam_step<T>(n, p, g, m, v, vmax, beta1, beta2, eps, weightDecay, decoupled, maximize,     \
                                  amsgrad, lr, stepSize, sqrtBiasCorrection2);                                  \
    }
EMBER_FUSED_BOTH(EMBER_ADAM)

// sgd_step_T(int n, T* p, const T* g, T* buf, double lr, double momentum, double dampening,
//            double weightDecay, int nesterov, int maximize, int firstStep)     buf null without momentum
// blockDim 256, gridDim = min(ceil(n / 256), 65535), no dynamic shared memory.
#define EMBER_SGD(T, S)                                                                                         \
    extern "C" __global__ void __launch_bounds__(256) sgd_step_##S(                                             \
        int n, T* __restrict__ p, const T* __restrict__ g, T* __restrict__ buf, double lr, double momentum,     \
        double dampening, double weightDecay, int nesterov, int maximize, int firstStep) {                      \
        ember_fused::sgd_step<T>(n, p, g, buf, lr, momentum, dampening, weightDecay, nesterov, maximize,        \
                                 firstStep);                                                                    \
    }
EMBER_FUSED_BOTH(EMBER_SGD)

// adam_step_dev_T(int n, T* p, const T* g, T* m, T* v, T* vmax, double beta1, double beta2, double eps,
//                 double weightDecay, int decoupled, int maximize, int amsgrad, double lr, const double* step)
// as adam_step_T with the step count t (already advanced) read from the device. Launch as adam_step_T.
#define EMBER_ADAM_DEV(T, S)                                                                                    \
    extern "C" __global__ void __launch_bounds__(256) adam_step_dev_##S(                                        \
        int n, T* __restrict__ p, const T* __restrict__ g, T* __restrict__ m, T* __restrict__ v,                \
        T* __restrict__ vmax, double beta1, double beta2, double eps, double weightDecay, int decoupled,        \
        int maximize, int amsgrad, double lr, const double* __restrict__ step) {                                \
        ember_fused::adam_step_dev<T>(n, p, g, m, v, vmax, beta1, beta2, eps, weightDecay, decoupled, maximize, \
                                      amsgrad, lr, step);                                                       \
    }
EMBER_FUSED_BOTH(EMBER_ADAM_DEV)

// adam_multi_T(TensorList L, double beta1, double beta2, double eps, double weightDecay, int decoupled, int maximize,
//              int amsgrad, double lr, double stepSize, double sqrtBiasCorrection2, int deviceSteps)
// adam_step_T (deviceSteps 0) or adam_step_dev_T (1: each tensor's t from L.step) over all of L's tensors.
// blockDim 256, gridDim = L.firstBlock[L.count].
#define EMBER_ADAM_MULTI(T, S)                                                                                  \
    extern "C" __global__ void __launch_bounds__(256) adam_multi_##S(                                           \
        ember_fused::TensorList L, double beta1, double beta2, double eps, double weightDecay, int decoupled,   \
        int maximize, int amsgrad, double lr, double stepSize, double sqrtBiasCorrection2, int deviceSteps) {   \
        ember_fused::adam_multi<T>(L, beta1, beta2, eps, weightDecay, decoupled, maximize, amsgrad, lr,         \
                                   stepSize, sqrtBiasCorrection2, deviceSteps);                                  \
    }
EMBER_FUSED_BOTH(EMBER_ADAM_MULTI)

// sgd_multi_T(TensorList L, double lr, double momentum, double dampening, double weightDecay, int nesterov,
//             int maximize): sgd_step_T (not a first momentum step) over L's tensors, L.m the momentum buffers.
#define EMBER_SGD_MULTI(T, S)                                                                                   \
    extern "C" __global__ void __launch_bounds__(256) sgd_multi_##S(ember_fused::TensorList L, double lr,       \
                                                                     double momentum, double dampening,         \
                                                                     double weightDecay, int nesterov,          \
                                                                     int maximize) {                            \
        ember_fused::sgd_multi<T>(L, lr, momentum, dampening, weightDecay, nesterov, maximize);                 \
    }
EMBER_FUSED_BOTH(EMBER_SGD_MULTI)

// step_increment_multi(TensorList L): t += 1 for the float64 step count at each L.step[k], k < L.count (PyTorch's
// _foreach_add_(steps, 1) before a capturable step). One block of 32 threads.
extern "C" __global__ void step_increment_multi(ember_fused::TensorList L) {
    unsigned long long step = 0;
#pragma unroll
    for (int k = 0; k < ember_fused::MULTI_MAX; k++) {
        if (k == (int) threadIdx.x && k < L.count) {
            step = L.step[k];
        }
    }
    if (step != 0) {
        double* t = (double*) step;
        *t = *t + 1.0;
    }
}

// gelu_T(int n, const T* x, T* y); gelu_backward_T(int n, const T* x, const T* g, T* gx). All contiguous.
// blockDim 256, gridDim = min(ceil(n / 256), 65535), no dynamic shared memory.
#define EMBER_GELU(T, S)                                                                                        \
    extern "C" __global__ void __launch_bounds__(256) gelu_##S(int n, const T* __restrict__ x, T* __restrict__ y) { \
        ember_fused::gelu<T>(n, x, y);                                                                          \
    }                                                                                                           \
    extern "C" __global__ void __launch_bounds__(256) gelu_backward_##S(                                        \
        int n, const T* __restrict__ x, const T* __restrict__ g, T* __restrict__ gx) {                          \
        ember_fused::gelu_backward<T>(n, x, g, gx);                                                             \
    }
EMBER_FUSED_BOTH(EMBER_GELU)

// relu_backward_T(int n, const T* out, const T* g, T* gx): gx = out > 0 ? g : 0 (threshold_backward; NaN in out gives
// 0). All contiguous. blockDim 256, gridDim min(ceil(n / 256), 65535).
#define EMBER_RELU_BACKWARD(T, S)                                                                               \
    extern "C" __global__ void __launch_bounds__(256) relu_backward_##S(int n, const T* __restrict__ out,       \
                                                                         const T* __restrict__ g,               \
                                                                         T* __restrict__ gx) {                  \
        ember_fused::relu_backward<T>(n, out, g, gx);                                                           \
    }
EMBER_FUSED_BOTH(EMBER_RELU_BACKWARD)

// lstm_cell_T(int N, int H, const T* xg, const T* hg, const T* c, T* hc, T* gates)
// xg, hg, gates (N, 4H), c (N, H), hc (N, 2H). blockDim 256, gridDim = min(ceil(N*H / 256), 65535).
#define EMBER_LSTM(T, S)                                                                                        \
    extern "C" __global__ void __launch_bounds__(256) lstm_cell_##S(                                            \
        int N, int H, const T* __restrict__ xg, const T* __restrict__ hg, const T* __restrict__ c,              \
        T* __restrict__ hc, T* __restrict__ gates) {                                                            \
        ember_fused::lstm_cell<T>(N, H, xg, hg, c, hc, gates);                                                  \
    }
EMBER_FUSED_BOTH(EMBER_LSTM)

// lstm_cell_backward_T(int N, int H, const T* ghc, const T* gates, const T* c, const T* hc, T* gg, T* gc)
// ghc, hc (N, 2H), gates, gg (N, 4H), c, gc (N, H). blockDim 256, gridDim = min(ceil(N*H / 256), 65535).
#define EMBER_LSTM_BACKWARD(T, S)                                                                               \
    extern "C" __global__ void __launch_bounds__(256) lstm_cell_backward_##S(                                   \
        int N, int H, const T* __restrict__ ghc, const T* __restrict__ gates, const T* __restrict__ c,          \
        const T* __restrict__ hc, T* __restrict__ gg, T* __restrict__ gc) {                                     \
        ember_fused::lstm_cell_backward<T>(N, H, ghc, gates, c, hc, gg, gc);                                    \
    }
EMBER_FUSED_BOTH(EMBER_LSTM_BACKWARD)

// im2col_T(int N, int C, int H, int W, int kH, int kW, int dH, int dW, int pH, int pW, int sH, int sW,
//          int oH, int oW, const T* x, T* cols)      x (N, C, H, W) -> cols (N, C*kH*kW, oH*oW)
// blockDim 256, gridDim = min(ceil(N*C*kH*kW*oH*oW / 256), 65535) (one thread per entry of cols).
#define EMBER_IM2COL(T, S)                                                                                      \
    extern "C" __global__ void __launch_bounds__(256) im2col_##S(                                               \
        int N, int C, int H, int W, int kH, int kW, int dH, int dW, int pH, int pW, int sH, int sW, int oH,     \
        int oW, const T* __restrict__ x, T* __restrict__ cols) {                                                \
        ember_fused::im2col<T>(N, C, H, W, kH, kW, dH, dW, pH, pW, sH, sW, oH, oW, x, cols);                    \
    }
EMBER_FUSED_BOTH(EMBER_IM2COL)

// col2im_T(int N, int C, int H, int W, int kH, int kW, int dH, int dW, int pH, int pW, int sH, int sW,
//          int oH, int oW, const T* cols, T* x)      cols (N, C*kH*kW, oH*oW) -> x (N, C, H, W), written
// blockDim 256, gridDim = min(ceil(N*C*H*W / 256), 65535) (one thread per pixel of x).
#define EMBER_COL2IM(T, S)                                                                                      \
    extern "C" __global__ void __launch_bounds__(256) col2im_##S(                                               \
        int N, int C, int H, int W, int kH, int kW, int dH, int dW, int pH, int pW, int sH, int sW, int oH,     \
        int oW, const T* __restrict__ cols, T* __restrict__ x) {                                                \
        ember_fused::col2im<T>(N, C, H, W, kH, kW, dH, dW, pH, pW, sH, sW, oH, oW, cols, x);                    \
    }
EMBER_FUSED_BOTH(EMBER_COL2IM)

#undef EMBER_FUSED_BOTH
#undef EMBER_SOFTMAX
#undef EMBER_SOFTMAX_BACKWARD
#undef EMBER_LAYER_NORM
#undef EMBER_LAYER_NORM_BACKWARD
#undef EMBER_LAYER_NORM_BACKWARD_WB
#undef EMBER_ADAM
#undef EMBER_ADAM_DEV
#undef EMBER_GELU
#undef EMBER_SGD
#undef EMBER_LSTM
#undef EMBER_LSTM_BACKWARD
#undef EMBER_IM2COL
#undef EMBER_COL2IM
