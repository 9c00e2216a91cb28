package dev.ember.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ember.autograd.Autograd;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The fused SGD and Adam/AdamW kernels against the composite updates they replace (the same optimizer with
 * {@code fused} off): for every option that changes the arithmetic, several steps with changing gradients, odd
 * parameter sizes (vector tails), both float dtypes. The kernels do the composite's operations in its order, so
 * parameters and state must agree bit for bit.
 */
class FusedOptimizerTest {

    private static Tensor random(DType dtype, SplittableRandom rnd, long... shape) {
        int n = 1;
        for (long s : shape) {
            n *= (int) s;
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextGaussian();
        }
        return Tensor.of(dtype, v, shape);
    }

    /** Runs 4 steps on two copies of the same parameters, fused and composite, and compares everything. */
    private static void compare(String what, DType dtype, Function<List<Tensor>, Optimizer<?>> make) {
        compare(what, dtype, make, make);
    }

    /**
     * 4 steps of {@code make} (fused where it can) against {@code makePlain} with the composite, on copies of the
     * same parameters; everything but the hyperparameter {@code capturable} must agree bit for bit.
     */
    private static void compare(String what, DType dtype, Function<List<Tensor>, Optimizer<?>> make,
                                Function<List<Tensor>, Optimizer<?>> makePlain) {
        SplittableRandom rnd = new SplittableRandom(what.hashCode());
        long[][] shapes = {{1}, {37}, {5, 33}, {16}};
        List<Tensor> fusedParams = new java.util.ArrayList<>();
        List<Tensor> plainParams = new java.util.ArrayList<>();
        for (long[] s : shapes) {
            Tensor p = random(dtype, rnd, s);
            fusedParams.add(p.clone().requiresGrad(true));
            plainParams.add(p.clone().requiresGrad(true));
        }
        Optimizer<?> fused = make.apply(fusedParams);
        Optimizer<?> plain = makePlain.apply(plainParams);
        setFused(plain, false);
        for (int step = 0; step < 4; step++) {
            for (int i = 0; i < shapes.length; i++) {
                Tensor g = random(dtype, rnd, shapes[i]);
                fusedParams.get(i).setGrad(g.clone());
                plainParams.get(i).setGrad(g.clone());
            }
            fused.step();
            plain.step();
            for (int i = 0; i < shapes.length; i++) {
                assertArrayEquals(plainParams.get(i).toDoubleArray(), fusedParams.get(i).toDoubleArray(), 0.0,
                        what + " " + dtype + ": parameter " + i + " after step " + (step + 1));
            }
        }
        Map<String, Tensor> a = plain.stateDict();
        Map<String, Tensor> b = fused.stateDict();
        assertEquals(a.keySet(), b.keySet(), what);
        for (String k : a.keySet()) {
            if (k.endsWith(".capturable")) {
                continue;
            }
            assertArrayEquals(a.get(k).toDoubleArray(), b.get(k).toDoubleArray(), 0.0, what + " state " + k);
        }
    }

    private static void setFused(Optimizer<?> opt, boolean on) {
        if (opt instanceof Adam adam) {
            adam.fused = on;
        } else if (opt instanceof SGD sgd) {
            sgd.fused = on;
        }
    }

    @Test
    void sgdFusedEqualsComposite() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            compare("sgd", dtype, p -> new SGD(p, 0.1));
            compare("sgd momentum", dtype, p -> new SGD(p, SGD.options().lr(0.05).momentum(0.9)));
            compare("sgd dampening decay", dtype, p -> new SGD(p, SGD.options().lr(0.05).momentum(0.8)
                    .dampening(0.3).weightDecay(0.01)));
            compare("sgd nesterov maximize", dtype, p -> new SGD(p, SGD.options().lr(0.05).momentum(0.9)
                    .nesterov(true).maximize(true).weightDecay(1e-3)));
        }
    }

    @Test
    void adamFusedEqualsComposite() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            compare("adam", dtype, p -> new Adam(p));
            compare("adam decay amsgrad", dtype, p -> new Adam(p, Adam.options().lr(0.01).weightDecay(0.1)
                    .amsgrad(true)));
            compare("adam maximize betas eps", dtype, p -> new Adam(p, Adam.options().lr(0.02).betas(0.8, 0.99)
                    .eps(1e-6).maximize(true)));
            compare("adamw", dtype, p -> new AdamW(p));
            compare("adamw amsgrad", dtype, p -> new AdamW(p, AdamW.options().lr(0.03).amsgrad(true)));
        }
    }

    /**
     * Adam's capturable mode keeps t on the parameter's device and computes the bias corrections with 0-dim
     * tensor ops (the CPU has no kernel for it): the same arithmetic as the host composite, so the same bits.
     */
    @Test
    void adamCapturableEqualsTheHostCount() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            compare("capturable adam", dtype, p -> new Adam(p, Adam.options().lr(0.01).capturable(true)),
                    p -> new Adam(p, Adam.options().lr(0.01)));
            compare("capturable adam decay amsgrad maximize", dtype, p -> new Adam(p, Adam.options().lr(0.01)
                    .weightDecay(0.1).amsgrad(true).maximize(true).capturable(true)), p -> new Adam(p,
                    Adam.options().lr(0.01).weightDecay(0.1).amsgrad(true).maximize(true)));
            compare("capturable adamw", dtype, p -> new AdamW(p, AdamW.options().lr(0.03).capturable(true)),
                    p -> new AdamW(p, AdamW.options().lr(0.03)));
        }
    }

    /** The device count survives a state dict, and switching capturable off brings it back to the host. */
    @Test
    void adamCapturableStepCountRoundTrips() {
        Tensor p = Tensor.of(DType.FLOAT64, new double[] {1, -2, 3}, 3).requiresGrad(true);
        Adam a = new Adam(List.of(p), Adam.options().lr(0.1).capturable(true));
        for (int i = 0; i < 3; i++) {
            p.setGrad(Tensor.of(DType.FLOAT64, new double[] {0.5, i, -1}, 3));
            a.step();
        }
        Map<String, Tensor> sd = a.stateDict();
        assertEquals(3.0, sd.get("state.0.step").item(), 0.0);
        assertEquals(1.0, sd.get("param_groups.0.capturable").item(), 0.0);
        Tensor q = p.detach().clone().requiresGrad(true);
        Adam b = new Adam(List.of(q), Adam.options().lr(0.1));
        b.loadStateDict(sd);
        assertEquals(true, b.paramGroups().get(0).options().capturable());
        b.paramGroups().get(0).options().capturable(false);
        Tensor g = Tensor.of(DType.FLOAT64, new double[] {1, 1, 1}, 3);
        p.setGrad(g.clone());
        a.step();
        q.setGrad(g.clone());
        b.step();
        assertArrayEquals(p.toDoubleArray(), q.toDoubleArray(), 0.0);
        assertEquals(4.0, b.stateDict().get("state.0.step").item(), 0.0);
    }

    @Test
    void nonContiguousStateFallsBackToTheComposite() {
        // a parameter that is a transposed view: the fused kernel declines and the composite updates it
        Tensor base = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor p;
        try (var ignored = Autograd.noGrad()) {
            p = base.t();
        }
        p.requiresGrad(true);
        p.setGrad(Tensor.ones(DType.FLOAT64, 3, 2));
        new SGD(List.of(p), 0.5).step();
        assertArrayEquals(new double[] {0.5, 3.5, 1.5, 4.5, 2.5, 5.5}, p.toDoubleArray(), 0.0);
    }
}
