package dev.ember.optim.lr;

import dev.ember.optim.Optimizer;

/**
 * Multiplies each group's lr by {@code gamma} every {@code stepSize} epochs, PyTorch's {@code StepLR}:
 * {@code lr = base_lr · gamma^⌊epoch / step_size⌋} (computed recursively, as PyTorch does). Default gamma 0.1.
 */
public class StepLR extends LRScheduler {
    private final int stepSize;
    private final double gamma;

    public StepLR(Optimizer<?> optimizer, int stepSize) {
        this(optimizer, stepSize, 0.1);
    }

    public StepLR(Optimizer<?> optimizer, int stepSize, double gamma) {
        if (stepSize <= 0) {
            throw new IllegalArgumentException("StepLR: step_size must be positive, got " + stepSize);
        }
        this.stepSize = stepSize;
        this.gamma = gamma;
        super(optimizer);
    }

    @Override
    protected double[] computeLr() {
        double[] lrs = currentLrs();
        if (lastEpoch == 0 || lastEpoch % stepSize != 0) {
            return lrs;
        }
        for (int i = 0; i < lrs.length; i++) {
            lrs[i] *= gamma;
        }
        return lrs;
    }
}
