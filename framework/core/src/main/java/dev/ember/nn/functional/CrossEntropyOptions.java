package dev.ember.nn.functional;

import dev.ember.tensor.Tensor;

/**
 * The optional arguments of {@link Losses#crossEntropy(Tensor, Tensor, CrossEntropyOptions)}, with PyTorch's
 * defaults in {@link #DEFAULTS}: no class weights, {@code ignore_index=-100}, {@code reduction="mean"},
 * {@code label_smoothing=0.0}. Change one with the {@code with...} methods:
 * {@code CrossEntropyOptions.DEFAULTS.withLabelSmoothing(0.1).withReduction("sum")}.
 *
 * @param weight         a manual rescaling weight per class, shape (C), or null
 * @param ignoreIndex    a target class index that contributes neither loss nor gradient (class-index targets only)
 * @param reduction      "mean", "sum" or "none"
 * @param labelSmoothing in [0, 1]: the target becomes (1 - s) * target + s / C
 */
public record CrossEntropyOptions(Tensor weight, long ignoreIndex, String reduction, double labelSmoothing) {

    public static final CrossEntropyOptions DEFAULTS = new CrossEntropyOptions(null, -100, "mean", 0.0);

    public CrossEntropyOptions withWeight(Tensor weight) {
        return new CrossEntropyOptions(weight, ignoreIndex, reduction, labelSmoothing);
    }

    public CrossEntropyOptions withIgnoreIndex(long ignoreIndex) {
        return new CrossEntropyOptions(weight, ignoreIndex, reduction, labelSmoothing);
    }

    public CrossEntropyOptions withReduction(String reduction) {
        return new CrossEntropyOptions(weight, ignoreIndex, reduction, labelSmoothing);
    }

    public CrossEntropyOptions withLabelSmoothing(double labelSmoothing) {
        return new CrossEntropyOptions(weight, ignoreIndex, reduction, labelSmoothing);
    }
}
