package dev.ember.data;

import dev.ember.Ember;
import dev.ember.tensor.Generator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Batches of a {@link Dataset}, as PyTorch's {@code DataLoader}: {@code for (var batch : loader)} walks one
 * epoch. Options (PyTorch's names and defaults): {@code batchSize} 1, {@code shuffle} false, {@code seed}
 * (PyTorch's {@code generator}), {@code dropLast} false, {@code collate} ({@code collate_fn}, default
 * {@link Collate#defaultCollate}), {@code numWorkers} 0, {@code prefetchFactor} 2.
 *
 * <pre>{@code
 * var ds = new TensorDataset(x, y);                       // x (N, F), y (N)
 * var loader = DataLoader.builder(ds).batchSize(32).shuffle(true).seed(0).numWorkers(2).build();
 * for (List<Tensor> batch : loader) { Tensor xb = batch.get(0), yb = batch.get(1); ... }  // (32, F), (32)
 * }</pre>
 *
 * <p><b>Shuffling.</b> With a seed, epoch {@code e} (the e-th {@link #iterator()} call, or as set by
 * {@link #setEpoch}) uses a permutation derived from {@code (seed, e)} only: the same seed gives the same
 * sequence of epochs in every run, and a run resumed at epoch {@code e} reproduces it by calling
 * {@code setEpoch(e)}. Without a seed each epoch draws its seed from {@link Ember#defaultGenerator()}, as
 * PyTorch draws from the global generator, so {@code Ember.manualSeed} makes that reproducible too.
 *
 * <p><b>Workers.</b> With {@code numWorkers > 0}, batches are loaded and collated on that many daemon
 * threads, at most {@code numWorkers * prefetchFactor} batches ahead of the consumer, and returned in order:
 * the batches are the same as with {@code numWorkers = 0} (for a deterministic dataset). An exception while
 * loading reaches the iterating thread as a {@link DataLoaderException} naming the batch and dataset index.
 * Java threads share memory, so unlike PyTorch's worker processes nothing is pickled, and the dataset's
 * {@code get} must be thread-safe. An iterator abandoned mid-epoch stops its threads when it is closed
 * ({@code try (var it = loader.iterator())}), when it is garbage-collected, or after its workers have been
 * idle for a second, whichever comes first.
 *
 * @param <T> sample type
 * @param <B> batch type ({@code T} itself with the default collate: a batch has a sample's structure)
 */
public final class DataLoader<T, B> implements Iterable<B> {
    private final Dataset<T> dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final Long seed;
    private final boolean dropLast;
    private final Function<? super List<T>, ? extends B> collate;
    private final int numWorkers;
    private final int prefetchFactor;
    private final AtomicLong nextEpoch = new AtomicLong();

    private DataLoader(Builder<T, B> b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.dropLast = b.dropLast;
        this.collate = b.collate;
        this.numWorkers = b.numWorkers;
        this.prefetchFactor = b.prefetchFactor;
    }

    /** A builder whose batches have the samples' type (the default collate keeps the structure). */
    public static <T> Builder<T, T> builder(Dataset<T> dataset) {
        return new Builder<>(Objects.requireNonNull(dataset, "DataLoader: dataset"), sameTypeCollate());
    }

    /** {@code builder(dataset).batchSize(batchSize).build()}. */
    public static <T> DataLoader<T, T> of(Dataset<T> dataset, int batchSize) {
        return builder(dataset).batchSize(batchSize).build();
    }

    /** An iterator over the next epoch's batches; close it if you stop early (see the class comment). */
    @Override
    public BatchIterator<B> iterator() {
        long epoch = nextEpoch.getAndIncrement();
        int n = dataset.size();
        int[] order;
        if (shuffle) {
            long epochSeed = seed != null ? mix(seed, epoch) : Ember.defaultGenerator().nextLong();
            order = Datasets.randperm(n, new Generator(epochSeed));
        } else {
            order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
        }
        return new Batches<>(dataset, order, batchSize, len(), collate, numWorkers, prefetchFactor);
    }

    /** Number of batches per epoch, PyTorch's {@code len(loader)}. */
    public int len() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** Makes the next {@link #iterator()} produce epoch {@code epoch}'s order (for resuming a seeded run). */
    public void setEpoch(long epoch) {
        nextEpoch.set(epoch);
    }

    /** The epoch the next {@link #iterator()} will produce. */
    public long epoch() {
        return nextEpoch.get();
    }

    public Dataset<T> dataset() {
        return dataset;
    }

    public int batchSize() {
        return batchSize;
    }

    public int numWorkers() {
        return numWorkers;
    }

    /** Iterates one epoch; {@link #close()} stops worker threads early. Use from one thread. */
    public interface BatchIterator<B> extends Iterator<B>, AutoCloseable {
        @Override
        void close();
    }

    /** A 64-bit mix (murmur3's finaliser) of seed and epoch, so nearby seeds and epochs give unrelated orders. */
    static long mix(long seed, long epoch) {
        return fmix(seed ^ fmix(epoch + 0x9E3779B97F4A7C15L));
    }

    private static long fmix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }

    @SuppressWarnings("unchecked")
    private static <T> Function<List<T>, T> sameTypeCollate() {
        return samples -> {
            Object first = samples.get(0);
            if (first != null && !Collate.keepsType(first)) {
                throw new IllegalArgumentException("DataLoader: the default collate turns " + first.getClass().getName()
                        + " samples into a Tensor batch, not a " + first.getClass().getSimpleName() + "; use"
                        + " .collate(Collate::defaultCollate) (batches typed Object) or your own collate function");
            }
            return (T) Collate.defaultCollate(samples);
        };
    }

    /** Options with PyTorch's defaults; {@link #build()} makes the loader. */
    public static final class Builder<T, B> {
        private final Dataset<T> dataset;
        private final Function<? super List<T>, ? extends B> collate;
        private int batchSize = 1;
        private boolean shuffle;
        private Long seed;
        private boolean dropLast;
        private int numWorkers;
        private int prefetchFactor = 2;

        private Builder(Dataset<T> dataset, Function<? super List<T>, ? extends B> collate) {
            this.dataset = dataset;
            this.collate = collate;
        }

        public Builder<T, B> batchSize(int batchSize) {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("DataLoader: batch_size should be a positive integer value, but got"
                        + " batch_size=" + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        public Builder<T, B> shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** Seeds the shuffle (PyTorch's {@code generator=torch.Generator().manual_seed(seed)}). */
        public Builder<T, B> seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Drops the last batch if it is smaller than {@code batchSize}. */
        public Builder<T, B> dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** Background loading threads; 0 loads in the iterating thread. */
        public Builder<T, B> numWorkers(int numWorkers) {
            if (numWorkers < 0) {
                throw new IllegalArgumentException("DataLoader: num_workers option should be non-negative, got "
                        + numWorkers);
            }
            this.numWorkers = numWorkers;
            return this;
        }

        /** Batches loaded ahead per worker (bounds memory: at most numWorkers * prefetchFactor in flight). */
        public Builder<T, B> prefetchFactor(int prefetchFactor) {
            if (prefetchFactor <= 0) {
                throw new IllegalArgumentException("DataLoader: prefetch_factor should be positive, got "
                        + prefetchFactor);
            }
            this.prefetchFactor = prefetchFactor;
            return this;
        }

        /** Replaces the collate function ({@code collate_fn}), which turns a list of samples into a batch. */
        public <C> Builder<T, C> collate(Function<? super List<T>, ? extends C> collate) {
            Builder<T, C> b = new Builder<>(dataset, Objects.requireNonNull(collate, "DataLoader: collate"));
            b.batchSize = batchSize;
            b.shuffle = shuffle;
            b.seed = seed;
            b.dropLast = dropLast;
            b.numWorkers = numWorkers;
            b.prefetchFactor = prefetchFactor;
            return b;
        }

        public DataLoader<T, B> build() {
            return new DataLoader<>(this);
        }
    }
}
