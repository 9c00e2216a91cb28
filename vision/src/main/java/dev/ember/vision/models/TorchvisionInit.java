package dev.ember.vision.models;

import dev.ember.autograd.Autograd;
import dev.ember.nn.BatchNorm2d;
import dev.ember.nn.Conv2d;
import dev.ember.nn.Init;
import dev.ember.nn.Module;
import dev.ember.tensor.Generator;
import dev.ember.tensor.Tensor;

/**
 * The weight initialisations torchvision's model constructors apply after building (the numbers come from
 * Ember's generator, so they match torchvision's distributions, not its exact values).
 */
final class TorchvisionInit {
    private TorchvisionInit() {
    }

    /**
     * For every Conv2d: kaiming_normal_(mode="fan_out", nonlinearity="relu"), bias 0; for every BatchNorm2d:
     * weight 1, bias 0. torchvision's ResNet, VGG and EfficientNet all start so (EfficientNet's
     * {@code kaiming_normal_(mode="fan_out")} uses the default leaky_relu gain with slope 0, which is relu's).
     */
    static void convAndBatchNorm(Module model) {
        for (Module m : model.modules()) {
            if (m instanceof Conv2d c) {
                Init.kaimingNormal(c.weight, 0, "fan_out", "relu");
                if (c.bias != null) {
                    Init.zeros(c.bias);
                }
            } else if (m instanceof BatchNorm2d bn) {
                Init.ones(bn.weight);
                Init.zeros(bn.bias);
            }
        }
    }

    /**
     * PyTorch's {@code trunc_normal_}: normal(mean, std) values redrawn until they fall in [a, b] (absolute
     * bounds, not multiples of std).
     */
    static Tensor truncNormal(Tensor t, double mean, double std, double a, double b) {
        if (!(a < b)) {
            throw new IllegalArgumentException("trunc_normal_: expected a < b, got a=" + a + ", b=" + b);
        }
        Generator g = Generator.defaultGenerator();
        int n = Math.toIntExact(t.numel());
        double[] values = new double[n];
        double[] draw = new double[1];
        for (int i = 0; i < n; i++) {
            double v;
            do {
                g.fillGaussian(draw);
                v = mean + std * draw[0];
            } while (v < a || v > b);
            values[i] = v;
        }
        try (var ignored = Autograd.noGrad()) {
            t.copyi(Tensor.of(t.dtype(), values, t.shape()));
        }
        return t;
    }
}
