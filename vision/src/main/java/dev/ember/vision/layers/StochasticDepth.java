package dev.ember.vision.layers;

import dev.ember.nn.Layer;
import dev.ember.nn.Module;
import dev.ember.tensor.Tensor;
import java.util.Arrays;

/**
 * Stochastic depth (Huang et al., 2016), as torchvision's {@code ops.StochasticDepth}: in training, each sample
 * of the batch ("row" mode) or the whole batch ("batch" mode) is zeroed with probability {@code p} and the rest
 * scaled by 1/(1-p); in eval mode, or with p = 0, the identity. Meant for the residual branch of a block.
 * input (N, *) -> (N, *). No parameters.
 */
public class StochasticDepth extends Module implements Layer {
    public final double p;
    public final String mode;

    public StochasticDepth(double p, String mode) {
        check(p, mode);
        this.p = p;
        this.mode = mode;
    }

    /** torchvision's {@code ops.stochastic_depth}: a fresh Bernoulli(1-p) mask per row (or batch), divided by 1-p. */
    public static Tensor stochasticDepth(Tensor input, double p, String mode, boolean training) {
        check(p, mode);
        if (!training || p == 0.0) {
            return input;
        }
        double survival = 1.0 - p;
        long[] size = new long[input.dim()];
        Arrays.fill(size, 1);
        if (mode.equals("row")) {
            size[0] = input.size(0);
        }
        Tensor noise = Tensor.rand(input.dtype(), size).lt(survival).to(input.dtype());
        if (survival > 0.0) {
            noise = noise.div(survival);
        }
        return input.mul(noise);
    }

    private static void check(double p, String mode) {
        if (!(p >= 0.0 && p <= 1.0)) {
            throw new IllegalArgumentException("StochasticDepth: drop probability has to be between 0 and 1, but got "
                    + p);
        }
        if (!"batch".equals(mode) && !"row".equals(mode)) {
            throw new IllegalArgumentException("StochasticDepth: mode has to be either 'batch' or 'row', but got "
                    + mode);
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        return stochasticDepth(input, p, mode, isTraining());
    }

    @Override
    protected String extraRepr() {
        return "p=" + p + ", mode=" + mode;
    }
}
