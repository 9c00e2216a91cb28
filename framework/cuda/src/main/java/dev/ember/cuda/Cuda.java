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

    /** Devices Ember can use ({@code Device.cuda(0)} to {@code Device.cuda(deviceCount() - 1)}); 0 without CUDA. */
    public static int deviceCount() {
        return CudaRuntime.deviceCount();
    }

    /** Device 0's name, e.g. "NVIDIA H100 80GB HBM3". */
    public static String deviceName() {
        return deviceName(0);
    }

    /** Device {@code device}'s name. */
    public static String deviceName(int device) {
        return CudaRuntime.forDevice(device).driver.deviceName();
    }

    /** Waits for every queued kernel of every device in use ({@code torch.cuda.synchronize}). */
    public static void synchronize() {
        if (isAvailable()) {
            CudaRuntime.synchronizeAll();
        }
    }

    /** Bytes held by live tensors on cuda:0 (rounded to the allocator's size classes, as PyTorch reports). */
    public static long memoryAllocated() {
        return memoryAllocated(0);
    }

    /** Bytes held by live tensors on device {@code device}. */
    public static long memoryAllocated(int device) {
        CachingAllocator a = allocator(device);
        return a == null ? 0 : a.allocated();
    }

    /** The peak of {@link #memoryAllocated()} since start or the last {@link #resetPeakMemoryStats()}. */
    public static long maxMemoryAllocated() {
        return maxMemoryAllocated(0);
    }

    /** The peak of {@link #memoryAllocated(int)} on device {@code device}. */
    public static long maxMemoryAllocated(int device) {
        CachingAllocator a = allocator(device);
        return a == null ? 0 : a.maxAllocated();
    }

    /** Bytes taken from the driver on cuda:0: live tensors plus the cache of freed blocks. */
    public static long memoryReserved() {
        return memoryReserved(0);
    }

    /** Bytes taken from the driver on device {@code device}. */
    public static long memoryReserved(int device) {
        CachingAllocator a = allocator(device);
        return a == null ? 0 : a.reserved();
    }

    /** Resets the peaks of every device in use. */
    public static void resetPeakMemoryStats() {
        for (CudaRuntime r : CudaRuntime.started()) {
            r.allocator.resetPeak();
        }
    }

    /**
     * {free, total} bytes of cuda:0's memory as the driver reports them ({@code torch.cuda.mem_get_info()});
     * {0, 0} when CUDA is not available.
     */
    public static long[] memGetInfo() {
        return isAvailable() ? memGetInfo(0) : new long[2];
    }

    /** {free, total} bytes of device {@code device}'s memory. */
    public static long[] memGetInfo(int device) {
        return CudaRuntime.forDevice(device).allocator.memInfo();
    }

    /** Returns every device's cached free blocks to the driver (other processes can then use them). */
    public static void emptyCache() {
        for (CudaRuntime r : CudaRuntime.started()) {
            r.allocator.emptyCache();
        }
    }

    /** The allocator of a device in use; null for one not used yet (it holds nothing) or without CUDA. */
    private static CachingAllocator allocator(int device) {
        return CudaRuntime.started().stream().filter(r -> r.ordinal == device).findFirst()
                .map(r -> r.allocator).orElse(null);
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
     * Starts timing every eager kernel launch and device copy on cuda:0, from zero: CUDA events around each
     * measure what the GPU spent on it (launches captured into a graph are not timed). The events add work to
     * every launch, so time steps without a profile. {@code -Dember.cuda.profile=true} profiles the whole run and
     * prints {@link KernelTime#table} to stderr at exit.
     */
    public static void startKernelProfile() {
        CudaRuntime.forDevice(0).startProfile();
    }

    /** Stops the profile and returns its kernels, the longest total first; empty when none was started. */
    public static List<KernelTime> stopKernelProfile() {
        CudaRuntime r = CudaRuntime.tryGet();
        return r == null ? List.of() : r.stopProfile();
    }

    /** {allocation requests, of which served by the driver} on cuda:0: the rest came from the cache. */
    public static long[] allocationCounts() {
        CudaRuntime r = CudaRuntime.tryGet();
        return r == null ? new long[2] : r.allocator.counts();
    }
}
