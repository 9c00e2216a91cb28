package dev.ember.cuda;

import static dev.ember.cuda.GpuCheck.CUDA;
import static dev.ember.cuda.GpuCheck.assertClose;
import static dev.ember.cuda.GpuCheck.forwardBackward;
import static dev.ember.cuda.GpuCheck.randn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.nn.GRU;
import dev.ember.nn.LSTM;
import dev.ember.nn.LstmOutput;
import dev.ember.nn.MultiheadAttention;
import dev.ember.nn.RnnOutput;
import dev.ember.nn.functional.F;
import dev.ember.tensor.DType;
import dev.ember.tensor.Device;
import dev.ember.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The fused kernels and the nn functions built on the primitives, forward and backward against the CPU. */
@Tag("gpu")
class CudaNnTest {

    @BeforeAll
    static void gpu() {
        GpuCheck.requireGpu();
    }

    @Test
    void softmaxAndLogSoftmaxShortAndLongRows() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (long[] s : new long[][] {{7, 1000}, {129, 33}, {3, 4097}, {1, 1}, {65, 10}}) {
                Tensor x = randn(1, dtype, s).mul(3);
                forwardBackward("softmax " + dtype + " " + s[0] + "x" + s[1], t -> t[0].softmax(-1), x);
                forwardBackward("logSoftmax " + dtype + " " + s[0] + "x" + s[1], t -> t[0].logSoftmax(-1), x);
            }
            forwardBackward("softmax of a transposed view", t -> t[0].t().softmax(-1), randn(2, dtype, 33, 17));
            forwardBackward("softmax over dim 0", t -> t[0].softmax(0), randn(3, dtype, 33, 17));
        }
    }

    @Test
    void layerNormWithAndWithoutAffine() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (long d : new long[] {1, 7, 129, 2000}) {
                Tensor x = randn(1, dtype, 33, d).mul(2).add(1);
                Tensor w = randn(2, dtype, d);
                Tensor b = randn(3, dtype, d);
                forwardBackward("layerNorm " + d, t -> F.layerNorm(t[0], new long[] {d}, t[1], t[2], 1e-5), x, w, b);
                forwardBackward("layerNorm no affine " + d, t -> F.layerNorm(t[0], new long[] {d}, null, null, 1e-5), x);
            }
        }
    }

    @Test
    void lossesAndActivations() {
        Ember.manualSeed(4);
        Tensor target = Tensor.randint(0, 10, 65);
        forwardBackward("crossEntropy", t -> F.crossEntropy(t[0], t[1]), randn(1, DType.FLOAT32, 65, 10), target);
        forwardBackward("crossEntropy f64", t -> F.crossEntropy(t[0], t[1]), randn(1, DType.FLOAT64, 65, 10), target);
        forwardBackward("mseLoss", t -> F.mseLoss(t[0], t[1]), randn(2, DType.FLOAT32, 31, 3), randn(3, DType.FLOAT32, 31, 3));
        forwardBackward("relu (relu_backward) of a transposed view", t -> F.relu(t[0].t()),
                randn(4, DType.FLOAT32, 9, 17));
        forwardBackward("relu f64", t -> F.relu(t[0]), randn(4, DType.FLOAT64, 17, 9));
        forwardBackward("gelu", t -> F.gelu(t[0]), randn(4, DType.FLOAT32, 17, 9));
        forwardBackward("gelu tanh", t -> F.gelu(t[0], "tanh"), randn(4, DType.FLOAT32, 17, 9));
        forwardBackward("gelu f64 of a transposed view", t -> F.gelu(t[0].t()), randn(4, DType.FLOAT64, 9, 17));
        // targets stay on the GPU: the ignore mask and the count of targets are computed there
        Tensor ignored = Tensor.of(new long[] {3, -100, 0, 9, -100, 2, 2}, 7);
        forwardBackward("crossEntropy ignore_index", t -> F.crossEntropy(t[0], t[1]), randn(8, DType.FLOAT32, 7, 10),
                ignored);
        // loss.cu's reductions, an ignore index of our own, a transposed view of the logits, float64
        for (String reduction : List.of("mean", "sum", "none")) {
            var options = dev.ember.nn.functional.CrossEntropyOptions.DEFAULTS.withReduction(reduction)
                    .withIgnoreIndex(2);
            forwardBackward("crossEntropy " + reduction, t -> F.crossEntropy(t[0].t(), t[1], options),
                    randn(9, DType.FLOAT64, 10, 7), Tensor.of(new long[] {3, 2, 0, 9, 2, 1, 2}, 7));
        }
        forwardBackward("linear", 1e-4, 1e-4, t -> F.linear(t[0], t[1], t[2]), randn(5, DType.FLOAT32, 13, 21),
                randn(6, DType.FLOAT32, 8, 21), randn(7, DType.FLOAT32, 8));
    }

    @Test
    void convolutionAndPooling() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double tol = dtype == DType.FLOAT64 ? 1e-10 : 1e-4;
            Tensor x = randn(1, dtype, 2, 3, 9, 11);
            Tensor w = randn(2, dtype, 4, 3, 3, 3);
            Tensor b = randn(3, dtype, 4);
            forwardBackward("conv2d " + dtype, tol, tol, t -> F.conv2d(t[0], t[1], t[2]), x, w, b);
            forwardBackward("conv2d stride 2 padding 1 dilation 2", tol, tol, t -> F.conv2d(t[0], t[1], t[2],
                    new long[] {2, 2}, new long[] {1, 1}, new long[] {2, 2}, 1), x, w, b);
            forwardBackward("conv2d groups", tol, tol, t -> F.conv2d(t[0], t[1], null, new long[] {1, 1},
                    new long[] {0, 0}, new long[] {1, 1}, 2), randn(4, dtype, 2, 4, 7, 6), randn(5, dtype, 6, 2, 3, 2));
            forwardBackward("lenet conv", tol, tol, t -> F.conv2d(t[0], t[1], t[2], new long[] {1, 1}, new long[] {2, 2},
                    new long[] {1, 1}, 1), randn(6, dtype, 4, 1, 28, 28), randn(7, dtype, 6, 1, 5, 5), randn(8, dtype, 6));
            forwardBackward("maxPool2d", t -> F.maxPool2d(t[0], 2), x);
            forwardBackward("maxPool2d 3 stride 2 padding 1", t -> F.maxPool2d(t[0], new long[] {3, 3},
                    new long[] {2, 2}, new long[] {1, 1}, new long[] {1, 1}, false), x);
            // pool.cu: a strided view, dilation, and ties (rounded values), where the first maximum must win
            forwardBackward("maxPool2d of a transposed view, dilation 2", t -> F.maxPool2d(t[0].transpose(2, 3),
                    new long[] {3, 2}, new long[] {1, 2}, new long[] {1, 0}, new long[] {2, 1}, false), x);
            Tensor ties = randn(9, dtype, 2, 3, 9, 11).mul(2).to(DType.INT64).to(dtype); // integers: many ties
            forwardBackward("maxPool2d with ties", t -> F.maxPool2d(t[0], new long[] {3, 3}, new long[] {1, 1},
                    new long[] {1, 1}, new long[] {1, 1}, false), ties);
            forwardBackward("avgPool2d", t -> F.avgPool2d(t[0], 2), x);
            forwardBackward("adaptiveAvgPool2d", t -> F.adaptiveAvgPool2d(t[0], 3), x);
        }
    }

    /**
     * batch_norm's fused kernels (norm.cu) against the CPU composite: 2-D (L = 1), 3-D and 4-D inputs, with and
     * without weight and bias, training (batch statistics, running statistics moved) and evaluation (running
     * statistics used), float32 and float64, forward and every gradient.
     */
    @Test
    void batchNormTrainingAndEvaluation() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (long[] shape : new long[][] {{8, 5, 4, 3}, {16, 7}, {3, 6, 11}, {2, 3, 1, 1}}) {
                int c = (int) shape[1];
                String what = dtype + " batchNorm " + java.util.Arrays.toString(shape);
                Tensor x = randn(1, dtype, shape).mul(3.0).add(1.5);
                Tensor w = randn(2, dtype, c);
                Tensor b = randn(3, dtype, c);
                Tensor rm = randn(4, dtype, c);
                Tensor rv = randn(5, dtype, c).abs().add(0.5);
                forwardBackward(what + " training", t -> F.batchNorm(t[0], null, null, t[1], t[2], true, 0.1, 1e-5),
                        x, w, b);
                forwardBackward(what + " training, no affine",
                        t -> F.batchNorm(t[0], null, null, null, null, true, 0.1, 1e-5), x);
                // evaluation: each side reads its own copy of the running statistics
                Tensor grm = rm.cuda();
                Tensor grv = rv.cuda();
                forwardBackward(what + " evaluation", t -> t[0].device().equals(Device.CPU)
                        ? F.batchNorm(t[0], rm, rv, t[1], t[2], false, 0.1, 1e-5)
                        : F.batchNorm(t[0], grm, grv, t[1], t[2], false, 0.1, 1e-5), x, w, b);
                // training moves the running statistics the same way on both sides
                Tensor crm = rm.clone();
                Tensor crv = rv.clone();
                F.batchNorm(x, crm, crv, w, b, true, 0.3, 1e-3);
                F.batchNorm(x.cuda(), grm, grv, w.cuda(), b.cuda(), true, 0.3, 1e-3);
                double tol = GpuCheck.tol(dtype);
                assertClose(what + " running mean", crm, grm, tol, tol);
                assertClose(what + " running var", crv, grv, tol, tol);
            }
        }
    }

    @Test
    void embeddingWithRepeatedIndices() {
        Tensor idx = Tensor.of(new long[] {3, 1, 3, 0, 9, 3, 1, 2}, 2, 4);
        forwardBackward("embedding", t -> F.embedding(t[1], t[0]), randn(1, DType.FLOAT32, 10, 6), idx);
        forwardBackward("indexSelect dim 1", t -> t[0].indexSelect(1, t[1]), randn(2, DType.FLOAT64, 5, 4, 3),
                Tensor.of(new long[] {3, 0, 3, 1, 1}, 5));
        forwardBackward("gather", t -> t[0].gather(1, t[1]), randn(3, DType.FLOAT32, 4, 6),
                Tensor.of(new long[] {5, 0, 0, 1, 2, 3, 4, 5}, 4, 2));
    }

    @Test
    void dropoutKeepsAboutHalfAndScales() {
        Ember.manualSeed(5);
        Tensor x = Tensor.ones(DType.FLOAT32, CUDA, 1 << 16);
        Tensor y = F.dropout(x, 0.5, true);
        double kept = y.gt(0).toFloat().mean().item();
        assertEquals(0.5, kept, 0.01);
        assertEquals(2.0, y.max().item(), 0);
        Ember.manualSeed(5);
        assertClose("reproducible", y.cpu(), F.dropout(x, 0.5, true));
    }

    /** gru.cu's cell kernels, through a two-layer GRU, forward and backward against the CPU. */
    @Test
    void gruModule() {
        for (DType dtype : List.of(DType.FLOAT32, DType.FLOAT64)) {
            Ember.manualSeed(17);
            GRU cpu = new GRU(5, 7, 2);
            cpu.to(dtype);
            GRU gpu = new GRU(5, 7, 2);
            gpu.to(dtype);
            gpu.loadStateDict(cpu.stateDict(), true);
            gpu.to(CUDA);
            Tensor x = randn(18, dtype, 6, 3, 5);
            Tensor h0 = randn(19, dtype, 2, 3, 7);
            RnnOutput oc = cpu.forward(x, h0);
            RnnOutput og = gpu.forward(x.cuda(), h0.cuda());
            double tol = dtype == DType.FLOAT32 ? 1e-5 : 1e-12;
            assertClose("gru output " + dtype, oc.output(), og.output(), tol, tol);
            oc.output().sum().add(oc.hN().mul(2).sum()).backward();
            og.output().sum().add(og.hN().mul(2).sum()).backward();
            Map<String, Tensor> pc = cpu.namedParameters();
            Map<String, Tensor> pg = gpu.namedParameters();
            for (String name : pc.keySet()) {
                assertClose("gru grad " + name + " " + dtype, pc.get(name).grad(), pg.get(name).grad(), 10 * tol,
                        10 * tol);
            }
        }
    }

    @Test
    void lstmAndAttentionModules() {
        Ember.manualSeed(7);
        LSTM cpu = new LSTM(5, 7, 2);
        LSTM gpu = new LSTM(5, 7, 2);
        gpu.loadStateDict(cpu.stateDict(), true);
        gpu.to(CUDA);
        Tensor x = randn(8, DType.FLOAT32, 9, 3, 5);
        LstmOutput oc = cpu.forward(x);
        LstmOutput og = gpu.forward(x.cuda());
        assertClose("lstm output", oc.output(), og.output(), 1e-5, 1e-5);
        oc.output().sum().add(oc.cN().sum()).backward();
        og.output().sum().add(og.cN().sum()).backward();
        Map<String, Tensor> pc = cpu.namedParameters();
        Map<String, Tensor> pg = gpu.namedParameters();
        for (String name : pc.keySet()) {
            assertClose("lstm grad " + name, pc.get(name).grad(), pg.get(name).grad(), 1e-4, 1e-5);
        }
        Ember.manualSeed(8);
        MultiheadAttention mc = new MultiheadAttention(16, 4);
        MultiheadAttention mg = new MultiheadAttention(16, 4);
        mg.loadStateDict(mc.stateDict(), true);
        mg.to(CUDA);
        Tensor q = randn(9, DType.FLOAT32, 6, 2, 16);
        Tensor mask = dev.ember.nn.functional.Attention.generateSquareSubsequentMask(6, DType.FLOAT32);
        Tensor ac = mc.forward(q, q, q, null, false, mask, true, false).output();
        Tensor ag = mg.forward(q.cuda(), q.cuda(), q.cuda(), null, false, mask.cuda(), true, false).output();
        assertClose("attention", ac, ag, 1e-4, 1e-5);
        assertTrue(ag.isCuda());
    }
    /**
     * The persistent LSTM kernels (one launch per layer and direction each way) against the CPU's per-step path:
     * odd hidden sizes that leave the last block part-filled, one and many steps, both directions, two layers,
     * initial states that need gradients, float32 and float64, and the bench's shape (H 128, batch 32, 64 steps).
     */
    @Test
    void lstmSequenceKernels() {
        // {seq, batch, input, hidden, layers, bidirectional}
        int[][] cases = {{1, 1, 3, 1, 1, 0}, {7, 3, 5, 33, 2, 1}, {5, 2, 4, 70, 1, 1}, {64, 32, 32, 128, 1, 0}};
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int[] c : cases) {
                int dirs = c[5] + 1;
                List<Tensor> params = new java.util.ArrayList<>();
                long seed = 40;
                for (int l = 0; l < c[4]; l++) {
                    for (int d = 0; d < dirs; d++) {
                        params.add(randn(seed++, dtype, 4L * c[3], l == 0 ? c[2] : (long) c[3] * dirs).mul(0.3));
                        params.add(randn(seed++, dtype, 4L * c[3], c[3]).mul(0.3));
                        params.add(randn(seed++, dtype, 4L * c[3]).mul(0.3));
                        params.add(randn(seed++, dtype, 4L * c[3]).mul(0.3));
                    }
                }
                Tensor[] inputs = new Tensor[3 + params.size()];
                inputs[0] = randn(1, dtype, c[0], c[1], c[2]);
                inputs[1] = randn(2, dtype, (long) c[4] * dirs, c[1], c[3]).mul(0.5);
                inputs[2] = randn(3, dtype, (long) c[4] * dirs, c[1], c[3]).mul(0.5);
                for (int i = 0; i < params.size(); i++) {
                    inputs[3 + i] = params.get(i);
                }
                double tol = dtype == DType.FLOAT64 ? 1e-9 : 2e-4;
                forwardBackward("lstm " + java.util.Arrays.toString(c) + " " + dtype, tol, tol, t -> {
                    Tensor[] r = dev.ember.nn.functional.Recurrent.run(dev.ember.nn.functional.Recurrent.Mode.LSTM,
                            t[0], new Tensor[] {t[1], t[2]}, java.util.Arrays.asList(t).subList(3, t.length), true,
                            c[4], 0.0, true, dirs == 2, false);
                    // one tensor of every output, so that h_n and c_n are checked and their gradients flow too
                    return Tensor.cat(List.of(r[0].reshape(-1), r[1].reshape(-1), r[2].reshape(-1)), 0);
                }, inputs);
            }
        }
    }
}
