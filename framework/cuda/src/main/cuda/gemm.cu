// gemm.cu - SIMT matrix products of ember-cuda (see ABI.md, "Matrix products"); the tensor-core
// kernels (TF32, BF16) are in gemm_tc.cu and gemm_sm90.cu.
//
// Every kernel computes, for b < batch, m < M, n < N:
//   C[cOff + b*M*N + m*N + n] = sum_k A[aOff + b*sab + m*sam + k*sak] * B[bOff + b*sbb + k*sbk + n*sbn]
//                               (+ bias[b*bsb + m*bsm + n*bsn] when bias is not null, added in the epilogue:
//                                F.linear's bias, a convolution's per output channel, an attention mask)
// for any M, N, K >= 1 and any strides (K == 0 is handled by the host). Unit sak or sam (A) and unit
// sbn or sbk (B) with 16-byte alignment take vector loads; anything else takes a scalar path.
//
// Launch table. grid = (ceil(N / BN), ceil(M / BM), batch), block = (threads, 1, 1).
//
// | kernel           | threads | BM  | BN  | regs | what                              |
// |------------------|---------|-----|-----|------|-----------------------------------|
// | gemm_f32         | 256     | 128 | 128 | 128  | FP32 SIMT, 8x8 outputs per thread |
// | gemm_f32_k16     | 256     | 128 | 128 | 128  | the same, 16-deep k-tiles         |
// | gemm_f32_small   | 256     | 32  | 32  | 80   | FP32 SIMT, K split over 4 groups  |
// | gemm_f32_small16 | 256     | 16  | 16  | 80   | FP32 SIMT, K split over 16 groups |
// | gemm_f64         | 256     | 32  | 32  | 128  | FP64 SIMT, K split over 4 groups  |
// (registers from ptxas for sm_90 and sm_80; no spills, but for gemm_f32_k16 on sm_80, which spills 104 bytes
// there; no dynamic shared memory; static shared memory 16896 bytes for gemm_f32, 33792 for gemm_f32_k16, 49152
// for the small kernels and gemm_f64.) gemm_f32_k16 halves the barriers and loop overhead per multiply-add and
// takes gemm_f32's place only with -Dember.cuda.gemm.f32=k16 until a GPU has timed the two side by side
// (tools/gpu_check.sh bench does).
//
// Choosing the FP32 kernel (S = the device's multiprocessor count, 132 on an H100 SXM):
//   tiles(bm, bn) = ceil(M / bm) * ceil(N / bn) * batch
//   tiles(128, 128) >= S   -> gemm_f32          (at least one full wave of big tiles)
//   else tiles(32, 32) >= S -> gemm_f32_small
//   else                   -> gemm_f32_small16  (e.g. 64x784 @ 784x256: 64 blocks instead of 2)
// Reduced precision (TF32/BF16) takes this FP32 choice too when 2*batch*M*N*K < 3e8 (exact FP32 is an
// allowed result of a reduced-precision matmul, and the tensor-core kernels only pay off on big
// products). gemm_f64 serves all sizes.
//
// Measured on an H100 80GB HBM3 (CUDA 13.0, driver 580), random inputs, median of event times:
//   n = 4096 / 8192 square, row-major A and B: gemm_f32 40.3 / 41.4 TFLOP/s (cuBLAS FP32 51.3 / 51.5).
//   Transposed operands at 4096: 37.8-40.9.
//   Small shapes (us per launch): 64x784@784x256 small16 9.6 (gemm_f32 96); 32x128@128x512 small16 4.0;
//   256x64@64x784 small 4.8; 128 x (64x32@32x64) small 6.7; 512^3 small 17.4 (gemm_f32 62).
//
// Designs (details above each part):
// - gemm_f32: 128x128x8 block tile, 8 warps of 64x32, 8x8 per thread as 2x2 blocks of 4x4 (conflict-free
//   LDS.128), double-buffered shared memory with register prefetch of the next k-tile, one barrier per
//   k-tile. Shared layout is k-major for both operands; loads transpose where needed.
// - small kernels: cp.async multi-stage pipeline (zero-fill at the edges), 4x4 outputs per thread,
//   K interleaved over thread groups, partial sums reduced through shared memory at the end.
//
// Tested on the H100 against a float64 CPU reference: M, N, K in 1..784 including 1, 7, 33, 127, 129,
// 300; batch 1 and 3 (also batch stride 0); row-major, column-major, generic and odd-padded strides;
// element offsets 0, 1, 4; poisoned output with guard zones; the compute_80 PTX JIT-compiled on the H100
// as well; compute-sanitizer memcheck and racecheck clean.

#include <stdint.h>

#include "gemm.cuh"

namespace gemm_detail {

using namespace ::gemm_common;

GEMM_DEV unsigned smem_addr(const void* p) { return static_cast<unsigned>(__cvta_generic_to_shared(p)); }

GEMM_DEV bool aligned16(const void* p) { return (reinterpret_cast<uintptr_t>(p) & 15) == 0; }

// Whether operand tiles may be read with 16-byte vector loads along the unit-stride dimension:
// the other stride, the offset and (with batch > 1) the batch stride are multiples of 4 elements and
// the base pointer is 16-byte aligned, so every vector that starts at a multiple of 4 is aligned.
GEMM_DEV bool vec4_ok(const void* p, int off, int otherStride, int batch, int batchStride) {
    return aligned16(p) && (off & 3) == 0 && (otherStride & 3) == 0 && (batch == 1 || (batchStride & 3) == 0);
}

// ------------------------------------------------------------------------------------------------
// gemm_f32: FP32 SIMT, 128x128x8 tiles.
// Shared memory holds both operands k-major: sX[k][r] (r = m for A, n for B), rows padded to 132
// floats so that the transposing scalar stores are conflict-free. Each thread stages 4 elements of
// A and 4 of B per k-tile, in one of four patterns chosen from the strides (uniform branch):
//   KVEC  unit k-stride, aligned:  one float4 along k    (r = t/2,   k = (t%2)*4 .. +3)
//   RVEC  unit r-stride, aligned:  one float4 along r    (k = t/32,  r = (t%32)*4 .. +3)
//   RSCAL unit r-stride:           4 scalars, r-fastest  (k = t/32,  r = t%32 + 32j)
//   KSCAL anything else:           4 scalars, k-fastest  (k = t%8,   r = t/8 + 32j)
// ------------------------------------------------------------------------------------------------
namespace big {

constexpr int BM = 128, BN = 128, BK = 8, LD = 132;
enum { KVEC = 0, RVEC = 1, RSCAL = 2, KSCAL = 3 };

// Per-thread loader state: the pointer to the thread's first element at the current k-tile and one
// word: bits 0-3 row validity (KVEC: bit 0; RVEC: count of valid rows 0..4; scalar modes: bit j =
// row r + 32j in range), bits 8-9 the mode, bit 10 "fast" (vector mode and all 128 rows of the
// block inside the matrix). Positions are recomputed from the thread index.
struct Loader {
    const float* p;
    int w;
};

GEMM_DEV int ld_mode(const Loader& L) { return (L.w >> 8) & 3; }
GEMM_DEV int ld_r(int mode, int t) {
    return mode == KVEC ? t >> 1 : mode == RVEC ? (t & 31) * 4 : mode == RSCAL ? (t & 31) : (t >> 3);
}
GEMM_DEV int ld_k(int mode, int t) {
    return mode == KVEC ? (t & 1) * 4 : mode == KSCAL ? (t & 7) : (t >> 5);
}

GEMM_DEV void loader_init(Loader& L, const float* P, int off, int sr, int sk, int R, int batch, int sb, int r0,
                          int t) {
    int mode;
    if (sk == 1 && vec4_ok(P, off, sr, batch, sb)) mode = KVEC;
    else if (sr == 1 && vec4_ok(P, off, sk, batch, sb)) mode = RVEC;
    else if (sr == 1) mode = RSCAL;
    else mode = KSCAL;
    const int r = ld_r(mode, t), k = ld_k(mode, t);
    const int rem = R - r0 - r;  // rows left from the thread's first row
    int v;
    if (mode == KVEC) v = rem > 0 ? 1 : 0;
    else if (mode == RVEC) v = min(max(rem, 0), 4);
    else v = (rem > 0 ? 1 : 0) | (rem > 32 ? 2 : 0) | (rem > 64 ? 4 : 0) | (rem > 96 ? 8 : 0);
    const bool full = (mode == KVEC || mode == RVEC) && R - r0 >= BM;  // BM == BN == 128
    L.w = v | (mode << 8) | (full ? 1024 : 0);
    L.p = P + (long long)(r0 + r) * sr + (long long)k * sk;
}

// Loads the thread's 4 elements of the k-tile starting at kbase (zeros outside the matrix).
GEMM_DEV void loader_fetch(const Loader& L, float v[4], int t, int kbase, int K, int sr) {
    const int mode = ld_mode(L);
    const int k = kbase + ld_k(mode, t);
    if (mode == KVEC || mode == RVEC) {
        int lim;
        if (mode == KVEC) lim = (L.w & 1) ? min(max(K - k, 0), 4) : 0;
        else lim = k < K ? (L.w & 7) : 0;
        if (lim == 4) {
            float4 f = __ldg(reinterpret_cast<const float4*>(L.p));
            v[0] = f.x; v[1] = f.y; v[2] = f.z; v[3] = f.w;
        } else {
#pragma unroll
            for (int j = 0; j < 4; j++) v[j] = j < lim ? __ldg(L.p + j) : 0.f;
        }
    } else {
#pragma unroll
        for (int j = 0; j < 4; j++)
            v[j] = (k < K && ((L.w >> j) & 1)) ? __ldg(L.p + (long long)(32 * j) * sr) : 0.f;
    }
}

// Fast path: a vector mode, all of the block's rows inside the matrix, a full k-tile: one float4.
GEMM_DEV bool loader_fast(const Loader& L, int kbase, int K) { return (L.w & 1024) && kbase + BK <= K; }
GEMM_DEV void loader_fetch_fast(const Loader& L, float v[4]) {
    float4 f = __ldg(reinterpret_cast<const float4*>(L.p));
    v[0] = f.x; v[1] = f.y; v[2] = f.z; v[3] = f.w;
}

GEMM_DEV void loader_store(const Loader& L, const float v[4], float* s, int t) {
    const int mode = ld_mode(L);
    const int rr = ld_r(mode, t), kk = ld_k(mode, t);
    if (mode == RVEC) {
        *reinterpret_cast<float4*>(s + kk * LD + rr) = make_float4(v[0], v[1], v[2], v[3]);
    } else {
        // KVEC: (kk + j, rr); scalar modes: (kk, rr + 32j)
        float* q = s + kk * LD + rr;
        const int step = mode == KVEC ? LD : 32;
#pragma unroll
        for (int j = 0; j < 4; j++) q[j * step] = v[j];
    }
}

// Fetches the thread's 4 elements of A and of B for each of the KT 8-deep halves of the k-tile at kbase.
template <int KT>
GEMM_DEV void fetch_tile(const Loader& la, const Loader& lb, float va[KT][4], float vb[KT][4], int t, int kbase,
                         int K, int sam, int sak, int sbn, int sbk) {
#pragma unroll
    for (int h = 0; h < KT; h++) {
        Loader a = la, b = lb;
        a.p += (long long)(BK * h) * sak;
        b.p += (long long)(BK * h) * sbk;
        const int kb = kbase + BK * h;
        if (loader_fast(a, kb, K)) loader_fetch_fast(a, va[h]);
        else loader_fetch(a, va[h], t, kb, K, sam);
        if (loader_fast(b, kb, K)) loader_fetch_fast(b, vb[h]);
        else loader_fetch(b, vb[h], t, kb, K, sbn);
    }
}

// KT = 1: 128x128x8 tiles (gemm_f32); KT = 2: 128x128x16 (gemm_f32_k16), half the barriers per multiply-add for
// 8 more staging registers (a candidate until a GPU has timed both: see CudaGemm).
template <int KT>
GEMM_DEV void run(int batch, int M, int N, int K, const float* A, int aOff, int sab, int sam, int sak,
                  const float* B, int bOff, int sbb, int sbk, int sbn, float* C, int cOff, const float* bias,
                  int bsb, int bsm, int bsn) {
    constexpr int TK = BK * KT;  // k per tile
    __shared__ __align__(16) float sA[2 * TK * LD];
    __shared__ __align__(16) float sB[2 * TK * LD];

    const int t = threadIdx.x;
    const int lane = t & 31, warp = t >> 5;
    const int wm = warp >> 2, wn = warp & 3;     // 2 x 4 warps, warp tile 64 x 32
    const int ly = lane >> 2, lx = lane & 3;     // 8 x 4 lanes
    int tm, tn;
    tile_coords(8, tm, tn);
    const int b = blockIdx.z;
    const int m0 = tm * BM, n0 = tn * BN;

    Loader la, lb;
    loader_init(la, A + aOff + (long long)b * sab, aOff, sam, sak, M, batch, sab, m0, t);
    loader_init(lb, B + bOff + (long long)b * sbb, bOff, sbn, sbk, N, batch, sbb, n0, t);

    float acc[8][8];
#pragma unroll
    for (int i = 0; i < 8; i++)
#pragma unroll
        for (int j = 0; j < 8; j++) acc[i][j] = 0.f;

    float va[KT][4], vb[KT][4];
    fetch_tile<KT>(la, lb, va, vb, t, 0, K, sam, sak, sbn, sbk);
#pragma unroll
    for (int h = 0; h < KT; h++) {
        loader_store(la, va[h], sA + h * BK * LD, t);
        loader_store(lb, vb[h], sB + h * BK * LD, t);
    }
    __syncthreads();

    const int nk = (K + TK - 1) / TK;
    for (int kt = 0; kt < nk; kt++) {
        const int cur = kt & 1;
        const bool more = kt + 1 < nk;
        if (more) {
            la.p += (long long)TK * sak;
            lb.p += (long long)TK * sbk;
            fetch_tile<KT>(la, lb, va, vb, t, (kt + 1) * TK, K, sam, sak, sbn, sbk);
        }
        const float* pa = sA + cur * TK * LD + wm * 64 + ly * 4;
        const float* pb = sB + cur * TK * LD + wn * 32 + lx * 4;
#pragma unroll
        for (int kk = 0; kk < TK; kk++) {
            float4 a0 = *reinterpret_cast<const float4*>(pa + kk * LD);
            float4 a1 = *reinterpret_cast<const float4*>(pa + kk * LD + 32);
            float4 b0 = *reinterpret_cast<const float4*>(pb + kk * LD);
            float4 b1 = *reinterpret_cast<const float4*>(pb + kk * LD + 16);
            float a[8] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
            float bb[8] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
#pragma unroll
            for (int i = 0; i < 8; i++)
#pragma unroll
                for (int j = 0; j < 8; j++) acc[i][j] = fmaf(a[i], bb[j], acc[i][j]);
        }
        if (more) {
#pragma unroll
            for (int h = 0; h < KT; h++) {
                loader_store(la, va[h], sA + (cur ^ 1) * TK * LD + h * BK * LD, t);
                loader_store(lb, vb[h], sB + (cur ^ 1) * TK * LD + h * BK * LD, t);
            }
        }
        __syncthreads();
    }

    float* Cb = C + cOff + (long long)b * M * N;
    const bool cvec = aligned16(C + cOff) && (cOff & 3) == 0 && (N & 3) == 0;
#pragma unroll
    for (int i = 0; i < 8; i++) {
        const int m = m0 + wm * 64 + (i >> 2) * 32 + ly * 4 + (i & 3);
        if (m >= M) continue;
#pragma unroll
        for (int h = 0; h < 2; h++) {
            const int n = n0 + wn * 32 + h * 16 + lx * 4;
            float* c = Cb + (long long)m * N + n;
            float v[4];
#pragma unroll
            for (int j = 0; j < 4; j++) v[j] = acc[i][h * 4 + j] + bias_at(bias, bsb, bsm, bsn, b, m, n + j, N);
            if (cvec && n + 3 < N) {
                *reinterpret_cast<float4*>(c) = make_float4(v[0], v[1], v[2], v[3]);
            } else {
#pragma unroll
                for (int j = 0; j < 4; j++)
                    if (n + j < N) c[j] = v[j];
            }
        }
    }
}

}  // namespace big

// ------------------------------------------------------------------------------------------------
// Small-problem SIMT kernels (float and double): BM x BN output tile, 256 threads in KG groups of
// (BM/4)*(BN/4) threads; each thread owns 4x4 outputs; group g takes k = g, g+KG, ... of every
// k-tile, and the KG partial tiles are summed through shared memory at the end. Operand tiles go
// global -> shared with cp.async (STAGES deep, zero-fill out of range; a 16-byte vector that the
// matrix ends inside is copied element by element, so nothing past the operand is read), stored
// r-contiguous sX[k][r] with the 4-element groups XOR-swizzled by k so that the transposing 4-byte copies
// (k-contiguous operands) and the 16-byte fragment loads are both free of bank conflicts.
// ------------------------------------------------------------------------------------------------
namespace small {

constexpr int NT = 256;
enum { VEC = 0, RFAST = 1, KFAST = 2 };


// Element offset of (k, r) in an R-row k-tile stored sX[k][r], groups of 4 rows swizzled by k:
// group u of k-row k lives at u ^ swz(k), swz(k) = (k / RP) & (R/4 - 1), RP = k-rows per 128 bytes.
// (For the 4-byte transposing copies, 8 consecutive k of one group then hit 8 distinct banks.)
template <typename T, int R>
GEMM_DEV int swz(int k) {
    constexpr int RP = (R * (int)sizeof(T) >= 128) ? 1 : 128 / (R * (int)sizeof(T));
    return (k / RP) & (R / 4 - 1);
}
template <typename T, int R>
GEMM_DEV int soff(int k, int r) {
    return k * R + (((r >> 2) ^ swz<T, R>(k)) << 2) + (r & 3);
}

GEMM_DEV void load4(const float* s, float v[4]) {
    float4 f = *reinterpret_cast<const float4*>(s);
    v[0] = f.x; v[1] = f.y; v[2] = f.z; v[3] = f.w;
}
GEMM_DEV void load4(const double* s, double v[4]) {
    double2 f = *reinterpret_cast<const double2*>(s);
    double2 g = *reinterpret_cast<const double2*>(s + 2);
    v[0] = f.x; v[1] = f.y; v[2] = g.x; v[3] = g.y;
}

// Per-thread copier for one operand's R x BK tile (R*BK == 4*NT elements, 4 per thread). Copy i of
// a thread covers these positions:
//   VEC    copy c = t + NT*i (i < 4/VE): k = c / (R/VE), rows (c % (R/VE))*VE .. +VE-1  (16 bytes)
//   RFAST  element e = t + NT*i: k = e / R, r = e % R                 (warp: consecutive rows)
//   KFAST  block w*4+i of 8 k x 4 rows, lane: k += t%8, r += (t/8)%4  (warp: 8 k of 4 rows)
template <typename T, int R, int BK>
struct Copier {
    static constexpr int VE = 16 / (int)sizeof(T);  // elements per 16-byte copy
    static constexpr int NC = 4;                    // copies per thread (VEC uses the first 4/VE)
    unsigned o[NC];  // source offset of each copy from P at k-tile 0 (exact whenever the copy is in range)
    int pk[NC];      // packed: destination offset (bits 0-15), k (16-23), first row (24-31) in the tile
    int mode;

    GEMM_MEMBER static void pos(int mode, int t, int i, int& k, int& r) {
        if (mode == VEC) {
            const int c = t + NT * i;
            k = c / (R / VE);
            r = (c % (R / VE)) * VE;
        } else if (mode == RFAST) {
            const int e = t + NT * i;
            k = e / R;
            r = e % R;
        } else {
            const int bi = (t >> 5) * 4 + i;
            k = (bi % (BK / 8)) * 8 + (t & 7);
            r = (bi / (BK / 8)) * 4 + ((t >> 3) & 3);
        }
    }

    // P = storage + off + b*sb (this batch element's origin); r0 = first row of the block's tile.
    GEMM_MEMBER void init(const T* P, int off, int sr, int sk, int batch, int sb, int r0, int t) {
        if (sr == 1 && vec4_ok(P, off, sk, batch, sb)) mode = VEC;
        else if (sr == 1) mode = RFAST;
        else mode = KFAST;
#pragma unroll
        for (int i = 0; i < NC; i++) {
            int k, r;
            pos(mode, t, i, k, r);
            // unsigned: rows past the matrix may wrap; such copies never read their source
            o[i] = (unsigned)(r0 + r) * (unsigned)sr + (unsigned)k * (unsigned)sk;
            pk[i] = soff<T, R>(k, r) | (k << 16) | (r << 24);
        }
    }

    // Issues this thread's copies of the k-tile at kbase into stage memory s (zero-fill outside the
    // matrix).
    // P is the operand's origin for this batch element (also the address the empty copies name).
    GEMM_MEMBER void issue(T* s, int kbase, int K, int Rrem, const T* P, int sk) const {
        const unsigned base = smem_addr(s);
        const int nc = mode == VEC ? 4 / VE : NC;
        const unsigned kofs = (unsigned)kbase * (unsigned)sk;
#pragma unroll
        for (int i = 0; i < NC; i++) {
            if (i >= nc) break;
            const int so = pk[i] & 0xffff, k = (pk[i] >> 16) & 0xff, r = (unsigned)pk[i] >> 24;
            const bool ok = kbase + k < K && r < Rrem;
            const T* src = ok ? P + (int)(o[i] + kofs) : P;
            if (mode == VEC) {
                const unsigned dst = base + so * (int)sizeof(T);
                if (ok && Rrem - r < VE) {
                    // the matrix ends inside this vector: copy the rows that exist, zero the rest
#pragma unroll
                    for (int j = 0; j < VE; j++) {
                        const bool in = j < Rrem - r;
                        cp_async_elem(dst + j * (int)sizeof(T), in ? src + j : P, in);
                    }
                } else {
                    cp_async16(dst, src, ok ? 16 : 0);
                }
            } else {
                cp_async_elem(base + so * (int)sizeof(T), src, ok);
            }
        }
    }
};

template <typename T, int BM, int BN, int BK, int STAGES>
GEMM_DEV void run(int batch, int M, int N, int K, const T* A, int aOff, int sab, int sam, int sak,
                  const T* B, int bOff, int sbb, int sbk, int sbn, T* C, int cOff, const T* bias, int bsb, int bsm,
                  int bsn) {
    constexpr int GT = (BM / 4) * (BN / 4);  // threads per k-group
    constexpr int KG = NT / GT;              // k-groups
    constexpr int KPG = BK / KG;             // k-steps per group per k-tile
    constexpr int SA = BM * BK, SB = BN * BK;
    static_assert(GT * KG == NT && KPG * KG == BK, "tile shape");
    static_assert(SA == 4 * NT && SB == 4 * NT, "4 elements per thread and operand");
    static_assert(KG * BM * BN <= STAGES * (SA + SB), "reduction fits the pipeline buffers");
    static_assert(KG % (BM * (int)sizeof(T) >= 128 ? 1 : 128 / (BM * (int)sizeof(T))) == 0, "RP divides KG");
    static_assert(KG % (BN * (int)sizeof(T) >= 128 ? 1 : 128 / (BN * (int)sizeof(T))) == 0, "RP divides KG");
    __shared__ __align__(16) T sm[STAGES * (SA + SB)];

    const int t = threadIdx.x;
    const int g = t / GT, tm = (t % GT) / (BN / 4), tn = t % (BN / 4);
    const int b = blockIdx.z;
    const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;

    const T* Pa = A + aOff + (long long)b * sab;
    const T* Pb = B + bOff + (long long)b * sbb;
    Copier<T, BM, BK> ca;
    Copier<T, BN, BK> cb;
    ca.init(Pa, aOff, sam, sak, batch, sab, m0, t);
    cb.init(Pb, bOff, sbn, sbk, batch, sbb, n0, t);

    T acc[4][4];
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) acc[i][j] = T(0);

    const int xa = tm ^ swz<T, BM>(g), xb = tn ^ swz<T, BN>(g);
    const int nk = (K + BK - 1) / BK;
#pragma unroll 1  // (unrolled, the prologue costs registers that the main loop needs)
    for (int s = 0; s < STAGES - 1; s++) {
        if (s < nk) {
            ca.issue(sm + s * (SA + SB), s * BK, K, M - m0, Pa, sak);
            cb.issue(sm + s * (SA + SB) + SA, s * BK, K, N - n0, Pb, sbk);
        }
        cp_async_commit();
    }
    for (int kt = 0; kt < nk; kt++) {
        cp_async_wait<STAGES - 2>();
        __syncthreads();  // stage kt visible to all; everyone is done with stage kt-1
        const int pf = kt + STAGES - 1;
        if (pf < nk) {
            T* st = sm + (pf % STAGES) * (SA + SB);
            ca.issue(st, pf * BK, K, M - m0, Pa, sak);
            cb.issue(st + SA, pf * BK, K, N - n0, Pb, sbk);
        }
        cp_async_commit();
        const T* sa = sm + (kt % STAGES) * (SA + SB) + g * BM;
        const T* sb = sm + (kt % STAGES) * (SA + SB) + SA + g * BN;
#pragma unroll (sizeof(T) == 8 ? 4 : KPG)  // fully unrolled, double only by 4 (register budget)
        for (int q = 0; q < KPG; q++) {
            // k = q*KG + g; soff(k, 4*tm) written so that the swizzle splits into a per-thread part
            // and a compile-time part (RP divides KG), which keeps the addresses in few registers.
            T a[4], bb[4];
            load4(sa + q * KG * BM + ((xa ^ swz<T, BM>(q * KG)) << 2), a);
            load4(sb + q * KG * BN + ((xb ^ swz<T, BN>(q * KG)) << 2), bb);
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 4; j++) acc[i][j] = fma(a[i], bb[j], acc[i][j]);
        }
    }
    cp_async_wait<0>();
    __syncthreads();

    T* Cb = C + cOff + (long long)b * M * N;
    if (KG == 1) {
#pragma unroll
        for (int i = 0; i < 4; i++) {
            const int m = m0 + tm * 4 + i;
#pragma unroll
            for (int j = 0; j < 4; j++) {
                const int n = n0 + tn * 4 + j;
                if (m < M && n < N) Cb[(long long)m * N + n] = acc[i][j] + bias_at(bias, bsb, bsm, bsn, b, m, n, N);
            }
        }
        return;
    }
    T* red = sm;  // [KG][BM][BN]
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) red[g * BM * BN + (tm * 4 + i) * BN + tn * 4 + j] = acc[i][j];
    __syncthreads();
    for (int o = t; o < BM * BN; o += NT) {
        T s = red[o];
#pragma unroll
        for (int gg = 1; gg < KG; gg++) s += red[gg * BM * BN + o];
        const int m = m0 + o / BN, n = n0 + o % BN;
        if (m < M && n < N) Cb[(long long)m * N + n] = s + bias_at(bias, bsb, bsm, bsn, b, m, n, N);
    }
}

}  // namespace small

}  // namespace gemm_detail

#define GEMM_ARGS(T)                                                                                         \
    int batch, int M, int N, int K, const T *A, int aOff, int sab, int sam, int sak, const T *B, int bOff, \
        int sbb, int sbk, int sbn, T *C, int cOff, const T *bias, int bsb, int bsm, int bsn
#define GEMM_PASS batch, M, N, K, A, aOff, sab, sam, sak, B, bOff, sbb, sbk, sbn, C, cOff, bias, bsb, bsm, bsn

extern "C" __global__ void __launch_bounds__(256, 2) gemm_f32(GEMM_ARGS(float)) {
    gemm_detail::big::run<1>(GEMM_PASS);
}

extern "C" __global__ void __launch_bounds__(256, 2) gemm_f32_k16(GEMM_ARGS(float)) {
    gemm_detail::big::run<2>(GEMM_PASS);
}

extern "C" __global__ void __launch_bounds__(256, 3) gemm_f32_small(GEMM_ARGS(float)) {
    gemm_detail::small::run<float, 32, 32, 32, 6>(GEMM_PASS);
}

extern "C" __global__ void __launch_bounds__(256, 3) gemm_f32_small16(GEMM_ARGS(float)) {
    gemm_detail::small::run<float, 16, 16, 64, 6>(GEMM_PASS);
}

extern "C" __global__ void __launch_bounds__(256, 2) gemm_f64(GEMM_ARGS(double)) {
    gemm_detail::small::run<double, 32, 32, 32, 3>(GEMM_PASS);
}
