package dev.ember.nn;

import dev.ember.nn.functional.Normalization;
import dev.ember.tensor.Tensor;

/**
 * Group normalisation: (N, C, *) -> same shape; the C channels form numGroups groups of consecutive channels and
 * each sample's group is normalised with its own mean and biased variance, then scaled per channel by weight
 * (ones) and shifted by bias (zeros) when affine. The same in training and eval mode.
 */
public class GroupNorm extends Module implements Layer {
    public final long numGroups;
    public final long numChannels;
    public final double eps;
    public final boolean affine;
    /** Null without affine. */
    public final Tensor weight;
    public final Tensor bias;

    public GroupNorm(long numGroups, long numChannels) {
        this(numGroups, numChannels, 1e-5, true);
    }

    public GroupNorm(long numGroups, long numChannels, double eps, boolean affine) {
        if (numGroups < 1 || numChannels % numGroups != 0) {
            throw new IllegalArgumentException("GroupNorm: num_channels must be divisible by num_groups, got "
                    + "num_channels=" + numChannels + " and num_groups=" + numGroups);
        }
        this.numGroups = numGroups;
        this.numChannels = numChannels;
        this.eps = eps;
        this.affine = affine;
        this.weight = affine ? registerParameter("weight", Tensor.ones(numChannels)) : null;
        this.bias = affine ? registerParameter("bias", Tensor.zeros(numChannels)) : null;
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input.dim() < 2 || input.size(1) != numChannels) {
            throw new IllegalArgumentException("GroupNorm: expected input of shape (N, " + numChannels + ", *), got "
                    + java.util.Arrays.toString(input.shape()));
        }
        return Normalization.groupNorm(input, numGroups, weight, bias, eps);
    }

    @Override
    protected String extraRepr() {
        return numGroups + ", " + numChannels + ", eps=" + Repr.pyFloat(eps) + ", affine=" + bool(affine);
    }
}
