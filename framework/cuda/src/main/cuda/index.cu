// Indexing kernels of ember-cuda (ABI.md, "Indexing (index.cu)"); index arrays are i64.
//   index_select_T (4 types)        n = out numel:   out[.., i, ..] = in[.., index[i], ..]            (index 1-D)
//   gather_T (4 types)              n = index numel: out[c] = in[c with c[dim] = index[c]]
//   scatter_add_T (f32 f64 i64)     n = index numel: out[c with c[dim] = index[c]] += src[c]        (atomic)
//   index_add_T (f32 f64 i64)       n = src numel:   out[.., index[i], ..] += src[.., i, ..]         (atomic)
// The linear index is decomposed row-major over out's (index_select), index's (gather, scatter_add) or src's
// (index_add) shape; the other operands have as many dims, and their shapes may differ from it only along dim
// (gather and scatter_add, as in PyTorch, also accept an index smaller than in / src in the other dims: those
// operands are only ever addressed at the index's coordinates). The index Desc of index_select and index_add is
// 1-D (ndim 0 is read as one element).
//
// Launch: blockDim = 256, gridDim = min(ceil(n / 256), 65535), grid-stride (ABI.md's element-wise rule).
//
// Index values outside [0, size of dim) cannot raise an error here, where the CPU throws: index_select and gather
// write 0 for them, scatter_add and index_add skip them; no memory outside the operands is touched. The host
// checks indices where it must report them. Adds are atomicAdd (float, double; i64 as unsigned long long,
// which is two's complement wrapping like Java's long): repeated indices sum in an unspecified order, so float
// results may differ from the CPU's in the last bits.
#include "ember.cuh"

using namespace ember;

namespace {

// Decomposes `linear` over the staged sd[0]'s shape into K offsets (sd[j] all have sd[0]'s ndim). Along `dim` the
// operands whose bit is set in `skip` get no term (the caller adds index * stride); returns the coordinate there.
template <int K>
__device__ __forceinline__ int decompose(const Desc* sd, int dim, unsigned skip, int linear, int (&off)[K]) {
    const int nd = sd[0].ndim;
#pragma unroll
    for (int j = 0; j < K; ++j) {
        off[j] = sd[j].offset;
    }
    unsigned rest = (unsigned) linear;
    int cd = 0;
#pragma unroll 1
    for (int k = nd - 1; k >= 0; --k) {
        unsigned c = rest;
        if (k > 0) {
            const unsigned s = (unsigned) sd[0].shape[k];
            const unsigned q = rest / s;
            c = rest - q * s;
            rest = q;
        }
        const bool atDim = k == dim;
        if (atDim) {
            cd = (int) c;
        }
#pragma unroll
        for (int j = 0; j < K; ++j) {
            if (!(atDim && ((skip >> j) & 1u))) {
                off[j] += (int) c * sd[j].stride[k];
            }
        }
    }
    return cd;
}

// Size and stride of d along dim (one element of stride 0 for a 0-d operand).
__device__ __forceinline__ int size_along(const Desc& d, int dim) {
    return d.ndim == 0 ? 1 : shape_at(d, dim);
}

__device__ __forceinline__ int stride_along(const Desc& d, int dim) {
    return d.ndim == 0 ? 0 : stride_at(d, dim);
}

// Element i of a 1-D (or 0-d) index.
__device__ __forceinline__ long long index_at(const Desc& idx, const long long* __restrict__ index, int i) {
    return index[idx.offset + (idx.ndim > 0 ? i * idx.stride[0] : 0)];
}

template <typename T>
__device__ __forceinline__ void atomic_add(T* p, T v) {
    atomicAdd(p, v);
}

template <>
__device__ __forceinline__ void atomic_add<long long>(long long* p, long long v) {
    atomicAdd(reinterpret_cast<unsigned long long*>(p), (unsigned long long) v);
}

template <typename T>
__device__ __forceinline__ void index_select_run(int n, int dim, const Desc& in, const Desc& idx, const Desc& out,
                                                 const T* __restrict__ x, const long long* __restrict__ index,
                                                 T* __restrict__ y, Desc* sd) {
    stage(sd[0], out);
    stage(sd[1], in);
    __syncthreads();
    const int size = size_along(in, dim);
    const int step = stride_along(in, dim);
    EMBER_GRID_LOOP(i, n) {
        int o[2];
        const int c = decompose<2>(sd, dim, 2u, (int) i, o);
        const long long j = index_at(idx, index, c);
        y[o[0]] = (j >= 0 && j < size) ? x[o[1] + (int) j * step] : T(0);
    }
}

template <typename T>
__device__ __forceinline__ void gather_run(int n, int dim, const Desc& in, const Desc& idx, const Desc& out,
                                           const T* __restrict__ x, const long long* __restrict__ index,
                                           T* __restrict__ y, Desc* sd) {
    stage(sd[0], idx);
    stage(sd[1], out);
    stage(sd[2], in);
    __syncthreads();
    const int size = size_along(in, dim);
    const int step = stride_along(in, dim);
    EMBER_GRID_LOOP(i, n) {
        int o[3];
        decompose<3>(sd, dim, 4u, (int) i, o);
        const long long j = index[o[0]];
        y[o[1]] = (j >= 0 && j < size) ? x[o[2] + (int) j * step] : T(0);
    }
}

template <typename T>
__device__ __forceinline__ void scatter_add_run(int n, int dim, const Desc& out, const Desc& idx, const Desc& src,
                                                T* y, const long long* __restrict__ index, const T* __restrict__ s,
                                                Desc* sd) {
    stage(sd[0], idx);
    stage(sd[1], src);
    stage(sd[2], out);
    __syncthreads();
    const int size = size_along(out, dim);
    const int step = stride_along(out, dim);
    EMBER_GRID_LOOP(i, n) {
        int o[3];
        decompose<3>(sd, dim, 4u, (int) i, o);
        const long long j = index[o[0]];
        if (j >= 0 && j < size) {
            atomic_add(y + o[2] + (int) j * step, s[o[1]]);
        }
    }
}

template <typename T>
__device__ __forceinline__ void index_add_run(int n, int dim, const Desc& out, const Desc& idx, const Desc& src,
                                              T* y, const long long* __restrict__ index, const T* __restrict__ s,
                                              Desc* sd) {
    stage(sd[0], src);
    stage(sd[1], out);
    __syncthreads();
    const int size = size_along(out, dim);
    const int step = stride_along(out, dim);
    EMBER_GRID_LOOP(i, n) {
        int o[2];
        const int c = decompose<2>(sd, dim, 2u, (int) i, o);
        const long long j = index_at(idx, index, c);
        if (j >= 0 && j < size) {
            atomic_add(y + o[1] + (int) j * step, s[o[0]]);
        }
    }
}

}  // namespace

#define EMBER_INDEX_SELECT(T, TN)                                                                               \
    extern "C" __global__ void __launch_bounds__(256, 8)                                                       \
        index_select_##TN(int n, int dim, Desc in, Desc idx, Desc out, const T* x, const long long* index,     \
                          T* y) {                                                                               \
        __shared__ Desc sd[2];                                                                                  \
        index_select_run<T>(n, dim, in, idx, out, x, index, y, sd);                                             \
    }

#define EMBER_GATHER(T, TN)                                                                                     \
    extern "C" __global__ void __launch_bounds__(256, 8)                                                       \
        gather_##TN(int n, int dim, Desc in, Desc idx, Desc out, const T* x, const long long* index, T* y) {   \
        __shared__ Desc sd[3];                                                                                  \
        gather_run<T>(n, dim, in, idx, out, x, index, y, sd);                                                   \
    }

#define EMBER_SCATTER_ADD(T, TN)                                                                                \
    extern "C" __global__ void __launch_bounds__(256, 8)                                                       \
        scatter_add_##TN(int n, int dim, Desc out, Desc idx, Desc src, T* y, const long long* index,           \
                         const T* s) {                                                                          \
        __shared__ Desc sd[3];                                                                                  \
        scatter_add_run<T>(n, dim, out, idx, src, y, index, s, sd);                                             \
    }

#define EMBER_INDEX_ADD(T, TN)                                                                                  \
    extern "C" __global__ void __launch_bounds__(256, 8)                                                       \
        index_add_##TN(int n, int dim, Desc out, Desc idx, Desc src, T* y, const long long* index,             \
                       const T* s) {                                                                            \
        __shared__ Desc sd[2];                                                                                  \
        index_add_run<T>(n, dim, out, idx, src, y, index, s, sd);                                               \
    }

EMBER_INDEX_SELECT(float, f32)
EMBER_INDEX_SELECT(double, f64)
EMBER_INDEX_SELECT(long long, i64)
EMBER_INDEX_SELECT(unsigned char, u8)

EMBER_GATHER(float, f32)
EMBER_GATHER(double, f64)
EMBER_GATHER(long long, i64)
EMBER_GATHER(unsigned char, u8)

EMBER_SCATTER_ADD(float, f32)
EMBER_SCATTER_ADD(double, f64)
EMBER_SCATTER_ADD(long long, i64)

EMBER_INDEX_ADD(float, f32)
EMBER_INDEX_ADD(double, f64)
EMBER_INDEX_ADD(long long, i64)

// check_index(int n, Desc idx, const long long* index, long long lo, long long hi, long long allowed,
//             int hasAllowed, int id, int* flag, int* reportId, long long* reportValue)
// The device-side range check behind Backend.checkIndices: every value must lie in [lo, hi) or equal `allowed`
// (when hasAllowed); a bad one is reported with ember.cuh's report_bad_index. Grid-stride, as above.
extern "C" __global__ void __launch_bounds__(256) check_index(int n, Desc idx, const long long* __restrict__ index,
                                                              long long lo, long long hi, long long allowed,
                                                              int hasAllowed, int id, int* flag,
                                                              volatile int* reportId,
                                                              volatile long long* reportValue) {
    for (unsigned i = blockIdx.x * blockDim.x + threadIdx.x; i < (unsigned) n; i += blockDim.x * gridDim.x) {
        const long long v = index[offset_of(idx, (int) i)];
        if ((v < lo || v >= hi) && !(hasAllowed && v == allowed)) {
            report_bad_index(id, v, flag, reportId, reportValue);
            return;
        }
    }
}
