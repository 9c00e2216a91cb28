package dev.ember.cuda;

/** Launches Ember's kernels (ABI.md) by name through the driver, on its stream, and counts the launches. */
final class Kernels {
    private final Driver driver;
    private final java.util.concurrent.atomic.AtomicLong launches = new java.util.concurrent.atomic.AtomicLong();

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

    /** Kernels launched since start (recorded into a graph included; a graph's replays not). */
    long launches() {
        return launches.get();
    }
}
