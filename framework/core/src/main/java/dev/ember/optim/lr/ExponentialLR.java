package dev.ember.optim.lr;

import dev.ember.optim.Optimizer;

/** Multiplies each group's lr by {@code gamma} every epoch, PyTorch's {@code ExponentialLR}: base_lr · gammaᵉᵖᵒᶜʰ. */
public class ExponentialLR extends LRScheduler {
    private final double gamma;

    public ExponentialLR(Optimizer<?> optimizer, double gamma) {
        this.gamma = gamma;
        super(optimizer);
    }

    @Override
    protected double[] computeLr() {
        double[] lrs = currentLrs();
        if (lastEpoch == 0) {
            return lrs;
        }
        for (int i = 0; i < lrs.length; i++) {
            lrs[i] *= gamma;
        }
        return lrs;
    }
}
