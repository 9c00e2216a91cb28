package dev.ember.nn;

/**
 * Batch normalisation of (N, C) or (N, C, L) inputs over N (and L) per channel C; see {@link BatchNormBase} for
 * the statistics. Defaults as PyTorch: eps 1e-5, momentum 0.1, affine, trackRunningStats.
 */
public class BatchNorm1d extends BatchNormBase {

    public BatchNorm1d(long numFeatures) {
        this(numFeatures, 1e-5, 0.1, true, true);
    }

    /** {@code momentum} null means a cumulative average of all batches. */
    public BatchNorm1d(long numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        super("BatchNorm1d", new int[] {2, 3}, numFeatures, eps, momentum, affine, trackRunningStats);
    }
}
