// 2-D max pooling in one launch each way (ABI.md, "Max pooling (pool.cu)"), the CUDA twin of the CPU's CpuPool.
//
// Forward: one thread per output element; the window's taps in row-major order, those outside the input skipped;
// the maximum is the first largest value or the first NaN (PyTorch's rule), its index the flat input position
// h * W + w, -1 when no tap is inside (the output is then -inf).
// Backward: one thread per input element, which adds the gradients of the windows whose index names it, in the
// order of those windows (as the CPU's scatter does): no atomics, and the CPU's sums bit for bit.
#include "java_math.cuh"

namespace {

// The window of Ember's Window2d, by value: kernel, dilation, padding, stride, output size.
struct Window {
    int kH, kW, dH, dW, pH, pW, sH, sW, oH, oW;
};
// x's element offset and strides (N, C, H, W) and its sizes.
struct Input {
    int offset, s0, s1, s2, s3, C, H, W;
};

template <typename T>
__device__ __forceinline__ void max_pool2d(int total, Input in, Window w, const T* __restrict__ x,
                                           T* __restrict__ out, long long* __restrict__ idx) {
    for (unsigned o = blockIdx.x * blockDim.x + threadIdx.x; o < (unsigned) total; o += blockDim.x * gridDim.x) {
        const int ow = (int) o % w.oW;
        const int oh = (int) o / w.oW % w.oH;
        const int nc = (int) o / (w.oW * w.oH);
        const T* plane = x + in.offset + (size_t) (nc / in.C) * in.s0 + (size_t) (nc % in.C) * in.s1;
        const int h0 = oh * w.sH - w.pH;
        const int w0 = ow * w.sW - w.pW;
        T best = ember_fused::neg_inf<T>();
        long long at = -1;
        for (int kh = 0; kh < w.kH; kh++) {
            const int ih = h0 + kh * w.dH;
            if (ih < 0 || ih >= in.H) {
                continue;
            }
            for (int kw = 0; kw < w.kW; kw++) {
                const int iw = w0 + kw * w.dW;
                if (iw < 0 || iw >= in.W) {
                    continue;
                }
                const T v = plane[(size_t) ih * in.s2 + (size_t) iw * in.s3];
                if (at < 0 || v > best || (v != v && best == best)) {
                    best = v;
                    at = (long long) ih * in.W + iw;
                }
            }
        }
        out[o] = best;
        idx[o] = at;
    }
}

// The windows along one dim that may hold input position i: o = (i + p - k d) / s for the taps k whose division
// is exact and lands in [0, out). Taps from the last down give the windows in increasing order.
template <typename T>
__device__ __forceinline__ void max_pool2d_backward(int total, int H, int W, Window w, const T* __restrict__ gy,
                                                    const long long* __restrict__ idx, T* __restrict__ gx) {
    for (unsigned e = blockIdx.x * blockDim.x + threadIdx.x; e < (unsigned) total; e += blockDim.x * gridDim.x) {
        const int iw = (int) e % W;
        const int ih = (int) e / W % H;
        const int nc = (int) e / (W * H);
        const long long self = (long long) ih * W + iw;
        const size_t plane = (size_t) nc * w.oH * w.oW;
        T sum = T(0);
        for (int kh = w.kH - 1; kh >= 0; kh--) {
            const int th = ih + w.pH - kh * w.dH;
            if (th < 0 || th % w.sH != 0 || th / w.sH >= w.oH) {
                continue;
            }
            const int oh = th / w.sH;
            for (int kw = w.kW - 1; kw >= 0; kw--) {
                const int tw = iw + w.pW - kw * w.dW;
                if (tw < 0 || tw % w.sW != 0 || tw / w.sW >= w.oW) {
                    continue;
                }
                const size_t o = plane + (size_t) oh * w.oW + tw / w.sW;
                if (idx[o] == self) {
                    sum += gy[o];
                }
            }
        }
        gx[e] = sum;
    }
}

}  // namespace

// max_pool2d_T(int total, Input in, Window w, const T* x, T* out, long long* idx)
//   total = N C oH oW; out and idx (N, C, oH, oW) contiguous; x (N, C, H, W) any strides (Input).
// max_pool2d_backward_T(int total, int H, int W, Window w, const T* gy, const long long* idx, T* gx)
//   total = N C H W; gx (N, C, H, W) contiguous, written; gy and idx (N, C, oH, oW) contiguous.
// blockDim 256, gridDim min(ceil(total / 256), 65535).
#define EMBER_POOL(T, S)                                                                                        \
    extern "C" __global__ void __launch_bounds__(256) max_pool2d_##S(int total, Input in, Window w, const T* x, \
                                                                      T* out, long long* idx) {                \
        max_pool2d<T>(total, in, w, x, out, idx);                                                               \
    }                                                                                                           \
    extern "C" __global__ void __launch_bounds__(256) max_pool2d_backward_##S(                                 \
        int total, int H, int W, Window w, const T* gy, const long long* idx, T* gx) {                          \
        max_pool2d_backward<T>(total, H, W, w, gy, idx, gx);                                                    \
    }
EMBER_POOL(float, f32)
EMBER_POOL(double, f64)
#undef EMBER_POOL
