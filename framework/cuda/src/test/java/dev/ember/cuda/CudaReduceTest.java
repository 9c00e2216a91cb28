package dev.ember.cuda;

import static dev.ember.cuda.GpuCheck.assertClose;
import static dev.ember.cuda.GpuCheck.forwardBackward;
import static dev.ember.cuda.GpuCheck.randn;

import dev.ember.Ember;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Reductions against the CPU backend: every op over single dims, several dims and everything. */
@Tag("gpu")
class CudaReduceTest {

    @BeforeAll
    static void gpu() {
        GpuCheck.requireGpu();
    }

    @Test
    void sumMeanMaxMinOverEveryDimOfAView() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = randn(1, dtype, 9, 7, 5);
            for (int d = -1; d < 3; d++) {
                int dim = d;
                forwardBackward("sum " + dim, t -> t[0].transpose(0, 1).sum(dim, false), x);
                forwardBackward("mean keepDim " + dim, t -> t[0].permute(2, 0, 1).mean(dim, true), x);
                forwardBackward("amax " + dim, t -> t[0].transpose(1, 2).amax(new int[] {dim}, false), x);
                forwardBackward("max " + dim, t -> t[0].max(dim, false), x);
                forwardBackward("min " + dim, t -> t[0].transpose(0, 2).min(dim, true), x);
                Tensor xs = x.transpose(0, 2);
                assertClose("argmax " + dim, xs.argmax(dim, false), xs.cuda().argmax(dim, false), 0, 0);
                assertClose("argmin " + dim, xs.argmin(dim, true), xs.cuda().argmin(dim, true), 0, 0);
            }
            forwardBackward("sum of dims 0 and 2", t -> t[0].sum(new int[] {0, 2}, false), x);
            forwardBackward("sum all", t -> t[0].sum(), x);
            forwardBackward("mean all", t -> t[0].transpose(0, 1).mean(), x);
            forwardBackward("var", t -> t[0].var(1, false), x);
            forwardBackward("logsumexp", t -> t[0].logsumexp(2, false), x);
        }
    }

    @Test
    void shapesOfTrainingWorkloads() {
        forwardBackward("bias gradient (64, 256) over rows", t -> t[0].sum(0, false), randn(2, DType.FLOAT32, 64, 256));
        forwardBackward("per-row sum (8192, 10)", t -> t[0].sum(1, false), randn(3, DType.FLOAT32, 8192, 10));
        forwardBackward("(4097, 3) over dim 0", t -> t[0].sum(0, true), randn(4, DType.FLOAT32, 4097, 3));
        Tensor big = randn(5, DType.FLOAT32, (1 << 22) + 3);
        assertClose("sum of 4M floats", big.sum(), big.cuda().sum(), 1e-5, 1e-2);
        assertClose("max of 4M floats", big.max(), big.cuda().max(), 0, 0);
        assertClose("argmax of 4M floats", big.argmax(), big.cuda().argmax(), 0, 0);
    }

    @Test
    void integerBoolAndNaN() {
        Ember.manualSeed(6);
        Tensor i = Tensor.randint(-100, 100, 13, 17);
        assertClose("int sum", i.sum(1, false), i.cuda().sum(1, false), 0, 0);
        assertClose("int max", i.amax(new int[] {0}, false), i.cuda().amax(new int[] {0}, false), 0, 0);
        assertClose("int argmin", i.argmin(1, false), i.cuda().argmin(1, false), 0, 0);
        Tensor b = i.gt(10);
        assertClose("bool sum counts", b.sum(0, false), b.cuda().sum(0, false), 0, 0);
        Tensor n = Tensor.of(new double[] {1, Double.NaN, 3, 7, 2, 7}, 2, 3);
        assertClose("max with NaN", n.amax(new int[] {1}, false), n.cuda().amax(new int[] {1}, false), 0, 0);
        assertClose("argmax with NaN and ties", n.argmax(1, false), n.cuda().argmax(1, false), 0, 0);
        Tensor ties = Tensor.of(new double[] {2, 5, 5, 1, 1, 0}, 2, 3);
        assertClose("first of equal maxima", ties.argmax(1, false), ties.cuda().argmax(1, false), 0, 0);
        assertClose("first of equal minima", ties.argmin(1, false), ties.cuda().argmin(1, false), 0, 0);
    }
}
