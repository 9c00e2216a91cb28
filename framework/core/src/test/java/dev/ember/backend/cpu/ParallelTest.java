package dev.ember.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelTest {
    private final int savedThreads = Parallel.numThreads();

    @AfterEach
    void restoreThreads() {
        Parallel.setNumThreads(savedThreads);
    }

    @Test
    void coversEveryIndexExactlyOnce() {
        for (int threads : new int[] {1, 2, 3, 5}) {
            Parallel.setNumThreads(threads);
            for (int n : new int[] {0, 1, 2, 7, 100, 1001}) {
                for (int grain : new int[] {1, 3, 64}) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(n + 4);
                    Parallel.parallelFor(2, 2 + n, grain, (lo, hi) -> {
                        int chunks = Math.min(threads, (n + grain - 1) / grain);
                        assertTrue(lo < hi && hi - lo >= n / chunks, "chunk [" + lo + ", " + hi + ")");
                        for (int i = lo; i < hi; i++) {
                            hits.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < n + 4; i++) {
                        assertEquals(i >= 2 && i < 2 + n ? 1 : 0, hits.get(i), "index " + i);
                    }
                }
            }
        }
    }

    @Test
    void manyJobsInARowAndCallersOnSeveralThreadsRunEveryChunkOnce() throws Exception {
        // workers that wake late must neither miss a chunk nor run one twice; a caller that finds the workers
        // busy with another thread's job runs its chunks itself
        Parallel.setNumThreads(3);
        int jobs = 20_000;
        AtomicIntegerArray[] hits = {new AtomicIntegerArray(jobs * 3), new AtomicIntegerArray(jobs * 3)};
        Thread[] callers = new Thread[2];
        Throwable[] failed = new Throwable[2];
        for (int t = 0; t < 2; t++) {
            AtomicIntegerArray mine = hits[t];
            int id = t;
            callers[t] = new Thread(() -> {
                try {
                    for (int j = 0; j < jobs; j++) {
                        int base = j * 3;
                        Parallel.parallelFor(base, base + 3, 1, (lo, hi) -> {
                            for (int i = lo; i < hi; i++) {
                                mine.incrementAndGet(i);
                            }
                        });
                    }
                } catch (Throwable e) {
                    failed[id] = e;
                }
            });
            callers[t].start();
        }
        for (Thread c : callers) {
            c.join();
        }
        for (int t = 0; t < 2; t++) {
            assertEquals(null, failed[t], "caller " + t);
            for (int i = 0; i < jobs * 3; i++) {
                assertEquals(1, hits[t].get(i), "caller " + t + " index " + i);
            }
        }
    }

    @Test
    void forEachTaskRunsEveryTaskOnce() {
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setNumThreads(threads);
            for (int count : new int[] {0, 1, 5, 64}) {
                for (int maxThreads : new int[] {1, 2, 8}) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(count);
                    Set<Thread> used = ConcurrentHashMap.newKeySet();
                    Parallel.forEachTask(count, maxThreads, i -> {
                        hits.incrementAndGet(i);
                        used.add(Thread.currentThread());
                    });
                    for (int i = 0; i < count; i++) {
                        assertEquals(1, hits.get(i), "task " + i);
                    }
                    assertTrue(used.size() <= Math.min(threads, maxThreads), used.toString());
                }
            }
        }
    }

    @Test
    void smallWorkAndNestedCallsRunInline() {
        Parallel.setNumThreads(4);
        Thread caller = Thread.currentThread();
        Parallel.parallelFor(0, 10, 10, (lo, hi) -> assertEquals(caller, Thread.currentThread()));
        Set<Thread> outer = ConcurrentHashMap.newKeySet();
        AtomicInteger inner = new AtomicInteger();
        Parallel.parallelFor(0, 4, 1, (lo, hi) -> {
            Thread me = Thread.currentThread();
            outer.add(me);
            assertTrue(Parallel.inParallelRegion());
            Parallel.parallelFor(0, 1000, 1, (a, b) -> {
                assertEquals(me, Thread.currentThread());
                inner.addAndGet(b - a);
            });
        });
        assertEquals(4000, inner.get());
        assertTrue(outer.contains(caller), "the caller runs a chunk itself");
        assertFalse(Parallel.inParallelRegion());
    }

    @Test
    void exceptionsReachTheCaller() {
        Parallel.setNumThreads(3);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Parallel.parallelFor(0, 30, 1, (lo, hi) -> {
                    if (lo > 0) {
                        throw new IllegalStateException("chunk " + lo);
                    }
                }));
        assertTrue(e.getMessage().startsWith("chunk "));
        // the pool still works afterwards
        AtomicInteger sum = new AtomicInteger();
        Parallel.parallelFor(0, 30, 1, (lo, hi) -> sum.addAndGet(hi - lo));
        assertEquals(30, sum.get());
    }

    @Test
    void numThreadsThroughEmber() {
        Ember.setNumThreads(3);
        assertEquals(3, Ember.getNumThreads());
        assertEquals(3, Parallel.numThreads());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ember.setNumThreads(0));
        assertEquals("setNumThreads: expected a positive number of threads, got 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Parallel.parallelFor(0, 3, 0, (lo, hi) -> { }));
    }
}
