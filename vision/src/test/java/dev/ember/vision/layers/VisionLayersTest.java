package dev.ember.vision.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.autograd.GradCheck;
import dev.ember.nn.BatchNorm2d;
import dev.ember.nn.Conv2d;
import dev.ember.nn.Linear;
import dev.ember.nn.ReLU;
import dev.ember.nn.SiLU;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class VisionLayersTest {
    @Test
    void stochasticDepthIsTheIdentityInEvalAndAtZero() {
        Tensor x = Tensor.randn(4, 3, 2, 2);
        StochasticDepth sd = new StochasticDepth(0.5, "row");
        sd.eval();
        assertSame(x, sd.forward(x));
        StochasticDepth zero = new StochasticDepth(0.0, "row");
        assertSame(x, zero.forward(x));
        assertTrue(new StochasticDepth(1.0, "batch").forward(x).abs().sum().item() == 0);
    }

    @Test
    void stochasticDepthDropsWholeRowsAndRescalesTheRest() {
        Ember.manualSeed(3);
        int n = 400;
        Tensor x = Tensor.ones(n, 2, 3);
        double[] y = StochasticDepth.stochasticDepth(x, 0.25, "row", true).toDoubleArray();
        int kept = 0;
        for (int i = 0; i < n; i++) {
            double first = y[i * 6];
            assertTrue(first == 0 || Math.abs(first - 1 / 0.75) < 1e-6, "value " + first);
            for (int j = 1; j < 6; j++) {
                assertEquals(first, y[i * 6 + j], "row " + i + " must be dropped or kept whole");
            }
            kept += first == 0 ? 0 : 1;
        }
        // Binomial(400, 0.75): mean 300, sd 8.7
        assertTrue(kept > 260 && kept < 340, "kept " + kept + " of " + n);
        double[] b = StochasticDepth.stochasticDepth(x, 0.5, "batch", true).toDoubleArray();
        for (double v : b) {
            assertEquals(b[0], v, "batch mode drops all or nothing");
        }
    }

    @Test
    void stochasticDepthRejectsBadArguments() {
        var e = assertThrows(IllegalArgumentException.class, () -> new StochasticDepth(1.5, "row"));
        assertTrue(e.getMessage().contains("StochasticDepth") && e.getMessage().contains("1.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new StochasticDepth(0.1, "rows"));
        assertTrue(e.getMessage().contains("'batch' or 'row'") && e.getMessage().contains("rows"), e.getMessage());
    }

    @Test
    void squeezeExcitationScalesChannelsAndHasTorchvisionNames() {
        SqueezeExcitation se = new SqueezeExcitation(8, 2, new SiLU(), new dev.ember.nn.Sigmoid());
        assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), List.copyOf(se.stateDict().keySet()));
        assertArrayEquals(new long[] {2, 8, 1, 1}, se.fc1.weight.shape());
        Tensor x = Tensor.randn(2, 8, 3, 3);
        Tensor y = se.forward(x);
        assertArrayEquals(x.shape(), y.shape());
        // the scale is one number per (sample, channel) in (0, 1)
        Tensor ratio = y.div(x);
        double[] r = ratio.toDoubleArray();
        for (int nc = 0; nc < 16; nc++) {
            for (int k = 0; k < 9; k++) {
                assertEquals(r[nc * 9], r[nc * 9 + k], 1e-5);
            }
            assertTrue(r[nc * 9] > 0 && r[nc * 9] < 1);
        }
    }

    @Test
    void squeezeExcitationGradcheck() {
        SqueezeExcitation se = new SqueezeExcitation(4, 2);
        se.to(DType.FLOAT64);
        Tensor x = Tensor.randn(DType.FLOAT64, 2, 4, 3, 3).requiresGrad(true);
        assertTrue(GradCheck.gradcheck(in -> se.forward(in[0]), x));
    }

    @Test
    void stochasticDepthGradcheckWithAFixedMask() {
        // the mask is random, so reseed before every call: the function is then deterministic
        Tensor x = Tensor.randn(DType.FLOAT64, 6, 2, 2).requiresGrad(true);
        assertTrue(GradCheck.gradcheck(in -> {
            Ember.manualSeed(11);
            return StochasticDepth.stochasticDepth(in[0], 0.4, "row", true);
        }, x));
    }

    @Test
    void conv2dNormActivationLayout() {
        Conv2dNormActivation c = new Conv2dNormActivation(4, 6, 3, 2, 2, ReLU::new);
        assertEquals(3, c.size());
        assertTrue(c.get(0) instanceof Conv2d && c.get(1) instanceof BatchNorm2d && c.get(2) instanceof ReLU);
        assertEquals(null, c.conv.bias);
        assertArrayEquals(new long[] {1, 1}, c.conv.padding);
        assertArrayEquals(new long[] {6, 2, 3, 3}, c.conv.weight.shape());
        assertArrayEquals(new long[] {1, 6, 4, 4}, c.forward(Tensor.randn(1, 4, 7, 7)).shape());
        assertEquals(2, new Conv2dNormActivation(4, 6, 1, 1, 1, null).size());
    }

    @Test
    void namedSequentialChainsUnderItsNames() {
        NamedSequential s = new NamedSequential().add("pre", new Linear(3, 4)).add("act", new ReLU())
                .add("head", new Linear(4, 2));
        assertEquals(List.of("pre.weight", "pre.bias", "head.weight", "head.bias"),
                List.copyOf(s.stateDict().keySet()));
        assertArrayEquals(new long[] {5, 2}, s.forward(Tensor.randn(5, 3)).shape());
        assertTrue(s.get("act") instanceof ReLU);
        var e = assertThrows(IllegalArgumentException.class, () -> s.get("tail"));
        assertTrue(e.getMessage().contains("tail"), e.getMessage());
    }
}
