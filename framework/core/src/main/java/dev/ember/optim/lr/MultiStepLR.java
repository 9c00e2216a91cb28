package dev.ember.optim.lr;

import dev.ember.optim.Optimizer;
import java.util.Map;
import java.util.TreeMap;

/**
 * Multiplies each group's lr by {@code gamma} at each milestone epoch, PyTorch's {@code MultiStepLR}; a milestone
 * listed k times multiplies by gamma^k. Default gamma 0.1.
 */
public class MultiStepLR extends LRScheduler {
    /** Milestone epoch to how many times it was given (PyTorch keeps a Counter). */
    private final Map<Integer, Integer> milestones;
    private final double gamma;

    public MultiStepLR(Optimizer<?> optimizer, int[] milestones) {
        this(optimizer, milestones, 0.1);
    }

    public MultiStepLR(Optimizer<?> optimizer, int[] milestones, double gamma) {
        if (milestones == null) {
            throw new IllegalArgumentException("MultiStepLR: milestones must not be null");
        }
        Map<Integer, Integer> counts = new TreeMap<>();
        for (int m : milestones) {
            counts.merge(m, 1, Integer::sum);
        }
        this.milestones = counts;
        this.gamma = gamma;
        super(optimizer);
    }

    @Override
    protected double[] computeLr() {
        double[] lrs = currentLrs();
        Integer times = milestones.get(lastEpoch);
        if (times == null) {
            return lrs;
        }
        double factor = Math.pow(gamma, times);
        for (int i = 0; i < lrs.length; i++) {
            lrs[i] *= factor;
        }
        return lrs;
    }
}
