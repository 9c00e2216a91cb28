// gemm_tc.cu - tensor-core matrix products of ember-cuda (see ABI.md, "Tensor-core matrix products").
//
// C[cOff + b*M*N + m*N + n] = sum_k A'[m][k] * B'[n][k] (+ bias[b*bsb + m*bsm + n*bsn]) for FP32 C, where
// both operands are "K-major": row r of an operand holds its K elements contiguously,
//   A'[m][k] = A[aOff + b*sab + m*lda + k],   B'[n][k] = B[bOff + b*sbb + n*ldb + k],
// which is the mma.sync .row.col layout. gemm_tf32 reads FP32 operands and rounds them to TF32 (cvt.rna) as it
// loads the fragments; gemm_bf16 reads operands already in bfloat16 (16-bit words). Operands in any other layout,
// and every FP32 operand of a bf16 product, are first written into this layout by gemm_pack_f32 / gemm_pack_bf16
// (dev.ember.cuda.TensorCoreGemm decides), a pass that reads FP32 once and, for bf16, writes half the bytes back.
//
// Requirements (the host checks them, or packs): A + aOff and B + bOff 16-byte aligned; lda, ldb and (batch > 1)
// sab, sbb multiples of 16 bytes (4 floats, 8 bf16); M, N, K >= 1; C contiguous, not overlapping A or B.
//
// Launch: grid = (ceil(N / 256), ceil(M / 128), batch), block 256, dynamic shared memory 122880 bytes (5 stages
// of 24 KB), which needs CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES (sm_80 allows 163 KB, sm_90 227 KB).
//
// Design: 128x256 block tile, 8 warps (2 along M x 4 along N) of 64x64, each 4 x 8 mma tiles; a k-tile is 64 bytes
// of every row (32 bf16, 16 tf32), two mma k-steps. Operand tiles go global -> shared with 16-byte cp.async, 5
// stages deep: while the warps multiply k-tile kt, the copies of k-tiles kt+1 .. kt+4 are in flight, and no
// registers hold staged data (ptxas: 216 registers bf16, 198 tf32, no spills; the register-staged kernels these
// replaced spent 48 registers on staging and hid global latency behind one k-tile only). One barrier per k-tile: at its
// top every warp has finished the previous tile, so its stage may be refilled. Rows past M or N and k past K are
// zero-filled by the copies (src-size < 16), so edge tiles need no other test. The 16-byte chunks of a shared
// row are XOR-swizzled (chunk c of row r at c ^ ((r >> 1) & 3)), so that the ldmatrix fragment loads (8 rows,
// one chunk each) are free of bank conflicts. tf32 fragments are 32-bit words that ldmatrix moves as b16 pairs,
// then rounded with cvt.rna. Both k-steps' fragments are loaded before the mma work. The output tiles are
// visited in groups of 16 tile rows for L2 reuse.
//
// Pack kernels: gemm_pack_f32 / gemm_pack_bf16(int batch, int R, int K, const float* X, int off, int sb, int sr,
// int sk, T* Y, int ldy): Y[b*R*ldy + r*ldy + k] = X[off + b*sb + r*sr + k*sk] (bf16: rounded to nearest even) for
// r < R, k < K; Y's padding (K <= k < ldy) is not written. grid = (ceil(R/32) * ceil(K/32), 1, batch), block
// 256 (8 warps); a 32x32 tile passes through shared memory, read along whichever of r and k has unit stride and
// written along k, so both sides are coalesced.
#include <stdint.h>

#include "gemm.cuh"

namespace gemm_tc {

using namespace ::gemm_common;

constexpr int BM = 128, BN = 256, NT = 256;

// Both formats use 64-byte shared rows: 32 bf16 or 16 tf32 elements of k, so a stage is 24 KB either way.
template <bool BF16>
struct Cfg {
    static constexpr int EB = BF16 ? 2 : 4;      // bytes per element
    static constexpr int BK = BF16 ? 32 : 16;    // k per tile (64 bytes)
    static constexpr int RSTEP = 64;             // rows between one thread's chunks (TileCopier: 256 / 4 per row)
    static constexpr int NA = BM / RSTEP;        // chunks of A per thread and k-tile (2)
    static constexpr int NB = BN / RSTEP;        // chunks of B (4)
    static constexpr int STAGES = 5;
    static constexpr int SA = BM * 64;           // bytes of A per stage
    static constexpr int SS = SA + BN * 64;      // bytes per stage (24576)
    static constexpr int KSTEPS = 2;             // mma k-steps per k-tile (k16 bf16, k8 tf32)
};

// Byte offset of 16-byte chunk c of shared row r: XOR-swizzled so that 8 consecutive rows' same chunk (one
// ldmatrix matrix) fall into 8 different 16-byte bank groups.
GEMM_DEV int chunk_at(int r, int c) { return r * 64 + ((c ^ (r >> 1)) & 3) * 16; }

// A thread's copies of one operand: 4 chunks per 64-byte row, rows 64 apart (the swizzle repeats every 2 x 4 rows).
struct Swizzle64 {
    static GEMM_MEMBER unsigned at(int r, int c) { return chunk_at(r, c); }
};
template <bool BF16, int NQ>
using Copier = TileCopier<Cfg<BF16>::EB, 64, NT, NQ, Swizzle64>;

// The A (4 m16 tiles) and B (8 n8 tiles) fragments of one mma k-step of the warp's 64x64 tile.
struct Frags {
    unsigned a[4][4];
    unsigned b[8][2];
};

template <bool BF16>
GEMM_DEV void load_frags(Frags& f, unsigned aS, unsigned bS, int ks, int wm, int wn, int lane) {
    const int mi = lane >> 3, l8 = lane & 7;  // ldmatrix: which 8x8 matrix this lane addresses, and its row
    // a k-step spans 2 chunks of a shared row: bf16 k16 = 2 x 8, tf32 k8 = 2 x 4
#pragma unroll
    for (int mt = 0; mt < 4; mt++) {
        const int r = wm * 64 + mt * 16 + (mi & 1) * 8 + l8;
        ldsm_x4(aS + chunk_at(r, ks * 2 + (mi >> 1)), f.a[mt][0], f.a[mt][1], f.a[mt][2], f.a[mt][3]);
    }
#pragma unroll
    for (int np = 0; np < 4; np++) {
        const int r = wn * 64 + np * 16 + (mi >> 1) * 8 + l8;
        ldsm_x4(bS + chunk_at(r, ks * 2 + (mi & 1)), f.b[2 * np][0], f.b[2 * np][1], f.b[2 * np + 1][0],
                f.b[2 * np + 1][1]);
    }
    if (!BF16) {  // the FP32 words to TF32 (the mma would otherwise truncate)
#pragma unroll
        for (int i = 0; i < 4; i++)
#pragma unroll
            for (int j = 0; j < 4; j++) f.a[i][j] = to_tf32(__uint_as_float(f.a[i][j]));
#pragma unroll
        for (int i = 0; i < 8; i++)
#pragma unroll
            for (int j = 0; j < 2; j++) f.b[i][j] = to_tf32(__uint_as_float(f.b[i][j]));
    }
}

template <bool BF16>
GEMM_DEV void multiply(float acc[4][8][4], const Frags& f) {
#pragma unroll
    for (int mt = 0; mt < 4; mt++)
#pragma unroll
        for (int nt = 0; nt < 8; nt++) {
            if (BF16) mma_bf16(acc[mt][nt], f.a[mt], f.b[nt][0], f.b[nt][1]);
            else mma_tf32(acc[mt][nt], f.a[mt], f.b[nt][0], f.b[nt][1]);
        }
}

template <bool BF16>
GEMM_DEV void run(int batch, int M, int N, int K, const void* A, int aOff, int sab, int lda, const void* B, int bOff,
                int sbb, int ldb, float* C, int cOff, const float* bias, int bsb, int bsm, int bsn) {
    using Cf = Cfg<BF16>;
    extern __shared__ __align__(128) unsigned char gemm_tc_smem[];
    const int t = threadIdx.x, lane = t & 31, warp = t >> 5;
    const int wm = warp >> 2, wn = warp & 3;
    int tm, tn;
    tile_coords(16, tm, tn);
    const int b = blockIdx.z, m0 = tm * BM, n0 = tn * BN;

    Copier<BF16, Cf::NA> ca;
    Copier<BF16, Cf::NB> cb;
    ca.init(static_cast<const unsigned char*>(A) + ((long long)aOff + (long long)b * sab) * Cf::EB, m0, lda, M - m0, t);
    cb.init(static_cast<const unsigned char*>(B) + ((long long)bOff + (long long)b * sbb) * Cf::EB, n0, ldb, N - n0, t);

    const unsigned sbase = static_cast<unsigned>(__cvta_generic_to_shared(gemm_tc_smem));
    const int nk = (K + Cf::BK - 1) / Cf::BK;
    // the pipeline's first STAGES - 1 k-tiles; a group is committed for every stage, empty or not, so that
    // "group kt has landed" is always cp_async_wait<STAGES - 2>
#pragma unroll
    for (int s = 0; s < Cf::STAGES - 1; s++) {
        if (s < nk) {
            ca.copy(sbase + s * Cf::SS, s, K, A);
            cb.copy(sbase + s * Cf::SS + Cf::SA, s, K, B);
        }
        cp_async_commit();
    }

    float acc[4][8][4];
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 8; j++)
#pragma unroll
            for (int c = 0; c < 4; c++) acc[i][j][c] = 0.f;

    Frags f[2];
    for (int kt = 0; kt < nk; kt++) {
        cp_async_wait<Cf::STAGES - 2>();
        __syncthreads();  // k-tile kt is in shared memory for all, and every warp is done with k-tile kt - 1
        const int next = kt + Cf::STAGES - 1;
        if (next < nk) {
            const unsigned s = sbase + (next % Cf::STAGES) * Cf::SS;  // k-tile kt - 1's stage
            ca.copy(s, next, K, A);
            cb.copy(s + Cf::SA, next, K, B);
        }
        cp_async_commit();
        const unsigned aS = sbase + (kt % Cf::STAGES) * Cf::SS, bS = aS + Cf::SA;
        load_frags<BF16>(f[0], aS, bS, 0, wm, wn, lane);
        load_frags<BF16>(f[1], aS, bS, 1, wm, wn, lane);
        multiply<BF16>(acc, f[0]);
        multiply<BF16>(acc, f[1]);
    }
    cp_async_wait<0>();  // defensive: the loop's waits retired every group with copies; only empty ones can remain

    const int gq = lane >> 2, tq = lane & 3;  // mma: row group and thread in group
    float* Cb = C + cOff + (long long)b * M * N;
    const bool cvec = ((reinterpret_cast<uintptr_t>(C + cOff) & 7) == 0) && (N & 1) == 0;
#pragma unroll
    for (int mt = 0; mt < 4; mt++)
#pragma unroll
        for (int h = 0; h < 2; h++) {
            const int m = m0 + wm * 64 + mt * 16 + h * 8 + gq;
            if (m >= M) continue;
            float* crow = Cb + (long long)m * N;
#pragma unroll
            for (int nt = 0; nt < 8; nt++) {
                const int n = n0 + wn * 64 + nt * 8 + 2 * tq;
                store_pair(crow, n, N, cvec, acc[mt][nt][2 * h] + bias_at(bias, bsb, bsm, bsn, b, m, n, N),
                           acc[mt][nt][2 * h + 1] + bias_at(bias, bsb, bsm, bsn, b, m, n + 1, N));
            }
        }
}

GEMM_DEV void put(float* y, float v) { *y = v; }
GEMM_DEV void put(unsigned short* y, float v) { *y = static_cast<unsigned short>(pack_bf16(v, 0.f) & 0xffffu); }

template <typename T>
GEMM_DEV void pack(int R, int K, const float* X, int off, int sb, int sr, int sk, T* Y, int ldy) {
    __shared__ float tile[32][33];  // [k][r]; the odd row length keeps both passes free of bank conflicts
    const int kTiles = (K + 31) / 32;
    const int r0 = (blockIdx.x / kTiles) * 32, k0 = (blockIdx.x % kTiles) * 32;
    const int tx = threadIdx.x & 31, ty = threadIdx.x >> 5;
    const float* Xb = X + off + (long long)blockIdx.z * sb;
    const bool alongR = sr == 1 && sk != 1;  // read along r when that is the unit stride
#pragma unroll
    for (int j = 0; j < 4; j++) {
        const int kk = alongR ? ty + 8 * j : tx, rr = alongR ? tx : ty + 8 * j;
        const int r = r0 + rr, k = k0 + kk;
        tile[kk][rr] = (r < R && k < K) ? __ldg(Xb + (long long)r * sr + (long long)k * sk) : 0.f;
    }
    __syncthreads();
    T* Yb = Y + (long long)blockIdx.z * R * ldy;
#pragma unroll
    for (int j = 0; j < 4; j++) {
        const int r = r0 + ty + 8 * j, k = k0 + tx;
        if (r < R && k < K) put(Yb + (long long)r * ldy + k, tile[tx][ty + 8 * j]);
    }
}

}  // namespace gemm_tc

extern "C" __global__ void __launch_bounds__(256, 1) gemm_tf32(GEMM_TC_ARGS(float)) {
    gemm_tc::run<false>(GEMM_TC_PASS);
}

extern "C" __global__ void __launch_bounds__(256, 1) gemm_bf16(GEMM_TC_ARGS(unsigned short)) {
    gemm_tc::run<true>(GEMM_TC_PASS);
}

extern "C" __global__ void __launch_bounds__(256) gemm_pack_f32(int batch, int R, int K, const float* X, int off,
                                                                int sb, int sr, int sk, float* Y, int ldy) {
    gemm_tc::pack(R, K, X, off, sb, sr, sk, Y, ldy);
}

extern "C" __global__ void __launch_bounds__(256) gemm_pack_bf16(int batch, int R, int K, const float* X, int off,
                                                                 int sb, int sr, int sk, unsigned short* Y, int ldy) {
    gemm_tc::pack(R, K, X, off, sb, sr, sk, Y, ldy);
}
