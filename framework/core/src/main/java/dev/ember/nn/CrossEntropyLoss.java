package dev.ember.nn;

import dev.ember.nn.functional.CrossEntropyOptions;
import dev.ember.nn.functional.Losses;
import dev.ember.tensor.Tensor;

/**
 * Cross entropy of logits (N, C), (N, C, d1, ...) or (C) against class indices or class probabilities; see
 * {@link Losses#crossEntropy(Tensor, Tensor, Tensor, long, String, double)} for shapes and the weighted mean.
 * The optional class weights are the buffer {@code weight} (C).
 */
public class CrossEntropyLoss extends Loss {
    public final long ignoreIndex;
    public final double labelSmoothing;

    public CrossEntropyLoss() {
        this(null, -100, "mean", 0.0);
    }

    public CrossEntropyLoss(CrossEntropyOptions options) {
        this(options.weight(), options.ignoreIndex(), options.reduction(), options.labelSmoothing());
    }

    public CrossEntropyLoss(Tensor weight, long ignoreIndex, String reduction, double labelSmoothing) {
        super(reduction);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("CrossEntropyLoss: label_smoothing must be between 0.0 and 1.0, got "
                    + labelSmoothing);
        }
        registerBuffer("weight", weight);
        this.ignoreIndex = ignoreIndex;
        this.labelSmoothing = labelSmoothing;
    }

    /** The class weights, or null. */
    public Tensor weight() {
        return buffer("weight");
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Losses.crossEntropy(input, target, weight(), ignoreIndex, reduction, labelSmoothing);
    }
}
