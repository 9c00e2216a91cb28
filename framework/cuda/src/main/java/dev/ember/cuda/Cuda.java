package dev.ember.cuda;

import java.util.List;
import java.util.Locale;

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

    /**
     * One kernel's part of a kernel profile: its name (device copies are "memcpy device to device"), how often it
     * was launched, and the GPU's milliseconds for all of those launches.
     */
    public record KernelTime(String name, long launches, double totalMs) {
        /** Microseconds per launch. */
        public double meanUs() {
            return launches == 0 ? 0 : totalMs * 1000 / launches;
        }

        /**
         * The report as lines {@code kernel name=... launches=... total_ms=... mean_us=... share_pct=...}, the
         * longest first, under a comment line with the total.
         */
        public static String table(List<KernelTime> report) {
            double all = report.stream().mapToDouble(KernelTime::totalMs).sum();
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                    "# kernel profile: GPU time of eager launches, %.3f ms in all%n", all));
            for (KernelTime k : report) {
                String name = k.name().replace(' ', '_'); // one token per field
                double share = all == 0 ? 0 : 100 * k.totalMs() / all;
                sb.append(String.format(Locale.ROOT, "kernel name=%s launches=%d total_ms=%.3f mean_us=%.2f "
                        + "share_pct=%.1f%n", name, k.launches(), k.totalMs(), k.meanUs(), share));
            }
            return sb.toString();
        }
    }

    /**
     * Starts timing every eager kernel launch and device copy on the GPU, from zero: CUDA events around each
     * measure what the GPU spent on it (launches captured into a graph are not timed). The events add work to
     * every launch, so time steps without a profile. {@code -Dember.cuda.profile=true} profiles the whole run and
     * prints {@link KernelTime#table} to stderr at exit.
     */
    public static void startKernelProfile() {
        CudaRuntime.get().startProfile();
    }

    /** Stops the profile and returns its kernels, the longest total first; empty when none was started. */
    public static List<KernelTime> stopKernelProfile() {
        CudaRuntime r = CudaRuntime.tryGet();
        return r == null ? List.of() : r.stopProfile();
    }

    /** {allocation requests, of which served by the driver}: the rest came from the cache. */
    public static long[] allocationCounts() {
        CudaRuntime r = CudaRuntime.tryGet();
        return r == null ? new long[2] : r.allocator.counts();
    }
}
