package dev.ember.cuda;

import static dev.ember.cuda.GpuCheck.CUDA;
import static dev.ember.cuda.GpuCheck.randn;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ember.nn.Embedding;
import dev.ember.nn.LSTM;
import dev.ember.nn.LayerNorm;
import dev.ember.nn.Linear;
import dev.ember.nn.Module;
import dev.ember.nn.Layer;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.nn.functional.F;
import dev.ember.optim.Adam;
import dev.ember.optim.AdamW;
import dev.ember.optim.Optimizer;
import dev.ember.optim.SGD;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An optimizer step over a whole parameter group is one multi-tensor launch per 24 parameters (two with
 * capturable Adam: the step counts, then the update), not one or two per parameter: the launches are what an
 * eager step's host time and a replayed graph's kernel time are made of on small models.
 */
@Tag("gpu")
class LaunchCountTest {

    @BeforeAll
    static void gpu() {
        GpuCheck.requireGpu();
    }

    /** Launches of the optimizer's third step (the first ones create state) over {@code model}. */
    private static long stepLaunches(Sequential model, Function<List<Tensor>, Optimizer> make) {
        model.to(CUDA);
        Optimizer opt = make.apply(model.parameters());
        Tensor x = randn(1, DType.FLOAT32, 16, 784).cuda();
        Tensor y = Tensor.randint(0, 10, 16).cuda();
        long launches = 0;
        for (int step = 0; step < 3; step++) {
            opt.zeroGrad();
            F.crossEntropy(model.forward(x), y).backward();
            launches = launches(opt::step);
        }
        return launches;
    }

    /** Kernel launches while {@code work} runs. */
    private static long launches(Runnable work) {
        long before = CudaRuntime.get().kernels.launches();
        work.run();
        return CudaRuntime.get().kernels.launches() - before;
    }

    /** Device-to-device copies while {@code work} runs. */
    private static long copies(Runnable work) {
        long before = CudaRuntime.get().kernels.copies();
        work.run();
        return CudaRuntime.get().kernels.copies() - before;
    }

    private static Sequential mlp() {
        return new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 10));
    }

    /** 15 Linear layers: 30 parameters, two launches of at most 24. */
    private static Sequential deep() {
        List<Layer> layers = new ArrayList<>();
        layers.add(new Linear(784, 32));
        for (int i = 0; i < 13; i++) {
            layers.add(new Linear(32, 32));
        }
        layers.add(new Linear(32, 10));
        return new Sequential(layers.toArray(new Layer[0]));
    }

    @Test
    void optimizerStepsAreOneLaunchPerGroup() {
        assertEquals(1, stepLaunches(mlp(), p -> new SGD(p, 0.01)), "SGD over 4 parameters");
        assertEquals(1, stepLaunches(mlp(), p -> new SGD(p, SGD.options().lr(0.01).momentum(0.9))), "SGD momentum");
        assertEquals(1, stepLaunches(mlp(), p -> new Adam(p, Adam.options().lr(1e-3))), "Adam");
        assertEquals(2, stepLaunches(mlp(), p -> new AdamW(p, AdamW.options().lr(1e-3).capturable(true))),
                "capturable AdamW: step counts, then the update");
        assertEquals(2, stepLaunches(deep(), p -> new SGD(p, 0.01)), "SGD over 30 parameters");
        assertEquals(4, stepLaunches(deep(), p -> new Adam(p, Adam.options().lr(1e-3).capturable(true))),
                "capturable Adam over 30 parameters");
    }

    /**
     * A Linear layer's weight gradient is a new product (x^T g, computed in the weight's own layout): the weight
     * keeps that buffer as its grad, so a backward through the MLP copies nothing on the device.
     */
    @Test
    void linearWeightGradientsAreKeptWithoutCopies() {
        Sequential model = mlp();
        model.to(CUDA);
        Tensor x = randn(1, DType.FLOAT32, 16, 784).cuda();
        Tensor y = Tensor.randint(0, 10, 16).cuda();
        F.crossEntropy(model.forward(x), y).backward();
        for (Tensor p : model.parameters()) {
            p.setGrad(null);
        }
        assertEquals(0, copies(() -> F.crossEntropy(model.forward(x), y).backward()),
                "device copies in a forward and backward");
    }

    /**
     * Embedding, layer norm and LSTM nodes return new buffers as gradients (Node.freshGradients): their
     * parameters keep them, so a backward through all three copies nothing on the device.
     */
    @Test
    void fusedNodesHandTheirGradientsToTheParameters() {
        Embedding emb = new Embedding(20, 16);
        LayerNorm norm = new LayerNorm(new long[] {16});
        LSTM lstm = new LSTM(16, 8, 1, true, true, 0, false);
        for (Module m : new Module[] {emb, norm, lstm}) {
            m.to(CUDA);
        }
        // one time step: with more, the LSTM's backward copies h0 into the stack of previous states (a cat)
        Tensor idx = Tensor.randint(0, 20, 4, 1).cuda();
        for (int step = 0; step < 2; step++) {
            for (Module m : new Module[] {emb, norm, lstm}) {
                for (Tensor p : m.parameters()) {
                    p.setGrad(null);
                }
            }
            Tensor loss = lstm.forward(norm.forward(emb.forward(idx))).output().sum();
            assertEquals(0, copies(loss::backward), "device copies in backward");
        }
    }

    /** A convolution with a bias is im2col and one GEMM, which adds the bias per output channel. */
    @Test
    void conv2dWithBiasIsTwoLaunches() {
        Tensor x = randn(11, DType.FLOAT32, 8, 3, 12, 12).cuda();
        Tensor w = randn(12, DType.FLOAT32, 6, 3, 5, 5).cuda();
        Tensor b = randn(13, DType.FLOAT32, 6).cuda();
        assertEquals(2, launches(() -> F.conv2d(x, w, b)));
    }

    /**
     * An op with a Java number is one launch, on either side of the op: the number goes by value, or, with a
     * strided tensor, as a device scalar already in the tensor's dtype (cached after its first use).
     */
    @Test
    void opsWithANumberAreOneLaunch() {
        Tensor x = randn(14, DType.FLOAT32, 33, 5).cuda();
        x.t().mul(0.375);
        assertEquals(3, launches(() -> {
            x.mul(0.125);
            Tensor.scalar(DType.FLOAT64, 2).sub(x);
            x.t().mul(0.375);
        }));
    }

    /** F.linear with a bias is one GEMM launch: the bias is added in the kernel's epilogue. */
    @Test
    void linearWithBiasIsOneLaunch() {
        Tensor x = randn(4, DType.FLOAT32, 64, 784).cuda();
        Tensor w = randn(5, DType.FLOAT32, 256, 784).cuda();
        Tensor b = randn(6, DType.FLOAT32, 256).cuda();
        assertEquals(1, launches(() -> F.linear(x, w, b)));
    }

    /** Batch norm is one launch each way, and its leaves keep their gradients without copies. */
    @Test
    void batchNormIsOneLaunchEachWay() {
        Tensor x = randn(7, DType.FLOAT32, 16, 8, 5, 5).cuda().requiresGrad(true);
        Tensor w = randn(8, DType.FLOAT32, 8).cuda().requiresGrad(true);
        Tensor b = randn(9, DType.FLOAT32, 8).cuda().requiresGrad(true);
        Tensor rm = Tensor.zeros(8).cuda();
        Tensor rv = Tensor.ones(8).cuda();
        Tensor g = randn(10, DType.FLOAT32, 16, 8, 5, 5).cuda();
        Tensor[] y = new Tensor[1];
        assertEquals(1, launches(() -> y[0] = F.batchNorm(x, rm, rv, w, b, true, 0.1, 1e-5)), "forward");
        long[] copies = new long[1];
        assertEquals(1, launches(() -> copies[0] = copies(() -> y[0].backward(g))), "backward");
        assertEquals(0, copies[0], "copies in backward");
    }

    /**
     * Cross entropy on the device: the log-softmax and the loss going forward (loss.cu sums in the kernel and
     * range-checks the targets there), the gradient in one kernel going back, seeded with a cached 1 (the composite
     * took about twenty).
     */
    @Test
    void crossEntropyIsTwoLaunchesForwardAndOneBack() {
        Tensor x = randn(2, DType.FLOAT32, 64, 10).cuda().requiresGrad(true);
        Tensor y = Tensor.randint(0, 10, 64).cuda();
        F.crossEntropy(x, y).backward(); // first use: nothing left to set up
        Tensor[] loss = new Tensor[1];
        assertEquals(2, launches(() -> loss[0] = F.crossEntropy(x, y)), "forward");
        x.setGrad(null);
        assertEquals(1, launches(() -> loss[0].backward()), "backward: one kernel for the gradient (the seed is a "
                + "cached 1, not a fill)");
    }
}
