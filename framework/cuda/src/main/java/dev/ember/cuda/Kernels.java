package dev.ember.cuda;

import java.util.concurrent.atomic.AtomicLong;
import jcuda.driver.CUdeviceptr;

/**
 * Launches Ember's kernels (ABI.md) by name through the driver, on its stream, and counts the launches and the
 * device-to-device copies (what an eager step's host time is made of).
 */
final class Kernels {
    private final Driver driver;
    private final AtomicLong launches = new AtomicLong();
    private final AtomicLong copies = new AtomicLong();

    Kernels(Driver driver) {
        this.driver = driver;
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
        driver.launch(name, gx, gy, gz, block, sharedBytes, args);
        launches.incrementAndGet();
    }

    /** Copies {@code bytes} between device buffers on the stream. */
    void copy(CUdeviceptr dst, CUdeviceptr src, long bytes) {
        driver.copyAsync(dst, src, bytes);
        copies.incrementAndGet();
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
