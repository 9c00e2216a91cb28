package dev.ember.backend;

import dev.ember.tensor.DType;
import dev.ember.tensor.Device;

/**
 * The contract between tensors and the machine they run on: allocation, copies to and from the host, and a
 * handful of primitive kernels. Every other op is composed from these in {@code dev.ember.tensor}, so a
 * new backend implements this interface and nothing else. The CPU backend is the reference every other
 * backend is tested against.
 *
 * <p>Kernels write into {@code out} views that the caller allocated contiguous with the right shape and
 * dtype; inputs may have any strides (stride 0 for broadcast dimensions). Backends are found through
 * {@link java.util.ServiceLoader}; see {@link Backends}.
 */
public interface Backend {

    /** Short name, e.g. {@code cpu}. */
    String name();

    /** One line for {@code ember info}: what it runs on and with what. */
    String description();

    /** The device type this backend serves ("cpu", "cuda"). */
    String deviceType();

    /** True when the backend can run here (a driver and a device are present). */
    default boolean isAvailable() {
        return true;
    }

    /** Zero-filled storage of {@code size} elements on {@code device}. */
    Storage allocate(DType dtype, int size, Device device);

    /** Copies a host array ({@code float[]}, {@code double[]}, {@code long[]} or {@code boolean[]}) in. */
    Storage fromHost(Object array, Device device);

    /** A new host array (of the storage's dtype's Java type) holding the storage's elements. */
    Object toHost(Storage storage);

    /** {@code dst[i] = (dst dtype) src[i]} element by element over the (equal) shapes. */
    void copy(Strided src, Strided dst);

    /** Sets every element of {@code dst} to {@code value} converted to dst's dtype. */
    void fill(Strided dst, double value);

    void unary(UnaryOp op, Strided in, Strided out);

    /** {@code a}, {@code b} and {@code out} have the same (broadcast) shape. */
    void binary(BinaryOp op, Strided a, Strided b, Strided out);

    /** {@code out} is BOOL. */
    void compare(CompareOp op, Strided a, Strided b, Strided out);

    /** {@code out = cond ? a : b}; cond is BOOL; all of the same (broadcast) shape. */
    void where(Strided cond, Strided a, Strided b, Strided out);

    /** {@code out} has the input's shape with every dim in {@code dims} of size 1. */
    void reduce(ReduceOp op, Strided in, int[] dims, Strided out);

    /** Batched matrix product: a (B, M, K) @ b (B, K, N) -> out (B, M, N), all of one floating dtype. */
    void bmm(Strided a, Strided b, Strided out);

    /** out.select(dim, i) = in.select(dim, index[i]); index is INT64, 1-D, validated by the caller. */
    void indexSelect(Strided in, int dim, Strided index, Strided out);

    /** out[i][j][k] = in[i][index[i][j][k]][k] for dim 1 (and likewise for other dims). */
    void gather(Strided in, int dim, Strided index, Strided out);

    /** out[i][index[i][j][k]][k] += src[i][j][k] for dim 1; out is updated in place. */
    void scatterAdd(Strided out, int dim, Strided index, Strided src);
}
