package dev.ember.autograd;

import static dev.ember.autograd.Gradchecks.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** gradcheck itself: it rejects unusable inputs and catches wrong gradients. */
class GradCheckSelfTest {

    @BeforeEach
    void seed() {
        Ember.manualSeed(7);
    }

    @Test
    void rejectsFloat32InputsThatRequireGrad() {
        Tensor x = Tensor.randn(2, 3).requiresGrad(true);
        var e = assertThrows(IllegalArgumentException.class, () -> GradCheck.gradcheck(in -> in[0].exp(), x));
        assertTrue(e.getMessage().contains("float64"), e.getMessage());
        assertTrue(e.getMessage().contains("torch.float32"), e.getMessage());
    }

    @Test
    void rejectsInputsWhenNoneRequiresGrad() {
        Tensor x = Tensor.randn(DType.FLOAT64, 2, 3);
        assertThrows(IllegalArgumentException.class, () -> GradCheck.gradcheck(in -> in[0].exp(), x));
    }

    @Test
    void float32InputsThatDoNotRequireGradAreAllowed() {
        Tensor c = Tensor.randn(3);
        assertTrue(GradCheck.gradcheck(in -> in[0].mul(in[1]), randn(2, 3), c));
    }

    @Test
    void detectsAWrongGradient() {
        // x * x.detach(): autograd sees d/dx = x, the true derivative is 2x
        Tensor x = randn(2, 3);
        AssertionError e = assertThrows(AssertionError.class,
                () -> GradCheck.gradcheck(in -> in[0].mul(in[0].detach()), x));
        assertTrue(e.getMessage().contains("Jacobian mismatch"), e.getMessage());
    }

    @Test
    void detectsAMissingGradientPath() {
        // the second input reaches the output only through detach(): analytical 0, numerical non-zero
        Tensor a = randn(3);
        Tensor b = randn(3);
        assertThrows(AssertionError.class, () -> GradCheck.gradcheck(in -> in[0].add(in[1].detach().exp()), a, b));
    }

    @Test
    void detectsANonDifferentiablePoint() {
        // relu at exactly 0: central differences give 0.5, autograd gives 0
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {0.0, 1.0}, 2).requiresGrad(true);
        assertThrows(AssertionError.class, () -> GradCheck.gradcheck(in -> in[0].relu(), x));
    }

    @Test
    void restoresInputsAfterPerturbing() {
        Tensor x = randn(2, 2);
        double[] before = x.toDoubleArray();
        GradCheck.gradcheck(in -> in[0].tanh(), x);
        assertArrayEquals(before, x.toDoubleArray(), 0.0);
        assertNull(x.grad());
    }
}
