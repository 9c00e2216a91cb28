package dev.ember.apps.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;

/**
 * Times a step the way {@code torch_cpu_reference.py} does (warm-ups, then the median of timed runs) and,
 * over the same timed runs, measures what PyTorch cannot show: heap bytes allocated per step and the share of
 * wall time spent in garbage-collection pauses (over the timed runs, extended to a minimum window).
 *
 * <p>Allocation is {@code com.sun.management.ThreadMXBean.getTotalThreadAllocatedBytes()}, which counts every
 * thread (the kernels' pool workers too), so it includes the little the JVM itself allocates meanwhile. GC time
 * is the sum of {@link GarbageCollectorMXBean#getCollectionTime()} over the collectors that report pauses: G1's
 * and Parallel/Serial's beans all do (G1's "Concurrent GC" bean counts the remark and cleanup pauses); ZGC's and
 * Shenandoah's "Cycles" beans report concurrent cycle time, which is not a pause, and are left out.
 */
final class Meter {

    /** One workload's figures. */
    record Result(double medianMs, double allocBytesPerStep, double gcPct, int warmups) {}

    /** Upper bound on the extra runs of the statistics window (a microsecond step would otherwise run ~10^6 times). */
    private static final int MAX_STATS_RUNS = 200_000;

    private final int minWarmups;
    private final long minWarmupNanos;
    private static final long SETTLE_NANOS = 500_000_000L;
    private final int maxWarmups;
    private final long minStatsNanos;

    /**
     * @param minWarmups     runs before timing starts, at least
     * @param minWarmupNanos then keep warming up until this much time has passed (the JIT needs more than
     *                       CPython's 3 runs to compile the hot loops), and then until the JIT has gone quiet
     *                       (with 0, no time-based warm-up at all), ...
     * @param maxWarmups     ... but never more runs than this
     * @param minStatsNanos  the allocation and GC figures cover the timed runs and, when those took less than
     *                       this, more runs until this much time has passed: one young collection in a 10 ms
     *                       window would read as a GC share of 50%, so short windows say nothing
     */
    Meter(int minWarmups, long minWarmupNanos, int maxWarmups, long minStatsNanos) {
        this.minWarmups = minWarmups;
        this.minWarmupNanos = minWarmupNanos;
        this.maxWarmups = Math.max(minWarmups, maxWarmups);
        this.minStatsNanos = minStatsNanos;
    }

    Result measure(Runnable step, int warmups, int reps) {
        int warm = Math.max(warmups, minWarmups);
        int done = 0;
        long start = System.nanoTime();
        while (done < warm || (done < maxWarmups && System.nanoTime() - start < minWarmupNanos)) {
            step.run();
            done++;
        }
        if (minWarmupNanos > 0) {
            done += untilCompiled(step, done, start);
        }
        long[] times = new long[reps];
        // start from a clean heap, so the previous workload's garbage is not collected on this one's time; then
        // run again for a while before timing: the first runs after a full collection are slower (measured: sgemm
        // n=256 took 0.6 ms in the 20 runs right after System.gc() and 0.35 ms once settled)
        System.gc();
        long settle = System.nanoTime();
        for (int i = 0; i < maxWarmups && System.nanoTime() - settle < Math.min(minWarmupNanos, SETTLE_NANOS); i++) {
            step.run();
        }
        long alloc0 = allocatedBytes();
        long gc0 = gcPauseMillis();
        long wall0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            long t = System.nanoTime();
            step.run();
            times[i] = System.nanoTime() - t;
        }
        int runs = reps;
        while (System.nanoTime() - wall0 < minStatsNanos && runs - reps < MAX_STATS_RUNS) {
            step.run();
            runs++;
        }
        long wall = System.nanoTime() - wall0;
        long gc = gcPauseMillis() - gc0;
        long alloc1 = allocatedBytes();
        double allocPerStep = alloc0 < 0 || alloc1 < 0 ? Double.NaN : (double) (alloc1 - alloc0) / runs;
        double gcPct = wall > 0 ? 100.0 * gc * 1e6 / wall : 0;
        return new Result(median(times) / 1e6, allocPerStep, gcPct, done);
    }

    /**
     * Keeps running the step until the JIT has settled: a window of {@link #JIT_WINDOW_NANOS} in which HotSpot spent
     * less than {@link #JIT_QUIET_MILLIS} compiling, or {@link #MAX_WARMUP_NANOS} since {@code start}. On two busy
     * cores the compiler threads get little CPU, and a fixed 2 s was not enough for a step that runs many kernels
     * (LeNet alone in a fresh JVM: 5.8 ms after 2 s, 3.4 ms after 8 s, the same as after other workloads had run).
     * Returns the number of runs.
     */
    private int untilCompiled(Runnable step, int done, long start) {
        long last = compileMillis();
        if (last < 0) {
            return 0;
        }
        int runs = 0;
        long window = System.nanoTime();
        while (done + runs < maxWarmups && System.nanoTime() - start < MAX_WARMUP_NANOS) {
            step.run();
            runs++;
            if (System.nanoTime() - window >= JIT_WINDOW_NANOS) {
                long now = compileMillis();
                if (now - last < JIT_QUIET_MILLIS) {
                    break;
                }
                last = now;
                window = System.nanoTime();
            }
        }
        return runs;
    }

    private static final long JIT_WINDOW_NANOS = 500_000_000L;
    private static final long JIT_QUIET_MILLIS = 5;
    private static final long MAX_WARMUP_NANOS = 30_000_000_000L;

    /** Milliseconds the JIT has spent compiling since the JVM started; -1 where the JVM does not tell. */
    static long compileMillis() {
        var bean = ManagementFactory.getCompilationMXBean();
        return bean != null && bean.isCompilationTimeMonitoringSupported() ? bean.getTotalCompilationTime() : -1;
    }

    /** Python's {@code statistics.median}: the mean of the two middle values for an even count. */
    static double median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
    }

    /** Heap bytes allocated by all threads since the JVM started; -1 where the JVM cannot tell. */
    static long allocatedBytes() {
        try {
            ThreadMXBean bean = ManagementFactory.getThreadMXBean();
            if (bean instanceof com.sun.management.ThreadMXBean sun && sun.isThreadAllocatedMemorySupported()) {
                if (!sun.isThreadAllocatedMemoryEnabled()) {
                    sun.setThreadAllocatedMemoryEnabled(true);
                }
                return sun.getTotalThreadAllocatedBytes();
            }
        } catch (LinkageError e) {
            // a runtime without the jdk.management module (a jlinked one): no allocation counter
        }
        return -1;
    }

    /** Total GC pause time so far, in milliseconds (see the class comment for which collectors count). */
    static long gcPauseMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            long t = gc.getCollectionTime();
            if (t > 0 && !gc.getName().contains("Cycles")) {
                total += t;
            }
        }
        return total;
    }

    /** The collectors' names, for the header line. */
    static String collectors() {
        List<String> names = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).toList();
        return String.join(", ", names);
    }
}
