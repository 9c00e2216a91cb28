package dev.ember.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.backend.cpu.EmulatedDevice;
import dev.ember.nn.AdaptiveAvgPool2d;
import dev.ember.nn.BatchNorm2d;
import dev.ember.nn.Conv2d;
import dev.ember.nn.Dropout;
import dev.ember.nn.Embedding;
import dev.ember.nn.Flatten;
import dev.ember.nn.GRU;
import dev.ember.nn.GroupNorm;
import dev.ember.nn.LSTM;
import dev.ember.nn.LayerNorm;
import dev.ember.nn.Linear;
import dev.ember.nn.MaxPool2d;
import dev.ember.nn.Module;
import dev.ember.nn.MultiheadAttention;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.nn.TransformerEncoderLayer;
import dev.ember.nn.functional.F;
import dev.ember.optim.Adam;
import dev.ember.optim.Optimizer;
import dev.ember.optim.SGD;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The device plumbing, on a "cuda" device emulated with the CPU's kernels ({@link EmulatedDevice}): moves,
 * gradients across devices, mixed-device errors, and every kind of layer and optimizer giving the CPU's bits when
 * the model lives on the device. A tensor that nn code creates on the CPU by mistake meets a {@code cuda:0} tensor
 * there and fails. (The real CUDA backend's kernels are tested against the CPU in ember-cuda's GPU tests.)
 */
class DevicePlumbingTest {
    private static final Device CUDA = EmulatedDevice.DEVICE;
    private static AutoCloseable device;

    @BeforeAll
    static void install() {
        device = EmulatedDevice.install();
    }

    @AfterAll
    static void remove() throws Exception {
        device.close();
    }

    @Test
    void movesAndGradientsAcrossDevices() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        Tensor g = x.cuda();
        assertEquals(CUDA, g.device());
        assertTrue(g.isCuda());
        assertSame(g, g.to(CUDA));
        assertArrayEquals(x.toDoubleArray(), g.cpu().toDoubleArray());
        assertArrayEquals(x.t().toDoubleArray(), x.t().cuda().toDoubleArray(), "a transposed view moves by value");
        g.mul(3).sum().backward();
        assertEquals(Device.CPU, x.grad().device());
        assertArrayEquals(new double[] {3, 3, 3, 3, 3, 3}, x.grad().toDoubleArray());
        assertEquals(CUDA, Tensor.zerosLike(g).device());
        assertEquals(CUDA, Tensor.randLike(g).device());
        assertEquals(CUDA, g.newFull(2, 4).device());
        assertEquals("tensor([1., 2.], device='cuda:0')", Tensor.of(new double[] {1, 2}, 2).cuda().toString());
    }

    @Test
    void onlyCpuScalarsMixWithDeviceTensors() {
        Tensor g = Tensor.ones(3).cuda();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.add(Tensor.ones(3)));
        assertTrue(e.getMessage().contains("add") && e.getMessage().contains("cpu") && e.getMessage().contains("cuda:0"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> g.reshape(1, 3).matmul(Tensor.ones(3, 1)));
        Tensor s = g.add(Tensor.scalar(2)).mul(3.0);
        assertEquals(CUDA, s.device());
        assertArrayEquals(new double[] {9, 9, 9}, s.toDoubleArray());
        assertEquals(CUDA, g.addi(1.0).device());
        Tensor h = Tensor.zeros(DType.FLOAT32, CUDA, 3);
        h.copyi(Tensor.of(new double[] {1, 2, 3}, 3)); // copy_ crosses devices
        assertArrayEquals(new double[] {1, 2, 3}, h.toDoubleArray());
        Tensor p = Tensor.ones(2).cuda().requiresGrad(true);
        assertThrows(IllegalArgumentException.class, () -> p.setGrad(Tensor.ones(2)));
    }

    /**
     * Builds the model twice from the same seed, one copy moved to the device, runs {@code loss} and a few optimizer
     * steps on each, and requires the same losses and gradients bit for bit.
     */
    private static void sameOnTheDevice(String what, Supplier<Module> make, BiFunction<Module, Device, Tensor> loss,
                                        boolean adam) {
        double[][] losses = new double[2][];
        Map<String, Tensor>[] grads = new Map[2];
        for (int side = 0; side < 2; side++) {
            Device d = side == 0 ? Device.CPU : CUDA;
            Ember.manualSeed(1);
            Module m = make.get();
            Optimizer<?> o = adam ? new Adam(m.parameters(), Adam.options().lr(1e-2))
                    : new SGD(m.parameters(), SGD.options().lr(0.05).momentum(0.9));
            m.to(d); // after the optimizer: parameters keep their identity
            losses[side] = new double[3];
            for (int step = 0; step < 3; step++) {
                Ember.manualSeed(100 + step); // same inputs and dropout masks on both sides
                o.zeroGrad();
                Tensor l = loss.apply(m, d);
                assertEquals(d, l.device(), what + ": loss device");
                l.backward();
                o.step();
                losses[side][step] = l.item();
            }
            grads[side] = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
                assertEquals(d, e.getValue().device(), what + ": " + e.getKey());
                grads[side].put(e.getKey(), e.getValue().grad());
            }
        }
        assertArrayEquals(losses[0], losses[1], 0, what + ": losses");
        for (String k : grads[0].keySet()) {
            Tensor a = grads[0].get(k);
            Tensor b = grads[1].get(k);
            if (a != null) {
                assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 0, what + ": gradient of " + k);
            }
        }
    }

    private static Tensor input(Device d, long... shape) {
        return Tensor.randn(shape).to(d);
    }

    private static Tensor classes(Device d, long n, long c) {
        return Tensor.randint(0, c, n).to(d);
    }

    @Test
    void convolutionalNetWithBatchNormAndPools() {
        sameOnTheDevice("cnn", () -> new Sequential(new Conv2d(2, 4, 3, 1, 1), new BatchNorm2d(4), new ReLU(),
                        new MaxPool2d(2), new Conv2d(4, 4, 3), new GroupNorm(2, 4), new AdaptiveAvgPool2d(2),
                        new Flatten(), new Dropout(0.3), new Linear(16, 3)),
                (m, d) -> F.crossEntropy(((Sequential) m).forward(input(d, 5, 2, 9, 9)), classes(d, 5, 3)), true);
        sameOnTheDevice("avg pool and padding", () -> new Sequential(new Conv2d(1, 2, 3), new Flatten(), new Linear(18, 2)),
                (m, d) -> {
                    Tensor x = F.pad(input(d, 2, 1, 5, 5), new long[] {1, 1, 0, 0}, "reflect");
                    x = F.avgPool2d(x, new long[] {2, 2}, new long[] {1, 1}, new long[] {1, 1}, true, false, null);
                    return ((Sequential) m).forward(x.narrow(3, 0, 5).narrow(2, 0, 5)).pow(2).mean();
                }, false);
    }

    @Test
    void recurrentNets() {
        sameOnTheDevice("lstm", () -> new Sequential(new Linear(3, 3)), (m, d) -> {
            Ember.manualSeed(7);
            LSTM lstm = new LSTM(3, 5, 2, true, true, 0, false);
            lstm.to(d);
            Tensor out = lstm.forward(((Sequential) m).forward(input(d, 2, 4, 3))).output();
            return out.select(1, -1).pow(2).sum();
        }, true);
        sameOnTheDevice("gru", () -> new Sequential(new Linear(3, 3)), (m, d) -> {
            Ember.manualSeed(8);
            GRU gru = new GRU(3, 4, 1, true, false, 0, true);
            gru.to(d);
            return gru.forward(((Sequential) m).forward(input(d, 4, 2, 3))).output().pow(2).mean();
        }, false);
    }

    @Test
    void attentionTransformerAndEmbeddings() {
        sameOnTheDevice("transformer", () -> new Sequential(new Linear(8, 8)), (m, d) -> {
            Ember.manualSeed(9);
            TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2, 16, 0.1);
            layer.to(d);
            Tensor x = ((Sequential) m).forward(input(d, 5, 2, 8));
            return layer.forward(x, null, null, true).pow(2).mean();
        }, true);
        sameOnTheDevice("attention with masks", () -> new Sequential(new Linear(8, 8)), (m, d) -> {
            Ember.manualSeed(10);
            MultiheadAttention mha = new MultiheadAttention(8, 2);
            mha.to(d);
            Tensor q = ((Sequential) m).forward(input(d, 4, 3, 8));
            Tensor pad = Tensor.of(new boolean[] {false, false, false, true, false, false, false, false, false, true,
                false, false}, 3, 4).to(d);
            Tensor mask = dev.ember.nn.functional.Attention.generateSquareSubsequentMask(4, DType.FLOAT32).to(d);
            return mha.forward(q, q, q, pad, false, mask).output().pow(2).mean();
        }, false);
        sameOnTheDevice("embedding, one-hot, layer norm, gelu", () -> new Sequential(new Embedding(10, 6), new LayerNorm(6)),
                (m, d) -> {
                    Tensor idx = Tensor.randint(0, 10, 4, 3).to(d);
                    Tensor e = F.gelu(((Sequential) m).forward(idx));
                    return e.sum(-1, false).add(F.oneHot(idx, 10).sum(-1, false).toFloat()).pow(2).mean();
                }, true);
    }

    @Test
    void optimizerStateLoadsOntoItsParametersDevice() {
        Ember.manualSeed(3);
        Linear cpu = new Linear(4, 2);
        Adam a = new Adam(cpu.parameters());
        F.mseLoss(cpu.forward(Tensor.randn(3, 4)), Tensor.randn(3, 2)).backward();
        a.step();
        Linear dev = new Linear(4, 2);
        dev.to(CUDA);
        dev.loadStateDict(cpu.stateDict(), true);
        Adam b = new Adam(dev.parameters());
        b.loadStateDict(a.stateDict());
        F.mseLoss(dev.forward(Tensor.randn(3, 4).to(CUDA)), Tensor.randn(3, 2).to(CUDA)).backward();
        b.step(); // would fail with mixed devices if the loaded moments stayed on the CPU
        assertEquals(List.of(CUDA, CUDA), dev.parameters().stream().map(Tensor::device).toList());
    }
}
