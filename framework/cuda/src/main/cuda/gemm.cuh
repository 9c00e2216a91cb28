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
//   TileCopier<...>              a thread's share of the cp.async copies of one operand's k-tiles
//   store_pair(row, n, N, vec, v0, v1)  row[n] = v0, row[n + 1] = v1 where inside N; one 8-byte store when vec
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

// The tensor-core epilogue's store of a fragment's column pair (n, n + 1) of one output row; vec: the row's pairs
// are 8-byte aligned (C 8-byte aligned, N even).
GEMM_DEV void store_pair(float* row, int n, int N, bool vec, float v0, float v1) {
    if (vec && n + 1 < N) {
        *reinterpret_cast<float2*>(row + n) = make_float2(v0, v1);
    } else {
        if (n < N) row[n] = v0;
        if (n + 1 < N) row[n + 1] = v1;
    }
}

// The tensor-core kernels' arguments (ABI.md, "Tensor-core matrix products"), T the operands' element type, and
// the same names passed on.
#define GEMM_TC_ARGS(T)                                                                                     \
    int batch, int M, int N, int K, const T *A, int aOff, int sab, int lda, const T *B, int bOff, int sbb, \
        int ldb, float *C, int cOff, const float *bias, int bsb, int bsm, int bsn
#define GEMM_TC_PASS batch, M, N, K, A, aOff, sab, lda, B, bOff, sbb, ldb, C, cOff, bias, bsb, bsm, bsn

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

// One operand's 16-byte cp.async copies into a shared tile that holds a k-tile of every operand row: ROWB bytes
// per row (EB-byte elements), NT threads, chunk i of thread t at row t / CPR + RSTEP * i (CPR = ROWB / 16 chunks
// per row, RSTEP = NT / CPR), chunk t % CPR. Swizzle::at(r, c) is the byte offset of chunk c of row r in the
// tile; it must repeat every RSTEP rows, so that a thread's chunks share one swizzle. Rows past the operand's and
// elements past K are zero-filled (src-size < 16).
template <int EB, int ROWB, int NT, int NQ, typename Swizzle>
struct TileCopier {
    static constexpr int CH = 16 / EB, CPR = ROWB / 16, RSTEP = NT / CPR, BK = ROWB / EB;
    const unsigned char* p;  // the thread's first chunk at k-tile 0
    long long step;          // bytes between the thread's rows
    int valid;               // bit i: row of chunk i inside the operand
    int k;                   // the thread's first element along k in a k-tile
    unsigned dst;            // byte offset of chunk 0 in the tile (chunk i: RSTEP rows further on)

    // X: the operand's first element (batch and offset applied), row0 its first row here, ld its row length.
    GEMM_MEMBER void init(const unsigned char* X, long long row0, int ld, int rows, int t) {
        const int r = t / CPR;
        k = (t % CPR) * CH;
        step = (long long)RSTEP * ld * EB;
        p = X + ((row0 + r) * ld + k) * EB;
        valid = 0;
#pragma unroll
        for (int i = 0; i < NQ; i++) valid |= (r + RSTEP * i < rows) ? 1 << i : 0;
        dst = Swizzle::at(r, t % CPR);
    }

    // Issues the copies of k-tile kt into the tile at shared address s.
    GEMM_MEMBER void copy(unsigned s, int kt, int K, const void* any) const {
        const int left = K - (kt * BK + k);
        const int bytes = left >= CH ? 16 : left > 0 ? left * EB : 0;
        const unsigned char* q = p + (long long)kt * ROWB;
#pragma unroll
        for (int i = 0; i < NQ; i++) {
            const bool in = ((valid >> i) & 1) && bytes > 0;
            // a copy that reads nothing still needs a valid address
            cp_async16(s + dst + i * RSTEP * ROWB, in ? q + i * step : any, in ? bytes : 0);
        }
    }
};

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
