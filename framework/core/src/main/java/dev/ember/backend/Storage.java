package dev.ember.backend;

import dev.ember.tensor.DType;
import dev.ember.tensor.Device;

/**
 * A flat buffer of elements of one dtype, owned by a backend. Tensors are views over a storage; every
 * view of the same storage shares its version counter, which in-place operations bump so that autograd
 * can tell when a tensor it saved for backward has been modified (PyTorch's {@code _version}).
 */
public abstract class Storage {
    private final DType dtype;
    private final int size;
    private int version;

    protected Storage(DType dtype, int size) {
        this.dtype = dtype;
        this.size = size;
    }

    public final DType dtype() {
        return dtype;
    }

    /** Number of elements. */
    public final int size() {
        return size;
    }

    public abstract Device device();

    /** The backend that allocated this storage and runs kernels on it. */
    public abstract Backend backend();

    public final int version() {
        return version;
    }

    /**
     * Frees the memory now; later kernels on this storage fail with a clear error. Backends whose memory the
     * garbage collector owns (the CPU) do nothing.
     */
    public void close() {
    }

    /** Called by every in-place write. */
    public final void bumpVersion() {
        version++;
    }
}
