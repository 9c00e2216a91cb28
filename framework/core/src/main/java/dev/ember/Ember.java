package dev.ember;

import dev.ember.backend.MatmulPrecision;
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

    /**
     * How float32 matrix products on CUDA may use tensor cores ({@code torch.set_float32_matmul_precision}):
     * "highest" (float32, the default), "high" (TF32) or "medium" (bfloat16). The CPU always uses float32.
     */
    public static void setFloat32MatmulPrecision(String precision) {
        MatmulPrecision.set(MatmulPrecision.parse(precision));
    }

    /** "highest", "high" or "medium". */
    public static String getFloat32MatmulPrecision() {
        return MatmulPrecision.current().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** How many threads CPU kernels use ({@code torch.get_num_threads}). */
    public static int getNumThreads() {
        return Parallel.numThreads();
    }
}
