// Random numbers of ember-cuda (ABI.md, "Random numbers (random.cu)"): Philox4x32-10 (Salmon et al., "Parallel
// random numbers: as easy as 1, 2, 3", SC 2011; the Random123 constants), counter-based, so every element is a
// pure function of (seed, offset, i) and any launch configuration gives the same numbers.
//   uniform_T / normal_T (f32 f64): int n, unsigned long long seed, unsigned long long offset, T* out (contiguous)
//   uniform_graph_T / normal_graph_T: int n, const unsigned long long* state, unsigned long long intra, T* out: the
//   same with seed = state[0], offset = state[1] + intra read on the device (CUDA graphs, see below)
// Element i belongs to the Philox block with counter offset + i / 4: 128-bit counter (lo32, hi32, 0, 0) of that
// 64-bit value, 64-bit key (lo32, hi32) of seed, and takes 32-bit word i % 4 of the output. The host advances
// offset by ceil(n / 4) after each call, so consecutive calls never share a block.
//   uniform f32: (word >> 8) * 2^-24, in [0, 1) on the 2^-24 grid.
//   uniform f64: 53 bits, (word << 21 | word' >> 11) * 2^-53 in [0, 1), with word' the same word of a second Philox
//                block, counter (lo32, hi32, 1, 0): still owned by offset + i / 4 alone, as no call uses a third
//                counter word of 1 otherwise.
//   normal: Box-Muller on the pairs of words (0, 1) and (2, 3) of a block: r = sqrt(-2 log u1) with u1 in (0, 1],
//           angle 2 pi u2 with u2 in [0, 1); the even element of a pair gets r cos, the odd one r sin. u1 has 32
//           bits for f32 (|z| <= 6.66) and 53 for f64 (|z| <= 8.57).
//
// Launch: one thread per Philox block, blockDim = 256, gridDim = min(ceil(ceil(n / 4) / 256), 65535),
// grid-stride over the blocks (any grid is correct).
#include "ember.cuh"

#include <stdint.h>

using namespace ember;

namespace {

struct Words {
    unsigned w[4];
};

// Philox4x32 with 10 rounds. __host__ too, so that a host program can check it against the published vectors.
__host__ __device__ __forceinline__ unsigned mulhi32(unsigned a, unsigned b) {
#ifdef __CUDA_ARCH__
    return __umulhi(a, b);
#else
    return (unsigned) (((unsigned long long) a * b) >> 32);
#endif
}

__host__ __device__ __forceinline__ Words philox4x32_10(unsigned c0, unsigned c1, unsigned c2, unsigned c3,
                                                        unsigned k0, unsigned k1) {
#pragma unroll
    for (int round = 0; round < 10; ++round) {
        if (round > 0) {
            k0 += 0x9E3779B9u;  // the key bumps between rounds (golden ratio, sqrt(3) - 1)
            k1 += 0xBB67AE85u;
        }
        const unsigned hi0 = mulhi32(0xD2511F53u, c0);
        const unsigned lo0 = 0xD2511F53u * c0;
        const unsigned hi1 = mulhi32(0xCD9E8D57u, c2);
        const unsigned lo1 = 0xCD9E8D57u * c2;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
    }
    return {{c0, c1, c2, c3}};
}

// The block of counter value ctr (third counter word `stream`: 0, or 1 for the extra f64 bits).
__device__ __forceinline__ Words block(unsigned long long seed, unsigned long long ctr, unsigned stream) {
    return philox4x32_10((unsigned) ctr, (unsigned) (ctr >> 32), stream, 0u, (unsigned) seed,
                         (unsigned) (seed >> 32));
}

constexpr float TWO_M24 = 5.9604644775390625e-8f;     // 2^-24
constexpr float TWO_M32 = 2.3283064365386963e-10f;    // 2^-32
constexpr double TWO_M53 = 1.1102230246251565e-16;    // 2^-53

__device__ __forceinline__ unsigned long long bits53(unsigned hi, unsigned lo) {
    return ((unsigned long long) hi << 21) | (lo >> 11);
}

// The 4 values of one Philox block.
__device__ __forceinline__ void uniform4(unsigned long long seed, unsigned long long ctr, float (&v)[4]) {
    const Words a = block(seed, ctr, 0);
#pragma unroll
    for (int k = 0; k < 4; ++k) {
        v[k] = (float) (a.w[k] >> 8) * TWO_M24;
    }
}

__device__ __forceinline__ void uniform4(unsigned long long seed, unsigned long long ctr, double (&v)[4]) {
    const Words a = block(seed, ctr, 0);
    const Words b = block(seed, ctr, 1);
#pragma unroll
    for (int k = 0; k < 4; ++k) {
        v[k] = (double) bits53(a.w[k], b.w[k]) * TWO_M53;
    }
}

__device__ __forceinline__ void normal4(unsigned long long seed, unsigned long long ctr, float (&v)[4]) {
    const Words a = block(seed, ctr, 0);
#pragma unroll
    for (int p = 0; p < 2; ++p) {
        const float u1 = (float) a.w[2 * p] * TWO_M32 + 0.5f * TWO_M32;  // (0, 1]
        const float u2 = (float) (a.w[2 * p + 1] >> 8) * TWO_M24;        // [0, 1)
        const float r = sqrtf(-2.0f * logf(u1));
        float s, c;
        sincospif(2.0f * u2, &s, &c);
        v[2 * p] = r * c;
        v[2 * p + 1] = r * s;
    }
}

__device__ __forceinline__ void normal4(unsigned long long seed, unsigned long long ctr, double (&v)[4]) {
    const Words a = block(seed, ctr, 0);
    const Words b = block(seed, ctr, 1);
#pragma unroll
    for (int p = 0; p < 2; ++p) {
        const double u1 = (double) (bits53(a.w[2 * p], b.w[2 * p]) + 1) * TWO_M53;  // (0, 1]
        const double u2 = (double) bits53(a.w[2 * p + 1], b.w[2 * p + 1]) * TWO_M53;  // [0, 1)
        const double r = sqrt(-2.0 * log(u1));
        double s, c;
        sincospi(2.0 * u2, &s, &c);
        v[2 * p] = r * c;
        v[2 * p + 1] = r * s;
    }
}

// Stores the 4 values of block g (elements 4g .. 4g + 3 below n): one 16-byte store per 16 bytes when out is
// 16-byte aligned (element 4g then is too), else element by element.
__device__ __forceinline__ void store4(float* out, int n, unsigned g, const float (&v)[4]) {
    const unsigned i = 4 * g;
    if (i + 4 <= (unsigned) n && ((uintptr_t) out & 15) == 0) {
        reinterpret_cast<float4*>(out)[g] = make_float4(v[0], v[1], v[2], v[3]);
        return;
    }
#pragma unroll
    for (int k = 0; k < 4; ++k) {
        if (i + k < (unsigned) n) {
            out[i + k] = v[k];
        }
    }
}

__device__ __forceinline__ void store4(double* out, int n, unsigned g, const double (&v)[4]) {
    const unsigned i = 4 * g;
    if (i + 4 <= (unsigned) n && ((uintptr_t) out & 15) == 0) {
        reinterpret_cast<double2*>(out)[2 * g] = make_double2(v[0], v[1]);
        reinterpret_cast<double2*>(out)[2 * g + 1] = make_double2(v[2], v[3]);
        return;
    }
#pragma unroll
    for (int k = 0; k < 4; ++k) {
        if (i + k < (unsigned) n) {
            out[i + k] = v[k];
        }
    }
}

template <typename T>
__device__ __forceinline__ void uniform_run(int n, unsigned long long seed, unsigned long long offset, T* out) {
    const unsigned blocks = (unsigned) (((long long) n + 3) / 4);
    EMBER_GRID_LOOP(g, blocks) {
        T v[4];
        uniform4(seed, offset + g, v);
        store4(out, n, g, v);
    }
}

template <typename T>
__device__ __forceinline__ void normal_run(int n, unsigned long long seed, unsigned long long offset, T* out) {
    const unsigned blocks = (unsigned) (((long long) n + 3) / 4);
    EMBER_GRID_LOOP(g, blocks) {
        T v[4];
        normal4(seed, offset + g, v);
        store4(out, n, g, v);
    }
}

}  // namespace

// Eager: seed and offset by value. In a captured graph (the _graph variants): read from state = {seed, base offset}
// in device memory when the kernel runs, plus the launch's own `intra` offset, so that every replay draws new
// numbers: the host writes the state before each replay (philox_state) and advances its generator by what one
// replay uses. Both give element i the counter offset + i / 4, so a replay after manual_seed(s) draws what the
// eager code draws after manual_seed(s).
#define EMBER_RANDOM(KIND, T, S)                                                                                \
    extern "C" __global__ void __launch_bounds__(256, 8)                                                        \
        KIND##_##S(int n, unsigned long long seed, unsigned long long offset, T* out) {                          \
        KIND##_run(n, seed, offset, out);                                                                       \
    }                                                                                                           \
    extern "C" __global__ void __launch_bounds__(256, 8)                                                        \
        KIND##_graph_##S(int n, const unsigned long long* state, unsigned long long intra, T* out) {            \
        KIND##_run(n, state[0], state[1] + intra, out);                                                         \
    }
EMBER_RANDOM(uniform, float, f32)
EMBER_RANDOM(uniform, double, f64)
EMBER_RANDOM(normal, float, f32)
EMBER_RANDOM(normal, double, f64)
#undef EMBER_RANDOM

// philox_state(unsigned long long* state, unsigned long long seed, unsigned long long offset): state = {seed,
// offset}, queued on the stream before a replay (a host copy would wait for the replays before it). One thread.
extern "C" __global__ void philox_state(unsigned long long* state, unsigned long long seed,
                                        unsigned long long offset) {
    if (blockIdx.x == 0 && threadIdx.x == 0) {
        state[0] = seed;
        state[1] = offset;
    }
}

#ifdef EMBER_PHILOX_SELF_TEST
// Host check against the Random123 known-answer vectors (kat_vectors, philox4x32 10 rounds):
//   nvcc -DEMBER_PHILOX_SELF_TEST -x cu random.cu -o philox_test && ./philox_test
#include <cstdio>
int main() {
    struct Kat {
        unsigned c[4], k[2], r[4];
    } kats[] = {
        {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}},
        {{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, {0xffffffffu, 0xffffffffu},
         {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}},
        {{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}, {0xa4093822u, 0x299f31d0u},
         {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}},
    };
    int bad = 0;
    for (const Kat& t : kats) {
        Words w = philox4x32_10(t.c[0], t.c[1], t.c[2], t.c[3], t.k[0], t.k[1]);
        for (int j = 0; j < 4; ++j) {
            bad += w.w[j] != t.r[j];
        }
        std::printf("%08x %08x %08x %08x\n", w.w[0], w.w[1], w.w[2], w.w[3]);
    }
    std::printf(bad ? "FAILED\n" : "ok\n");
    return bad != 0;
}
#endif
