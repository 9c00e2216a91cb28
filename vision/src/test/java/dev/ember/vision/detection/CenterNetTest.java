package dev.ember.vision.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.autograd.GradCheck;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The model's shapes and names, the coder's encode/decode round trip, and gradchecks of the losses. */
class CenterNetTest {

    @Test
    void outputShapesAndParameterNames() {
        Ember.manualSeed(0);
        CenterNet m = new CenterNet(3, 4);
        CenterNet.Output out = m.forward(Tensor.randn(2, 3, 32, 48));
        assertArrayEquals(new long[] {2, 3, 8, 12}, out.hm().shape());
        assertArrayEquals(new long[] {2, 2, 8, 12}, out.wh().shape());
        assertArrayEquals(new long[] {2, 2, 8, 12}, out.reg().shape());
        var keys = m.stateDict().keySet();
        assertTrue(keys.contains("backbone.0.weight"), keys.toString());
        assertTrue(keys.contains("backbone.1.running_mean"), keys.toString());
        assertTrue(keys.containsAll(List.of("hm.weight", "hm.bias", "wh.weight", "wh.bias", "reg.weight", "reg.bias")));
        // CenterNet's prior: every cell starts at score ~0.1
        assertEquals(-2.19, m.hm.bias.toDoubleArray()[0], 1e-6);
    }

    @Test
    void rejectsBadInput() {
        CenterNet m = new CenterNet(2, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(1, 3, 30, 32)));
        assertTrue(e.getMessage().contains("multiples of 4") && e.getMessage().contains("[1, 3, 30, 32]"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(1, 1, 32, 32)));
        assertThrows(IllegalArgumentException.class, () -> new CenterNet(0, 4));
    }

    @Test
    void decodeInvertsEncode() {
        // boxes -> targets -> "perfect" head outputs (high logits at the peaks) -> boxes again
        List<double[][]> boxes = List.of(
                new double[][] {{4, 6, 20, 22}, {30.5, 31, 57, 50}},
                new double[][] {{40, 2, 62, 18.5}});
        List<int[]> labels = List.of(new int[] {0, 2}, new int[] {1});
        CenterNetCoder.Targets t = CenterNetCoder.encode(boxes, labels, 3, 64, 64);
        assertEquals(3, t.numObjects());
        assertEquals(3.0, t.mask().sum().item());
        Tensor logits = t.heatmap().eq(1.0).toFloat().mul(20.0).sub(10.0); // 1 at centres, ~0 elsewhere
        var dets = CenterNetCoder.decode(new CenterNet.Output(logits, t.wh(), t.reg()), 10, 0.5, 0.5);
        assertEquals(2, dets.get(0).size());
        assertEquals(1, dets.get(1).size());
        for (int i = 0; i < 2; i++) {
            for (int k = 0; k < boxes.get(i).length; k++) {
                double[] want = boxes.get(i)[k];
                Detection d = dets.get(i).stream().filter(x -> Math.abs(x.x1() - want[0]) < 1e-3).findFirst()
                        .orElseThrow(() -> new AssertionError("box " + java.util.Arrays.toString(want) + " not decoded"));
                assertEquals(labels.get(i)[k], d.label());
                assertArrayEquals(want, new double[] {d.x1(), d.y1(), d.x2(), d.y2()}, 1e-4);
            }
        }
    }

    @Test
    void decodeKeepsOnlyLocalPeaksAboveThreshold() {
        // one class, 4x4 grid: a peak at (1, 1) with a weaker neighbour, an isolated weak peak at (3, 3)
        double[] hm = new double[16];
        java.util.Arrays.fill(hm, -10);
        hm[5] = 3;   // (y=1, x=1), score 0.95
        hm[6] = 2;   // its neighbour: not a peak
        hm[15] = -1; // (3, 3), score 0.27
        Tensor wh = Tensor.full(2.0, 1, 2, 4, 4);
        Tensor reg = Tensor.full(0.5, 1, 2, 4, 4);
        var out = new CenterNet.Output(Tensor.of(hm, 1, 1, 4, 4), wh, reg);
        List<Detection> high = CenterNetCoder.decode(out, 10, 0.3, 1).get(0);
        assertEquals(1, high.size());
        assertArrayEquals(new double[] {2, 2, 10, 10}, new double[] {high.get(0).x1(), high.get(0).y1(),
            high.get(0).x2(), high.get(0).y2()}, 1e-9);
        assertEquals(2, CenterNetCoder.decode(out, 10, 0.2, 1).get(0).size());
        assertEquals(1, CenterNetCoder.decode(out, 1, 0.2, 1).get(0).size(), "topK");
    }

    @Test
    void focalLossGradcheck() {
        Tensor target = Tensor.of(DType.FLOAT64, new double[] {1, 0.6, 0.1, 0, 0, 0.3, 1, 0.2}, 1, 2, 2, 2);
        Tensor logits = Tensor.randn(DType.FLOAT64, 1, 2, 2, 2).requiresGrad(true);
        assertTrue(GradCheck.gradcheck(in -> CenterNetLoss.focalLoss(in[0], target), logits));
    }

    @Test
    void regL1Gradcheck() {
        Tensor mask = Tensor.of(DType.FLOAT64, new double[] {1, 0, 0, 1}, 1, 1, 2, 2);
        Tensor target = Tensor.randn(DType.FLOAT64, 1, 2, 2, 2);
        // keep predictions away from the targets, where |x| has its kink
        Tensor pred = target.add(Tensor.rand(DType.FLOAT64, 1, 2, 2, 2).add(0.2)).detach().requiresGrad(true);
        assertTrue(GradCheck.gradcheck(in -> CenterNetLoss.regL1(in[0], target, mask, "wh"), pred));
    }

    @Test
    void lossIsFiniteAndDecreasesOnABatch() {
        Ember.manualSeed(1);
        CenterNet m = new CenterNet(3, 4);
        List<double[][]> boxes = List.of(new double[][] {{4, 4, 20, 20}}, new double[][] {{10, 12, 30, 28}});
        List<int[]> labels = List.of(new int[] {1}, new int[] {2});
        CenterNetCoder.Targets t = CenterNetCoder.encode(boxes, labels, 3, 32, 32);
        Tensor x = Tensor.randn(2, 3, 32, 32);
        CenterNetLoss loss = new CenterNetLoss();
        var opt = new dev.ember.optim.Adam(m.parameters(), dev.ember.optim.Adam.options().lr(1e-2));
        double first = 0;
        double last = 0;
        for (int i = 0; i < 15; i++) {
            CenterNetLoss.Parts p = loss.forward(m.forward(x), t);
            opt.zeroGrad();
            p.total().backward();
            opt.step();
            if (i == 0) {
                first = p.total().item();
            }
            last = p.total().item();
        }
        assertTrue(Double.isFinite(first) && last < 0.5 * first, "loss " + first + " -> " + last);
    }

    @Test
    void encodeRejectsBadLabels() {
        var e = assertThrows(IllegalArgumentException.class, () -> CenterNetCoder.encode(
                List.<double[][]>of(new double[][] {{0, 0, 8, 8}}), List.of(new int[] {3}), 3, 32, 32));
        assertTrue(e.getMessage().contains("label 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CenterNetCoder.encode(List.of(), List.of(), 3, 30, 32));
    }
}
