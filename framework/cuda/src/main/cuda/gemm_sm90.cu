// gemm_sm90.cu - tensor-core matrix products for Hopper (sm_90a only): warpgroup MMA (wgmma.mma_async) reading
// both operands from shared memory. Same contract as gemm_tc.cu's gemm_tf32 / gemm_bf16 (ABI.md, "Tensor-core
// matrix products"): K-major operands (A'[m][k] = A[aOff + b*sab + m*lda + k], B'[n][k] = B[bOff + b*sbb + n*ldb
// + k]), FP32 C[cOff + b*M*N + m*N + n] plus the optional bias, the same alignment rules, the same packing passes.
// One difference: the TF32 kernel hands the tensor cores the FP32 words as they are (wgmma has no register
// operands to round, and rounding in shared memory would double its traffic), so the low 13 mantissa bits are
// dropped by the hardware instead of rounded to nearest (cvt.rna) as gemm_tf32 does.
//
// build.sh compiles files named *_sm90.cu for sm_90a alone (wgmma exists on no other architecture); the driver
// loads this module only on a compute capability 9.0 GPU, and dev.ember.cuda.TensorCoreGemm falls back to
// gemm_tc.cu elsewhere.
//
// Two tile shapes (CudaGemm times both: -Dember.cuda.gemm.tc=wgmma128 selects the second):
//   gemm_wgmma_*     128x256 tiles, 4 stages: grid = (ceil(N / 256), ceil(M / 128), batch), block 256, dynamic shared
//                    memory 197632 bytes (4 stages of 48 KB plus 1 KB to align them), one block per multiprocessor;
//   gemm_wgmma128_*  128x128 tiles, 3 stages: grid = (ceil(N / 128), ceil(M / 128), batch), block 256, 99328 bytes
//                    (3 x 32 KB + 1 KB), two blocks per multiprocessor;
// both need CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES.
//
// Design (128x256; the 128x128 kernel is the same with m64n128 instructions and one k-tile in flight ahead): a
// 128x256 block tile; warpgroup w (threads 128w .. 128w + 127) multiplies rows 64w .. 64w + 63 of it by all 256
// columns with m64n256 wgmma instructions (128 FP32 accumulators per thread). A k-tile is 128 bytes of
// every operand row (64 bf16, 32 tf32): four wgmma k-steps of 32 bytes. All 256 threads copy the operand tiles
// global -> shared with 16-byte cp.async, laid out as wgmma's 128-byte swizzle reads them: row r of a tile at
// r * 128 bytes from a 1024-aligned base, its 16-byte chunk c at chunk c ^ (r % 8) (so the 8 rows of one core
// matrix fall into 8 different bank groups). 4 stages: while the tensor cores work on k-tile kt (and may still
// be finishing kt - 1, wgmma being asynchronous), the copies of kt + 1 and kt + 2 are in flight. Per k-tile: wait
// for the own copies of kt, fence them into the async proxy that wgmma reads through, one barrier (after it
// every thread's copies of kt have landed and both warpgroups have retired kt - 2, whose stage is refilled next),
// issue the copies of kt + 2, issue kt's four wgmmas, and wait until only they are in flight. Rows past M or N and
// k past K are zero-filled by the copies.
#include <stdint.h>

#include "gemm.cuh"

namespace gemm_sm90 {

using namespace ::gemm_common;

constexpr int BM = 128;      // 256 threads: two warpgroups of 64 rows each
constexpr int ROW = 128;     // bytes of an operand row per k-tile: the 128-byte swizzle's width
constexpr int SA = BM * ROW; // bytes of A per stage (16 KB)
constexpr int ALIGN = 1024;  // the swizzle pattern repeats every 8 rows: its base must be 1024-aligned

template <bool BF16>
struct Cfg {
    static constexpr int EB = BF16 ? 2 : 4;     // bytes per element
    static constexpr int BK = ROW / EB;         // k per tile (64 bf16, 32 tf32)
};

// Byte offset of 16-byte chunk c of tile row r (from a 1024-aligned base): the 128-byte swizzle.
GEMM_DEV unsigned chunk_at(int r, int c) { return r * ROW + ((c ^ (r & 7)) << 4); }

// A thread's copies of one operand: chunk i is row t / 8 + 32 i, chunk t % 8 of every k-tile's 128 bytes; rows
// 32 apart share a swizzle ((r + 32 i) % 8 == r % 8).
struct Swizzle128 {
    static GEMM_MEMBER unsigned at(int r, int c) { return chunk_at(r, c); }
};
template <bool BF16, int NQ>
using Copier = TileCopier<Cfg<BF16>::EB, ROW, 256, NQ, Swizzle128>;

// The shared memory matrix descriptor of a K-major operand in the 128-byte swizzle: start address >> 4 (bits
// 0-13), leading byte offset (16-29; unused by this layout, 1 by convention), stride byte offset >> 4 (32-45: 1024
// bytes from one 8-row group to the next), base offset 0 (49-51), swizzle mode 1 = 128 bytes (62-63).
GEMM_DEV uint64_t descriptor(unsigned addr) {
    return (uint64_t)((addr & 0x3FFFF) >> 4) | (uint64_t)1 << 16 | (uint64_t)(ALIGN >> 4) << 32 | (uint64_t)1 << 62;
}

#ifdef EMBER_EMULATE  // the CPU emulator (src/test/emu) runs each wgmma when the wait_group that retires it comes
GEMM_DEV void wgmma_fence() {}
GEMM_DEV void wgmma_commit() { ember_emu::wgmma_commit(); }
template <int N>
GEMM_DEV void wgmma_wait() { ember_emu::wgmma_wait(N); }
GEMM_DEV void fence_proxy_async() {}
template <int NA>
GEMM_DEV void fence_acc(float (&)[NA]) {}
template <bool BF16, int NA>
GEMM_DEV void wgmma(float (&d)[NA], uint64_t a, uint64_t b) { ember_emu::wgmma(d, 2 * NA, a, b, BF16); }
#else
GEMM_DEV void wgmma_fence() { asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory"); }
GEMM_DEV void wgmma_commit() { asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory"); }
template <int N>
GEMM_DEV void wgmma_wait() { asm volatile("wgmma.wait_group.sync.aligned %0;\n" ::"n"(N) : "memory"); }
// makes this thread's landed cp.async writes visible to the async proxy, through which wgmma reads shared memory
GEMM_DEV void fence_proxy_async() { asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory"); }
// The accumulators as written by an asm here: the compiler may not move an ordinary access of them across this
// point (the wgmma asm statements claim to update them at issue; the hardware does so at the wait).
template <int NA>
GEMM_DEV void fence_acc(float (&d)[NA]) {
#pragma unroll
    for (int i = 0; i < NA; i++) asm volatile("" : "+f"(d[i])::"memory");
}

#define WG_D8(i) \
    "+f"(d[i]), "+f"(d[i + 1]), "+f"(d[i + 2]), "+f"(d[i + 3]), "+f"(d[i + 4]), "+f"(d[i + 5]), "+f"(d[i + 6]), "+f"(d[i + 7])
#define WG_D64 WG_D8(0), WG_D8(8), WG_D8(16), WG_D8(24), WG_D8(32), WG_D8(40), WG_D8(48), WG_D8(56)
#define WG_D128                                                                                                  \
    WG_D64, WG_D8(64), WG_D8(72), WG_D8(80), WG_D8(88), WG_D8(96), WG_D8(104), WG_D8(112), WG_D8(120)
#define WG_REGS64                                                                      \
    "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, "          \
    "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, " \
    "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, " \
    "%48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63"
#define WG_REGS                                                                                     \
    "{" WG_REGS64 ", "                                                                              \
    "%64, %65, %66, %67, %68, %69, %70, %71, %72, %73, %74, %75, %76, %77, %78, %79, "              \
    "%80, %81, %82, %83, %84, %85, %86, %87, %88, %89, %90, %91, %92, %93, %94, %95, "              \
    "%96, %97, %98, %99, %100, %101, %102, %103, %104, %105, %106, %107, %108, %109, %110, %111, "  \
    "%112, %113, %114, %115, %116, %117, %118, %119, %120, %121, %122, %123, %124, %125, %126, %127}"

// d (64 x 2NA of the warpgroup: NA accumulators per thread) += A (64 x k-step, descriptor a) B (2NA x k-step,
// descriptor b)^T; scale-d 1 adds
template <bool BF16, int NA>
GEMM_DEV void wgmma(float (&d)[NA], uint64_t a, uint64_t b) {
    static_assert(NA == 128 || NA == 64, "m64n256 or m64n128");
    if constexpr (NA == 128 && BF16) {
        asm volatile("wgmma.mma_async.sync.aligned.m64n256k16.f32.bf16.bf16 " WG_REGS ", %128, %129, 1, 1, 1, 0, 0;\n"
                     : WG_D128
                     : "l"(a), "l"(b));
    } else if constexpr (NA == 128) {
        asm volatile("wgmma.mma_async.sync.aligned.m64n256k8.f32.tf32.tf32 " WG_REGS ", %128, %129, 1, 1, 1;\n"
                     : WG_D128
                     : "l"(a), "l"(b));
    } else if constexpr (BF16) {
        asm volatile("wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16 {" WG_REGS64 "}, %64, %65, 1, 1, 1, 0, 0;\n"
                     : WG_D64
                     : "l"(a), "l"(b));
    } else {
        asm volatile("wgmma.mma_async.sync.aligned.m64n128k8.f32.tf32.tf32 {" WG_REGS64 "}, %64, %65, 1, 1, 1;\n"
                     : WG_D64
                     : "l"(a), "l"(b));
    }
}
#endif

// BN: the block tile's columns (256 or 128); STAGES: pipeline stages (k-tile kt + STAGES - 2 is loaded while kt is
// multiplied).
template <bool BF16, int BN, int STAGES>
GEMM_DEV void run(int batch, int M, int N, int K, const void* A, int aOff, int sab, int lda, const void* B, int bOff,
                  int sbb, int ldb, float* C, int cOff, const float* bias, int bsb, int bsm, int bsn) {
    using Cf = Cfg<BF16>;
    constexpr int SS = SA + BN * ROW;  // bytes per stage
    constexpr int NA = BN / 2;         // accumulators per thread: the warpgroup's 64 x BN over 128 threads
    extern __shared__ __align__(128) unsigned char gemm_sm90_smem[];
    const int t = threadIdx.x, wg = t >> 7;
    int tm, tn;
    tile_coords(16, tm, tn);
    const int b = blockIdx.z, m0 = tm * BM, n0 = tn * BN;

    Copier<BF16, BM / 32> ca;
    Copier<BF16, BN / 32> cb;
    ca.init(static_cast<const unsigned char*>(A) + ((long long)aOff + (long long)b * sab) * Cf::EB, m0, lda, M - m0, t);
    cb.init(static_cast<const unsigned char*>(B) + ((long long)bOff + (long long)b * sbb) * Cf::EB, n0, ldb, N - n0, t);

    const unsigned raw = static_cast<unsigned>(__cvta_generic_to_shared(gemm_sm90_smem));
    const unsigned sbase = (raw + ALIGN - 1) & ~(unsigned)(ALIGN - 1);
    const int nk = (K + Cf::BK - 1) / Cf::BK;
    // the first STAGES - 2 k-tiles; a group is committed for every k-tile, empty or not, so that "k-tile kt has
    // landed" is always cp_async_wait<STAGES - 3>
#pragma unroll
    for (int s = 0; s < STAGES - 2; s++) {
        if (s < nk) {
            ca.copy(sbase + s * SS, s, K, A);
            cb.copy(sbase + s * SS + SA, s, K, B);
        }
        cp_async_commit();
    }

    float acc[NA];
#pragma unroll
    for (int i = 0; i < NA; i++) acc[i] = 0.f;
    fence_acc(acc);

    for (int kt = 0; kt < nk; kt++) {
        cp_async_wait<STAGES - 3>();
        fence_proxy_async();
        __syncthreads();  // k-tile kt is in shared memory for all; both warpgroups have retired k-tile kt - 2
        const int next = kt + STAGES - 2;
        if (next < nk) {
            const unsigned s = sbase + (next % STAGES) * SS;  // k-tile kt - 2's stage
            ca.copy(s, next, K, A);
            cb.copy(s + SA, next, K, B);
        }
        cp_async_commit();
        const unsigned aS = sbase + (kt % STAGES) * SS + wg * 64 * ROW, bS = sbase + (kt % STAGES) * SS + SA;
        wgmma_fence();
#pragma unroll
        for (int j = 0; j < 4; j++) wgmma<BF16, NA>(acc, descriptor(aS + 32 * j), descriptor(bS + 32 * j));
        wgmma_commit();
        wgmma_wait<1>();  // k-tile kt - 1 retired: its stage may be refilled after the next barrier
    }
    wgmma_wait<0>();
    fence_acc(acc);
    cp_async_wait<0>();  // defensive: the loop's waits retired every group with copies; only empty ones can remain

    // accumulator 4i + j of a thread: row 16 * (warp % 4) + lane / 4 + 8 (j / 2) of the warpgroup's 64, column
    // 8i + 2 (lane % 4) + j % 2 (the PTX ISA's wgmma D layout: one m16n8 fragment per 8 columns)
    const int lane = t & 31, gq = lane >> 2, tq = lane & 3;
    float* Cb = C + cOff + (long long)b * M * N;
    const bool cvec = ((reinterpret_cast<uintptr_t>(C + cOff) & 7) == 0) && (N & 1) == 0;
#pragma unroll
    for (int h = 0; h < 2; h++) {
        const int m = m0 + wg * 64 + ((t >> 5) & 3) * 16 + h * 8 + gq;
        if (m >= M) continue;
        float* crow = Cb + (long long)m * N;
#pragma unroll
        for (int i = 0; i < BN / 8; i++) {
            const int n = n0 + i * 8 + 2 * tq;
            store_pair(crow, n, N, cvec, acc[4 * i + 2 * h] + bias_at(bias, bsb, bsm, bsn, b, m, n, N),
                       acc[4 * i + 2 * h + 1] + bias_at(bias, bsb, bsm, bsn, b, m, n + 1, N));
        }
    }
}

}  // namespace gemm_sm90

// 128x256 tiles, 4 stages (197632 bytes of shared memory: one block per multiprocessor)
extern "C" __global__ void __launch_bounds__(256, 1) gemm_wgmma_tf32(GEMM_TC_ARGS(float)) {
    gemm_sm90::run<false, 256, 4>(GEMM_TC_PASS);
}

extern "C" __global__ void __launch_bounds__(256, 1) gemm_wgmma_bf16(GEMM_TC_ARGS(unsigned short)) {
    gemm_sm90::run<true, 256, 4>(GEMM_TC_PASS);
}

// 128x128 tiles, 3 stages (99328 bytes: two blocks per multiprocessor, each one's barriers and epilogue hidden
// behind the other's products; k-tile kt + 1 in flight while kt is multiplied)
extern "C" __global__ void __launch_bounds__(256, 2) gemm_wgmma128_tf32(GEMM_TC_ARGS(float)) {
    gemm_sm90::run<false, 128, 3>(GEMM_TC_PASS);
}

extern "C" __global__ void __launch_bounds__(256, 2) gemm_wgmma128_bf16(GEMM_TC_ARGS(unsigned short)) {
    gemm_sm90::run<true, 128, 3>(GEMM_TC_PASS);
}
