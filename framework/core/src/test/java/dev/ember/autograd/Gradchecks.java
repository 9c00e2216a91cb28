package dev.ember.autograd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.function.Function;

/** Inputs and a one-line assertion for the gradcheck tests: float64 leaves that require grad. */
final class Gradchecks {
    private Gradchecks() {
    }

    /** Standard normal float64 leaf requiring grad. */
    static Tensor randn(long... shape) {
        return Tensor.randn(DType.FLOAT64, shape).requiresGrad(true);
    }

    /** Uniform on [lo, hi), float64 leaf requiring grad. */
    static Tensor uniform(double lo, double hi, long... shape) {
        return Tensor.rand(DType.FLOAT64, shape).mul(hi - lo).add(lo).requiresGrad(true);
    }

    /** Values with |x| in [0.2, 1.2) and random sign: no kink of relu/abs/sign within eps. */
    static Tensor awayFromZero(long... shape) {
        Tensor magnitude = Tensor.rand(DType.FLOAT64, shape).add(0.2);
        Tensor sign = Tensor.rand(DType.FLOAT64, shape).gt(0.5).toDouble().mul(2.0).sub(1.0);
        return magnitude.mul(sign).requiresGrad(true);
    }

    static Tensor of(double[] data, long... shape) {
        return Tensor.of(DType.FLOAT64, data, shape).requiresGrad(true);
    }

    static void check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        assertTrue(GradCheck.gradcheck(f, inputs));
    }
}
