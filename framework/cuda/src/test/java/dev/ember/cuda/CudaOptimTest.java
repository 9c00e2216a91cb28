package dev.ember.cuda;

import static dev.ember.cuda.GpuCheck.CUDA;
import static dev.ember.cuda.GpuCheck.assertClose;
import static dev.ember.cuda.GpuCheck.randn;

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

/** The fused optimizer kernels: a few steps on the GPU give the CPU's parameters. */
@Tag("gpu")
class CudaOptimTest {

    @BeforeAll
    static void gpu() {
        GpuCheck.requireGpu();
    }

    private static void sameSteps(String what, Function<List<Tensor>, Optimizer> make) {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor pc = randn(1, dtype, 7, 13).requiresGrad(true);
            Tensor pg = pc.detach().cuda().requiresGrad(true);
            Optimizer oc = make.apply(List.of(pc));
            Optimizer og = make.apply(List.of(pg));
            for (int step = 0; step < 4; step++) {
                Tensor g = randn(10 + step, dtype, 7, 13);
                pc.setGrad(g);
                pg.setGrad(g.to(CUDA));
                oc.step();
                og.step();
            }
            double tol = dtype == DType.FLOAT64 ? 1e-12 : 1e-6;
            assertClose(what + " " + dtype, pc.detach(), pg.detach(), tol, tol);
        }
    }

    @Test
    void sgdVariants() {
        sameSteps("sgd", p -> new SGD(p, 0.1));
        sameSteps("sgd momentum nesterov decay", p -> new SGD(p, SGD.options().lr(0.05).momentum(0.9).nesterov(true)
                .weightDecay(1e-2)));
        sameSteps("sgd momentum dampening", p -> new SGD(p, SGD.options().lr(0.05).momentum(0.8).dampening(0.1)));
    }

    /**
     * Many parameters in one optimizer take the multi-tensor kernels (adam_multi, step_increment_multi,
     * sgd_multi): 30 of them (two launches of at most 24), sizes from 1 to past a block's run, a transposed
     * gradient; the CPU steps each parameter on its own.
     */
    private static void sameStepsMany(String what, Function<List<Tensor>, Optimizer> make) {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            List<Tensor> pc = new ArrayList<>();
            List<Tensor> pg = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                Tensor p = randn(100 + i, dtype, i == 3 ? 71 : 1 + i % 5, i == 3 ? 97 : 1 + 3 * i).requiresGrad(true);
                pc.add(p);
                pg.add(p.detach().cuda().requiresGrad(true));
            }
            Optimizer oc = make.apply(pc);
            Optimizer og = make.apply(pg);
            for (int step = 0; step < 4; step++) {
                for (int i = 0; i < pc.size(); i++) {
                    long[] shape = pc.get(i).shape();
                    Tensor gt = randn(1000 + 50 * step + i, dtype, shape[1], shape[0]);
                    pc.get(i).setGrad(gt.t().contiguous());
                    pg.get(i).setGrad(gt.cuda().t()); // a transposed view on the device
                }
                oc.step();
                og.step();
            }
            double tol = dtype == DType.FLOAT64 ? 1e-12 : 1e-6;
            for (int i = 0; i < pc.size(); i++) {
                assertClose(what + " " + dtype + " parameter " + i, pc.get(i).detach(), pg.get(i).detach(), tol, tol);
            }
        }
    }

    @Test
    void sgdOverManyParameters() {
        sameStepsMany("sgd", p -> new SGD(p, 0.1));
        sameStepsMany("sgd momentum nesterov decay maximize", p -> new SGD(p, SGD.options().lr(0.05).momentum(0.9)
                .nesterov(true).weightDecay(1e-2).maximize(true)));
        sameStepsMany("sgd momentum dampening", p -> new SGD(p, SGD.options().lr(0.05).momentum(0.8).dampening(0.1)));
    }

    @Test
    void adamOverManyParameters() {
        sameStepsMany("adam", p -> new Adam(p, Adam.options().lr(1e-2)));
        sameStepsMany("adam amsgrad decay", p -> new Adam(p, Adam.options().lr(1e-2).amsgrad(true).weightDecay(1e-2)));
        sameStepsMany("adamw capturable", p -> new AdamW(p, AdamW.options().lr(1e-2).capturable(true)));
        sameStepsMany("adamw maximize capturable amsgrad", p -> new AdamW(p, AdamW.options().lr(1e-2).maximize(true)
                .capturable(true).amsgrad(true)));
    }

    @Test
    void adamVariants() {
        sameSteps("adam", p -> new Adam(p, Adam.options().lr(1e-2)));
        sameSteps("adam amsgrad decay", p -> new Adam(p, Adam.options().lr(1e-2).amsgrad(true).weightDecay(1e-2)));
        sameSteps("adamw", p -> new AdamW(p, AdamW.options().lr(1e-2)));
        sameSteps("adamw maximize", p -> new AdamW(p, AdamW.options().lr(1e-2).maximize(true)));
    }
}
