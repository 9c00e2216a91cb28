package dev.ember.nn;

import dev.ember.nn.functional.Losses;
import dev.ember.tensor.Tensor;

/** 0.5 z^2 / beta for z = |input - target| &lt; beta, z - 0.5 beta elsewhere (default beta 1.0), reduced. */
public class SmoothL1Loss extends Loss {
    public final double beta;

    public SmoothL1Loss() {
        this("mean", 1.0);
    }

    public SmoothL1Loss(String reduction, double beta) {
        super(reduction);
        if (beta < 0) {
            throw new IllegalArgumentException("SmoothL1Loss: does not support negative values for beta, got " + beta);
        }
        this.beta = beta;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Losses.smoothL1Loss(input, target, reduction, beta);
    }
}
