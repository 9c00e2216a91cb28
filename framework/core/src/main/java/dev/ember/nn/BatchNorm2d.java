package dev.ember.nn;

/**
 * Batch normalisation of (N, C, H, W) inputs over N, H and W per channel C; see {@link BatchNormBase} for the
 * statistics. Defaults as PyTorch: eps 1e-5, momentum 0.1, affine, trackRunningStats.
 */
public class BatchNorm2d extends BatchNormBase {

    public BatchNorm2d(long numFeatures) {
        this(numFeatures, 1e-5, 0.1, true, true);
    }

    /** {@code momentum} null means a cumulative average of all batches. */
    public BatchNorm2d(long numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        super("BatchNorm2d", new int[] {4}, numFeatures, eps, momentum, affine, trackRunningStats);
    }
}
