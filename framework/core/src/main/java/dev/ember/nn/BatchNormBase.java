package dev.ember.nn;

import dev.ember.autograd.Autograd;
import dev.ember.nn.functional.Normalization;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.Arrays;

/**
 * Batch normalisation over channel dim 1 (PyTorch's {@code _BatchNorm}); {@link BatchNorm1d} and
 * {@link BatchNorm2d} differ only in the input ranks they accept. In training mode each channel is normalised
 * with the batch's mean and biased variance, and the buffers {@code running_mean} (zeros) and
 * {@code running_var} (ones) follow {@code running = (1 - momentum) * running + momentum * batch} (unbiased
 * variance), or a cumulative average when momentum is null; {@code num_batches_tracked} (int64) counts the
 * training batches. In eval mode the running statistics normalise. Without trackRunningStats there are no
 * buffers and batch statistics are used in both modes. weight (ones) and bias (zeros) exist with affine.
 */
public abstract class BatchNormBase extends Module implements Layer {
    public final long numFeatures;
    public final double eps;
    /** Null for a cumulative moving average. */
    public final Double momentum;
    public final boolean affine;
    public final boolean trackRunningStats;
    /** Null without affine. */
    public final Tensor weight;
    public final Tensor bias;
    private final String layer;
    private final int[] ranks;

    protected BatchNormBase(String layer, int[] ranks, long numFeatures, double eps, Double momentum, boolean affine,
                            boolean trackRunningStats) {
        if (numFeatures < 1) {
            throw new IllegalArgumentException(layer + ": num_features must be positive, got " + numFeatures);
        }
        this.layer = layer;
        this.ranks = ranks.clone();
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.affine = affine;
        this.trackRunningStats = trackRunningStats;
        this.weight = affine ? registerParameter("weight", Tensor.ones(numFeatures)) : null;
        this.bias = affine ? registerParameter("bias", Tensor.zeros(numFeatures)) : null;
        registerBuffer("running_mean", trackRunningStats ? Tensor.zeros(numFeatures) : null);
        registerBuffer("running_var", trackRunningStats ? Tensor.ones(numFeatures) : null);
        registerBuffer("num_batches_tracked", trackRunningStats ? Tensor.scalar(DType.INT64, 0) : null);
    }

    /** (C) running mean; null without trackRunningStats. Read it anew after {@code to(dtype)}, which replaces it. */
    public Tensor runningMean() {
        return buffer("running_mean");
    }

    /** (C) running (unbiased) variance; null without trackRunningStats. */
    public Tensor runningVar() {
        return buffer("running_var");
    }

    /** Zero-dim int64 count of training batches seen; null without trackRunningStats. */
    public Tensor numBatchesTracked() {
        return buffer("num_batches_tracked");
    }

    /** Running mean 0, running variance 1, batch count 0. */
    public void resetRunningStats() {
        if (trackRunningStats) {
            try (var ignored = Autograd.noGrad()) {
                runningMean().zeroi();
                runningVar().filli(1);
                numBatchesTracked().zeroi();
            }
        }
    }

    /** Running statistics reset, weight 1, bias 0. */
    public void resetParameters() {
        resetRunningStats();
        if (affine) {
            Init.ones(weight);
            Init.zeros(bias);
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        if (Arrays.stream(ranks).noneMatch(r -> r == input.dim())) {
            throw new IllegalArgumentException(layer + ": expected " + describeRanks() + " input (got "
                    + input.dim() + "D input of shape " + Arrays.toString(input.shape()) + ")");
        }
        if (input.size(1) != numFeatures) {
            throw new IllegalArgumentException(layer + ": expected input with " + numFeatures + " channels in dim 1, "
                    + "got shape " + Arrays.toString(input.shape()));
        }
        double factor = momentum == null ? 0.0 : momentum;
        if (isTraining() && trackRunningStats) {
            try (var ignored = Autograd.noGrad()) {
                numBatchesTracked().addi(Tensor.scalar(DType.INT64, 1));
            }
            if (momentum == null) {
                factor = 1.0 / numBatchesTracked().item();
            }
        }
        boolean useBatchStats = isTraining() || !trackRunningStats;
        return Normalization.batchNorm(input, runningMean(), runningVar(), weight, bias, useBatchStats, factor, eps);
    }

    private String describeRanks() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < ranks.length; i++) {
            s.append(i == 0 ? "" : " or ").append(ranks[i]).append('D');
        }
        return s.toString();
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + Repr.pyFloat(eps) + ", momentum="
                + (momentum == null ? "None" : Repr.pyFloat(momentum)) + ", affine=" + bool(affine)
                + ", track_running_stats=" + bool(trackRunningStats);
    }
}
