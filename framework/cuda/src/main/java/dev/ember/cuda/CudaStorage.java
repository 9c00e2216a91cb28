package dev.ember.cuda;

import dev.ember.backend.Backend;
import dev.ember.backend.Storage;
import dev.ember.tensor.DType;
import dev.ember.tensor.Device;
import java.lang.ref.Cleaner;
import jcuda.driver.CUdeviceptr;

/**
 * Device memory for one storage: a block of the caching allocator, given back when the storage becomes
 * unreachable or is closed. BOOL elements are bytes (0 or 1).
 */
final class CudaStorage extends Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaBackend backend;
    private final Device device;
    private final Release release;
    private final Cleaner.Cleanable cleanable;

    /** The cleaner's action: holds the block, never the storage (or the storage would stay reachable). */
    private static final class Release implements Runnable {
        private final CachingAllocator allocator;
        private final CachingAllocator.Block block;
        private volatile boolean done;

        Release(CachingAllocator allocator, CachingAllocator.Block block) {
            this.allocator = allocator;
            this.block = block;
        }

        @Override
        public void run() {
            if (!done) {
                done = true;
                allocator.release(block);
            }
        }
    }

    CudaStorage(CudaBackend backend, Device device, DType dtype, int size, CachingAllocator allocator) {
        super(dtype, size);
        this.backend = backend;
        this.device = device;
        this.release = new Release(allocator, allocator.allocate((long) size * elementSize(dtype)));
        this.cleanable = CLEANER.register(this, release);
    }

    static int elementSize(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> 4;
            case FLOAT64, INT64 -> 8;
            case BOOL -> 1;
        };
    }

    /** Kernel-name suffix of a dtype (ABI.md). */
    static String suffix(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "f32";
            case FLOAT64 -> "f64";
            case INT64 -> "i64";
            case BOOL -> "u8";
        };
    }

    /** The block's base address. */
    CUdeviceptr ptr() {
        if (release.done) {
            throw new IllegalStateException("CUDA tensor storage (" + dtype().torchName() + ", " + size()
                    + " elements) was used after Tensor.close() freed it");
        }
        return release.block.ptr();
    }

    /** The address of element {@code offset}. */
    CUdeviceptr ptr(int offset) {
        CUdeviceptr p = ptr();
        return offset == 0 ? p : p.withByteOffset((long) offset * elementSize(dtype()));
    }

    long bytes() {
        return (long) size() * elementSize(dtype());
    }

    @Override
    public Device device() {
        return device;
    }

    /**
     * The backend, with this storage's device made the thread's active one: ops reach the backend through their
     * operands' storages, so their kernels go to the operands' device (see {@link CudaRuntime}).
     */
    @Override
    public Backend backend() {
        release.allocator.runtime().activate();
        return backend;
    }

    /** The runtime of the device this storage lives on. */
    CudaRuntime runtime() {
        return release.allocator.runtime();
    }

    /**
     * Gives the block back to the caching allocator now. On a driver that poisons uninitialized memory (the emulator)
     * the block is first filled with 0xFF bytes (NaN), in stream order, so that a kernel reading a closed storage
     * (autograd releasing a gradient buffer too early, say) gets NaNs instead of what it held.
     */
    @Override
    public void close() {
        CudaRuntime r = runtime();
        if (!release.done && size() > 0 && r.driver.poisonsUninitialized()) {
            r.activate();
            r.driver.memsetD8Async(ptr(), (byte) 0xFF, bytes());
        }
        cleanable.clean();
    }
}
