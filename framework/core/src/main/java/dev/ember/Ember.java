package dev.ember;

import dev.ember.backend.cpu.Parallel;
import dev.ember.tensor.Generator;

/** Library-wide settings, like the {@code torch} namespace's global functions. */
public final class Ember {
    private Ember() {
    }

    /** Seeds the default generator: the same seed gives the same rand/randn/randint numbers. */
    public static void manualSeed(long seed) {
        Generator.defaultGenerator().manualSeed(seed);
    }

    /** The default generator (for saving and restoring its state). */
    public static Generator defaultGenerator() {
        return Generator.defaultGenerator();
    }

    /**
     * Sets how many threads CPU kernels use, the calling thread included ({@code torch.set_num_threads});
     * the default is the number of cores, or the environment variable {@code EMBER_NUM_THREADS}.
     *
     * @throws IllegalArgumentException when {@code n < 1}
     */
    public static void setNumThreads(int n) {
        Parallel.setNumThreads(n);
    }

    /** How many threads CPU kernels use ({@code torch.get_num_threads}). */
    public static int getNumThreads() {
        return Parallel.numThreads();
    }
}
