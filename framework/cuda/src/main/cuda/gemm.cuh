// What ember-cuda's matrix kernels (gemm.cu, gemm_tc.cu) share: the output-tile raster, the epilogue's bias, and
// the inline PTX of asynchronous copies to shared memory (cp.async, sm_80+), ldmatrix fragment loads, tensor-core
// mma.sync for TF32 (m16n8k8) and BF16 (m16n8k16) with FP32 accumulation, and the roundings to those formats.
// Under EMBER_EMULATE (the CPU emulator, src/test/emu) each PTX piece has a twin that computes the same warp-wide
// result from the PTX ISA's fragment layouts.
//
//   cp_async16(dst, src, bytes)  16 bytes global -> shared, `bytes` (0..16) read and the rest zero-filled;
//                                src 16-byte aligned; visible after cp_async_wait retires its group
//   cp_async_elem(dst, src, ok)  one float or double, or a zero when !ok
//   cp_async_commit()            closes the group of the copies issued since the last commit
//   cp_async_wait<N>()           waits until at most the N newest committed groups are in flight
//   ldsm_x4(addr, r0..r3)        ldmatrix .m8n8.x4: lane l addresses row l % 8 of matrix l / 8
//   mma_tf32 / mma_bf16          d = a b + d on one m16n8k8 / m16n8k16 tile
//   to_tf32(x)                   cvt.rna.tf32.f32: 10 mantissa bits, ties away from zero
//   pack_bf16(lo, hi)            two floats to bf16 (nearest even), lo in the low half
//   tile_coords(G, tm, tn)       this block's output tile, the grid visited in groups of G tile rows
//   bias_at(bias, sb, sm, sn, b, m, n, N)  the epilogue's addend of output (b, m, n): bias[b*sb + m*sm + n*sn],
//                                0 without one or past N
#pragma once

#include <stdint.h>

#define GEMM_DEV static __device__ __forceinline__
#define GEMM_MEMBER __device__ __forceinline__

namespace gemm_common {

// Visits the output tiles in groups of G tile-rows (pid -> (tm, tn)) so that the blocks resident at
// one time share A and B panels in L2. Bijective over the grid's x*y tiles.
GEMM_DEV void tile_coords(int G, int& tm, int& tn) {
    const int gx = gridDim.x, gy = gridDim.y;
    const int pid = blockIdx.y * gx + blockIdx.x;
    const int group = pid / (G * gx), first = group * G;
    const int rows = min(gy - first, G);
    const int local = pid - group * G * gx;
    tm = first + local % rows;
    tn = local / rows;
}

// The addend of output (b, m, n), read through strides that broadcast it: a linear layer's bias per column
// (0, 0, 1), a convolution's per row (0, 1, 0), an attention mask per matrix (0, N, 1). 0 when there is none or n
// is past the matrix (callers keep m < M). Adding that 0 changes no result: accumulators start at +0, so they never
// hold -0.
template <typename T>
GEMM_DEV T bias_at(const T* bias, int sb, int sm, int sn, int b, int m, int n, int N) {
    return bias != nullptr && n < N ? __ldg(bias + (long long)b * sb + (long long)m * sm + (long long)n * sn) : T(0);
}

#ifdef EMBER_EMULATE  // the CPU emulator (src/test/emu): copies land at cp_async_wait, zero-filled past `bytes`
GEMM_DEV void cp_async16(unsigned dst, const void* src, int bytes) { ember_emu::cp_async(dst, src, 16, bytes); }
GEMM_DEV void cp_async_elem(unsigned dst, const float* src, bool ok) { ember_emu::cp_async(dst, src, 4, ok ? 4 : 0); }
GEMM_DEV void cp_async_elem(unsigned dst, const double* src, bool ok) { ember_emu::cp_async(dst, src, 8, ok ? 8 : 0); }
GEMM_DEV void cp_async_commit() { ember_emu::cp_async_commit(); }
template <int N>
GEMM_DEV void cp_async_wait() { ember_emu::cp_async_wait(N); }
#else
GEMM_DEV void cp_async16(unsigned dst, const void* src, int bytes) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src), "r"(bytes));
}
GEMM_DEV void cp_async_elem(unsigned dst, const float* src, bool ok) {
    asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;\n" ::"r"(dst), "l"(src), "r"(ok ? 4 : 0));
}
GEMM_DEV void cp_async_elem(unsigned dst, const double* src, bool ok) {
    asm volatile("cp.async.ca.shared.global [%0], [%1], 8, %2;\n" ::"r"(dst), "l"(src), "r"(ok ? 8 : 0));
}
GEMM_DEV void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
template <int N>
GEMM_DEV void cp_async_wait() { asm volatile("cp.async.wait_group %0;\n" ::"n"(N)); }
#endif

#ifdef EMBER_EMULATE  // the CPU emulator (src/test/emu) computes the warp-wide fragments in software
GEMM_DEV void ldsm_x4(unsigned addr, unsigned& r0, unsigned& r1, unsigned& r2, unsigned& r3) {
    ember_emu::ldmatrix_x4(addr, r0, r1, r2, r3);
}
GEMM_DEV void mma_tf32(float c[4], const unsigned a[4], unsigned b0, unsigned b1) { ember_emu::mma_tf32(c, a, b0, b1); }
GEMM_DEV void mma_bf16(float c[4], const unsigned a[4], unsigned b0, unsigned b1) { ember_emu::mma_bf16(c, a, b0, b1); }
GEMM_DEV unsigned to_tf32(float x) { return ember_emu::to_tf32(x); }
GEMM_DEV unsigned pack_bf16(float lo, float hi) { return ember_emu::pack_bf16(lo, hi); }
#else
GEMM_DEV void ldsm_x4(unsigned addr, unsigned& r0, unsigned& r1, unsigned& r2, unsigned& r3) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r0), "=r"(r1), "=r"(r2), "=r"(r3)
                 : "r"(addr));
}
GEMM_DEV void mma_tf32(float c[4], const unsigned a[4], unsigned b0, unsigned b1) {
    asm("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
        "{%0,%1,%2,%3};\n"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}
GEMM_DEV void mma_bf16(float c[4], const unsigned a[4], unsigned b0, unsigned b1) {
    asm("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
        "{%0,%1,%2,%3};\n"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}
GEMM_DEV unsigned to_tf32(float x) {
    unsigned r;
    asm("cvt.rna.tf32.f32 %0, %1;\n" : "=r"(r) : "f"(x));
    return r;
}
GEMM_DEV unsigned pack_bf16(float lo, float hi) {  // round to nearest even; lo in the low half
    unsigned r;
    asm("cvt.rn.bf16x2.f32 %0, %1, %2;\n" : "=r"(r) : "f"(hi), "f"(lo));
    return r;
}
#endif

}  // namespace gemm_common
