package dev.ember.nn.functional;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.autograd.GradCheck;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** gradcheck of batchNorm (training and eval), groupNorm and layerNorm, with and without affine parameters. */
class NormalizationGradcheckTest {

    @BeforeEach
    void seed() {
        Ember.manualSeed(9);
    }

    private static Tensor leaf(long... shape) {
        return Tensor.randn(DType.FLOAT64, shape).requiresGrad(true);
    }

    private static void check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        assertTrue(GradCheck.gradcheck(f, inputs));
    }

    @Test
    void batchNormTraining() {
        // running statistics are updated on every call (also by gradcheck's evaluations) but do not enter the output
        Tensor rm = Tensor.zeros(DType.FLOAT64, 3);
        Tensor rv = Tensor.ones(DType.FLOAT64, 3);
        check(t -> Normalization.batchNorm(t[0], rm, rv, t[1], t[2], true, 0.1, 1e-5), leaf(4, 3), leaf(3), leaf(3));
        check(t -> Normalization.batchNorm(t[0], null, null, null, null, true, 0.1, 1e-5), leaf(2, 2, 2, 3));
    }

    @Test
    void batchNormEval() {
        Tensor rm = Tensor.randn(DType.FLOAT64, 2);
        Tensor rv = Tensor.rand(DType.FLOAT64, 2).add(0.5);
        check(t -> Normalization.batchNorm(t[0], rm, rv, t[1], t[2], false, 0.1, 1e-5), leaf(3, 2, 2), leaf(2),
                leaf(2));
    }

    @Test
    void groupNorm() {
        check(t -> Normalization.groupNorm(t[0], 2, t[1], t[2], 1e-5), leaf(2, 4, 3), leaf(4), leaf(4));
        check(t -> Normalization.groupNorm(t[0], 3, null, null, 1e-5), leaf(1, 3, 2, 2));
    }

    @Test
    void layerNormAffine() {
        check(t -> Normalization.layerNorm(t[0], new long[] {2, 3}, t[1], t[2], 1e-5), leaf(2, 2, 3), leaf(2, 3),
                leaf(2, 3));
    }
}
