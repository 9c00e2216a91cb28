package dev.ember.nn;

import dev.ember.nn.functional.Losses;
import dev.ember.tensor.Tensor;

/**
 * Negative log likelihood of log-probabilities (N, C), (N, C, d1, ...) or (C) at int64 class indices; see
 * {@link Losses#nllLoss(Tensor, Tensor, Tensor, long, String)}. The optional class weights are the buffer
 * {@code weight} (C).
 */
public class NLLLoss extends Loss {
    public final long ignoreIndex;

    public NLLLoss() {
        this(null, -100, "mean");
    }

    public NLLLoss(Tensor weight, long ignoreIndex, String reduction) {
        super(reduction);
        registerBuffer("weight", weight);
        this.ignoreIndex = ignoreIndex;
    }

    public Tensor weight() {
        return buffer("weight");
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Losses.nllLoss(input, target, weight(), ignoreIndex, reduction);
    }
}
