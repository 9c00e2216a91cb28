package dev.ember.data;

import java.lang.ref.Cleaner;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One epoch of a {@link DataLoader}. Batch {@code b} holds {@code order[b*batchSize ...]}; with workers, a
 * sliding window of futures keeps at most {@code numWorkers * prefetchFactor} batches in flight and hands
 * them out in order, so what a batch holds never depends on which thread loaded it.
 */
final class Batches<T, B> implements DataLoader.BatchIterator<B> {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicInteger THREADS = new AtomicInteger();
    /** Idle workers exit after this long, so even an abandoned, still-referenced iterator frees its threads. */
    private static final long KEEP_ALIVE_MS = 1000;
    static final String THREAD_PREFIX = "ember-dataloader-worker-";

    private final Dataset<T> dataset;
    private final int[] order;
    private final int batchSize;
    private final int numBatches;
    private final Function<? super List<T>, ? extends B> collate;
    private final ThreadPoolExecutor pool;
    private final Cleaner.Cleanable cleanable;
    private final ArrayDeque<Future<B>> window = new ArrayDeque<>();
    private int next;
    private int submitted;
    private boolean closed;

    Batches(Dataset<T> dataset, int[] order, int batchSize, int numBatches,
            Function<? super List<T>, ? extends B> collate, int numWorkers, int prefetchFactor) {
        this.dataset = dataset;
        this.order = order;
        this.batchSize = batchSize;
        this.numBatches = numBatches;
        this.collate = collate;
        if (numWorkers > 0 && numBatches > 0) {
            ThreadFactory factory = r -> {
                Thread t = new Thread(r, THREAD_PREFIX + THREADS.incrementAndGet());
                t.setDaemon(true); // never keeps the JVM alive
                return t;
            };
            pool = new ThreadPoolExecutor(numWorkers, numWorkers, KEEP_ALIVE_MS, TimeUnit.MILLISECONDS,
                    new LinkedBlockingQueue<>(), factory);
            pool.allowCoreThreadTimeOut(true);
            ThreadPoolExecutor p = pool; // the cleaning action must not reference this iterator
            cleanable = CLEANER.register(this, p::shutdownNow);
            long ahead = Math.min(numBatches, (long) numWorkers * prefetchFactor);
            while (submitted < ahead) {
                submit();
            }
        } else {
            pool = null;
            cleanable = null;
        }
    }

    @Override
    public boolean hasNext() {
        return !closed && next < numBatches;
    }

    @Override
    public B next() {
        if (!hasNext()) {
            throw new NoSuchElementException(closed && next < numBatches ? "DataLoader: iterator was closed"
                    : "DataLoader: epoch finished after " + numBatches + " batches");
        }
        B batch;
        try {
            if (pool == null) {
                batch = load(next);
            } else {
                Future<B> f = window.poll();
                if (submitted < numBatches) {
                    submit();
                }
                batch = await(f);
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
        next++;
        if (next == numBatches) {
            close();
        }
        return batch;
    }

    /** Stops the workers and drops batches loaded ahead; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Future<B> f : window) {
            f.cancel(true);
        }
        window.clear();
        if (cleanable != null) {
            cleanable.clean(); // shuts the pool down now rather than at garbage collection
        }
    }

    private void submit() {
        int b = submitted++;
        window.add(pool.submit(() -> load(b)));
    }

    private B await(Future<B> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataLoaderException("DataLoader: interrupted while waiting for batch " + next, e, next, -1);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof DataLoaderException d) {
                // rethrown here so the stack trace shows the caller; the cause keeps the worker's
                throw new DataLoaderException(d.getMessage(), d.getCause(), d.batchIndex(), d.sampleIndex());
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new DataLoaderException("DataLoader: batch " + next + " failed: " + cause, cause, next, -1);
        }
    }

    private B load(int b) {
        int from = b * batchSize;
        int to = Math.min(from + batchSize, order.length);
        List<T> samples = new ArrayList<>(to - from);
        for (int j = from; j < to; j++) {
            int index = order[j];
            try {
                samples.add(dataset.get(index));
            } catch (RuntimeException e) {
                throw new DataLoaderException("DataLoader: dataset.get(" + index + ") failed while loading batch " + b
                        + where() + ": " + e, e, b, index);
            }
        }
        try {
            return collate.apply(samples);
        } catch (RuntimeException e) {
            int[] idx = Arrays.copyOfRange(order, from, Math.min(to, from + 8));
            throw new DataLoaderException("DataLoader: collate failed on batch " + b + " (dataset indices "
                    + Arrays.toString(idx) + (to - from > 8 ? "..." : "") + ")" + where() + ": " + e, e, b, -1);
        }
    }

    private String where() {
        return pool == null ? "" : " in worker thread " + Thread.currentThread().getName();
    }
}
