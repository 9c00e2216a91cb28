package dev.ember;

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
}
