// Cross entropy's loss and gradient from the log-probabilities (ABI.md, "Cross entropy (loss.cu)"): what follows
// softmax_T (log) in the tensor layer's NllLossBackward0 node, in one launch each way instead of a dozen small
// element-wise and reduction launches. Targets are int64 class indices, range-checked by nll_loss_T itself (or
// before it by check_index), or ignore_index, whose rows add nothing. reduction: 0 none, 1 mean (over the rows not
// ignored), 2 sum.
#include "ember.cuh"
#include "java_math.cuh"

using namespace ember_fused;

namespace {

constexpr int THREADS = 256;

// One block: per-thread sums (in double, rows in a fixed order) of -logp[i, t_i] over the kept rows and their
// count, combined in shared memory in a fixed order, so the result does not depend on timing. "none" writes each
// row's loss (0 where ignored) instead.
// With checkId != 0 the targets are range-checked here too (in [0, C) or ignore, as check_index would): a bad one
// is reported (report_bad_index) and counts as ignored, so no logp outside its row is read.
template <typename T>
__device__ __forceinline__ void nll_loss(int N, int C, const T* __restrict__ logp, const long long* __restrict__ t,
                                         long long ignore, int reduction, T* __restrict__ loss,
                                         T* __restrict__ count, int checkId, int* flag, volatile int* reportId,
                                         volatile long long* reportValue) {
    __shared__ double sums[THREADS];
    __shared__ int kept[THREADS];
    double sum = 0.0;
    int k = 0;
    for (int i = threadIdx.x; i < N; i += blockDim.x) {
        long long c = t[i];
        if (checkId != 0 && c != ignore && (c < 0 || c >= C)) {
            report_bad_index(checkId, c, flag, reportId, reportValue);
            c = ignore;
        }
        const T v = c == ignore ? T(0) : -logp[(size_t) i * C + c];
        if (reduction == 0) {
            loss[i] = v;
        }
        sum += (double) v;
        k += c != ignore;
    }
    sums[threadIdx.x] = sum;
    kept[threadIdx.x] = k;
    __syncthreads();
    if (threadIdx.x == 0) {
        double s = 0.0;
        int n = 0;
        for (int j = 0; j < (int) blockDim.x; j++) {
            s += sums[j];
            n += kept[j];
        }
        *count = (T) n;
        if (reduction == 1) {
            *loss = div_((T) s, (T) n);
        } else if (reduction == 2) {
            *loss = (T) s;
        }
    }
}

// gx (N, C) = (exp(logp) - onehot(t)) * scale_i, scale_i = 0 on ignored rows, else g / count (mean), g (sum) or
// g_i (none): the composite's exp, scatter of -1 and row scaling, element by element.
template <typename T>
__device__ __forceinline__ void nll_loss_backward(int N, int C, const T* __restrict__ logp,
                                                  const long long* __restrict__ t, long long ignore, int reduction,
                                                  const T* __restrict__ g, const T* __restrict__ count,
                                                  T* __restrict__ gx) {
    for (unsigned e = blockIdx.x * blockDim.x + threadIdx.x; e < (unsigned) (N * C); e += blockDim.x * gridDim.x) {
        const int i = (int) e / C;
        const int j = (int) e - i * C;
        const long long c = t[i];
        if (c == ignore) {
            gx[e] = T(0);
            continue;
        }
        const T scale = reduction == 1 ? div_(g[0], count[0]) : reduction == 2 ? g[0] : g[i];
        T v = exp_(logp[e]);
        if (j == c) {
            v = sub_(v, T(1));
        }
        gx[e] = mul_(v, scale);
    }
}

}  // namespace

// nll_loss_T(int N, int C, const T* logp, const long long* t, long long ignore, int reduction, T* loss, T* count,
//            int checkId, int* flag, int* reportId, long long* reportValue)
//   logp (N, C) contiguous, t (N); loss: 1 element (mean, sum) or N (none); count: 1 element, the rows kept.
//   checkId != 0: the targets are range-checked as well, a bad one reported as check_index does (its id checkId,
//   the other three its flag and report); 0: already checked (flag and the reports may be null).
//   One block of 256 threads.
// nll_loss_backward_T(int N, int C, const T* logp, const long long* t, long long ignore, int reduction, const T* g,
//                     const T* count, T* gx)
//   g: the loss's gradient, 1 element (mean, sum) or N (none); gx (N, C). blockDim 256, gridDim
//   min(ceil(N C / 256), 65535).
#define EMBER_LOSS(T, S)                                                                                        \
    extern "C" __global__ void __launch_bounds__(256) nll_loss_##S(                                            \
        int N, int C, const T* logp, const long long* t, long long ignore, int reduction, T* loss, T* count,    \
        int checkId, int* flag, volatile int* reportId, volatile long long* reportValue) {                     \
        nll_loss<T>(N, C, logp, t, ignore, reduction, loss, count, checkId, flag, reportId, reportValue);       \
    }                                                                                                           \
    extern "C" __global__ void __launch_bounds__(256) nll_loss_backward_##S(                                   \
        int N, int C, const T* logp, const long long* t, long long ignore, int reduction, const T* g,          \
        const T* count, T* gx) {                                                                                \
        nll_loss_backward<T>(N, C, logp, t, ignore, reduction, g, count, gx);                                   \
    }
EMBER_LOSS(float, f32)
EMBER_LOSS(double, f64)
#undef EMBER_LOSS
