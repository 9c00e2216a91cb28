package dev.ember.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Dropout: identity in eval mode; in training about p of the elements zeroed and the rest scaled by 1/(1-p). */
class DropoutTest {

    @Test
    void evalIsIdentity() {
        Dropout d = new Dropout(0.3);
        d.eval();
        Tensor x = Tensor.randn(5, 4);
        assertSame(x, d.forward(x));
    }

    @Test
    void trainZeroesAboutPAndScales() {
        Ember.manualSeed(1);
        double p = 0.3;
        Dropout d = new Dropout(p);
        Tensor x = Tensor.ones(DType.FLOAT64, 100, 100).requiresGrad(true);
        Tensor y = d.forward(x);
        int zeros = 0;
        for (double v : y.toDoubleArray()) {
            if (v == 0) {
                zeros++;
            } else {
                assertEquals(1 / (1 - p), v, 1e-15);
            }
        }
        // 10000 Bernoulli(0.3) draws: std 46, so +-200 is a > 4 sigma band
        assertEquals(3000, zeros, 200);
        // the gradient is the same mask and scale
        y.sum().backward();
        double[] g = x.grad().toDoubleArray();
        double[] v = y.toDoubleArray();
        for (int i = 0; i < g.length; i++) {
            assertEquals(v[i], g[i], 0);
        }
    }

    @Test
    void edgesAndErrors() {
        Tensor x = Tensor.randn(3);
        assertEquals(0.0, new Dropout(1.0).forward(x).abs().sum().item(), 0);
        assertSame(x, new Dropout(0.0).forward(x));
        var e = assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5));
        assertEquals("Dropout: probability has to be between 0 and 1, but got 1.5", e.getMessage());
        assertTrue(new Dropout(1e-5).toString().equals("Dropout(p=1e-05, inplace=False)"));
    }
}
