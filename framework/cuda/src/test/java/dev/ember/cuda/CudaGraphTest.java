package dev.ember.cuda;

import static dev.ember.cuda.GpuCheck.CUDA;
import static dev.ember.cuda.GpuCheck.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.backend.DeviceGraph;
import dev.ember.nn.BatchNorm1d;
import dev.ember.nn.Embedding;
import dev.ember.nn.GELU;
import dev.ember.nn.LSTM;
import dev.ember.nn.LayerNorm;
import dev.ember.nn.Linear;
import dev.ember.nn.Module;
import dev.ember.nn.ModuleList;
import dev.ember.nn.MultiheadAttention;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.nn.functional.F;
import dev.ember.optim.Adam;
import dev.ember.optim.AdamW;
import dev.ember.optim.Optimizer;
import dev.ember.optim.SGD;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * CUDA graphs ({@link DeviceGraph}): a captured training step, replayed on new data copied into its static
 * inputs, gives the eager steps' losses and parameters; what cannot be captured is refused with a clear message
 * and leaves the stream usable; the graph's memory stays private; device-side index checks report at the next
 * synchronisation, in eager code and in replays.
 */
@Tag("gpu")
class CudaGraphTest {

    @BeforeAll
    static void gpu() {
        GpuCheck.requireGpu();
    }

    /** A model, its optimizer, and its loss on (x, y). */
    private record Setup(Module model, Optimizer<?> opt, Function<Tensor[], Tensor> loss) {
    }

    /**
     * Two identical setups: one trained eagerly, one by replaying its captured step after copying each batch into
     * the captured inputs. Both run the same kernels, so losses and parameters agree to the bit ({@code tol} 0),
     * except where a kernel sums with atomics in no fixed order (embedding gradients of repeated indices): then
     * losses agree within a relative {@code tol} and parameters within {@code tol} absolute, since Adam turns the
     * last bits of a near-zero gradient into a step of the learning rate's size.
     */
    private static void replayMatchesEager(String what, Supplier<Setup> make, List<Tensor[]> batches, double tol) {
        Ember.manualSeed(11);
        Setup eager = make.get();
        Ember.manualSeed(11);
        Setup graphed = make.get();
        Tensor[] inputs = new Tensor[batches.get(0).length];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = batches.get(0)[i].clone(); // the graph's static inputs
        }
        for (int i = 0; i < 3; i++) { // warm-up, as in PyTorch: optimizer state exists before capture
            for (Setup s : new Setup[] {eager, graphed}) {
                s.opt().zeroGrad();
                s.loss().apply(batches.get(0)).backward();
                s.opt().step();
            }
        }
        graphed.opt().zeroGrad();
        Tensor[] loss = new Tensor[1];
        try (DeviceGraph g = DeviceGraph.capture(CUDA, () -> {
            loss[0] = graphed.loss().apply(inputs);
            loss[0].backward();
            graphed.opt().step();
        })) {
            for (int step = 1; step < batches.size(); step++) {
                Tensor[] b = batches.get(step);
                eager.opt().zeroGrad();
                Tensor l = eager.loss().apply(b);
                l.backward();
                eager.opt().step();
                for (int i = 0; i < inputs.length; i++) {
                    inputs[i].copyi(b[i]);
                }
                g.replay();
                double expected = l.item();
                assertEquals(expected, loss[0].item(), tol * Math.abs(expected), what + ": loss of step " + step);
            }
        }
        List<Tensor> pe = eager.model().parameters();
        List<Tensor> pg = graphed.model().parameters();
        for (int i = 0; i < pe.size(); i++) {
            double[] e = pe.get(i).toDoubleArray();
            double[] a = pg.get(i).toDoubleArray();
            for (int j = 0; j < e.length; j++) {
                assertEquals(e[j], a[j], tol, what + ": parameter " + i + " element " + j);
            }
        }
    }

    private static List<Tensor[]> batches(int count, Function<Integer, Tensor[]> batch) {
        List<Tensor[]> list = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(batch.apply(i));
        }
        return list;
    }

    private static Tensor classes(long seed, int n, int c) {
        Ember.manualSeed(seed);
        return Tensor.randint(0, c, n).cuda();
    }

    @Test
    void mlpStepsWithSgdAdamAndAdamW() {
        List<Tensor[]> data = batches(5, i -> new Tensor[] {randn(i, DType.FLOAT32, 64, 30).cuda(), classes(i, 64, 7)});
        Function<Module, Function<Tensor[], Tensor>> ce = m -> b -> F.crossEntropy(((Sequential) m).forward(b[0]), b[1]);
        Supplier<Module> mlp = () -> new Sequential(new Linear(30, 48), new ReLU(), new Linear(48, 7)).to(CUDA);
        replayMatchesEager("sgd momentum", () -> {
            Module m = mlp.get();
            return new Setup(m, new SGD(m.parameters(), SGD.options().lr(0.05).momentum(0.9)), ce.apply(m));
        }, data, 0.0);
        replayMatchesEager("adam capturable", () -> {
            Module m = mlp.get();
            return new Setup(m, new Adam(m.parameters(), Adam.options().lr(1e-2).capturable(true)), ce.apply(m));
        }, data, 0.0);
        replayMatchesEager("adamw capturable amsgrad", () -> {
            Module m = mlp.get();
            return new Setup(m, new AdamW(m.parameters(), AdamW.options().lr(1e-2).amsgrad(true).capturable(true)),
                    ce.apply(m));
        }, data, 0.0);
    }

    /**
     * A step whose products run on tensor cores (their operands packed into temporary buffers, allocated and freed
     * during the capture) and whose batch norm updates running statistics in its kernel, in both reduced precisions.
     */
    @Test
    void tensorCoreAndBatchNormStep() {
        List<Tensor[]> data = batches(4, i -> new Tensor[] {randn(50 + i, DType.FLOAT32, 64, 30).cuda(),
                classes(60 + i, 64, 7)});
        CudaGemm.tensorCoreMinFlops = 0;
        try {
            for (String precision : new String[] {"high", "medium"}) {
                Ember.setFloat32MatmulPrecision(precision);
                replayMatchesEager("tensor cores, " + precision, () -> {
                    Sequential m = new Sequential(new Linear(30, 48), new BatchNorm1d(48), new ReLU(),
                            new Linear(48, 7));
                    m.to(CUDA);
                    return new Setup(m, new Adam(m.parameters(), Adam.options().lr(1e-2).capturable(true)),
                            b -> F.crossEntropy(m.forward(b[0]), b[1]));
                }, data, 0.0);
            }
        } finally {
            CudaGemm.tensorCoreMinFlops = CudaGemm.TENSOR_CORE_MIN_FLOPS;
            Ember.setFloat32MatmulPrecision("highest");
        }
    }

    @Test
    void lstmStep() {
        List<Tensor[]> data = batches(4, i -> new Tensor[] {randn(10 + i, DType.FLOAT32, 8, 12, 5).cuda(),
                randn(20 + i, DType.FLOAT32, 8, 1).cuda()});
        replayMatchesEager("lstm", () -> {
            LSTM lstm = new LSTM(5, 16, 1, true, true, 0.0, false);
            Linear head = new Linear(16, 1);
            ModuleList m = new ModuleList(); // a container for parameters(); forward is below
            m.add(lstm);
            m.add(head);
            m.to(CUDA);
            return new Setup(m, new Adam(m.parameters(), Adam.options().lr(1e-2).capturable(true)),
                    b -> F.mseLoss(head.forward(lstm.forward(b[0]).output().select(1, -1)), b[1]));
        }, data, 0.0);
    }

    @Test
    void transformerStepWithEmbeddingsLayerNormGeluAndAttention() {
        int t = 9;
        double[] causal = new double[t * t];
        for (int i = 0; i < t; i++) {
            for (int j = i + 1; j < t; j++) {
                causal[i * t + j] = Double.NEGATIVE_INFINITY;
            }
        }
        Tensor mask = Tensor.of(causal, t, t).to(DType.FLOAT32).cuda();
        List<Tensor[]> data = batches(4, i -> new Tensor[] {classes(30 + i, 4 * t, 13).reshape(4, t),
                classes(40 + i, 4 * t, 13)});
        replayMatchesEager("transformer", () -> {
            Embedding tok = new Embedding(13, 16);
            LayerNorm ln = new LayerNorm(16);
            MultiheadAttention att = new MultiheadAttention(16, 2, 0.0, true, true);
            Sequential mlp = new Sequential(new Linear(16, 32), new GELU(), new Linear(32, 13));
            ModuleList m = new ModuleList();
            for (Module part : new Module[] {tok, ln, att, mlp}) {
                m.add(part);
            }
            m.to(CUDA);
            return new Setup(m, new AdamW(m.parameters(), AdamW.options().lr(3e-3).capturable(true)), b -> {
                Tensor x = tok.forward(b[0]);
                Tensor h = ln.forward(x);
                x = x.add(att.forward(h, h, h, null, false, mask).output());
                return F.crossEntropy(mlp.forward(x).reshape(-1, 13), b[1]);
            });
        }, data, 1e-4);
    }

    @Test
    void whatCannotBeCapturedIsRefusedAndTheStreamStaysUsable() {
        Tensor x = randn(1, DType.FLOAT32, 5, 5).cuda();
        IllegalStateException read = assertThrows(IllegalStateException.class,
                () -> DeviceGraph.capture(CUDA, () -> x.mul(2.0).sum().item()));
        assertTrue(read.getMessage().contains("reading a tensor to the host") && read.getMessage().contains("capture"),
                read.getMessage());
        IllegalStateException upload = assertThrows(IllegalStateException.class,
                () -> DeviceGraph.capture(CUDA, () -> Tensor.ones(5, 5).cuda()));
        assertTrue(upload.getMessage().contains("copying host data"), upload.getMessage());
        IllegalStateException reseed = assertThrows(IllegalStateException.class, () -> DeviceGraph.capture(CUDA, () -> {
            F.dropout(x, 0.5, true);
            Ember.manualSeed(5);
            F.dropout(x, 0.5, true);
        }));
        assertTrue(reseed.getMessage().contains("re-seeded"), reseed.getMessage());
        assertEquals(x.sum().item() * 3, x.mul(3.0).sum().item(), 1e-4, "eager work after failed captures");

        Linear lin = new Linear(5, 2);
        lin.to(CUDA);
        Adam plain = new Adam(lin.parameters(), Adam.options());
        IllegalStateException first = assertThrows(IllegalStateException.class, () -> DeviceGraph.capture(CUDA, () -> {
            lin.forward(x).sum().backward();
            plain.step();
        }));
        assertTrue(first.getMessage().contains("the first step"), first.getMessage());
        plain.zeroGrad();
        lin.forward(x).sum().backward();
        plain.step();
        plain.zeroGrad();
        IllegalStateException host = assertThrows(IllegalStateException.class, () -> DeviceGraph.capture(CUDA, () -> {
            lin.forward(x).sum().backward();
            plain.step();
        }));
        assertTrue(host.getMessage().contains("capturable(false)"), host.getMessage());
    }

    /**
     * Random numbers in a graph (dropout, randn) are new at every replay, and a replay after manualSeed(s) draws
     * exactly what the eager code draws after manualSeed(s): the kernels read seed and offset from the device.
     */
    @Test
    void randomNumbersInAGraphAreNewAtEveryReplayAndFollowTheSeed() {
        Tensor x = randn(3, DType.FLOAT32, 37, 11).cuda();
        Tensor[] out = new Tensor[2];
        Runnable work = () -> {
            out[0] = F.dropout(x, 0.3, true);
            out[1] = Tensor.randn(DType.FLOAT64, CUDA, 7, 9);
        };
        Ember.manualSeed(11);
        work.run();
        float[] eagerDrop = out[0].toFloatArray();
        double[] eagerNormal = out[1].toDoubleArray();
        work.run();
        float[] eagerDrop2 = out[0].toFloatArray();

        try (DeviceGraph g = DeviceGraph.capture(CUDA, work)) {
            Ember.manualSeed(11);
            g.replay();
            assertArrayEquals(eagerDrop, out[0].toFloatArray(), 0f, "first replay after manualSeed(11)");
            assertArrayEquals(eagerNormal, out[1].toDoubleArray(), 0.0);
            g.replay();
            assertArrayEquals(eagerDrop2, out[0].toFloatArray(), 0f, "second replay: the generator advanced");
            assertFalse(Arrays.equals(eagerDrop, eagerDrop2), "two eager draws differ");
        }
    }

    @Test
    void graphMemoryIsNotHandedToEagerTensors() {
        Tensor x = randn(2, DType.FLOAT32, 1000).cuda();
        Tensor[] y = new Tensor[1];
        try (DeviceGraph g = DeviceGraph.capture(CUDA, () -> y[0] = x.mul(2.0).add(1.0))) {
            List<Tensor> eager = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) { // same size class as the graph's temporaries and output
                eager.add(Tensor.full(7.0, 1000).cuda().mul(1.0));
            }
            g.replay();
            assertArrayEquals(x.mul(2.0).add(1.0).toFloatArray(), y[0].toFloatArray(), 0f);
            for (Tensor e : eager) {
                assertEquals(7000.0, e.sum().item(), 0.0, "an eager tensor was overwritten by the replay");
            }
        }
    }

    /**
     * A capture first gives the allocator's cache back to the driver, as PyTorch's {@code torch.cuda.graph} does: a
     * capture cannot use eager blocks, nor free memory while recording, so a cache filled by eager steps could
     * otherwise leave it nothing to allocate (a dry-run bench's capture failed so on the emulator).
     */
    @Test
    void captureGivesTheCacheBackToTheDriverFirst() {
        List<Tensor> held = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            held.add(Tensor.full(1.0, 1 << 16).cuda()); // 256 KB each
        }
        held.forEach(Tensor::close); // their blocks go to the cache
        long cached = Cuda.memoryReserved() - Cuda.memoryAllocated();
        assertTrue(cached >= 100L << 18, "100 closed blocks of 256 KB are cached: " + cached);
        Tensor x = randn(3, DType.FLOAT32, 1000).cuda();
        Tensor[] y = new Tensor[1];
        try (DeviceGraph g = DeviceGraph.capture(CUDA, () -> y[0] = x.mul(2.0))) {
            long after = Cuda.memoryReserved() - Cuda.memoryAllocated();
            assertTrue(after < 5L << 20, "the cache went back to the driver before the capture: " + after + " bytes");
            g.replay();
            assertArrayEquals(x.mul(2.0).toFloatArray(), y[0].toFloatArray(), 0f);
        }
    }

    /**
     * On a full device a capture fails with the allocator's out-of-memory report, the graph's random state included
     * (its 16 bytes come from the allocator, which collects garbage before it gives up), and leaves nothing behind:
     * once memory is free again the allocator is out of capture mode, the next capture works and nothing of the
     * failed one stays allocated. (The state was once a driver allocation made after capture mode began, and a
     * failure left every later allocation of the process in the dead capture's pool.)
     */
    @Test
    void aCaptureOnAFullDeviceFailsCleanly() {
        CudaRuntime r = CudaRuntime.get();
        Tensor x = randn(4, DType.FLOAT32, 100).cuda();
        r.allocator.freeForCapture(); // nothing cached that the capture could give back to the driver
        long allocated = Cuda.memoryAllocated();
        List<jcuda.driver.CUdeviceptr> fill = new java.util.ArrayList<>();
        try {
            for (long size = 1L << 30; size > 0; size >>= 4) { // driver allocations until not even 4 bytes fit
                while (true) {
                    try {
                        fill.add(r.driver.allocate(size));
                    } catch (jcuda.CudaException full) {
                        break;
                    }
                }
            }
            CudaOutOfMemoryException e = assertThrows(CudaOutOfMemoryException.class,
                    () -> DeviceGraph.capture(CUDA, () -> x.mul(2.0)));
            assertTrue(e.getMessage().startsWith("CUDA out of memory: tried to allocate 512 bytes"), e.getMessage());
        } finally {
            fill.forEach(r.driver::free);
        }
        assertFalse(r.capturing(), "the runtime left capture mode");
        assertTrue(Cuda.memoryAllocated() <= allocated, "the failed capture keeps nothing allocated: "
                + Cuda.memoryAllocated() + " bytes, " + allocated + " before");
        Tensor[] y = new Tensor[1];
        try (DeviceGraph g = DeviceGraph.capture(CUDA, () -> y[0] = x.mul(2.0))) {
            g.replay();
            assertArrayEquals(x.mul(2.0).toFloatArray(), y[0].toFloatArray(), 0f);
        }
    }

    @Test
    void badIndicesAreReportedAtTheNextSynchronisation() {
        Embedding emb = new Embedding(10, 4);
        emb.to(CUDA);
        Tensor bad = Tensor.of(new long[] {1, 50, 2}, 3).cuda();
        Tensor out = emb.forward(bad); // queued: nothing waits here
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> out.sum().item());
        assertTrue(e.getMessage().startsWith("embedding: index 50 is out of range for 10 embeddings"), e.getMessage());
        assertEquals(4, emb.forward(Tensor.of(new long[] {0}, 1).cuda()).numel(), "cleared after the report");
        emb.forward(Tensor.of(new long[] {9}, 1).cuda()).sum().item();

        // eager cross entropy: the loss kernel checks the targets itself, a negative one too; ignore_index passes
        Tensor logits = randnLike(Tensor.of(new long[] {0, 0}, 2));
        IllegalArgumentException neg = assertThrows(IllegalArgumentException.class,
                () -> F.crossEntropy(logits, Tensor.of(new long[] {0, -2}, 2).cuda()).item());
        assertTrue(neg.getMessage().startsWith("crossEntropy: target -2 is out of bounds for 3 classes"),
                neg.getMessage());
        assertEquals(Math.log(3), F.crossEntropy(logits, Tensor.of(new long[] {-100, 2}, 2).cuda()).item(), 1e-6);

        Tensor idx = Tensor.of(new long[] {0, 1}, 2).cuda();
        Tensor[] r = new Tensor[1];
        try (DeviceGraph g = DeviceGraph.capture(CUDA, () -> r[0] = F.crossEntropy(randnLike(idx), idx))) {
            g.replay();
            r[0].item();
            idx.copyi(Tensor.of(new long[] {0, 3}, 2));
            g.replay();
            IllegalArgumentException ce = assertThrows(IllegalArgumentException.class, () -> r[0].item());
            assertTrue(ce.getMessage().startsWith("crossEntropy: target 3 is out of bounds for 3 classes"),
                    ce.getMessage());
        }
    }

    /** (2, 3) logits on the GPU, created inside a capture without the host: zeros plus a device-side fill. */
    private static Tensor randnLike(Tensor idx) {
        return Tensor.zeros(DType.FLOAT32, CUDA, 2, 3).add(0.5);
    }
}
