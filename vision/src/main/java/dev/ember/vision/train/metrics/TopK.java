package dev.ember.vision.train.metrics;

import dev.ember.tensor.Tensor;
import java.util.Arrays;

/**
 * The {@code k} largest scores of each row, as {@code torch.topk(scores, k, dim=1)} returns their indices
 * (largest first). Ties are broken towards the lower class index, so results are deterministic (PyTorch does
 * not specify an order for ties). NaN scores rank below every number.
 */
public final class TopK {
    private TopK() {
    }

    /**
     * Indices of the {@code k} largest entries of each row of {@code scores} (N, K) -> (N, k) as
     * {@code long[N][k]}, largest first.
     */
    public static long[][] indices(Tensor scores, int k) {
        long[] s = scores.shape();
        if (s.length != 2) {
            throw new IllegalArgumentException("TopK: expected scores (N, K), got shape " + Arrays.toString(s));
        }
        int n = (int) s[0];
        int classes = (int) s[1];
        checkK(k, classes);
        double[] v = scores.toDoubleArray();
        long[][] out = new long[n][];
        for (int i = 0; i < n; i++) {
            out[i] = indices(v, i * classes, classes, k);
        }
        return out;
    }

    /** Indices of the {@code k} largest of {@code values[offset .. offset + length)}, largest first. */
    public static long[] indices(double[] values, int offset, int length, int k) {
        checkK(k, length);
        long[] best = new long[k];
        int filled = 0;
        for (int j = 0; j < length; j++) {
            double x = values[offset + j];
            // insertion into the sorted prefix; a later index only moves ahead of strictly smaller scores
            int pos = filled;
            while (pos > 0 && greater(x, values[offset + (int) best[pos - 1]])) {
                pos--;
            }
            if (pos < k) {
                int end = Math.min(filled, k - 1);
                System.arraycopy(best, pos, best, pos + 1, end - pos);
                best[pos] = j;
                filled = Math.min(filled + 1, k);
            }
        }
        return best;
    }

    /** Whether {@code target} is among the {@code k} highest scores of {@code values[offset ..]}. */
    public static boolean contains(double[] values, int offset, int length, int k, long target) {
        for (long c : indices(values, offset, length, k)) {
            if (c == target) {
                return true;
            }
        }
        return false;
    }

    private static boolean greater(double a, double b) {
        if (Double.isNaN(a)) {
            return false;
        }
        return Double.isNaN(b) || a > b;
    }

    private static void checkK(int k, int classes) {
        if (k < 1 || k > classes) {
            throw new IllegalArgumentException("TopK: k must be in [1, " + classes + "] for " + classes
                    + " classes, got " + k);
        }
    }
}
