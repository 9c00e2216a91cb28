package dev.ember.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    /** x row i = [i, i + 0.5], y i = 10 * i: every batch says which samples it holds. */
    private static TensorDataset dataset(int n) {
        double[] x = new double[2 * n];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = i + 0.5;
            y[i] = 10L * i;
        }
        return new TensorDataset(Tensor.of(x, n, 2), Tensor.of(y, n));
    }

    /** The sample indices of every batch of one epoch, read back from the y values. */
    private static List<List<Long>> epoch(Iterable<List<Tensor>> loader) {
        List<List<Long>> out = new ArrayList<>();
        for (List<Tensor> batch : loader) {
            List<Long> ids = new ArrayList<>();
            for (long v : batch.get(1).toLongArray()) {
                ids.add(v / 10);
            }
            out.add(ids);
        }
        return out;
    }

    @Test
    void defaultCollateStacksEachField() {
        var loader = DataLoader.builder(dataset(5)).batchSize(2).build();
        List<List<Tensor>> batches = new ArrayList<>();
        loader.forEach(batches::add);
        assertEquals(3, batches.size());
        assertArrayEquals(new long[] {2, 2}, batches.get(0).get(0).shape());
        assertArrayEquals(new long[] {2}, batches.get(0).get(1).shape());
        assertEquals(DType.FLOAT32, batches.get(0).get(0).dtype());
        assertEquals(DType.INT64, batches.get(0).get(1).dtype());
        assertArrayEquals(new double[] {2, 2.5, 3, 3.5}, batches.get(1).get(0).toDoubleArray());
        assertArrayEquals(new long[] {1, 2}, batches.get(2).get(0).shape()); // the short last batch
        assertArrayEquals(new long[] {40}, batches.get(2).get(1).toLongArray());
    }

    @Test
    void lenAndDropLast() {
        assertEquals(3, DataLoader.builder(dataset(5)).batchSize(2).build().len());
        assertEquals(2, DataLoader.builder(dataset(5)).batchSize(2).dropLast(true).build().len());
        assertEquals(1, DataLoader.builder(dataset(4)).batchSize(4).dropLast(true).build().len());
        assertEquals(0, DataLoader.builder(dataset(3)).batchSize(4).dropLast(true).build().len());
        assertEquals(5, DataLoader.builder(dataset(5)).build().len()); // batchSize defaults to 1
        var dropped = DataLoader.builder(dataset(5)).batchSize(2).dropLast(true).build();
        assertEquals(List.of(List.of(0L, 1L), List.of(2L, 3L)), epoch(dropped));
        var none = DataLoader.builder(dataset(3)).batchSize(4).dropLast(true).numWorkers(2).build();
        assertEquals(List.of(), epoch(none));
    }

    @Test
    void sequentialOrderWithoutShuffle() {
        var loader = DataLoader.builder(dataset(7)).batchSize(3).build();
        assertEquals(List.of(List.of(0L, 1L, 2L), List.of(3L, 4L, 5L), List.of(6L)), epoch(loader));
    }

    @Test
    void sameSeedGivesSameEpochsAndEpochsDiffer() {
        var a = DataLoader.builder(dataset(20)).batchSize(4).shuffle(true).seed(42).build();
        var b = DataLoader.builder(dataset(20)).batchSize(4).shuffle(true).seed(42).build();
        List<List<Long>> a0 = epoch(a);
        List<List<Long>> a1 = epoch(a);
        assertEquals(a0, epoch(b));
        assertEquals(a1, epoch(b));
        assertNotEquals(a0, a1, "each epoch reshuffles");
        assertNotEquals(a0, epoch(DataLoader.builder(dataset(20)).batchSize(4).shuffle(true).seed(43).build()));
        // every epoch is a permutation
        Set<Long> seen = new HashSet<>();
        a0.forEach(seen::addAll);
        assertEquals(20, seen.size());
        assertNotEquals(List.of(0L, 1L, 2L, 3L), a0.get(0));
    }

    @Test
    void setEpochReproducesAResumedRun() {
        var a = DataLoader.builder(dataset(12)).batchSize(5).shuffle(true).seed(7).build();
        epoch(a);
        epoch(a);
        List<List<Long>> third = epoch(a);
        var resumed = DataLoader.builder(dataset(12)).batchSize(5).shuffle(true).seed(7).build();
        resumed.setEpoch(2);
        assertEquals(2, resumed.epoch());
        assertEquals(third, epoch(resumed));
    }

    @Test
    void unseededShuffleFollowsTheDefaultGenerator() {
        Ember.manualSeed(5);
        var a = DataLoader.builder(dataset(16)).batchSize(4).shuffle(true).build();
        List<List<Long>> first = epoch(a);
        Ember.manualSeed(5);
        var b = DataLoader.builder(dataset(16)).batchSize(4).shuffle(true).build();
        assertEquals(first, epoch(b));
    }

    @Test
    void workersGiveTheSameBatchesAsTheMainThread() {
        for (boolean drop : new boolean[] {false, true}) {
            var serial = DataLoader.builder(dataset(23)).batchSize(4).shuffle(true).seed(3).dropLast(drop).build();
            var parallel = DataLoader.builder(dataset(23)).batchSize(4).shuffle(true).seed(3).dropLast(drop)
                    .numWorkers(3).build();
            for (int e = 0; e < 3; e++) {
                List<List<Tensor>> s = new ArrayList<>();
                List<List<Tensor>> p = new ArrayList<>();
                serial.forEach(s::add);
                parallel.forEach(p::add);
                assertEquals(s.size(), p.size());
                assertEquals(serial.len(), p.size());
                for (int i = 0; i < s.size(); i++) {
                    assertArrayEquals(s.get(i).get(0).toDoubleArray(), p.get(i).get(0).toDoubleArray());
                    assertArrayEquals(s.get(i).get(1).toLongArray(), p.get(i).get(1).toLongArray());
                }
            }
        }
    }

    @Test
    void workersKeepOrderEvenWhenLaterBatchesFinishFirst() {
        // early samples are slow, so later batches complete first on other workers
        Dataset<Long> slowStart = new Dataset<>() {
            @Override
            public int size() {
                return 12;
            }

            @Override
            public Long get(int index) {
                if (index < 3) {
                    sleep(60);
                }
                return (long) index;
            }
        };
        var loader = DataLoader.builder(slowStart).batchSize(3).numWorkers(4)
                .collate(samples -> List.copyOf(samples)).build();
        List<List<Long>> out = new ArrayList<>();
        loader.forEach(out::add);
        assertEquals(List.of(List.of(0L, 1L, 2L), List.of(3L, 4L, 5L), List.of(6L, 7L, 8L), List.of(9L, 10L, 11L)), out);
    }

    @Test
    void customCollate() {
        var loader = DataLoader.builder(dataset(6)).batchSize(4)
                .collate(samples -> samples.stream().mapToLong(s -> (long) s.get(1).item()).sum()).build();
        List<Long> sums = new ArrayList<>();
        loader.forEach(sums::add);
        assertEquals(List.of(0L + 10 + 20 + 30, 40L + 50), sums);
    }

    @Test
    void numberSamplesNeedAnExplicitCollate() {
        Dataset<Double> ds = Dataset.of(List.of(1.0, 2.0, 3.0));
        var typed = DataLoader.builder(ds).batchSize(2).build();
        DataLoaderException e = assertThrows(DataLoaderException.class, () -> typed.iterator().next());
        assertTrue(e.getCause().getMessage().contains("Collate::defaultCollate"), e.getCause().getMessage());
        var untyped = DataLoader.builder(ds).batchSize(2).collate(Collate::defaultCollate).build();
        Tensor first = (Tensor) untyped.iterator().next();
        assertEquals(DType.FLOAT64, first.dtype());
        assertArrayEquals(new double[] {1, 2}, first.toDoubleArray());
    }

    @Test
    void workerExceptionReachesTheCallerWithTheIndex() {
        for (int workers : new int[] {0, 2}) {
            Dataset<Tensor> failing = new Dataset<>() {
                @Override
                public int size() {
                    return 10;
                }

                @Override
                public Tensor get(int index) {
                    if (index == 6) {
                        throw new IllegalStateException("corrupt record");
                    }
                    return Tensor.scalar(index);
                }
            };
            var loader = DataLoader.builder(failing).batchSize(4).numWorkers(workers).build();
            DataLoader.BatchIterator<Tensor> it = loader.iterator();
            assertArrayEquals(new double[] {0, 1, 2, 3}, it.next().toDoubleArray());
            DataLoaderException e = assertThrows(DataLoaderException.class, it::next);
            assertEquals(1, e.batchIndex());
            assertEquals(6, e.sampleIndex());
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertTrue(e.getMessage().contains("dataset.get(6)") && e.getMessage().contains("corrupt record"),
                    e.getMessage());
            assertFalse(it.hasNext(), "a failed iterator is closed");
        }
    }

    @Test
    void collateExceptionNamesTheBatch() {
        var loader = DataLoader.builder(dataset(6)).batchSize(3).numWorkers(2).collate(samples -> {
            throw new ArithmeticException("boom");
        }).build();
        DataLoaderException e = assertThrows(DataLoaderException.class, () -> loader.iterator().next());
        assertEquals(0, e.batchIndex());
        assertEquals(-1, e.sampleIndex());
        assertTrue(e.getMessage().contains("collate failed on batch 0"), e.getMessage());
    }

    @Test
    void prefetchIsBounded() throws Exception {
        AtomicInteger loaded = new AtomicInteger();
        Dataset<Tensor> counting = new Dataset<>() {
            @Override
            public int size() {
                return 100;
            }

            @Override
            public Tensor get(int index) {
                loaded.incrementAndGet();
                return Tensor.scalar(index);
            }
        };
        var loader = DataLoader.builder(counting).batchSize(2).numWorkers(2).prefetchFactor(2).build();
        try (DataLoader.BatchIterator<Tensor> it = loader.iterator()) {
            it.next();
            Thread.sleep(300);
            // one batch consumed + at most numWorkers * prefetchFactor = 4 in flight, 2 samples each
            assertTrue(loaded.get() <= 2 * (1 + 4), "loaded " + loaded.get() + " samples ahead");
        }
    }

    @Test
    void abandonedIteratorsDoNotLeakThreads() throws Exception {
        var loader = DataLoader.builder(dataset(200)).batchSize(2).numWorkers(3).build();
        for (int i = 0; i < 5; i++) {
            for (List<Tensor> batch : loader) {
                assertEquals(2, batch.get(0).size(0));
                break; // abandoned mid-epoch without close()
            }
        }
        awaitNoWorkers();
        // closing explicitly stops the workers at once
        DataLoader.BatchIterator<List<Tensor>> it = loader.iterator();
        it.next();
        it.close();
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
        awaitNoWorkers();
    }

    private static void awaitNoWorkers() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (workerThreads() > 0 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        assertEquals(0, workerThreads(), "DataLoader worker threads still alive");
    }

    private static long workerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(Batches.THREAD_PREFIX)).count();
    }

    @Test
    void exhaustedIterator() {
        var it = DataLoader.builder(dataset(2)).batchSize(2).numWorkers(1).build().iterator();
        it.next();
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
    }

    @Test
    void badOptions() {
        var b = DataLoader.builder(dataset(2));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.batchSize(0)).getMessage()
                .contains("batch_size=0"));
        assertThrows(IllegalArgumentException.class, () -> b.numWorkers(-1));
        assertThrows(IllegalArgumentException.class, () -> b.prefetchFactor(0));
    }

    @Test
    void ofIsABuilderShortcut() {
        assertEquals(List.of(List.of(0L, 1L, 2L)), epoch(DataLoader.of(dataset(3), 8)));
        assertEquals(Arrays.asList(0L, 1L), epoch(DataLoader.of(dataset(2), 2)).get(0));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
