package dev.ember.nn;

import dev.ember.nn.functional.Losses;
import dev.ember.tensor.Tensor;

/**
 * Sigmoid + binary cross entropy in one stable formula; see
 * {@link Losses#binaryCrossEntropyWithLogits(Tensor, Tensor, Tensor, Tensor, String)}. Optional buffers
 * {@code weight} (broadcast to the input) and {@code pos_weight} (one per class, along the last dim).
 */
public class BCEWithLogitsLoss extends Loss {
    public BCEWithLogitsLoss() {
        this(null, "mean", null);
    }

    /** PyTorch's argument order: weight, reduction, pos_weight. */
    public BCEWithLogitsLoss(Tensor weight, String reduction, Tensor posWeight) {
        super(reduction);
        registerBuffer("weight", weight);
        registerBuffer("pos_weight", posWeight);
    }

    public Tensor weight() {
        return buffer("weight");
    }

    public Tensor posWeight() {
        return buffer("pos_weight");
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Losses.binaryCrossEntropyWithLogits(input, target, weight(), posWeight(), reduction);
    }
}
