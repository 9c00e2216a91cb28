package dev.ember.cuda;

import static dev.ember.cuda.GpuCheck.CUDA;
import static dev.ember.cuda.GpuCheck.assertClose;
import static dev.ember.cuda.GpuCheck.randn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.nn.Conv2d;
import dev.ember.nn.Flatten;
import dev.ember.nn.Linear;
import dev.ember.nn.MaxPool2d;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.nn.functional.F;
import dev.ember.optim.Adam;
import dev.ember.optim.Optimizer;
import dev.ember.optim.SGD;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The same training loop, unchanged, on the CPU and on CUDA: the losses agree step by step. */
@Tag("gpu")
class CudaTrainingTest {

    @BeforeAll
    static void gpu() {
        GpuCheck.requireGpu();
    }

    private static double[] train(Supplier<Sequential> make, Function<Sequential, Optimizer> opt, Tensor x, Tensor y,
                                  boolean cuda, int steps) {
        Ember.manualSeed(42);
        Sequential model = make.get();
        Optimizer o = opt.apply(model); // built before the move: module.to keeps the parameter objects
        Tensor p0 = model.parameters().get(0);
        if (cuda) {
            model.to(CUDA);
            assertSame(p0, model.parameters().get(0));
            assertTrue(p0.isCuda());
            x = x.cuda();
            y = y.cuda();
        }
        double[] losses = new double[steps];
        for (int i = 0; i < steps; i++) {
            o.zeroGrad();
            Tensor loss = F.crossEntropy(model.forward(x), y);
            loss.backward();
            o.step();
            losses[i] = loss.item();
        }
        return losses;
    }

    private static void agree(String what, double[] cpu, double[] gpu, double tol) {
        for (int i = 0; i < cpu.length; i++) {
            assertEquals(cpu[i], gpu[i], tol * Math.max(1, Math.abs(cpu[i])), what + " loss at step " + i);
        }
        assertTrue(cpu[cpu.length - 1] < cpu[0], what + " learns");
    }

    @Test
    void mlpWithSgdMomentum() {
        Tensor x = randn(1, DType.FLOAT32, 64, 20);
        Ember.manualSeed(2);
        Tensor y = Tensor.randint(0, 3, 64);
        Supplier<Sequential> mlp = () -> new Sequential(new Linear(20, 32), new ReLU(), new Linear(32, 3));
        Function<Sequential, Optimizer> sgd = m -> new SGD(m.parameters(), SGD.options().lr(0.1).momentum(0.9));
        agree("mlp", train(mlp, sgd, x, y, false, 20), train(mlp, sgd, x, y, true, 20), 1e-4);
    }

    @Test
    void smallConvNetWithAdam() {
        Tensor x = randn(3, DType.FLOAT32, 16, 1, 12, 12);
        Ember.manualSeed(4);
        Tensor y = Tensor.randint(0, 4, 16);
        Supplier<Sequential> cnn = () -> new Sequential(new Conv2d(1, 4, 3, 1, 1), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Linear(4 * 6 * 6, 4));
        Function<Sequential, Optimizer> adam = m -> new Adam(m.parameters(), Adam.options().lr(1e-2));
        agree("cnn", train(cnn, adam, x, y, false, 10), train(cnn, adam, x, y, true, 10), 1e-4);
    }

    @Test
    void stateDictsMoveBetweenDevices() {
        Ember.manualSeed(5);
        Sequential a = new Sequential(new Linear(4, 3));
        Sequential b = new Sequential(new Linear(4, 3));
        b.to(CUDA);
        b.loadStateDict(a.stateDict(), true);
        assertTrue(b.parameters().get(0).isCuda());
        assertClose("weight", a.parameters().get(0).detach(), b.parameters().get(0).detach(), 0, 0);
        b.to(dev.ember.tensor.Device.CPU);
        assertTrue(!b.parameters().get(0).isCuda());
    }
}
