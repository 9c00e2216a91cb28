package dev.ember.nn.functional;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.autograd.GradCheck;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.function.Function;

/** float64 leaves for the gradcheck tests of this package, and a one-line check. */
final class Leaves {
    private Leaves() {
    }

    static Tensor randn(long... shape) {
        return Tensor.randn(DType.FLOAT64, shape).requiresGrad(true);
    }

    static Tensor uniform(double lo, double hi, long... shape) {
        return Tensor.rand(DType.FLOAT64, shape).mul(hi - lo).add(lo).requiresGrad(true);
    }

    /** |x| in [0.1, 2.1) with random sign: no kink (relu, |x|, ...) within the finite-difference step. */
    static Tensor away(long... shape) {
        Tensor magnitude = Tensor.rand(DType.FLOAT64, shape).mul(2.0).add(0.1);
        Tensor sign = Tensor.rand(DType.FLOAT64, shape).gt(0.5).toDouble().mul(2.0).sub(1.0);
        return magnitude.mul(sign).requiresGrad(true);
    }

    static Tensor of(double[] data, long... shape) {
        return Tensor.of(DType.FLOAT64, data, shape).requiresGrad(true);
    }

    static Tensor constant(double[] data, long... shape) {
        return Tensor.of(DType.FLOAT64, data, shape);
    }

    static void check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        assertTrue(GradCheck.gradcheck(f, inputs));
    }
}
