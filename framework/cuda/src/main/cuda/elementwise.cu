// Element-wise kernels of ember-cuda (ABI.md, "Element-wise (elementwise.cu)"): copy with dtype conversion,
// fill, unary, binary, compare, where, and the contiguous tensor-scalar binary.
//
// Launch: blockDim = 256, gridDim = min(ceil(n / 256), 65535); every kernel is a grid-stride loop, so any grid is
// correct. Each launch picks one of three ways to find its operands (Plan in ember.cuh, a uniform branch):
//   - flat: every operand is ndim 1 with unit stride (the host merges contiguous dims): offset + i;
//   - same shape (the usual strided case: broadcasting strides of 0): i decomposed once over the shared shape,
//     from Descs staged in shared memory;
//   - otherwise: each operand decomposed over its own shape.
// The op is switched on once per launch, outside the loop: each op gets its own loop.
//
// Semantics follow the CPU backend (dev.ember.backend: UnaryOp, BinaryOp, CompareOp; cpu.CpuCopy): float32 maths
// in float (expf, powf, ...: within the CUDA math library's few-ulp bounds of the CPU's correctly rounded
// results), float64 in double, IEEE division and square root (no fast math, no FMA contraction in these
// formulas). Integer (i64) arithmetic wraps like Java's. Cases where the CPU throws instead of computing, never
// sent by the host: integer POW with a negative exponent writes 0; integer DIV (true division promotes to
// float first) divides truncating with x / 0 = 0; integer unary ops other than NEG ABS RELU SIGN copy the input.
#include "ember.cuh"

using namespace ember;

namespace {

// ---------------------------------------------------------------- conversions (CpuStorage get/set)

template <typename D>
struct To;

template <>
struct To<float> {
    __device__ static float of(float v) { return v; }
    __device__ static float of(double v) { return (float) v; }
    // the CPU goes through double: (float) (double) v
    __device__ static float of(long long v) { return (float) (double) v; }
    __device__ static float of(unsigned char v) { return v != 0 ? 1.0f : 0.0f; }
};

template <>
struct To<double> {
    __device__ static double of(float v) { return (double) v; }
    __device__ static double of(double v) { return v; }
    __device__ static double of(long long v) { return (double) v; }
    __device__ static double of(unsigned char v) { return v != 0 ? 1.0 : 0.0; }
};

template <>
struct To<long long> {
    __device__ static long long of(float v) { return java_d2l((double) v); }
    __device__ static long long of(double v) { return java_d2l(v); }
    __device__ static long long of(long long v) { return v; }
    __device__ static long long of(unsigned char v) { return v != 0 ? 1 : 0; }
};

template <>
struct To<unsigned char> {
    // x != 0: NaN is true, as Java's v != 0
    template <typename S>
    __device__ static unsigned char of(S v) { return v != S(0) ? 1 : 0; }
};

// ---------------------------------------------------------------- the loops

// y[i] = f(x[i]) over n elements; operand 0 of the plan is the output.
template <typename A, typename Y, typename F>
__device__ __forceinline__ void map1(int n, const Plan<2>& p, const Desc* sd, const A* __restrict__ x,
                                     Y* __restrict__ y, F f) {
    EMBER_GRID_LOOP(i, n) {
        int o[2];
        plan_offsets(p, sd, (int) i, o);
        y[o[0]] = f(x[o[1]]);
    }
}

// y[i] = f(x[i], z[i]); operand 0 of the plan is the output.
template <typename A, typename B, typename Y, typename F>
__device__ __forceinline__ void map2(int n, const Plan<3>& p, const Desc* sd, const A* __restrict__ x,
                                     const B* __restrict__ z, Y* __restrict__ y, F f) {
    EMBER_GRID_LOOP(i, n) {
        int o[3];
        plan_offsets(p, sd, (int) i, o);
        y[o[0]] = f(x[o[1]], z[o[2]]);
    }
}

// ---------------------------------------------------------------- maths per type

template <typename T>
struct M;

template <>
struct M<float> {
    __device__ static float abs(float x) { return fabsf(x); }
    __device__ static float exp(float x) { return expf(x); }
    __device__ static float log(float x) { return logf(x); }
    __device__ static float tanh(float x) { return tanhf(x); }
    __device__ static float sqrt(float x) { return sqrtf(x); }
    __device__ static float sin(float x) { return sinf(x); }
    __device__ static float cos(float x) { return cosf(x); }
    __device__ static float erf(float x) { return erff(x); }
    __device__ static float erfc(float x) { return erfcf(x); }
};

template <>
struct M<double> {
    __device__ static double abs(double x) { return ::fabs(x); }
    __device__ static double exp(double x) { return ::exp(x); }
    __device__ static double log(double x) { return ::log(x); }
    __device__ static double tanh(double x) { return ::tanh(x); }
    __device__ static double sqrt(double x) { return ::sqrt(x); }
    __device__ static double sin(double x) { return ::sin(x); }
    __device__ static double cos(double x) { return ::cos(x); }
    __device__ static double erf(double x) { return ::erf(x); }
    __device__ static double erfc(double x) { return ::erfc(x); }
};

// UnaryOp ordinals
enum { NEG, ABS, RELU, SIGN, EXP, LOG, TANH, SIGMOID, SQRT, SIN, COS, ERF, ERFC };
// BinaryOp ordinals
enum { ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM };
// CompareOp ordinals
enum { EQ, NE, LT, LE, GT, GE };

template <typename T, int OP>
struct Unary {
    __device__ T operator()(T x) const {
        if constexpr (OP == NEG) {
            return -x;
        } else if constexpr (OP == ABS) {
            return M<T>::abs(x);
        } else if constexpr (OP == RELU) {
            return x > T(0) ? x : (x == x ? T(0) : x);  // NaN passes through, -0.0 becomes 0.0
        } else if constexpr (OP == SIGN) {
            return x > T(0) ? T(1) : (x < T(0) ? T(-1) : x);  // Math.signum: +-0.0 and NaN unchanged
        } else if constexpr (OP == EXP) {
            return M<T>::exp(x);
        } else if constexpr (OP == LOG) {
            return M<T>::log(x);
        } else if constexpr (OP == TANH) {
            return M<T>::tanh(x);
        } else if constexpr (OP == SIGMOID) {
            // 1 / (1 + e^-x) without overflow, as the CPU's vector kernels: e = exp(-|x|) <= 1
            T e = M<T>::exp(-M<T>::abs(x));
            T r = T(1) / (T(1) + e);
            return x < T(0) ? e * r : r;
        } else if constexpr (OP == SQRT) {
            return M<T>::sqrt(x);
        } else if constexpr (OP == SIN) {
            return M<T>::sin(x);
        } else if constexpr (OP == COS) {
            return M<T>::cos(x);
        } else if constexpr (OP == ERF) {
            return M<T>::erf(x);
        } else {
            return M<T>::erfc(x);
        }
    }
};

template <int OP>
struct Unary<long long, OP> {
    __device__ long long operator()(long long x) const {
        if constexpr (OP == NEG) {
            return wrap_sub(0, x);
        } else if constexpr (OP == ABS) {
            return x < 0 ? wrap_sub(0, x) : x;  // Math.abs(Long.MIN_VALUE) is Long.MIN_VALUE
        } else if constexpr (OP == RELU) {
            return x > 0 ? x : 0;
        } else if constexpr (OP == SIGN) {
            return (x > 0) - (x < 0);
        } else {
            return x;  // no integer kernel on the CPU; never sent
        }
    }
};

template <typename T>
__device__ __forceinline__ void unary_run(int op, int n, const Plan<2>& p, const Desc* sd, const T* x, T* y) {
    switch (op) {
        case NEG: map1(n, p, sd, x, y, Unary<T, NEG>()); break;
        case ABS: map1(n, p, sd, x, y, Unary<T, ABS>()); break;
        case RELU: map1(n, p, sd, x, y, Unary<T, RELU>()); break;
        case SIGN: map1(n, p, sd, x, y, Unary<T, SIGN>()); break;
        case EXP: map1(n, p, sd, x, y, Unary<T, EXP>()); break;
        case LOG: map1(n, p, sd, x, y, Unary<T, LOG>()); break;
        case TANH: map1(n, p, sd, x, y, Unary<T, TANH>()); break;
        case SIGMOID: map1(n, p, sd, x, y, Unary<T, SIGMOID>()); break;
        case SQRT: map1(n, p, sd, x, y, Unary<T, SQRT>()); break;
        case SIN: map1(n, p, sd, x, y, Unary<T, SIN>()); break;
        case COS: map1(n, p, sd, x, y, Unary<T, COS>()); break;
        case ERF: map1(n, p, sd, x, y, Unary<T, ERF>()); break;
        case ERFC: map1(n, p, sd, x, y, Unary<T, ERFC>()); break;
        default: break;
    }
}

template <>
__device__ __forceinline__ void unary_run<long long>(int op, int n, const Plan<2>& p, const Desc* sd,
                                                     const long long* x, long long* y) {
    switch (op) {
        case NEG: map1(n, p, sd, x, y, Unary<long long, NEG>()); break;
        case ABS: map1(n, p, sd, x, y, Unary<long long, ABS>()); break;
        case RELU: map1(n, p, sd, x, y, Unary<long long, RELU>()); break;
        case SIGN: map1(n, p, sd, x, y, Unary<long long, SIGN>()); break;
        default: map1(n, p, sd, x, y, Unary<long long, -1>()); break;
    }
}

// Integer power by squaring; wraps mod 2^64 exactly like the CPU's repeated multiplication.
__device__ __forceinline__ long long int_pow(long long a, long long b) {
    if (b < 0) {
        return 0;  // the CPU throws ("integers to negative integer powers are not allowed"); never sent
    }
    unsigned long long r = 1;
    unsigned long long base = (unsigned long long) a;
    unsigned long long e = (unsigned long long) b;
    while (e != 0) {
        if (e & 1) {
            r *= base;
        }
        base *= base;
        e >>= 1;
    }
    return (long long) r;
}

template <typename T, int OP>
struct Binary {
    __device__ T operator()(T a, T b) const {
        if constexpr (OP == ADD) {
            return a + b;
        } else if constexpr (OP == SUB) {
            return a - b;
        } else if constexpr (OP == MUL) {
            return a * b;
        } else if constexpr (OP == DIV) {
            return a / b;
        } else if constexpr (OP == POW) {
            return java_pow(a, b);
        } else if constexpr (OP == MAXIMUM) {
            return java_max(a, b);
        } else {
            return java_min(a, b);
        }
    }
};

template <int OP>
__device__ __forceinline__ long long binary_long(long long a, long long b) {
    if constexpr (OP == ADD) {
        return wrap_add(a, b);
    } else if constexpr (OP == SUB) {
        return wrap_sub(a, b);
    } else if constexpr (OP == MUL) {
        return wrap_mul(a, b);
    } else if constexpr (OP == DIV) {
        // never sent (true division promotes integers to float); truncating, x / 0 = 0, no overflow trap
        return b == 0 ? 0 : (b == -1 ? wrap_sub(0, a) : a / b);
    } else if constexpr (OP == POW) {
        return int_pow(a, b);
    } else if constexpr (OP == MAXIMUM) {
        return a > b ? a : b;
    } else {
        return a < b ? a : b;
    }
}

template <int OP>
struct Binary<long long, OP> {
    __device__ long long operator()(long long a, long long b) const { return binary_long<OP>(a, b); }
};

// Bool: the integer op on 0/1, then != 0 (ADD and MAXIMUM are or, MUL and MINIMUM and, SUB is xor).
template <int OP>
struct Binary<unsigned char, OP> {
    __device__ unsigned char operator()(unsigned char a, unsigned char b) const {
        return binary_long<OP>(a != 0, b != 0) != 0 ? 1 : 0;
    }
};

template <typename T>
__device__ __forceinline__ void binary_run(int op, int n, const Plan<3>& p, const Desc* sd, const T* x, const T* y,
                                           T* z) {
    switch (op) {
        case ADD: map2(n, p, sd, x, y, z, Binary<T, ADD>()); break;
        case SUB: map2(n, p, sd, x, y, z, Binary<T, SUB>()); break;
        case MUL: map2(n, p, sd, x, y, z, Binary<T, MUL>()); break;
        case DIV: map2(n, p, sd, x, y, z, Binary<T, DIV>()); break;
        case POW: map2(n, p, sd, x, y, z, Binary<T, POW>()); break;
        case MAXIMUM: map2(n, p, sd, x, y, z, Binary<T, MAXIMUM>()); break;
        case MINIMUM: map2(n, p, sd, x, y, z, Binary<T, MINIMUM>()); break;
        default: break;
    }
}

// Comparison operands: bools compare as 0/1.
__device__ __forceinline__ float cmp_val(float v) { return v; }
__device__ __forceinline__ double cmp_val(double v) { return v; }
__device__ __forceinline__ long long cmp_val(long long v) { return v; }
__device__ __forceinline__ int cmp_val(unsigned char v) { return v != 0; }

template <typename T, int OP>
struct Compare {
    // IEEE: every comparison with NaN is false except NE
    __device__ unsigned char operator()(T x, T y) const {
        auto a = cmp_val(x);
        auto b = cmp_val(y);
        bool r;
        if constexpr (OP == EQ) {
            r = a == b;
        } else if constexpr (OP == NE) {
            r = a != b;
        } else if constexpr (OP == LT) {
            r = a < b;
        } else if constexpr (OP == LE) {
            r = a <= b;
        } else if constexpr (OP == GT) {
            r = a > b;
        } else {
            r = a >= b;
        }
        return r ? 1 : 0;
    }
};

template <typename T>
__device__ __forceinline__ void compare_run(int op, int n, const Plan<3>& p, const Desc* sd, const T* x,
                                            const T* y, unsigned char* z) {
    switch (op) {
        case EQ: map2(n, p, sd, x, y, z, Compare<T, EQ>()); break;
        case NE: map2(n, p, sd, x, y, z, Compare<T, NE>()); break;
        case LT: map2(n, p, sd, x, y, z, Compare<T, LT>()); break;
        case LE: map2(n, p, sd, x, y, z, Compare<T, LE>()); break;
        case GT: map2(n, p, sd, x, y, z, Compare<T, GT>()); break;
        case GE: map2(n, p, sd, x, y, z, Compare<T, GE>()); break;
        default: break;
    }
}

template <typename T>
__device__ __forceinline__ void where_run(int n, const Plan<4>& p, const Desc* sd,
                                          const unsigned char* __restrict__ cond, const T* __restrict__ x,
                                          const T* __restrict__ y, T* __restrict__ z) {
    EMBER_GRID_LOOP(i, n) {
        int o[4];
        plan_offsets(p, sd, (int) i, o);
        // only the chosen operand is read: the other may be a broadcast of anything
        z[o[0]] = cond[o[1]] != 0 ? x[o[2]] : y[o[3]];
    }
}

template <typename T>
__device__ __forceinline__ void fill_run(int n, const Plan<1>& p, const Desc* sd, T* __restrict__ d, double value) {
    const T v = To<T>::of(value);
    EMBER_GRID_LOOP(i, n) {
        int o[1];
        plan_offsets(p, sd, (int) i, o);
        d[o[0]] = v;
    }
}

// z[i] = op(x[i], s) (or op(s, x[i]) with scalarFirst), all contiguous; s is rounded to T first.
template <typename T, int OP>
__device__ __forceinline__ void scalar_loop(int n, const T* __restrict__ x, T s, int scalarFirst,
                                            T* __restrict__ z) {
    Binary<T, OP> f;
    if (scalarFirst) {
        EMBER_GRID_LOOP(i, n) {
            z[i] = f(s, x[i]);
        }
    } else {
        EMBER_GRID_LOOP(i, n) {
            z[i] = f(x[i], s);
        }
    }
}

template <typename T>
__device__ __forceinline__ void scalar_binary_run(int op, int n, const T* x, double value, int scalarFirst, T* z) {
    const T s = (T) value;
    switch (op) {
        case ADD: scalar_loop<T, ADD>(n, x, s, scalarFirst, z); break;
        case SUB: scalar_loop<T, SUB>(n, x, s, scalarFirst, z); break;
        case MUL: scalar_loop<T, MUL>(n, x, s, scalarFirst, z); break;
        case DIV: scalar_loop<T, DIV>(n, x, s, scalarFirst, z); break;
        case POW: scalar_loop<T, POW>(n, x, s, scalarFirst, z); break;
        case MAXIMUM: scalar_loop<T, MAXIMUM>(n, x, s, scalarFirst, z); break;
        case MINIMUM: scalar_loop<T, MINIMUM>(n, x, s, scalarFirst, z); break;
        default: break;
    }
}

template <typename S, typename D>
struct Convert {
    __device__ D operator()(S v) const { return To<D>::of(v); }
};

}  // namespace

// ---------------------------------------------------------------- extern "C" entry points (ABI names)

// Each kernel declares the shared room for its staged Descs (used only when the operands are not all flat).
// __launch_bounds__(256, 8): at most 32 registers, so 8 blocks of 256 (a full SM) are resident: these kernels are
// memory-bound and want every load in flight they can get. where_T has 4 operands and gets 40 (6 blocks).
#define EMBER_EW extern "C" __global__ void __launch_bounds__(256, 8)

#define EMBER_COPY(S, SN, D, DN)                                                                                \
    EMBER_EW copy_##SN##_##DN(int n, Desc src, Desc dst, const S* s, D* d) {                                    \
        __shared__ Desc sd[2];                                                                                  \
        map1(n, make_plan(sd, dst, src), sd, s, d, Convert<S, D>());                                            \
    }

#define EMBER_COPY_FROM(S, SN)                                                                                  \
    EMBER_COPY(S, SN, float, f32)                                                                               \
    EMBER_COPY(S, SN, double, f64)                                                                              \
    EMBER_COPY(S, SN, long long, i64)                                                                           \
    EMBER_COPY(S, SN, unsigned char, u8)

EMBER_COPY_FROM(float, f32)
EMBER_COPY_FROM(double, f64)
EMBER_COPY_FROM(long long, i64)
EMBER_COPY_FROM(unsigned char, u8)

#define EMBER_ALL_TYPES(M) M(float, f32) M(double, f64) M(long long, i64) M(unsigned char, u8)

#define EMBER_FILL(T, TN)                                                                                       \
    EMBER_EW fill_##TN(int n, Desc dst, T* d, double value) {                                                   \
        __shared__ Desc sd[1];                                                                                  \
        fill_run(n, make_plan(sd, dst), sd, d, value);                                                          \
    }
EMBER_ALL_TYPES(EMBER_FILL)

#define EMBER_UNARY(T, TN)                                                                                      \
    EMBER_EW unary_##TN(int op, int n, Desc in, Desc out, const T* x, T* y) {                                   \
        __shared__ Desc sd[2];                                                                                  \
        unary_run<T>(op, n, make_plan(sd, out, in), sd, x, y);                                                  \
    }
EMBER_UNARY(float, f32)
EMBER_UNARY(double, f64)
EMBER_UNARY(long long, i64)

#define EMBER_BINARY(T, TN)                                                                                     \
    EMBER_EW binary_##TN(int op, int n, Desc a, Desc b, Desc out, const T* x, const T* y, T* z) {               \
        __shared__ Desc sd[3];                                                                                  \
        binary_run<T>(op, n, make_plan(sd, out, a, b), sd, x, y, z);                                            \
    }
EMBER_ALL_TYPES(EMBER_BINARY)

#define EMBER_COMPARE(T, TN)                                                                                    \
    EMBER_EW compare_##TN(int op, int n, Desc a, Desc b, Desc out, const T* x, const T* y, unsigned char* z) {  \
        __shared__ Desc sd[3];                                                                                  \
        compare_run<T>(op, n, make_plan(sd, out, a, b), sd, x, y, z);                                           \
    }
EMBER_ALL_TYPES(EMBER_COMPARE)

#define EMBER_WHERE(T, TN)                                                                                      \
    extern "C" __global__ void __launch_bounds__(256, 6)                                                       \
        where_##TN(int n, Desc c, Desc a, Desc b, Desc out, const unsigned char* cond, const T* x, const T* y,  \
                   T* z) {                                                                                      \
        __shared__ Desc sd[4];                                                                                  \
        where_run<T>(n, make_plan(sd, out, c, a, b), sd, cond, x, y, z);                                        \
    }
EMBER_ALL_TYPES(EMBER_WHERE)

#define EMBER_SCALAR_BINARY(T, TN)                                                                              \
    EMBER_EW scalar_binary_##TN(int op, int n, const T* x, double s, int scalarFirst, T* z) {                   \
        scalar_binary_run<T>(op, n, x, s, scalarFirst, z);                                                      \
    }
EMBER_SCALAR_BINARY(float, f32)
EMBER_SCALAR_BINARY(double, f64)
