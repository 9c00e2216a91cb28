package dev.ember.cuda;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import jcuda.driver.CUdeviceptr;

/**
 * Launches Ember's kernels (ABI.md) by name through the driver, on its stream, and counts the launches and the
 * device-to-device copies (what an eager step's host time is made of); with a {@link KernelProfile} running, times
 * each eager one on the GPU.
 */
final class Kernels {
    private final Driver driver;
    private final BooleanSupplier capturing;
    private final AtomicLong launches = new AtomicLong();
    private final AtomicLong copies = new AtomicLong();
    /** The profile in progress, or null. */
    volatile KernelProfile profile;

    /** @param capturing whether the stream is being captured into a graph (launches then go untimed) */
    Kernels(Driver driver, BooleanSupplier capturing) {
        this.driver = driver;
        this.capturing = capturing;
    }

    /** 1-D launch with 256-thread blocks covering {@code n} elements (grid-stride kernels, at most 65535 blocks). */
    void launch1d(String name, int n, Object... args) {
        int grid = (int) Math.max(1, Math.min(65535, (n + 255L) / 256));
        launch(name, grid, 1, 1, 256, 0, args);
    }

    /**
     * Launches {@code name} on the runtime's stream. Arguments: Integer, Long, Double, int[] (a Desc or any
     * by-value struct of ints), CUdeviceptr, or null for a null device pointer.
     */
    void launch(String name, int gx, int gy, int gz, int block, int sharedBytes, Object... args) {
        KernelProfile p = timing();
        Object start = p == null ? null : p.begin();
        driver.launch(name, gx, gy, gz, block, sharedBytes, args);
        if (p != null) {
            p.end(name, start);
        }
        launches.incrementAndGet();
    }

    /** Copies {@code bytes} between device buffers on the stream. */
    void copy(CUdeviceptr dst, CUdeviceptr src, long bytes) {
        KernelProfile p = timing();
        Object start = p == null ? null : p.begin();
        driver.copyAsync(dst, src, bytes);
        if (p != null) {
            p.end("memcpy device to device", start);
        }
        copies.incrementAndGet();
    }

    /** Copies {@code bytes} from this device's {@code src} to another device's {@code dst} (counted as a copy). */
    void copyPeer(CUdeviceptr dst, Driver dstDevice, CUdeviceptr src, long bytes) {
        driver.copyPeer(dst, dstDevice, src, bytes);
        copies.incrementAndGet();
    }

    /** The profile that times this launch: the running one, unless the launch goes into a graph. */
    private KernelProfile timing() {
        KernelProfile p = profile;
        return p == null || capturing.getAsBoolean() ? null : p;
    }

    /** Device-to-device copies since start, counted as {@link #launches}. */
    long copies() {
        return copies.get();
    }

    /** Kernels launched since start (recorded into a graph included; a graph's replays not). */
    long launches() {
        return launches.get();
    }
}
