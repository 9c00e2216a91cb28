// Scaled dot-product attention in one launch each way (ABI.md, "Attention (attention.cu)"):
//   out = softmax(scale * q k^T + bias) v
// for short sequences, the case of multi-head attention in small transformers, where the composite takes a product,
// a softmax and a product forward (plus the copies that lay the heads out for batched products) and about twice
// that backward. q (N, H, L, D), k and v (N, H, S, D) are read in place, each batch entry at a sample and a head
// stride and each row at a row stride (the last dim contiguous): the heads of a projection's output are such views,
// so no copy lays them out, and the gradients are written with strides of their own (as their inputs are laid out,
// so they flow back through those views without a copy). K and V of one batch entry are staged in shared memory
// whole, which bounds S * D; the host declines what does not fit and the composite runs instead.
//
// Precision: dot products accumulate in T with FMA in d order (the backward's rowsum(dO * O) over a warp's lanes);
// the softmax's exponentials are java_math.cuh's exp_ (the softmax kernel's: in double, rounded to T) of the scores
// minus their max, summed in double (each lane its keys, then across the warp), then divided; the backward recomputes
// the probabilities from the row's log-sum-exp the forward saved.
#include "java_math.cuh"

using namespace ember_fused;

namespace {

constexpr int WARPS = 4;  // warps per forward block (CudaAttention launches 32 WARPS threads)
constexpr int QT = 32;    // query rows per forward block (8 per warp)
constexpr int KPL = 8;    // keys per lane held in registers: S <= 256
constexpr int DPL = 4;    // output dims per lane: D <= 128

template <typename T>
__device__ __forceinline__ T warp_max(T v) {
    for (int m = 16; m > 0; m >>= 1) {
        v = fmax(v, __shfl_xor_sync(0xffffffffu, v, m));
    }
    return v;
}

template <typename T>
__device__ __forceinline__ T warp_sum(T v) {
    for (int m = 16; m > 0; m >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, m);
    }
    return v;
}

// Stages `rows` rows of D elements (row r at src + r * stride) into shared memory rows of stride D + 1 (odd for
// D even: a warp reading one column of consecutive rows hits distinct banks).
template <typename T>
__device__ __forceinline__ void stage_rows(T* dst, const T* src, int stride, int rows, int D) {
    for (int e = threadIdx.x; e < rows * D; e += blockDim.x) {
        const int r = e / D;
        const int d = e - r * D;
        dst[r * (D + 1) + d] = src[(size_t) r * stride + d];
    }
}

// Batch entry b of H heads per sample: b / H samples of stride sn plus b % H heads of stride sh (a 3-D operand
// has H = 1).
__device__ __forceinline__ size_t entry(int b, int H, int sn, int sh) {
    return (size_t) (b / H) * sn + (size_t) (b % H) * sh;
}

// The bias of score (i, j) of batch entry b, 0 without one.
template <typename T>
__device__ __forceinline__ T bias_at(const T* bias, size_t bb, int bsl, int bss, int i, int j) {
    return bias == nullptr ? T(0) : bias[bb + (size_t) i * bsl + (size_t) j * bss];
}

template <typename T>
__device__ __forceinline__ void attention(int L, int S, int D, int H, T scale, const T* __restrict__ q, int qsn,
                                          int qsh, int qsl, const T* __restrict__ k, int ksn, int ksh, int ksl,
                                          const T* __restrict__ v, int vsn, int vsh, int vsl,
                                          const T* __restrict__ bias, int bsn, int bsh, int bsl, int bss,
                                          T* __restrict__ o, int osn, int osh, int osl, T* __restrict__ lse) {
    extern __shared__ __align__(16) unsigned char smem_raw[];
    const int D1 = D + 1;
    T* ks = (T*) smem_raw;           // S x D1
    T* vs = ks + S * D1;             // S x D1
    T* qs = vs + S * D1;             // WARPS x D: the row each warp works on
    T* ps = qs + WARPS * D;          // WARPS x S: its probabilities
    const int b = blockIdx.y;
    const int warp = threadIdx.x >> 5;
    const int lane = threadIdx.x & 31;
    const size_t bb = entry(b, H, bsn, bsh);
    const T* qb = q + entry(b, H, qsn, qsh);
    T* ob = o + entry(b, H, osn, osh);
    stage_rows(ks, k + entry(b, H, ksn, ksh), ksl, S, D);
    stage_rows(vs, v + entry(b, H, vsn, vsh), vsl, S, D);
    __syncthreads();
    T* qw = qs + warp * D;
    T* pw = ps + warp * S;
    const int i1 = min(L, ((int) blockIdx.x + 1) * QT);
    for (int i = blockIdx.x * QT + warp; i < i1; i += WARPS) {
        const T* qi = qb + (size_t) i * qsl;
        for (int d = lane; d < D; d += 32) {
            qw[d] = qi[d];
        }
        __syncwarp();
        T s[KPL];
        T m = T(-INFINITY);
#pragma unroll
        for (int c = 0; c < KPL; c++) {
            const int j = lane + 32 * c;
            s[c] = T(-INFINITY);
            if (j < S) {
                const T* kj = ks + j * D1;
                T acc = T(0);
                for (int d = 0; d < D; d++) {
                    acc = fma(qw[d], kj[d], acc);
                }
                s[c] = add_(mul_(acc, scale), bias_at(bias, bb, bsl, bss, i, j));
                m = fmax(m, s[c]);
            }
        }
        m = warp_max(m);
        double part = 0.0;
#pragma unroll
        for (int c = 0; c < KPL; c++) {
            if (lane + 32 * c < S) {
                s[c] = exp_(sub_(s[c], m));
                part += (double) s[c];
            }
        }
        const T sum = (T) warp_sum(part);
#pragma unroll
        for (int c = 0; c < KPL; c++) {
            const int j = lane + 32 * c;
            if (j < S) {
                pw[j] = div_(s[c], sum);
            }
        }
        __syncwarp();
        T acc[DPL];
#pragma unroll
        for (int c = 0; c < DPL; c++) {
            acc[c] = T(0);
        }
        for (int j = 0; j < S; j++) {
            const T p = pw[j];
            const T* vj = vs + j * D1;
#pragma unroll
            for (int c = 0; c < DPL; c++) {
                const int d = lane + 32 * c;
                if (d < D) {
                    acc[c] = fma(p, vj[d], acc[c]);
                }
            }
        }
        T* oi = ob + (size_t) i * osl;
#pragma unroll
        for (int c = 0; c < DPL; c++) {
            const int d = lane + 32 * c;
            if (d < D) {
                oi[d] = acc[c];
            }
        }
        if (lane == 0) {
            lse[(size_t) b * L + i] = add_(m, log_(sum));
        }
        __syncwarp();  // qw and pw are rewritten for the warp's next row
    }
}

// f(i, j, a_i . b_j) for every i < rows, j < cols: rows of D elements at stride D1 in shared memory, summed in d
// order with FMA.
template <typename T, typename F>
__device__ __forceinline__ void row_dots(int rows, int cols, int D1, int D, const T* a, const T* b, F f) {
    for (int e = threadIdx.x; e < rows * cols; e += blockDim.x) {
        const int i = e / cols;
        const int j = e - i * cols;
        T acc = T(0);
        for (int d = 0; d < D; d++) {
            acc = fma(a[i * D1 + d], b[j * D1 + d], acc);
        }
        f(i, j, acc);
    }
}

// out[r * stride + d] = scale * sum over x < count of coef(r, x) m[x][d], for r < rows, d < D: m's rows at stride D1
// in shared memory, summed in x order with FMA.
template <typename T, typename C>
__device__ __forceinline__ void combine_rows(int rows, int count, int D1, int D, C coef, const T* m, T scale, T* out,
                                             int stride) {
    for (int e = threadIdx.x; e < rows * D; e += blockDim.x) {
        const int r = e / D;
        const int d = e - r * D;
        T acc = T(0);
        for (int x = 0; x < count; x++) {
            acc = fma(coef(r, x), m[x * D1 + d], acc);
        }
        out[(size_t) r * stride + d] = mul_(acc, scale);
    }
}

// One block per batch entry: P, then dV = P^T dO, then dS = P * (dO V^T - rowsum(dO * O)) in place of P, then
// dQ = scale dS K and dK = scale dS^T Q.
template <typename T>
__device__ __forceinline__ void attention_backward(int L, int S, int D, int H, T scale, const T* __restrict__ q,
                                                   int qsn, int qsh, int qsl, const T* __restrict__ k, int ksn,
                                                   int ksh, int ksl, const T* __restrict__ v, int vsn, int vsh,
                                                   int vsl, const T* __restrict__ bias, int bsn, int bsh, int bsl,
                                                   int bss, const T* __restrict__ o, int osn, int osh, int osl,
                                                   const T* __restrict__ lse, const T* __restrict__ go, int gsn,
                                                   int gsh, int gsl, T* __restrict__ gq, int qgn, int qgh, int qgl,
                                                   T* __restrict__ gk, int kgn, int kgh, int kgl,
                                                   T* __restrict__ gv, int vgn, int vgh, int vgl) {
    extern __shared__ __align__(16) unsigned char smem_raw[];
    const int D1 = D + 1;
    const int S1 = S + 1;
    T* qs = (T*) smem_raw;  // L x D1
    T* gos = qs + L * D1;   // L x D1: dO
    T* ks = gos + L * D1;   // S x D1
    T* vs = ks + S * D1;    // S x D1
    T* ps = vs + S * D1;    // L x S1: P, then dS
    T* rs = ps + L * S1;    // L: rowsum(dO * O)
    T* ls = rs + L;         // L: the rows' log-sum-exp
    const int b = blockIdx.x;
    const size_t bb = entry(b, H, bsn, bsh);
    stage_rows(qs, q + entry(b, H, qsn, qsh), qsl, L, D);
    stage_rows(gos, go + entry(b, H, gsn, gsh), gsl, L, D);
    stage_rows(ks, k + entry(b, H, ksn, ksh), ksl, S, D);
    stage_rows(vs, v + entry(b, H, vsn, vsh), vsl, S, D);
    __syncthreads();
    // a warp per row of O (its lanes read consecutive elements), with the row's log-sum-exp
    const T* ob = o + entry(b, H, osn, osh);
    const int lane = threadIdx.x & 31;
    for (int i = threadIdx.x >> 5; i < L; i += blockDim.x >> 5) {
        const T* oi = ob + (size_t) i * osl;
        T acc = T(0);
        for (int d = lane; d < D; d += 32) {
            acc = fma(gos[i * D1 + d], oi[d], acc);
        }
        acc = warp_sum(acc);
        if (lane == 0) {
            rs[i] = acc;
            ls[i] = lse[(size_t) b * L + i];
        }
    }
    __syncthreads();
    row_dots<T>(L, S, D1, D, qs, ks, [&](int i, int j, T acc) {
        const T x = add_(mul_(acc, scale), bias_at(bias, bb, bsl, bss, i, j));
        ps[i * S1 + j] = exp_(sub_(x, ls[i]));
    });
    __syncthreads();
    // dV = P^T dO
    combine_rows<T>(S, L, D1, D, [&](int j, int i) { return ps[i * S1 + j]; }, gos, T(1),
                    gv + entry(b, H, vgn, vgh), vgl);
    __syncthreads();  // dV has read P: it becomes dS
    row_dots<T>(L, S, D1, D, gos, vs, [&](int i, int j, T acc) {
        ps[i * S1 + j] = mul_(ps[i * S1 + j], sub_(acc, rs[i]));
    });
    __syncthreads();
    // dQ = scale dS K, dK = scale dS^T Q
    combine_rows<T>(L, S, D1, D, [&](int i, int j) { return ps[i * S1 + j]; }, ks, scale,
                    gq + entry(b, H, qgn, qgh), qgl);
    combine_rows<T>(S, L, D1, D, [&](int j, int i) { return ps[i * S1 + j]; }, qs, scale,
                    gk + entry(b, H, kgn, kgh), kgl);
}

}  // namespace

// attention_T(int L, int S, int D, int H, double scale, q, qsn, qsh, qsl, k..., v..., bias, bsn, bsh, bsl, bss, o,
//             osn, osh, osl, lse): B = N H batch entries, entry b at (b / H) * sn + (b % H) * sh of each operand;
//             grid (ceil(L / 32), B), block 128, dynamic shared memory (2 S (D + 1) + 4 D + 4 S) elements. lse (B, L)
//             contiguous. S <= 256, D <= 128.
// attention_backward_T(int L, int S, int D, int H, double scale, q..., k..., v..., bias..., o, osn, osh, osl, lse,
//             go, gsn, gsh, gsl, gq, qgn, qgh, qgl, gk..., gv...): grid B, block 256, dynamic shared memory
//             ((2 L + 2 S) (D + 1) + L (S + 1) + 2 L) elements. gq (as q), gk and gv (as k) written whole, with the
//             strides given (the host lays them out as their inputs, so gradients flow back through views).
// __launch_bounds__(128, 4) on the forward: with the bare thread bound ptxas kept 56 registers and spilled 4 bytes
// of the float kernel; asking for 4 blocks per multiprocessor lets it take the 93 it needs.
#define EMBER_ATTENTION(T, S_)                                                                                  \
    extern "C" __global__ void __launch_bounds__(128, 4) attention_##S_(                                       \
        int L, int S, int D, int H, double scale, const T* q, int qsn, int qsh, int qsl, const T* k, int ksn,  \
        int ksh, int ksl, const T* v, int vsn, int vsh, int vsl, const T* bias, int bsn, int bsh, int bsl,     \
        int bss, T* o, int osn, int osh, int osl, T* lse) {                                                    \
        attention<T>(L, S, D, H, (T) scale, q, qsn, qsh, qsl, k, ksn, ksh, ksl, v, vsn, vsh, vsl, bias, bsn,   \
                     bsh, bsl, bss, o, osn, osh, osl, lse);                                                    \
    }                                                                                                          \
    extern "C" __global__ void __launch_bounds__(256) attention_backward_##S_(                                 \
        int L, int S, int D, int H, double scale, const T* q, int qsn, int qsh, int qsl, const T* k, int ksn,  \
        int ksh, int ksl, const T* v, int vsn, int vsh, int vsl, const T* bias, int bsn, int bsh, int bsl,     \
        int bss, const T* o, int osn, int osh, int osl, const T* lse, const T* go, int gsn, int gsh, int gsl,  \
        T* gq, int qgn, int qgh, int qgl, T* gk, int kgn, int kgh, int kgl, T* gv, int vgn, int vgh, int vgl) { \
        attention_backward<T>(L, S, D, H, (T) scale, q, qsn, qsh, qsl, k, ksn, ksh, ksl, v, vsn, vsh, vsl,     \
                              bias, bsn, bsh, bsl, bss, o, osn, osh, osl, lse, go, gsn, gsh, gsl, gq, qgn, qgh, \
                              qgl, gk, kgn, kgh, kgl, gv, vgn, vgh, vgl);                                      \
    }
EMBER_ATTENTION(float, f32)
EMBER_ATTENTION(double, f64)
#undef EMBER_ATTENTION
