package dev.ember.nn.functional;

import static dev.ember.nn.functional.Leaves.away;
import static dev.ember.nn.functional.Leaves.check;
import static dev.ember.nn.functional.Leaves.of;
import static dev.ember.nn.functional.Leaves.randn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ember.Ember;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** gradcheck of every activation on contiguous, transposed and sliced inputs, including tails and tiny values. */
class ActivationsGradcheckTest {

    @BeforeEach
    void seed() {
        Ember.manualSeed(11);
    }

    private static void all(UnaryOperator<Tensor> f) {
        check(in -> f.apply(in[0]), away(3, 4));
        check(in -> f.apply(in[0].t()), away(3, 4));
        check(in -> f.apply(in[0].narrow(1, 1, 2)), away(2, 4));
        // tails and tiny magnitudes, where naive formulas overflow or cancel
        check(in -> f.apply(in[0]), of(new double[] {-40, -8, -1e-4, 3e-5, 6, 25}, 2, 3));
    }

    @Test
    void pointwise() {
        all(Activations::relu);
        all(Activations::leakyRelu);
        all(x -> Activations.leakyRelu(x, 0.3));
        all(Activations::elu);
        all(x -> Activations.elu(x, 0.7));
        all(Activations::gelu);
        all(x -> Activations.gelu(x, "tanh"));
        all(Activations::silu);
        all(Activations::sigmoid);
        all(Activations::tanh);
        all(Activations::softplus);
        all(x -> Activations.softplus(x, 2.0, 5.0));
    }

    @Test
    void softmaxFamily() {
        Tensor x = randn(2, 3, 4);
        for (int dim : new int[] {0, 1, -1}) {
            check(in -> Activations.softmax(in[0], dim), x);
            check(in -> Activations.logSoftmax(in[0], dim), x);
            check(in -> Activations.softmax(in[0].permute(2, 0, 1), dim), x);
        }
    }

    @Test
    void stableAtExtremes() {
        Tensor big = Tensor.of(DType.FLOAT64, new double[] {-1000, -750, 0, 750, 1000}, 5).requiresGrad(true);
        for (UnaryOperator<Tensor> f : java.util.List.<UnaryOperator<Tensor>>of(Activations::elu, Activations::gelu,
                Activations::silu, Activations::softplus, x -> Activations.gelu(x, "tanh"))) {
            Tensor y = f.apply(big);
            y.sum().backward();
            for (double v : y.toDoubleArray()) {
                assertFalse(Double.isNaN(v), "NaN in " + y);
            }
            for (double v : big.grad().toDoubleArray()) {
                assertFalse(Double.isNaN(v), "NaN gradient " + big.grad());
            }
            big.setGrad(null);
        }
        // softplus keeps full precision far below zero: log1p(exp(-40)) = 4.248354255291589e-18
        assertEquals(4.248354255291589e-18, Activations.softplus(Tensor.scalar(DType.FLOAT64, -40)).item(), 1e-33);
        // elu near zero: expm1(-1e-10) = -9.9999999995e-11 (exp(x) - 1 would keep 7 digits)
        assertEquals(-9.9999999995e-11, Activations.elu(Tensor.scalar(DType.FLOAT64, -1e-10)).item(), 1e-25);
        // gelu's far left tail: x Phi(x) at -10 is -7.619853024160527e-23 (the erf form rounds it to 0)
        assertEquals(-7.619853024160527e-23, Activations.gelu(Tensor.scalar(DType.FLOAT64, -10)).item(), 1e-36);
        // and the exact GELU agrees with 40-digit values (mpmath) to a few ulps
        double[] x = {-3, -1, 0.5, 2, 6};
        double[] want = {-0.00404969409489028358, -0.15865525393145705141, 0.34573123063700655182,
            1.9544997361036415856, 5.9999999940804741298};
        double[] got = Activations.gelu(Tensor.of(DType.FLOAT64, x, 5)).toDoubleArray();
        for (int i = 0; i < x.length; i++) {
            assertEquals(want[i], got[i], 3e-15 * Math.abs(want[i]), "gelu(" + x[i] + ")");
        }
    }

    @Test
    void float32StaysFloat32() {
        Tensor x = Tensor.randn(3, 2);
        assertEquals(DType.FLOAT32, Activations.gelu(x).dtype());
        assertEquals(DType.FLOAT32, Activations.elu(x).dtype());
        assertEquals(DType.FLOAT32, Activations.softplus(x).dtype());
    }

    @Test
    void badArguments() {
        Tensor x = Tensor.randn(2);
        var e = assertThrows(IllegalArgumentException.class, () -> Activations.gelu(x, "erf"));
        assertEquals("gelu: approximate must be \"none\" or \"tanh\", got \"erf\"", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Activations.elu(Tensor.arange(3)));
    }
}
