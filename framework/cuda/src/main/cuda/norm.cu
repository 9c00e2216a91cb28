// Batch normalisation (ABI.md, "Batch norm (norm.cu)"): F.batch_norm's forward and backward in one launch each,
// where the tensor layer's composite takes about fifteen element-wise and reduction launches each way. The input is
// (N, C, L) contiguous (L = the product of the dims after the channel, 1 for BatchNorm1d on (N, C)). One block
// per channel (grid-stride over channels): the block reduces its channel's N*L values in double, per thread and
// then across the block in a fixed order (the result does not depend on timing), and then writes its channel's
// outputs, so the statistics never leave the block.
#include "java_math.cuh"

using namespace ember_fused;

namespace {

constexpr int THREADS = 256;

// The sums of a and of b over the block's threads, in thread order (a fixed order); every thread gets both.
__device__ __forceinline__ void block_sums(double& a, double& b, double* sa, double* sb) {
    sa[threadIdx.x] = a;
    sb[threadIdx.x] = b;
    __syncthreads();
    if (threadIdx.x == 0) {
        double ta = 0.0, tb = 0.0;
        for (int j = 0; j < (int) blockDim.x; j++) {
            ta += sa[j];
            tb += sb[j];
        }
        sa[0] = ta;
        sb[0] = tb;
    }
    __syncthreads();
    a = sa[0];
    b = sb[0];
    __syncthreads();  // sa, sb may be written again by the caller's next use
}

// Element e (0 <= e < N*L) of channel c: sample e / L, position e % L.
__device__ __forceinline__ size_t at(int c, int C, int L, int e) {
    return ((size_t) (e / L) * C + c) * L + e % L;
}

// Training: mean and biased variance of each channel (two passes over it, in double), saved as mean and
// invstd = 1/sqrt(var + eps); the running statistics (nullable) move by momentum, the variance unbiased
// (n/(n-1)), as the composite's muli/addi do. Evaluation: the running statistics are the statistics.
// Then y = (x - mean) * invstd * w + b (w, b nullable: 1 and 0).
template <typename T>
__device__ __forceinline__ void batch_norm(int N, int C, int L, const T* __restrict__ x, const T* __restrict__ w,
                                           const T* __restrict__ b, T* rm, T* rv, int training, double momentum,
                                           double eps, T* __restrict__ y, T* __restrict__ mean,
                                           T* __restrict__ invstd) {
    __shared__ double sa[THREADS];
    __shared__ double sb[THREADS];
    const int n = N * L;
    for (int c = blockIdx.x; c < C; c += gridDim.x) {
        T m, inv;
        if (training) {
            double s = 0.0, unused = 0.0;
            for (int e = threadIdx.x; e < n; e += blockDim.x) s += (double) x[at(c, C, L, e)];
            block_sums(s, unused, sa, sb);
            const double mu = s / n;
            double q = 0.0;
            for (int e = threadIdx.x; e < n; e += blockDim.x) {
                const double d = (double) x[at(c, C, L, e)] - mu;
                q += d * d;
            }
            block_sums(q, unused, sa, sb);
            const double var = q / n;
            m = (T) mu;
            inv = (T) (1.0 / sqrt(var + eps));
            if (threadIdx.x == 0 && rm != nullptr) {
                rm[c] = add_(mul_(rm[c], (T) (1.0 - momentum)), mul_(m, (T) momentum));
            }
            if (threadIdx.x == 0 && rv != nullptr) {
                const T unbiased = (T) (var * n / (n - 1));
                rv[c] = add_(mul_(rv[c], (T) (1.0 - momentum)), mul_(unbiased, (T) momentum));
            }
        } else {
            m = rm[c];
            inv = (T) (1.0 / sqrt((double) rv[c] + eps));
        }
        if (threadIdx.x == 0) {
            mean[c] = m;
            invstd[c] = inv;
        }
        const T wc = w == nullptr ? T(1) : w[c];
        const T bc = b == nullptr ? T(0) : b[c];
        for (int e = threadIdx.x; e < n; e += blockDim.x) {
            const size_t i = at(c, C, L, e);
            y[i] = add_(mul_(mul_(sub_(x[i], m), inv), wc), bc);
        }
    }
}

// Sums per channel of g and of g * xhat (xhat = (x - mean) * invstd): the bias's and the weight's gradients
// (written when gb, gw are not null); then, when gx is not null, the input's:
//   training:   gx = w * invstd * (g - sum(g) / n - xhat * sum(g xhat) / n)   (the batch statistics depend on x)
//   evaluation: gx = w * invstd * g
template <typename T>
__device__ __forceinline__ void batch_norm_backward(int N, int C, int L, const T* __restrict__ g,
                                                    const T* __restrict__ x, const T* __restrict__ w,
                                                    const T* __restrict__ mean, const T* __restrict__ invstd,
                                                    int training, T* __restrict__ gx, T* __restrict__ gw,
                                                    T* __restrict__ gb) {
    __shared__ double sa[THREADS];
    __shared__ double sb[THREADS];
    const int n = N * L;
    for (int c = blockIdx.x; c < C; c += gridDim.x) {
        const T m = mean[c], inv = invstd[c];
        double sg = 0.0, sgx = 0.0;
        for (int e = threadIdx.x; e < n; e += blockDim.x) {
            const size_t i = at(c, C, L, e);
            const double gi = (double) g[i];
            sg += gi;
            sgx += gi * (double) mul_(sub_(x[i], m), inv);
        }
        block_sums(sg, sgx, sa, sb);
        if (threadIdx.x == 0 && gb != nullptr) gb[c] = (T) sg;
        if (threadIdx.x == 0 && gw != nullptr) gw[c] = (T) sgx;
        if (gx == nullptr) continue;
        const T scale = mul_(w == nullptr ? T(1) : w[c], inv);
        const T meanG = (T) (sg / n), meanGx = (T) (sgx / n);
        for (int e = threadIdx.x; e < n; e += blockDim.x) {
            const size_t i = at(c, C, L, e);
            T d = g[i];
            if (training) {
                const T xhat = mul_(sub_(x[i], m), inv);
                d = sub_(sub_(d, meanG), mul_(xhat, meanGx));
            }
            gx[i] = mul_(scale, d);
        }
    }
}

}  // namespace

// batch_norm_T(int N, int C, int L, const T* x, const T* w, const T* b, T* runningMean, T* runningVar,
//              int training, double momentum, double eps, T* y, T* mean, T* invstd)
// batch_norm_backward_T(int N, int C, int L, const T* g, const T* x, const T* w, const T* mean, const T* invstd,
//                       int training, T* gx, T* gw, T* gb)
//   x, y, g, gx (N, C, L) contiguous; the rest (C). Nullable: w, b, the running statistics (training only),
//   gx, gw, gb. blockDim 256, gridDim min(C, 65535).
#define EMBER_NORM(T, S)                                                                                        \
    extern "C" __global__ void __launch_bounds__(256) batch_norm_##S(                                          \
        int N, int C, int L, const T* x, const T* w, const T* b, T* rm, T* rv, int training, double momentum,  \
        double eps, T* y, T* mean, T* invstd) {                                                                 \
        batch_norm<T>(N, C, L, x, w, b, rm, rv, training, momentum, eps, y, mean, invstd);                      \
    }                                                                                                           \
    extern "C" __global__ void __launch_bounds__(256) batch_norm_backward_##S(                                 \
        int N, int C, int L, const T* g, const T* x, const T* w, const T* mean, const T* invstd, int training,  \
        T* gx, T* gw, T* gb) {                                                                                  \
        batch_norm_backward<T>(N, C, L, g, x, w, mean, invstd, training, gx, gw, gb);                           \
    }
EMBER_NORM(float, f32)
EMBER_NORM(double, f64)
#undef EMBER_NORM
