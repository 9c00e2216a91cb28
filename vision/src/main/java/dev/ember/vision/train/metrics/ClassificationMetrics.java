package dev.ember.vision.train.metrics;

import dev.ember.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;

/**
 * Accumulates classification results batch by batch: mean loss, top-1 accuracy, top-k accuracy for the
 * requested {@code k}s, and the {@link ConfusionMatrix} of the top-1 predictions.
 *
 * <pre>{@code
 * var m = new ClassificationMetrics(10, 1, 5);
 * for (batch ...) { m.update(logits, targets); m.addLoss(loss.item(), n); }
 * m.accuracy(); m.topK(5); m.loss(); m.confusion().recall(3);
 * }</pre>
 * Top-k accuracy counts an example as correct when its target is among its k highest scores, ties broken as
 * {@link TopK} does; top-1 is {@link #accuracy()}. A k larger than the number of classes is clamped to it.
 */
public final class ClassificationMetrics {
    private final int numClasses;
    private final int[] ks;
    private final long[] topKCorrect;
    private final ConfusionMatrix confusion;
    private long count;
    private double lossSum;
    private long lossCount;

    /** Metrics over {@code numClasses} classes, tracking top-k accuracy for each of {@code ks}. */
    public ClassificationMetrics(int numClasses, int... ks) {
        this.confusion = new ConfusionMatrix(numClasses);
        this.numClasses = numClasses;
        this.ks = ks.clone();
        for (int k : this.ks) {
            if (k < 1) {
                throw new IllegalArgumentException("ClassificationMetrics: k must be >= 1, got " + k);
            }
        }
        this.topKCorrect = new long[ks.length];
    }

    /** Adds a batch: {@code scores} (N, numClasses) logits or probabilities, {@code targets} int64 (N). */
    public void update(Tensor scores, Tensor targets) {
        long[] s = scores.shape();
        if (s.length != 2 || s[1] != numClasses || targets.dim() != 1 || targets.shape()[0] != s[0]) {
            throw new IllegalArgumentException("ClassificationMetrics.update: expected scores (N, " + numClasses
                    + ") and targets (N), got " + Arrays.toString(s) + " and " + Arrays.toString(targets.shape()));
        }
        update(scores.toDoubleArray(), targets.toLongArray());
    }

    /** Adds a batch given as row-major scores {@code (N * numClasses)} and targets {@code (N)}. */
    public void update(double[] scores, long[] targets) {
        if (scores.length != (long) targets.length * numClasses) {
            throw new IllegalArgumentException("ClassificationMetrics.update: " + scores.length + " scores for "
                    + targets.length + " targets of " + numClasses + " classes");
        }
        int maxK = 1;
        for (int k : ks) {
            maxK = Math.max(maxK, Math.min(k, numClasses));
        }
        for (int i = 0; i < targets.length; i++) {
            long[] top = TopK.indices(scores, i * numClasses, numClasses, maxK);
            confusion.add(targets[i], top[0]);
            for (int j = 0; j < ks.length; j++) {
                int k = Math.min(ks[j], numClasses);
                for (int r = 0; r < k; r++) {
                    if (top[r] == targets[i]) {
                        topKCorrect[j]++;
                        break;
                    }
                }
            }
        }
        count += targets.length;
    }

    /** Adds a batch's mean loss, weighted by its {@code n} examples. */
    public void addLoss(double meanLoss, long n) {
        lossSum += meanLoss * n;
        lossCount += n;
    }

    /** Examples seen by {@link #update}. */
    public long count() {
        return count;
    }

    /** Mean loss per example over the batches given to {@link #addLoss}; NaN if none. */
    public double loss() {
        return lossCount == 0 ? Double.NaN : lossSum / lossCount;
    }

    /** Top-1 accuracy. */
    public double accuracy() {
        return confusion.accuracy();
    }

    /** Top-k accuracy for a {@code k} given to the constructor. */
    public double topK(int k) {
        for (int j = 0; j < ks.length; j++) {
            if (ks[j] == k) {
                return count == 0 ? 0 : (double) topKCorrect[j] / count;
            }
        }
        throw new IllegalArgumentException("ClassificationMetrics: top-" + k + " was not tracked (tracking "
                + Arrays.toString(ks) + ")");
    }

    /** The k values tracked. */
    public int[] ks() {
        return ks.clone();
    }

    public int numClasses() {
        return numClasses;
    }

    /** The live confusion matrix of the top-1 predictions. */
    public ConfusionMatrix confusion() {
        return confusion;
    }

    /** One line: loss, accuracy and each tracked top-k. */
    public String summary() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "loss %.4f, accuracy %.2f%%", loss(),
                100 * accuracy()));
        for (int k : ks) {
            if (k != 1) {
                sb.append(String.format(Locale.ROOT, ", top-%d %.2f%%", k, 100 * topK(k)));
            }
        }
        return sb.append(String.format(Locale.ROOT, " (%d examples)", count)).toString();
    }
}
