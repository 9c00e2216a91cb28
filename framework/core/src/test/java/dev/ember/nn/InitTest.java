package dev.ember.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Initialisers: fans (PyTorch's formula for (out, in, k...) weights), the bounds and spreads of the Xavier and
 * Kaiming families, orthogonality, and Linear's default init. Samples are a few thousand values, so the bounds
 * are checked exactly and the spreads to a few percent.
 */
class InitTest {

    @BeforeEach
    void seed() {
        Ember.manualSeed(42);
    }

    private static double maxAbs(Tensor t) {
        return t.abs().max().item();
    }

    private static double std(Tensor t) {
        return t.toDouble().std().item();
    }

    @Test
    void fans() {
        assertArrayEquals(new long[] {20, 30}, Init.fans(Tensor.zeros(30, 20)));
        // conv weight (out=8, in=4, 3, 5): receptive field 15
        assertArrayEquals(new long[] {4 * 15, 8 * 15}, Init.fans(Tensor.zeros(8, 4, 3, 5)));
        var e = assertThrows(IllegalArgumentException.class, () -> Init.fans(Tensor.zeros(5)));
        assertTrue(e.getMessage().contains("fewer than 2 dimensions"), e.getMessage());
    }

    @Test
    void xavier() {
        Tensor w = Tensor.zeros(60, 40);
        double a = 1.5 * Math.sqrt(6.0 / (40 + 60));
        double a1 = Math.sqrt(6.0 / (40 + 60));
        Init.xavierUniform(w); // gain 1
        assertTrue(maxAbs(w) <= a1 && maxAbs(w) > 0.98 * a1, "default xavierUniform bound");
        assertSame(w, Init.xavierUniform(w, 1.5));
        assertTrue(maxAbs(w) <= a && maxAbs(w) > 0.98 * a, "max " + maxAbs(w) + " bound " + a);
        assertEquals(a / Math.sqrt(3), std(w), 0.04 * a / Math.sqrt(3));
        Init.xavierNormal(w, 2.0);
        double s = 2.0 * Math.sqrt(2.0 / 100);
        assertEquals(s, std(w), 0.04 * s);
        assertEquals(0, w.mean().item(), 0.05 * s);
    }

    @Test
    void kaiming() {
        Tensor w = Tensor.zeros(50, 10, 3, 3); // fan_in 90, fan_out 450
        Init.kaimingUniform(w, 0, "fan_in", "relu");
        double bound = Math.sqrt(2.0) * Math.sqrt(3.0 / 90);
        assertTrue(maxAbs(w) <= bound && maxAbs(w) > 0.98 * bound, "max " + maxAbs(w) + " bound " + bound);
        Init.kaimingUniform(w, 0, "fan_out", "relu");
        bound = Math.sqrt(2.0) * Math.sqrt(3.0 / 450);
        assertTrue(maxAbs(w) <= bound && maxAbs(w) > 0.98 * bound);
        Init.kaimingNormal(w, 0.2, "fan_in", "leaky_relu");
        double s = Math.sqrt(2.0 / (1 + 0.04)) / Math.sqrt(90);
        assertEquals(s, std(w), 0.04 * s);
        Init.kaimingUniform(w); // PyTorch's defaults: a=0, fan_in, leaky_relu -> gain sqrt(2)
        bound = Math.sqrt(2.0) * Math.sqrt(3.0 / 90);
        assertTrue(maxAbs(w) <= bound && maxAbs(w) > 0.98 * bound, "default kaimingUniform bound");
        var e = assertThrows(IllegalArgumentException.class, () -> Init.kaimingUniform(w, 0, "fan_avg", "relu"));
        assertTrue(e.getMessage().contains("fan_avg"), e.getMessage());
    }

    @Test
    void orthogonal() {
        for (long[] shape : new long[][] {{4, 7}, {7, 4}, {5, 5}, {3, 2, 2}}) {
            Tensor w = Init.orthogonal(Tensor.zeros(DType.FLOAT64, shape), 2.0);
            Tensor m = w.reshape(shape[0], -1);
            boolean wide = m.size(0) <= m.size(1);
            Tensor gram = wide ? m.matmul(m.t()) : m.t().matmul(m);
            double[] g = gram.toDoubleArray();
            int n = (int) gram.size(0);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    assertEquals(i == j ? 4.0 : 0.0, g[i * n + j], 1e-12, java.util.Arrays.toString(shape));
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Init.orthogonal(Tensor.zeros(3), 1));
    }

    @Test
    void gains() {
        assertEquals(5.0 / 3, Init.calculateGain("tanh"), 0);
        assertEquals(Math.sqrt(2.0 / (1 + 0.01 * 0.01)), Init.calculateGain("leaky_relu"), 1e-15);
        var e = assertThrows(IllegalArgumentException.class, () -> Init.calculateGain("swish"));
        assertEquals("calculateGain: unsupported nonlinearity 'swish'", e.getMessage());
    }

    @Test
    void constants() {
        Tensor w = Tensor.zeros(2, 3).requiresGrad(true);
        Init.constant(w, 0.25);
        assertArrayEquals(new double[] {0.25, 0.25, 0.25, 0.25, 0.25, 0.25}, w.toDoubleArray(), 0);
        assertTrue(w.isLeaf() && w.requiresGrad());
        Init.ones(w);
        assertEquals(6.0, w.sum().item(), 0);
        Init.zeros(w);
        assertEquals(0.0, w.sum().item(), 0);
    }

    @Test
    void linearDefaultInit() {
        Linear l = new Linear(64, 200);
        double bound = 1 / Math.sqrt(64);
        // kaiming_uniform(a=sqrt(5)) gives exactly U(+-1/sqrt(fan_in))
        assertTrue(maxAbs(l.weight) <= bound && maxAbs(l.weight) > 0.98 * bound, "weight max " + maxAbs(l.weight));
        assertEquals(bound / Math.sqrt(3), std(l.weight), 0.04 * bound / Math.sqrt(3));
        assertTrue(maxAbs(l.bias) <= bound && maxAbs(l.bias) > 0.9 * bound, "bias max " + maxAbs(l.bias));
        assertEquals(DType.FLOAT32, l.weight.dtype());
        assertArrayEquals(new long[] {200, 64}, l.weight.shape());
    }

    @Test
    void embeddingAndBilinearInit() {
        Embedding e = new Embedding(400, 10, 3L);
        assertEquals(0.0, e.weight.select(0, 3).abs().sum().item(), 0);
        assertEquals(1.0, std(e.weight), 0.04);
        Bilinear b = new Bilinear(16, 5, 30);
        double bound = 1 / Math.sqrt(16);
        assertTrue(maxAbs(b.weight) <= bound && maxAbs(b.weight) > 0.98 * bound);
        assertTrue(maxAbs(b.bias) <= bound);
        assertEquals(Long.valueOf(9), new Embedding(10, 2, -1L).paddingIdx);
    }
}
