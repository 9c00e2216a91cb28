// Java's arithmetic on the GPU, shared by fused.cu and lstm.cu: explicitly rounded element-wise operations (no FMA
// contraction, which Java never does), transcendental functions of a float computed in double and rounded (as the
// CPU's ExactMath), and the LSTM cell's element formulas of CpuLstm, so that every kernel repeats its CPU twin.
#pragma once

#include <math_constants.h>

namespace ember_fused {

// ---------------------------------------------------------------- arithmetic as Java does it

// Rounded once each, never contracted into an FMA (Java's float and double arithmetic).
__device__ __forceinline__ float add_(float a, float b) { return __fadd_rn(a, b); }
__device__ __forceinline__ double add_(double a, double b) { return __dadd_rn(a, b); }
__device__ __forceinline__ float sub_(float a, float b) { return __fsub_rn(a, b); }
__device__ __forceinline__ double sub_(double a, double b) { return __dsub_rn(a, b); }
__device__ __forceinline__ float mul_(float a, float b) { return __fmul_rn(a, b); }
__device__ __forceinline__ double mul_(double a, double b) { return __dmul_rn(a, b); }
__device__ __forceinline__ float div_(float a, float b) { return __fdiv_rn(a, b); }
__device__ __forceinline__ double div_(double a, double b) { return __ddiv_rn(a, b); }
__device__ __forceinline__ float sqrt_(float a) { return __fsqrt_rn(a); }
__device__ __forceinline__ double sqrt_(double a) { return __dsqrt_rn(a); }

// (float) Math.exp(x) etc.: the double function rounded to float, as the CPU's ExactMath does.
__device__ __forceinline__ float exp_(float a) { return (float) exp((double) a); }
__device__ __forceinline__ double exp_(double a) { return exp(a); }
__device__ __forceinline__ float tanh_(float a) { return (float) tanh((double) a); }
__device__ __forceinline__ double tanh_(double a) { return tanh(a); }
__device__ __forceinline__ float log_(float a) { return (float) log((double) a); }
__device__ __forceinline__ double log_(double a) { return log(a); }

template <typename T> __device__ __forceinline__ T neg_inf();
template <> __device__ __forceinline__ float neg_inf<float>() { return -CUDART_INF_F; }
template <> __device__ __forceinline__ double neg_inf<double>() { return -CUDART_INF; }

// max that propagates NaN (Math.max, the Vector API's MAX): once a NaN is in, it stays.
template <typename T> __device__ __forceinline__ T nanmax(T a, T b) {
    return (b != b || b > a) ? b : a;
}

// Java's Math.max exactly: NaN wins, +0 beats -0.
template <typename T> __device__ __forceinline__ T java_max(T a, T b) {
    if (a != a) {
        return a;
    }
    if (b != b) {
        return b;
    }
    if (a == T(0) && b == T(0)) {
        return signbit(a) ? b : a;
    }
    return a >= b ? a : b;
}

// sigmoid as CpuLstm's vector path: e = exp(-|x|) never overflows, r = 1 / (e + 1), x < 0 ? e r : r.
__device__ __forceinline__ float sigmoid_(float v) {
    float e = exp_(-fabsf(v));
    float r = div_(1.0f, add_(e, 1.0f));
    return v < 0.0f ? mul_(e, r) : r;
}
__device__ __forceinline__ double sigmoid_(double v) {
    double e = exp_(-fabs(v));
    double r = div_(1.0, add_(e, 1.0));
    return v < 0.0 ? mul_(e, r) : r;
}

// ---------------------------------------------------------------- one LSTM cell element (CpuLstm)

// Pre-activations (i, f, g, o) and the previous cell state -> activated gates, c' = f c + i g, h = o tanh(c').
template <typename T>
__device__ __forceinline__ void lstm_cell_one(T ai, T af, T ag, T ao, T c, T& i, T& f, T& g, T& o, T& cn, T& h) {
    i = sigmoid_(ai);
    f = sigmoid_(af);
    g = tanh_(ag);
    o = sigmoid_(ao);
    cn = add_(mul_(f, c), mul_(i, g));
    h = mul_(o, tanh_(cn));
}

// CpuLstm.backwardRow: tc = tanh(c'), gct = gc' + gh o (1 - tc^2); gradients of the pre-activations
// gi = gct g i(1-i), gf = gct c f(1-f), gg = gct i (1-g^2), go = gh tc o(1-o); gc = gct f.
template <typename T>
__device__ __forceinline__ void lstm_cell_backward_one(T gh, T gcn, T i, T f, T g, T o, T cn, T c, T& di, T& df,
                                                       T& dg, T& dout, T& dc) {
    const T one = T(1);
    const T tc = tanh_(cn);
    const T gct = add_(gcn, mul_(mul_(gh, o), sub_(one, mul_(tc, tc))));
    di = mul_(mul_(gct, g), mul_(i, sub_(one, i)));
    df = mul_(mul_(gct, c), mul_(f, sub_(one, f)));
    dg = mul_(mul_(gct, i), sub_(one, mul_(g, g)));
    dout = mul_(mul_(gh, tc), mul_(o, sub_(one, o)));
    dc = mul_(gct, f);
}

}  // namespace ember_fused
