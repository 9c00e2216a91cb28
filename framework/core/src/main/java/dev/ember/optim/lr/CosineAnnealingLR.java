package dev.ember.optim.lr;

import dev.ember.optim.Optimizer;

/**
 * Cosine annealing without restarts, PyTorch's {@code CosineAnnealingLR}:
 * <pre>
 * η_t = η_min + (η_base − η_min) (1 + cos(π t / T_max)) / 2
 * </pre>
 * computed in PyTorch's recursive form (from the current lr, so it composes with other schedulers):
 * <pre>
 * t = 0:                                η_t = η_{t−1} (unchanged)
 * (t − 1 − T_max) mod 2T_max = 0:       η_t = η_{t−1} + (η_base − η_min)(1 − cos(π / T_max)) / 2
 * otherwise:                            η_t = (1 + cos(π t / T_max)) / (1 + cos(π (t − 1) / T_max)) (η_{t−1} − η_min) + η_min
 * </pre>
 * Past T_max the lr rises again along the cosine, as in PyTorch. Default eta_min 0.
 */
public class CosineAnnealingLR extends LRScheduler {
    private final int tMax;
    private final double etaMin;

    public CosineAnnealingLR(Optimizer<?> optimizer, int tMax) {
        this(optimizer, tMax, 0);
    }

    public CosineAnnealingLR(Optimizer<?> optimizer, int tMax, double etaMin) {
        if (tMax <= 0) {
            throw new IllegalArgumentException("CosineAnnealingLR: T_max must be positive, got " + tMax);
        }
        this.tMax = tMax;
        this.etaMin = etaMin;
        super(optimizer);
    }

    @Override
    protected double[] computeLr() {
        double[] lrs = currentLrs();
        if (lastEpoch == 0) {
            return lrs;
        }
        for (int i = 0; i < lrs.length; i++) {
            if (Math.floorMod(lastEpoch - 1 - tMax, 2 * tMax) == 0) {
                lrs[i] = lrs[i] + (baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
            } else {
                lrs[i] = (1 + Math.cos(Math.PI * lastEpoch / tMax)) / (1 + Math.cos(Math.PI * (lastEpoch - 1) / tMax))
                        * (lrs[i] - etaMin) + etaMin;
            }
        }
        return lrs;
    }
}
