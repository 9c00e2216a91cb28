package dev.ember.optim.lr;

import dev.ember.optim.Optimizer;

/**
 * Scales each group's lr linearly from {@code startFactor} to {@code endFactor} over {@code totalIters} epochs,
 * then keeps it, PyTorch's {@code LinearLR} (for warm-up): lr = base_lr · (start + (end − start) · min(t,
 * total) / total), computed recursively as PyTorch does. Defaults: start 1/3, end 1, total 5.
 *
 * <p>Deviation: a start factor of 0 is rejected (PyTorch 1.13 accepts it and then divides by zero, giving NaN;
 * newer PyTorch rejects it too).
 */
public class LinearLR extends LRScheduler {
    private final double startFactor;
    private final double endFactor;
    private final int totalIters;

    public LinearLR(Optimizer<?> optimizer) {
        this(optimizer, 1.0 / 3, 1.0, 5);
    }

    public LinearLR(Optimizer<?> optimizer, double startFactor, double endFactor, int totalIters) {
        if (!(startFactor > 0 && startFactor <= 1)) {
            throw new IllegalArgumentException("LinearLR: Starting multiplicative factor expected to be between 0 and "
                    + "1 (0 < start_factor <= 1), got " + startFactor);
        }
        if (!(endFactor >= 0 && endFactor <= 1)) {
            throw new IllegalArgumentException("LinearLR: Ending multiplicative factor expected to be between 0 and 1"
                    + ", got " + endFactor);
        }
        if (totalIters <= 0) {
            throw new IllegalArgumentException("LinearLR: total_iters must be positive, got " + totalIters);
        }
        this.startFactor = startFactor;
        this.endFactor = endFactor;
        this.totalIters = totalIters;
        super(optimizer);
    }

    @Override
    protected double[] computeLr() {
        double[] lrs = currentLrs();
        if (lastEpoch == 0) {
            for (int i = 0; i < lrs.length; i++) {
                lrs[i] *= startFactor;
            }
            return lrs;
        }
        if (lastEpoch > totalIters) {
            return lrs;
        }
        double factor = 1.0 + (endFactor - startFactor)
                / (totalIters * startFactor + (lastEpoch - 1) * (endFactor - startFactor));
        for (int i = 0; i < lrs.length; i++) {
            lrs[i] *= factor;
        }
        return lrs;
    }
}
