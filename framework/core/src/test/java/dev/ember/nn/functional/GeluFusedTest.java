package dev.ember.nn.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The one-node exact GELU against its composite twin: same forward bits, the same gradient within rounding. */
class GeluFusedTest {

    @Test
    void forwardBitsAndGradientMatchTheComposite() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            // odd sizes, a transposed view, and one large enough to be split among threads
            for (long[] shape : new long[][] {{1}, {7, 5}, {3, 33, 17}, {70001}}) {
                Ember.manualSeed(shape.length * 31 + shape[0]);
                Tensor base = Tensor.randn(DType.FLOAT64, shape).mul(3).to(dtype);
                Tensor a = (shape.length == 2 ? base.t() : base).detach().requiresGrad(true);
                Tensor b = (shape.length == 2 ? base.t() : base).detach().requiresGrad(true);
                Tensor fused = Activations.gelu(a);
                Tensor composite = Activations.geluComposite(b);
                assertEquals("GeluBackward0", fused.gradFn().name(), "the fused node is used");
                assertArrayEquals(composite.toDoubleArray(), fused.toDoubleArray(), 0.0, dtype + " forward");
                Tensor g = Tensor.randn(DType.FLOAT64, fused.shape()).to(dtype);
                fused.backward(g);
                composite.backward(g);
                double[] want = b.grad().toDoubleArray();
                double[] got = a.grad().toDoubleArray();
                double tol = dtype == DType.FLOAT64 ? 1e-13 : 2e-6;
                for (int i = 0; i < want.length; i++) {
                    assertTrue(Math.abs(want[i] - got[i]) <= tol * (1 + Math.abs(want[i])),
                            dtype + " gradient " + i + ": " + want[i] + " vs " + got[i]);
                }
            }
        }
    }

    @Test
    void farTailsStayFinite() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {-40, -10, -1e-300, 0, 1e-300, 10, 40}, 7).requiresGrad(true);
        Tensor y = Activations.gelu(x);
        y.sum().backward();
        double[] v = y.toDoubleArray();
        assertEquals(-7.619853024160527e-23, v[1], 1e-35); // x Phi(x) at -10 (not rounded to 0)
        assertEquals(40.0, v[6], 0.0);
        for (double d : x.grad().toDoubleArray()) {
            assertTrue(Double.isFinite(d));
        }
        assertEquals(1.0, x.grad().toDoubleArray()[6], 0.0);
        assertEquals(0.5, x.grad().toDoubleArray()[3], 1e-15); // Phi(0), through erfc(0) to an ulp
    }
}
