package dev.ember.nn;

import dev.ember.nn.functional.Losses;
import dev.ember.tensor.Tensor;

/** 0.5 z^2 for z = |input - target| &lt; delta, delta (z - 0.5 delta) elsewhere (default delta 1.0), reduced. */
public class HuberLoss extends Loss {
    public final double delta;

    public HuberLoss() {
        this("mean", 1.0);
    }

    public HuberLoss(String reduction, double delta) {
        super(reduction);
        if (!(delta > 0)) {
            throw new IllegalArgumentException("HuberLoss: does not support non-positive values for delta, got " + delta);
        }
        this.delta = delta;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Losses.huberLoss(input, target, reduction, delta);
    }
}
