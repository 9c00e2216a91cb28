// The CUDA dialect ember-cuda's kernels use, defined for the host compiler: build.sh force-includes this header
// into every .cu file when it compiles them for the CPU emulator (dev.ember.cuda.EmulatedDriver). Each CUDA
// thread runs as a fiber (emu_runtime.cpp): __syncthreads and the warp collectives switch fibers, shared memory
// is per OS worker thread (one block at a time per worker), and the blocks of a grid run on as many workers as
// the emulated GPU has multiprocessors, so a grid that a real GPU holds resident (the LSTM's grid barrier) is
// resident here too.
//
// What is exact: the kernels' indexing, shared-memory layouts, barriers, warp exchanges and atomics. What is not:
// the math library (glibc, not CUDA's; both are within a few ulp) and the order of a tensor-core product's sums.
#pragma once

// every standard header a kernel TU uses, before __noinline__ is defined (libstdc++ uses __noinline__ itself)
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <stdint.h>
#include <string>
#include <type_traits>
#include <utility>

#define EMBER_EMULATE 1

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__ __attribute__((noinline))
#define __launch_bounds__(...)
#define __align__(n) __attribute__((aligned(n)))
// Static shared memory: one copy per OS worker thread, which runs one block at a time (see the file comment).
#define __shared__ static thread_local

struct uint3 {
    unsigned x, y, z;
};
struct dim3 {
    unsigned x, y, z;
};
struct __attribute__((aligned(16))) float4 {
    float x, y, z, w;
};
struct __attribute__((aligned(8))) float2 {
    float x, y;
};
struct __attribute__((aligned(16))) double2 {
    double x, y;
};
struct __attribute__((aligned(8))) uint2 {
    unsigned x, y;
};
struct __attribute__((aligned(16))) uint4 {
    unsigned x, y, z, w;
};
inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }
inline float2 make_float2(float x, float y) { return {x, y}; }
inline uint2 make_uint2(unsigned x, unsigned y) { return {x, y}; }
inline uint4 make_uint4(unsigned x, unsigned y, unsigned z, unsigned w) { return {x, y, z, w}; }
inline double2 make_double2(double x, double y) { return {x, y}; }

namespace ember_emu {

// The state of the running CUDA thread (a fiber); the runtime switches `current` with the fiber.
struct Thread {
    uint3 tid;
    unsigned linear;  // threadIdx in row-major order: the lane is linear % 32
};
struct Block {
    uint3 idx;
    dim3 dim;
    dim3 grid;
};
extern thread_local Thread* current;
extern thread_local Block* block;

void syncthreads();
// Warp exchange: every live lane of the warp deposits up to SLOT bytes, waits for the others, and gets back the
// deposits of all 32 lanes (lane l's at l * SLOT) in a per-warp buffer valid until its next call to exchange.
constexpr int SLOT = 64;
const unsigned char* exchange(const void* mine, int bytes);
void* dynamic_smem();
unsigned shared_address(const void* p);
void* shared_pointer(unsigned address);
void spin_hint();

template <typename T>
T shuffle_from(T v, int src_lane) {
    const unsigned char* all = exchange(&v, sizeof(T));
    T r;
    std::memcpy(&r, all + (size_t) src_lane * SLOT, sizeof(T));
    return r;
}

inline int lane() { return (int) (current->linear & 31); }

// The inline PTX of gemm.cuh (cp.async groups; fragment layouts of the PTX ISA's mma.m16n8k8 .tf32 and
// mma.m16n8k16 .bf16, ldmatrix .x4), which the matrix kernels call instead of its asm under EMBER_EMULATE.
void cp_async(unsigned dst, const void* src, int size, int bytes);  // deferred to cp_async_wait
void cp_async_commit();
void cp_async_wait(int n);
void ldmatrix_x4(unsigned addr, unsigned& r0, unsigned& r1, unsigned& r2, unsigned& r3);
void mma_tf32(float c[4], const unsigned a[4], unsigned b0, unsigned b1);
void mma_bf16(float c[4], const unsigned a[4], unsigned b0, unsigned b1);
unsigned to_tf32(float x);
unsigned pack_bf16(float lo, float hi);
// gemm_sm90.cu's warpgroup MMA: d (n/8 m16n8 fragments, the PTX ISA's wgmma D layout) += A B^T over one k-step
// (16 bf16 or 8 tf32), both K-major in shared memory in the 128-byte swizzle, given by their matrix descriptors;
// it runs when the wgmma_wait that retires its group comes, reading shared memory then, as late as the PTX ISA
// allows. TF32 operands lose their low 13 mantissa bits (the tensor cores read the FP32 words as they are).
void wgmma(float* d, int n, uint64_t a, uint64_t b, bool bf16);
void wgmma_commit();
void wgmma_wait(int n);

}  // namespace ember_emu

#define threadIdx (ember_emu::current->tid)
#define blockIdx (ember_emu::block->idx)
#define blockDim (ember_emu::block->dim)
#define gridDim (ember_emu::block->grid)

inline void __syncthreads() { ember_emu::syncthreads(); }

template <typename T>
T __shfl_xor_sync(unsigned, T v, int mask) {
    return ember_emu::shuffle_from(v, (int) ((ember_emu::current->linear & 31) ^ (unsigned) mask));
}
template <typename T>
T __shfl_sync(unsigned, T v, int src) {
    return ember_emu::shuffle_from(v, src & 31);
}
// A warp barrier: a collective exchange of nothing, which releases when every live lane has arrived.
inline void __syncwarp(unsigned = 0xffffffffu) { (void) ember_emu::shuffle_from(0, 0); }
template <typename T>
T __shfl_down_sync(unsigned, T v, int delta) {
    const int lane = (int) (ember_emu::current->linear & 31);
    return ember_emu::shuffle_from(v, lane + delta < 32 ? lane + delta : lane);
}

inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void __threadfence_system() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

template <typename T>
T __ldg(const T* p) {
    return *p;
}
// Loads and stores past L1: volatile for scalars; vector types (no volatile copies) are copied after a compiler
// barrier, which is what keeps the load from being hoisted above the grid barrier's atomics anyway.
template <typename T>
T __ldcg(const T* p) {
    if constexpr (std::is_scalar_v<T>) {
        return *(const volatile T*) p;
    } else {
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        T v;
        std::memcpy(&v, p, sizeof(T));
        return v;
    }
}
template <typename T>
void __stcg(T* p, T v) {
    if constexpr (std::is_scalar_v<T>) {
        *(volatile T*) p = v;
    } else {
        std::memcpy(p, &v, sizeof(T));
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
    }
}

inline unsigned atomicAdd(unsigned* p, unsigned v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }
inline int atomicAdd(int* p, int v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }
inline unsigned long long atomicAdd(unsigned long long* p, unsigned long long v) {
    return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);
}
template <typename F>
F atomic_float_add(F* p, F v) {
    using Bits = std::conditional_t<sizeof(F) == 4, unsigned, unsigned long long>;
    Bits* b = reinterpret_cast<Bits*>(p);
    Bits old = __atomic_load_n(b, __ATOMIC_SEQ_CST);
    for (;;) {
        F f;
        std::memcpy(&f, &old, sizeof(F));
        F s = f + v;
        Bits nb;
        std::memcpy(&nb, &s, sizeof(F));
        if (__atomic_compare_exchange_n(b, &old, nb, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
            return f;
        }
    }
}
inline float atomicAdd(float* p, float v) { return atomic_float_add(p, v); }
inline double atomicAdd(double* p, double v) { return atomic_float_add(p, v); }
inline unsigned atomicExch(unsigned* p, unsigned v) { return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST); }
inline int atomicCAS(int* p, int expected, int desired) {
    __atomic_compare_exchange_n(p, &expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return expected;
}
inline unsigned atomicCAS(unsigned* p, unsigned expected, unsigned desired) {
    __atomic_compare_exchange_n(p, &expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return expected;
}

inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned) (((unsigned long long) a * b) >> 32); }
inline unsigned __float_as_uint(float f) {
    unsigned u;
    std::memcpy(&u, &f, 4);
    return u;
}
inline float __uint_as_float(unsigned u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}
inline long long __double_as_longlong(double d) {
    long long l;
    std::memcpy(&l, &d, 8);
    return l;
}
inline double __longlong_as_double(long long l) {
    double d;
    std::memcpy(&d, &l, 8);
    return d;
}
inline unsigned __cvta_generic_to_shared(const void* p) { return ember_emu::shared_address(p); }

// Correctly rounded arithmetic: the host's SSE arithmetic is IEEE (build.sh turns FMA contraction off).
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fsqrt_rn(float a) { return std::sqrt(a); }
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dsub_rn(double a, double b) { return a - b; }
inline double __dmul_rn(double a, double b) { return a * b; }
inline double __ddiv_rn(double a, double b) { return a / b; }
inline double __dsqrt_rn(double a) { return std::sqrt(a); }

inline void sincospif(float x, float* s, float* c) {
    // in double, so that the float results are the correctly rounded sin(pi x), cos(pi x) in all but rare cases
    const double a = M_PI * (double) x;
    *s = (float) std::sin(a);
    *c = (float) std::cos(a);
}
inline void sincospi(double x, double* s, double* c) {
    *s = std::sin(M_PI * x);
    *c = std::cos(M_PI * x);
}

// CUDA's min/max overloads: integers of mixed signedness meet in the unsigned type, floats ignore a NaN (fmin).
template <bool MAX, typename A, typename B>
inline auto min_or_max(A a, B b) -> std::common_type_t<A, B> {
    using C = std::common_type_t<A, B>;
    if constexpr (std::is_floating_point_v<C>) {
        return MAX ? std::fmax((C) a, (C) b) : std::fmin((C) a, (C) b);
    } else {
        return ((C) a < (C) b) == MAX ? (C) b : (C) a;
    }
}
template <typename A, typename B>
inline auto min(A a, B b) {
    return min_or_max<false>(a, b);
}
template <typename A, typename B>
inline auto max(A a, B b) {
    return min_or_max<true>(a, b);
}

using std::abs;
using std::ceil;
using std::cos;
using std::erf;
using std::erfc;
using std::exp;
using std::fabs;
using std::fma;
using std::isinf;
using std::isnan;
using std::log;
using std::pow;
using std::signbit;
using std::sin;
using std::sqrt;
using std::tanh;
