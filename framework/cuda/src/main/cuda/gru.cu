// The GRU cell's element-wise part in one launch each way (ABI.md, "GRU cell (gru.cu)"), the CUDA twin of the
// CPU's CpuGru (PyTorch's _thnn_fused_gru_cell): per element of h (N, H), from the gate projections xg and hg
// (N, 3H, blocks r, z, n)
//   r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z), n = tanh(x_n + r h_n), h' = n + z (h - n)
// saving (r, z, n, h_n) (N, 4H) for the backward. Operations in the CPU's order, each rounded as Java rounds it
// (java_math.cuh), so the kernels repeat CpuGru up to the transcendental functions' last bits.
#include "java_math.cuh"

using namespace ember_fused;

namespace {

template <typename T>
__device__ __forceinline__ void gru_cell(int N, int H, const T* __restrict__ xg, const T* __restrict__ hg,
                                         const T* __restrict__ h, T* __restrict__ hn, T* __restrict__ saved) {
    for (unsigned idx = blockIdx.x * blockDim.x + threadIdx.x; idx < (unsigned) (N * H);
         idx += blockDim.x * gridDim.x) {
        const int n = (int) idx / H;
        const int j = (int) idx - n * H;
        const size_t g = (size_t) n * 3 * H + j;
        const T r = sigmoid_(add_(xg[g], hg[g]));
        const T z = sigmoid_(add_(xg[g + H], hg[g + H]));
        const T hnn = hg[g + 2 * H];
        const T nn = tanh_(add_(xg[g + 2 * H], mul_(r, hnn)));
        hn[idx] = add_(nn, mul_(z, sub_(h[idx], nn)));
        T* s = saved + (size_t) n * 4 * H + j;
        s[0] = r;
        s[H] = z;
        s[2 * H] = nn;
        s[3 * H] = hnn;
    }
}

// CpuGru.backward: gn = g (1 - z) (1 - n^2), gz = g (h - n) z (1 - z), gr = gn h_n r (1 - r); the x gates get
// (gr, gz, gn), the h gates (gr, gz, gn r), h gets g z.
template <typename T>
__device__ __forceinline__ void gru_cell_backward(int N, int H, const T* __restrict__ gy,
                                                  const T* __restrict__ saved, const T* __restrict__ h,
                                                  T* __restrict__ gx, T* __restrict__ gg, T* __restrict__ gh) {
    const T one = T(1);
    for (unsigned idx = blockIdx.x * blockDim.x + threadIdx.x; idx < (unsigned) (N * H);
         idx += blockDim.x * gridDim.x) {
        const int n = (int) idx / H;
        const int j = (int) idx - n * H;
        const T* s = saved + (size_t) n * 4 * H + j;
        const T g = gy[idx];
        const T r = s[0];
        const T z = s[H];
        const T nn = s[2 * H];
        const T hnn = s[3 * H];
        const T gn = mul_(mul_(g, sub_(one, z)), sub_(one, mul_(nn, nn)));
        const T gz = mul_(mul_(g, sub_(h[idx], nn)), mul_(z, sub_(one, z)));
        const T gr = mul_(mul_(gn, hnn), mul_(r, sub_(one, r)));
        const size_t o = (size_t) n * 3 * H + j;
        gx[o] = gr;
        gx[o + H] = gz;
        gx[o + 2 * H] = gn;
        gg[o] = gr;
        gg[o + H] = gz;
        gg[o + 2 * H] = mul_(gn, r);
        gh[idx] = mul_(g, z);
    }
}

}  // namespace

// gru_cell_T(int N, int H, const T* xg, const T* hg, const T* h, T* hn, T* saved)
//   xg, hg (N, 3H), h, hn (N, H), saved (N, 4H), all contiguous. blockDim 256, gridDim min(ceil(N H / 256), 65535).
// gru_cell_backward_T(int N, int H, const T* gy, const T* saved, const T* h, T* gx, T* gg, T* gh)
//   gy, h, gh (N, H), saved (N, 4H), gx, gg (N, 3H). Same grid.
#define EMBER_GRU(T, S)                                                                                         \
    extern "C" __global__ void __launch_bounds__(256) gru_cell_##S(int N, int H, const T* xg, const T* hg,      \
                                                                    const T* h, T* hn, T* saved) {             \
        gru_cell<T>(N, H, xg, hg, h, hn, saved);                                                                \
    }                                                                                                           \
    extern "C" __global__ void __launch_bounds__(256) gru_cell_backward_##S(                                    \
        int N, int H, const T* gy, const T* saved, const T* h, T* gx, T* gg, T* gh) {                           \
        gru_cell_backward<T>(N, H, gy, saved, h, gx, gg, gh);                                                   \
    }
EMBER_GRU(float, f32)
EMBER_GRU(double, f64)
#undef EMBER_GRU
