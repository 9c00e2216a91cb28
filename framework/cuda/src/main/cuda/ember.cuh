// Shared header of ember-cuda's kernels (see ABI.md): the by-value operand descriptor Desc, the row-major
// offset helpers, the grid-stride loop, and the small scalar helpers that give Java's semantics (Math.max,
// (long) casts, Math.pow's special cases). No kernels here: any .cu file may include it.
//
// A Desc is a kernel parameter, and indexing a parameter's array with a run-time value would make the compiler copy
// the struct to local memory. So the helpers that take parameters (offset_of, shape_at, stride_at, is_flat) index
// only with compile-time constants (fully unrolled loops guarded by `k < ndim`), and code that decomposes indices in
// many places first stages its Descs in shared memory (stage, make_plan) and loops over them there.
#pragma once

#include <math_constants.h>

#define EMBER_MAXD 8

// One strided operand (ABI.md): element (i0, ..., i{ndim-1}) lives at offset + sum(ik * stride[k]).
struct Desc {
    int ndim;
    int offset;
    int shape[EMBER_MAXD];
    int stride[EMBER_MAXD];
};
static_assert(sizeof(Desc) == 72, "Desc is 18 ints, passed by value");
static_assert(alignof(Desc) == 4, "Desc is 4-byte aligned");

// The element offset of the linear (row-major over d.shape) index `linear` of d. ndim 1 is one multiply.
__device__ __forceinline__ int offset_of(const Desc& d, int linear) {
    if (d.ndim == 1) {
        return d.offset + linear * d.stride[0];
    }
    int off = d.offset;
    unsigned rest = (unsigned) linear;  // coordinates and shapes are non-negative: unsigned division is cheaper
#pragma unroll
    for (int k = EMBER_MAXD - 1; k >= 1; --k) {
        if (k < d.ndim) {
            const unsigned s = (unsigned) d.shape[k];
            const unsigned q = rest / s;
            off += (int) (rest - q * s) * d.stride[k];
            rest = q;
        }
    }
    if (d.ndim > 0) {
        off += (int) rest * d.stride[0];
    }
    return off;
}

namespace ember {

// Grid-stride loop over [0, n). Unsigned, so that i + step cannot overflow (n < 2^31, step < 2^32 - 2^31).
// Not unrolled: with the ABI's grid most threads run it once, and unrolled copies only grow the code.
#define EMBER_GRID_LOOP(i, n)                                                                                   \
    _Pragma("unroll 1")                                                                                         \
    for (unsigned i = blockIdx.x * blockDim.x + threadIdx.x, i##_step = gridDim.x * blockDim.x;                  \
         i < (unsigned) (n); i += i##_step)

// d.shape[k] / d.stride[k] for a run-time k, without indexing the parameter dynamically (0 when k is out of range).
__device__ __forceinline__ int shape_at(const Desc& d, int k) {
    int v = 0;
#pragma unroll
    for (int j = 0; j < EMBER_MAXD; ++j) {
        if (j == k) {
            v = d.shape[j];
        }
    }
    return v;
}

__device__ __forceinline__ int stride_at(const Desc& d, int k) {
    int v = 0;
#pragma unroll
    for (int j = 0; j < EMBER_MAXD; ++j) {
        if (j == k) {
            v = d.stride[j];
        }
    }
    return v;
}

// One element per thread over one contiguous run: ndim 1, unit stride (the host merges contiguous dims).
__device__ __forceinline__ bool is_flat(const Desc& d) {
    return d.ndim == 1 && d.stride[0] == 1;
}

// ---------------------------------------------------------------- staged descriptors
//
// offset_of above is unrolled over all EMBER_MAXD dims (about 7 integer divisions of code each time it is
// inlined), which is what a Desc kernel parameter needs. Kernels that decompose indices in many places instead
// copy their Descs once per block into shared memory (stage) and use the helpers below, which loop over the dims
// at run time: compact code, no local memory. Their `d` must be in shared (or global) memory, never a parameter.

// Thread 0 copies the parameter into shared memory (constant offsets only); __syncthreads() before use.
__device__ __forceinline__ void stage(Desc& shared, const Desc& param) {
    if (threadIdx.x == 0) {
        shared = param;
    }
}

// offset_of for a staged Desc. Coordinates and shapes are non-negative: unsigned division is the cheaper one.
__device__ __forceinline__ int staged_offset(const Desc& d, int linear) {
    const int nd = d.ndim;
    if (nd == 1) {
        return d.offset + linear * d.stride[0];
    }
    int off = d.offset;
    unsigned rest = (unsigned) linear;
#pragma unroll 1
    for (int k = nd - 1; k >= 1; --k) {
        const unsigned s = (unsigned) d.shape[k];
        const unsigned q = rest / s;
        off += (int) (rest - q * s) * d.stride[k];
        rest = q;
    }
    if (nd > 0) {
        off += (int) rest * d.stride[0];
    }
    return off;
}

// staged_offset out of line: for the rare launches whose operands differ in shape (small code, few registers).
static __device__ __noinline__ int staged_offset_general(const Desc* d, int linear) {
    return staged_offset(*d, linear);
}

// Offsets in d[0..K) of one linear index, decomposed once over d[0].shape (all K share that shape).
template <int K>
__device__ __forceinline__ void staged_offsets(const Desc* d, int linear, int (&off)[K]) {
    const int nd = d[0].ndim;
#pragma unroll
    for (int j = 0; j < K; ++j) {
        off[j] = d[j].offset;
    }
    unsigned rest = (unsigned) linear;
#pragma unroll 1
    for (int k = nd - 1; k >= 1; --k) {
        const unsigned s = (unsigned) d[0].shape[k];
        const unsigned q = rest / s;
        const int c = (int) (rest - q * s);
#pragma unroll
        for (int j = 0; j < K; ++j) {
            off[j] += c * d[j].stride[k];
        }
        rest = q;
    }
    if (nd > 0) {
#pragma unroll
        for (int j = 0; j < K; ++j) {
            off[j] += (int) rest * d[j].stride[0];
        }
    }
}

// Whether the staged d[1..K) have d[0]'s shape (then one decomposition serves all).
template <int K>
__device__ __forceinline__ bool staged_same_shape(const Desc* d) {
    bool same = true;
#pragma unroll
    for (int j = 1; j < K; ++j) {
        same = same && d[j].ndim == d[0].ndim;
    }
    if (!same) {
        return false;
    }
#pragma unroll 1
    for (int k = 0; k < d[0].ndim; ++k) {
#pragma unroll
        for (int j = 1; j < K; ++j) {
            same = same && d[j].shape[k] == d[0].shape[k];
        }
    }
    return same;
}

// How a launch of an element-wise kernel with K operands finds them (uniform over the grid):
//   flat: every operand is ndim 1 with unit stride (the host merges contiguous dims): offset + i;
//   same: the operands share one shape (broadcasting by stride 0): i decomposed once over it;
//   else: each operand decomposed over its own shape.
template <int K>
struct Plan {
    bool flat;
    bool same;
    int offset[K];
};

// The plan of operands d... (kernel parameters); stages them into sd[0..K) unless flat. Every thread of the block
// must call it (it may wait at a barrier).
template <typename... D>
__device__ __forceinline__ Plan<sizeof...(D)> make_plan(Desc* sd, const D&... d) {
    constexpr int K = sizeof...(D);
    Plan<K> p;
    p.flat = (is_flat(d) && ...);
    {
        int j = 0;
        ((p.offset[j++] = d.offset), ...);
    }
    p.same = false;
    if (!p.flat) {
        if (threadIdx.x == 0) {
            int j = 0;
            ((sd[j++] = d), ...);
        }
        __syncthreads();
        p.same = staged_same_shape<K>(sd);
    }
    return p;
}

template <int K>
__device__ __forceinline__ void plan_offsets(const Plan<K>& p, const Desc* sd, int i, int (&o)[K]) {
    if (p.flat) {
#pragma unroll
        for (int j = 0; j < K; ++j) {
            o[j] = p.offset[j] + i;
        }
    } else if (p.same) {
        staged_offsets<K>(sd, i, o);
    } else {
#pragma unroll
        for (int j = 0; j < K; ++j) {
            o[j] = staged_offset_general(sd + j, i);
        }
    }
}

// ---------------------------------------------------------------- Java semantics

// Java's (long) cast of a double: truncation toward zero, NaN -> 0, saturation at the long range.
__device__ __forceinline__ long long java_d2l(double v) {
    if (v != v) {
        return 0;
    }
    if (v >= 9.2233720368547758e18) {  // 2^63
        return 0x7fffffffffffffffLL;
    }
    if (v <= -9.2233720368547758e18) {
        return (long long) (-0x7fffffffffffffffLL - 1);
    }
    return (long long) v;
}

// Math.max / Math.min: a NaN operand gives NaN, +0.0 is above -0.0 (so the result does not depend on order).
template <typename T>
__device__ __forceinline__ T java_max(T a, T b) {
    if (a != a) {
        return a;
    }
    if (b != b) {
        return b;
    }
    if (a == b) {
        return signbit(a) ? b : a;
    }
    return a > b ? a : b;
}

template <typename T>
__device__ __forceinline__ T java_min(T a, T b) {
    if (a != a) {
        return a;
    }
    if (b != b) {
        return b;
    }
    if (a == b) {
        return signbit(a) ? a : b;
    }
    return a < b ? a : b;
}

template <>
__device__ __forceinline__ long long java_max<long long>(long long a, long long b) {
    return a > b ? a : b;
}

template <>
__device__ __forceinline__ long long java_min<long long>(long long a, long long b) {
    return a < b ? a : b;
}

// Math.pow: like C's pow except pow(x, NaN) = NaN (C: pow(1, NaN) = 1) and pow(+-1, +-inf) = NaN (C: 1).
// pow(x, 2) is x * x exactly, as Java's Math.pow (and the CPU backend's square fast path) gives.
__device__ __forceinline__ float java_pow(float a, float b) {
    if (b != b || (fabsf(a) == 1.0f && isinf(b))) {
        return CUDART_NAN_F;
    }
    if (b == 2.0f) {
        return a * a;
    }
    return powf(a, b);
}

__device__ __forceinline__ double java_pow(double a, double b) {
    if (b != b || (fabs(a) == 1.0 && isinf(b))) {
        return CUDART_NAN;
    }
    if (b == 2.0) {
        return a * a;
    }
    return pow(a, b);
}

// Two's complement arithmetic on longs (Java wraps; signed overflow is undefined in C++).
__device__ __forceinline__ long long wrap_add(long long a, long long b) {
    return (long long) ((unsigned long long) a + (unsigned long long) b);
}

__device__ __forceinline__ long long wrap_sub(long long a, long long b) {
    return (long long) ((unsigned long long) a - (unsigned long long) b);
}

__device__ __forceinline__ long long wrap_mul(long long a, long long b) {
    return (long long) ((unsigned long long) a * (unsigned long long) b);
}

}  // namespace ember

// The device side of Backend.checkIndices (IndexCheck): the first thread to find a bad index claims `flag` (device
// memory, 0 when clear) and writes the check's id and the value to `reportId` / `reportValue`, mapped host memory
// that the host reads after its next synchronisation (it raises the check's message, then clears both).
__device__ __forceinline__ void report_bad_index(int id, long long value, int* flag, volatile int* reportId,
                                                 volatile long long* reportValue) {
    if (atomicCAS(flag, 0, 1) == 0) {
        *reportValue = value;
        __threadfence_system();
        *reportId = id;
    }
}
