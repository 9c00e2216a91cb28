package dev.ember.nn;

import dev.ember.tensor.Tensor;

/**
 * A loss module ({@code torch.nn.modules.loss._Loss}): {@code forward(input, target)} and a {@code reduction},
 * "mean" (default), "sum" or "none" ({@code KLDivLoss} also takes "batchmean"). Class weights, where a loss
 * takes them, are buffers named as in PyTorch ({@code weight}, {@code pos_weight}), so they follow
 * {@link #to(dev.ember.tensor.DType)} and appear in the state dict.
 */
public abstract class Loss extends Module {
    public final String reduction;

    protected Loss(String reduction) {
        if (!"mean".equals(reduction) && !"sum".equals(reduction) && !"none".equals(reduction)
                && !("batchmean".equals(reduction) && this instanceof KLDivLoss)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": reduction must be \"mean\", \"sum\" or "
                    + "\"none\", got \"" + reduction + "\"");
        }
        this.reduction = reduction;
    }

    public abstract Tensor forward(Tensor input, Tensor target);
}
