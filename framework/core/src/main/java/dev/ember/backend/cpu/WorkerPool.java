package dev.ember.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The worker threads behind {@link Parallel}: a fixed set of daemon threads that run the chunks of one job at a
 * time, like OpenMP's team. Between jobs a worker spins for a while ({@link #SPIN_NANOS}) before it parks, and
 * the caller spins while it waits for the last chunk, so a training step's many small kernels each pay about a
 * microsecond for the hand-off instead of the 25-50 us that waking a parked ForkJoinPool worker and being woken
 * after {@code join} cost on a 2-core machine (measured, 2026-11-26). Spinning is bounded, so an idle program
 * leaves the cores idle a millisecond after its last kernel.
 *
 * <p>Chunk 0 of a job runs on the calling thread, chunk c on worker c - 1. One job runs at a time: a caller that
 * finds the pool busy (another thread of the program is running kernels) runs its chunks itself.
 */
final class WorkerPool {
    /**
     * How long an idle worker polls for the next job before parking, like OpenMP's spin-wait: longer than the
     * serial stretches of a small training step (0.2 ms left the MF step's workers parked at every optimizer
     * kernel: 0.40 ms a step against 0.31 ms with 1 ms).
     */
    static final long SPIN_NANOS = 1_000_000;
    /**
     * The first part of the wait, polled without yielding. After it the worker yields between polls: a worker
     * that spins without yielding holds a core the garbage collector's threads need (the LSTM step, which
     * allocates 100 MB, took 34 ms against 29 ms).
     */
    static final long BUSY_SPIN_NANOS = 50_000;

    /** One parallel region: its chunks, and the count of those the workers have not finished yet. */
    private static final class Job {
        final Parallel.Range body;
        final int begin;
        final int n;
        final int chunks;
        final AtomicInteger pending;
        final Throwable[] failures;
        final long generation;

        Job(Parallel.Range body, int begin, int n, int chunks, long generation) {
            this.generation = generation;
            this.body = body;
            this.begin = begin;
            this.n = n;
            this.chunks = chunks;
            this.pending = new AtomicInteger(chunks - 1);
            this.failures = new Throwable[chunks];
        }

        int start(int c) {
            return begin + (int) ((long) n * c / chunks);
        }

        void run(int c) {
            try {
                Parallel.runChunk(body, start(c), start(c + 1));
            } catch (Throwable t) {
                failures[c] = t;
            }
        }
    }

    private final Thread[] workers;
    private final ReentrantLock busy = new ReentrantLock();
    /**
     * The latest job; a worker runs its chunk of a job whose generation it has not seen. The generation travels
     * with the job in one volatile reference, so a worker that wakes late can neither run an old job's chunk nor
     * run a new job's chunk twice.
     */
    private volatile Job job = new Job((a, b) -> { }, 0, 0, 1, 0);
    private long generation; // written by the lock holder only
    private volatile boolean shutdown;

    WorkerPool(int threads) {
        workers = new Thread[Math.max(0, threads - 1)];
        for (int i = 0; i < workers.length; i++) {
            int index = i;
            Thread t = new Thread(() -> work(index), "ember-cpu-" + i);
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    /** The most chunks one job can have: the workers plus the caller. */
    int capacity() {
        return workers.length + 1;
    }

    /**
     * Runs {@code body} over {@code [begin, begin + n)} in {@code chunks} (at most {@link #capacity()}) equal
     * parts; rethrows the first chunk's exception (others suppressed) once all have finished.
     */
    void run(Parallel.Range body, int begin, int n, int chunks) {
        if (!busy.tryLock()) {
            Job j = new Job(body, begin, n, chunks, 0);
            for (int c = 0; c < chunks; c++) {
                j.run(c);
            }
            rethrow(j);
            return;
        }
        Job j = new Job(body, begin, n, chunks, ++generation);
        try {
            job = j; // publishes the job's fields with it
            for (int c = 1; c < chunks; c++) {
                LockSupport.unpark(workers[c - 1]); // cheap when the worker is spinning, not parked
            }
            j.run(0);
            // the other chunks take about as long as ours: spin, then yield if a worker lost its core
            for (int spins = 0; j.pending.get() > 0; spins++) {
                if (spins < 1 << 16) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        } finally {
            busy.unlock();
        }
        rethrow(j);
    }

    private static void rethrow(Job j) {
        Throwable failure = null;
        for (Throwable t : j.failures) {
            if (t == null) {
                continue;
            }
            if (failure == null) {
                failure = t;
            } else {
                failure.addSuppressed(t);
            }
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new RuntimeException(failure);
        }
    }

    private void work(int index) {
        long seen = 0;
        while (true) {
            Job j = job;
            long idleSince = System.nanoTime();
            while (j.generation == seen && !shutdown) {
                long idle = System.nanoTime() - idleSince;
                if (idle < BUSY_SPIN_NANOS) {
                    Thread.onSpinWait();
                } else if (idle < SPIN_NANOS) {
                    Thread.yield(); // still polling, but a runnable GC or JIT thread gets the core
                } else {
                    LockSupport.park(this); // woken by run()'s unpark, or spuriously: the loop checks again
                }
                j = job;
            }
            if (shutdown) {
                return;
            }
            seen = j.generation;
            int c = index + 1;
            if (c < j.chunks) {
                j.run(c);
                j.pending.decrementAndGet();
            }
        }
    }

    /** Lets the workers exit once their current chunk is done. */
    void shutdown() {
        shutdown = true;
        for (Thread t : workers) {
            LockSupport.unpark(t);
        }
    }
}
