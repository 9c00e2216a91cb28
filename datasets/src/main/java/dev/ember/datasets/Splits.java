package dev.ember.datasets;

import dev.ember.tensor.Generator;
import java.util.Arrays;

/** Seeded train/test splits of row indices. */
public final class Splits {

    private Splits() {
    }

    /** Row indices of the two parts of a split, each in the shuffled order. */
    public record Indices(long[] train, long[] test) {
    }

    /**
     * Shuffles {@code 0..n-1} with Ember's {@link Generator} seeded with {@code seed} (Fisher-Yates) and
     * puts the first {@code ceil(testFraction * n)} in the test part, the rest in the training part, as
     * scikit-learn's {@code train_test_split} sizes them. The same seed gives the same split on every
     * machine; it is not the permutation NumPy would draw.
     *
     * @throws IllegalArgumentException unless {@code 0 < testFraction < 1} and both parts are non-empty
     */
    public static Indices trainTest(int n, double testFraction, long seed) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("Splits.trainTest: testFraction must be in (0, 1), got " + testFraction);
        }
        int nTest = (int) Math.ceil(testFraction * n);
        if (n < 0 || nTest < 1 || nTest >= n) {
            throw new IllegalArgumentException("Splits.trainTest: " + n + " rows with testFraction " + testFraction
                    + " give " + nTest + " test and " + (n - nTest) + " training rows; both must be at least 1");
        }
        long[] perm = new long[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        Generator g = new Generator(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = (int) g.nextLong(i + 1);
            long t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        long[] test = Arrays.copyOfRange(perm, 0, nTest);
        long[] train = Arrays.copyOfRange(perm, nTest, n);
        return new Indices(train, test);
    }
}
