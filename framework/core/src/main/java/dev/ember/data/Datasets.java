package dev.ember.data;

import dev.ember.tensor.Generator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Dataset utilities, as in {@code torch.utils.data}: {@code random_split}. */
public final class Datasets {
    private Datasets() {
    }

    /**
     * Splits {@code dataset} into non-overlapping random subsets of the given lengths, which must add up to its
     * size, as PyTorch's {@code random_split(dataset, lengths, generator)}. The same seed gives the same split
     * (the permutation is Ember's, so splits differ from PyTorch's for the same seed).
     */
    public static <T> List<Subset<T>> randomSplit(Dataset<T> dataset, long[] lengths, long seed) {
        return randomSplit(dataset, lengths, new Generator(seed));
    }

    public static <T> List<Subset<T>> randomSplit(Dataset<T> dataset, long[] lengths, Generator generator) {
        long total = 0;
        for (long l : lengths) {
            if (l < 0) {
                throw new IllegalArgumentException("randomSplit: lengths must be non-negative, got "
                        + Arrays.toString(lengths));
            }
            total += l;
        }
        if (total != dataset.size()) {
            throw new IllegalArgumentException("randomSplit: sum of input lengths " + Arrays.toString(lengths) + " = "
                    + total + " does not equal the length of the input dataset (" + dataset.size() + ")");
        }
        int[] perm = randperm(dataset.size(), generator);
        List<Subset<T>> out = new ArrayList<>(lengths.length);
        int at = 0;
        for (long l : lengths) {
            out.add(new Subset<>(dataset, Arrays.copyOfRange(perm, at, at + (int) l)));
            at += (int) l;
        }
        return out;
    }

    /**
     * Splits by fractions that add up to 1, as PyTorch: each split gets {@code floor(n * fraction)} samples and
     * the remainder is dealt one at a time to the splits in order ({@code [0.5, 0.5]} of 5 gives 3 and 2).
     */
    public static <T> List<Subset<T>> randomSplit(Dataset<T> dataset, double[] fractions, long seed) {
        return randomSplit(dataset, fractionLengths(fractions, dataset.size()), new Generator(seed));
    }

    static long[] fractionLengths(double[] fractions, int n) {
        double sum = 0;
        for (double f : fractions) {
            if (!(f >= 0 && f <= 1)) {
                throw new IllegalArgumentException("randomSplit: fraction " + f + " is not between 0 and 1");
            }
            sum += f;
        }
        if (fractions.length == 0 || Math.abs(sum - 1) > 1e-9) {
            throw new IllegalArgumentException("randomSplit: fractions " + Arrays.toString(fractions)
                    + " must add up to 1 (they add up to " + sum + ")");
        }
        long[] lengths = new long[fractions.length];
        long assigned = 0;
        for (int i = 0; i < fractions.length; i++) {
            lengths[i] = (long) Math.floor(n * fractions[i]);
            assigned += lengths[i];
        }
        for (long r = 0; r < n - assigned; r++) {
            lengths[(int) (r % lengths.length)]++;
        }
        return lengths;
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates driven by {@code generator}). */
    static int[] randperm(int n, Generator generator) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = (int) generator.nextLong(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
