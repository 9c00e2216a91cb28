package dev.ember.cuda;

/**
 * The {@code torch.cuda} of Ember: whether CUDA can run here and why not, synchronisation, and the caching
 * allocator's statistics. Every method is safe to call on a machine without a GPU or driver: the queries answer
 * false/0 and {@link #unavailableReason()} says what is missing.
 */
public final class Cuda {
    private Cuda() {
    }

    /** True when the driver, a device and Ember's kernels are all usable. */
    public static boolean isAvailable() {
        return CudaRuntime.tryGet() != null;
    }

    /** Why CUDA is not available, or null when it is. */
    public static String unavailableReason() {
        return CudaRuntime.failure();
    }

    /** Devices Ember can use: 1 when available (Ember drives device 0), else 0. */
    public static int deviceCount() {
        return isAvailable() ? 1 : 0;
    }

    /** The device's name, e.g. "NVIDIA H100 80GB HBM3". */
    public static String deviceName() {
        return CudaRuntime.get().driver.deviceName();
    }

    /** Waits for every queued kernel ({@code torch.cuda.synchronize}). */
    public static void synchronize() {
        if (isAvailable()) {
            CudaRuntime.get().synchronize();
        }
    }

    /** Bytes held by live tensors (rounded to the allocator's size classes, as PyTorch reports). */
    public static long memoryAllocated() {
        CudaRuntime r = CudaRuntime.tryGet();
        return r == null ? 0 : r.allocator.allocated();
    }

    /** The peak of {@link #memoryAllocated()} since start or the last {@link #resetPeakMemoryStats()}. */
    public static long maxMemoryAllocated() {
        CudaRuntime r = CudaRuntime.tryGet();
        return r == null ? 0 : r.allocator.maxAllocated();
    }

    /** Bytes taken from the driver: live tensors plus the cache of freed blocks. */
    public static long memoryReserved() {
        CudaRuntime r = CudaRuntime.tryGet();
        return r == null ? 0 : r.allocator.reserved();
    }

    public static void resetPeakMemoryStats() {
        CudaRuntime r = CudaRuntime.tryGet();
        if (r != null) {
            r.allocator.resetPeak();
        }
    }

    /**
     * {free, total} bytes of device memory as the driver reports them ({@code torch.cuda.mem_get_info()});
     * {0, 0} when CUDA is not available.
     */
    public static long[] memGetInfo() {
        CudaRuntime r = CudaRuntime.tryGet();
        return r == null ? new long[2] : r.allocator.memInfo();
    }

    /** Returns cached free blocks to the driver (other processes can then use them). */
    public static void emptyCache() {
        CudaRuntime r = CudaRuntime.tryGet();
        if (r != null) {
            r.allocator.emptyCache();
        }
    }

    /** {allocation requests, of which served by the driver}: the rest came from the cache. */
    public static long[] allocationCounts() {
        CudaRuntime r = CudaRuntime.tryGet();
        return r == null ? new long[2] : r.allocator.counts();
    }
}
