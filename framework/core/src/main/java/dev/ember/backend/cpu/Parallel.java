package dev.ember.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The CPU backend's one shared thread pool and a parallel-for over index ranges, like PyTorch's
 * {@code at::parallel_for(begin, end, grain_size, f)} and {@code torch.set_num_threads}.
 *
 * <p>Every CPU kernel that parallelises goes through {@link #parallelFor}: the range {@code [begin, end)} is
 * cut into {@code min(numThreads(), ceil((end - begin) / grain))} contiguous chunks of equal size (give or
 * take one item), the calling thread runs the first chunk itself and the pool's workers run the others; the
 * call returns when all chunks are done. Work of {@code grain} items or fewer, a pool of one thread, and
 * calls made from inside a chunk (nested parallelism) run inline on the calling thread, so small tensors pay
 * no hand-off cost and nested kernels never oversubscribe the cores or deadlock the pool. For big tasks of
 * uneven cost, {@link #forEachTask} hands them out one at a time instead (a dynamic schedule).
 *
 * <p>The number of threads defaults to the number of cores ({@link Runtime#availableProcessors()}); the
 * environment variable {@code EMBER_NUM_THREADS} (read once, at first use) or {@link #setNumThreads}
 * (public as {@code dev.ember.Ember.setNumThreads}) override it. Choosing {@code grain}: a chunk should do
 * at least some microseconds of work (e.g. ~32K float element-wise ops): handing chunks to the workers
 * ({@link WorkerPool}, which spin between jobs) costs about a microsecond, and much more when other processes
 * keep the cores busy.
 *
 * <p>An exception thrown by any chunk is rethrown on the calling thread (the first one; the others are
 * added as suppressed) after all chunks have finished, so no chunk is left writing after the call returns.
 */
public final class Parallel {
    /** Environment variable that sets the default number of threads. */
    public static final String ENV_NUM_THREADS = "EMBER_NUM_THREADS";

    /** The body of one chunk: process items {@code from} (inclusive) to {@code to} (exclusive). */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    /** The body of one task of {@link #forEachTask}. */
    @FunctionalInterface
    public interface Task {
        void run(int index);
    }

    /** Marks threads that are running a chunk, so nested parallelFor calls run inline. */
    private static final ThreadLocal<Boolean> IN_CHUNK = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private static volatile int numThreads = defaultNumThreads();
    private static WorkerPool pool; // created at first parallel use, guarded by the class lock

    private Parallel() {
    }

    /** The number of threads CPU kernels use (the calling thread included). */
    public static int numThreads() {
        return numThreads;
    }

    /**
     * Sets the number of threads CPU kernels use, the calling thread included ({@code torch.set_num_threads}).
     * 1 runs every kernel on the calling thread. Takes effect for the next kernel; kernels already running
     * finish on the old pool.
     */
    public static synchronized void setNumThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("setNumThreads: expected a positive number of threads, got " + n);
        }
        if (n != numThreads) {
            numThreads = n;
            if (pool != null) {
                pool.shutdown(); // workers exit after their current chunk
                pool = null;
            }
        }
    }

    /** True when the calling thread is running a chunk of a parallelFor (nested calls then run inline). */
    public static boolean inParallelRegion() {
        return IN_CHUNK.get();
    }

    /**
     * Runs {@code body} over {@code [begin, end)} split into {@code min(numThreads(), ceil((end - begin) /
     * grain))} contiguous chunks of equal size (give or take one); returns when every chunk has finished.
     * Runs inline when the range has {@code grain} items or fewer, when only one thread is configured, or
     * when called from inside a chunk. An empty range does nothing.
     *
     * @param grain the smallest number of items worth a chunk of its own (at least 1)
     */
    public static void parallelFor(int begin, int end, int grain, Range body) {
        if (grain < 1) {
            throw new IllegalArgumentException("parallelFor: expected grain >= 1, got " + grain);
        }
        int n = end - begin;
        if (n <= 0) {
            return;
        }
        int threads = numThreads;
        int chunks = (int) Math.min(threads, ((long) n + grain - 1) / grain);
        if (chunks <= 1 || inParallelRegion()) {
            body.run(begin, end);
            return;
        }
        WorkerPool p = pool();
        p.run(body, begin, n, Math.min(chunks, p.capacity()));
    }

    /**
     * Runs {@code body.run(i)} for every {@code i} in {@code [0, count)} on up to {@code maxThreads} threads
     * (and at most {@link #numThreads()}) that take the next index from a shared counter: a dynamic schedule.
     * Use it, with a few times more tasks than threads, when tasks are big and may take unequal time, or when
     * the machine is shared: a thread that gets less CPU (or a worker that is slow to wake) then simply runs
     * fewer tasks instead of holding everyone up. Inline under the same rules as {@link #parallelFor}.
     */
    public static void forEachTask(int count, int maxThreads, Task body) {
        int threads = Math.min(count, Math.max(1, maxThreads));
        if (threads <= 1 || numThreads == 1 || inParallelRegion()) {
            for (int i = 0; i < count; i++) {
                body.run(i);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        parallelFor(0, threads, 1, (lo, hi) -> {
            for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                body.run(i);
            }
        });
    }

    static void runChunk(Range body, int from, int to) {
        Boolean outer = IN_CHUNK.get();
        IN_CHUNK.set(Boolean.TRUE);
        try {
            body.run(from, to);
        } finally {
            IN_CHUNK.set(outer);
        }
    }

    private static synchronized WorkerPool pool() {
        if (pool == null) {
            pool = new WorkerPool(numThreads);
        }
        return pool;
    }

    private static int defaultNumThreads() {
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        String env = System.getenv(ENV_NUM_THREADS);
        if (env == null || env.isBlank()) {
            return cores;
        }
        try {
            int n = Integer.parseInt(env.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the warning: a bad value must not make the whole backend unusable
        }
        System.err.println("ember: ignoring " + ENV_NUM_THREADS + "=" + env
                + " (expected a positive integer); using " + cores + " threads");
        return cores;
    }
}
