package dev.ember.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.optim.lr.ExponentialLR;
import dev.ember.optim.lr.LRScheduler;
import dev.ember.optim.lr.ReduceLROnPlateau;
import dev.ember.optim.lr.StepLR;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The flat state dict: key scheme, round trips (save after 2 steps, load into a fresh optimizer, step both). */
class OptimizerStateDictTest {

    record Maker(String name, Function<List<List<Tensor>>, Optimizer<?>> make) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Each optimizer with every kind of state switched on, over two groups (the second with its own lr). */
    static Stream<Maker> makers() {
        return Stream.of(
                new Maker("SGD", g -> {
                    var o = new SGD(g.get(0), SGD.options().lr(0.1).momentum(0.9).nesterov(true));
                    o.addParamGroup(g.get(1), x -> x.lr(0.05));
                    return o;
                }),
                new Maker("Adam", g -> {
                    var o = new Adam(g.get(0), Adam.options().lr(0.01).amsgrad(true).weightDecay(0.1));
                    o.addParamGroup(g.get(1), x -> x.lr(0.02).betas(0.8, 0.9));
                    return o;
                }),
                new Maker("AdamW", g -> {
                    var o = new AdamW(g.get(0), AdamW.options().lr(0.05));
                    o.addParamGroup(g.get(1), x -> x.lr(0.1).amsgrad(true));
                    return o;
                }),
                new Maker("RMSprop", g -> {
                    var o = new RMSprop(g.get(0), RMSprop.options().momentum(0.5).centered(true));
                    o.addParamGroup(g.get(1), x -> x.lr(0.02).centered(false));
                    return o;
                }),
                new Maker("Adagrad", g -> {
                    var o = new Adagrad(g.get(0), Adagrad.options().lr(0.5).lrDecay(0.01).initialAccumulatorValue(0.1));
                    o.addParamGroup(g.get(1), x -> x.lr(1.0));
                    return o;
                }));
    }

    private static List<List<Tensor>> params(DType dtype, long seedShift) {
        List<Tensor> a = List.of(Tensor.of(dtype, new double[] {0.5, -1, 2, 0.25 + seedShift, -0.75, 1.5}, 2, 3)
                .requiresGrad(true), Tensor.of(dtype, new double[] {1, -2}, 2).requiresGrad(true));
        List<Tensor> b = List.of(Tensor.of(dtype, new double[] {-0.3, 0.8, 0.1}, 3).requiresGrad(true));
        return List.of(a, b);
    }

    private static List<Tensor> flat(List<List<Tensor>> groups) {
        List<Tensor> all = new ArrayList<>();
        groups.forEach(all::addAll);
        return all;
    }

    /** Deterministic gradients that differ per step and parameter. */
    private static void grads(List<Tensor> params, int step) {
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            double[] g = new double[(int) p.numel()];
            for (int k = 0; k < g.length; k++) {
                g[k] = Math.sin(1.3 * k + 0.7 * i + 2.1 * step) + 0.1 * step;
            }
            p.setGrad(Tensor.of(p.dtype(), g, p.shape()));
        }
    }

    @ParameterizedTest
    @MethodSource("makers")
    void roundTripContinuesIdentically(Maker maker) {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            List<List<Tensor>> groups = params(dtype, 0);
            List<Tensor> original = flat(groups);
            Optimizer<?> opt = maker.make().apply(groups);
            for (int step = 0; step < 2; step++) {
                grads(original, step);
                opt.step();
            }
            Map<String, Tensor> saved = opt.stateDict();

            // a fresh optimizer over copies of the current parameters, built with other hyperparameters: all of
            // them must come from the state dict
            List<List<Tensor>> copies = new ArrayList<>();
            for (List<Tensor> g : groups) {
                copies.add(g.stream().map(p -> p.detach().clone().requiresGrad(true)).toList());
            }
            Optimizer<?> fresh = maker.make().apply(copies);
            fresh.paramGroups().get(0).setLr(123.0);
            fresh.loadStateDict(saved);
            assertEquals(opt.paramGroups().get(0).lr(), fresh.paramGroups().get(0).lr());
            List<Tensor> resumed = flat(copies);
            for (int step = 2; step < 4; step++) {
                grads(original, step);
                grads(resumed, step);
                opt.step();
                fresh.step();
            }
            for (int i = 0; i < original.size(); i++) {
                assertArrayEquals(original.get(i).toDoubleArray(), resumed.get(i).toDoubleArray(),
                        maker + " " + dtype + ": param " + i + " after resuming");
            }
            assertEquals(opt.stateDict().keySet(), fresh.stateDict().keySet());
        }
    }

    @ParameterizedTest
    @MethodSource("makers")
    void stateLivesInTheParamDtypeAndKeysFollowTheScheme(Maker maker) {
        List<List<Tensor>> groups = params(DType.FLOAT64, 0);
        Optimizer<?> opt = maker.make().apply(groups);
        assertTrue(opt.stateDict().keySet().stream().noneMatch(k -> k.startsWith("state.")), "no state before a step");
        grads(flat(groups), 0);
        opt.step();
        Map<String, Tensor> sd = opt.stateDict();
        for (Map.Entry<String, Tensor> e : sd.entrySet()) {
            String k = e.getKey();
            Tensor t = e.getValue();
            if (k.endsWith(".step")) {
                assertEquals(DType.FLOAT32, t.dtype(), k);
                assertEquals(0, t.dim(), k);
                assertEquals(1.0, t.item(), k);
            } else if (k.startsWith("state.")) {
                int i = Integer.parseInt(k.split("\\.")[1]);
                assertEquals(DType.FLOAT64, t.dtype(), k);
                assertArrayEquals(flat(groups).get(i).shape(), t.shape(), k);
            } else if (k.endsWith(".params")) {
                assertEquals(DType.INT64, t.dtype(), k);
            } else {
                assertTrue(k.startsWith("param_groups."), k);
                assertEquals(DType.FLOAT64, t.dtype(), k);
                assertEquals(k.endsWith(".betas") ? 1 : 0, t.dim(), k);
            }
        }
        assertArrayEquals(new long[] {0, 1}, sd.get("param_groups.0.params").toLongArray());
        assertArrayEquals(new long[] {2}, sd.get("param_groups.1.params").toLongArray());
        assertEquals(opt.paramGroups().get(1).lr(), sd.get("param_groups.1.lr").item());
        assertTrue(sd.keySet().stream().anyMatch(k -> k.startsWith("state.2.")), "state of the second group's param");
    }

    @Test
    void loadedStateIsACopyConvertedToTheParamDtype() {
        Tensor p = Tensor.of(DType.FLOAT32, new double[] {1, 2}, 2).requiresGrad(true);
        SGD opt = new SGD(List.of(p), SGD.options().lr(0.1).momentum(0.9));
        Map<String, Tensor> sd = opt.stateDict();
        Tensor buffer = Tensor.of(DType.FLOAT64, new double[] {0.5, -0.5}, 2);
        sd.put("state.0.momentum_buffer", buffer);
        opt.loadStateDict(sd);
        Tensor loaded = opt.stateDict().get("state.0.momentum_buffer");
        assertEquals(DType.FLOAT32, loaded.dtype());
        buffer.filli(7.0);
        assertArrayEquals(new double[] {0.5, -0.5}, opt.stateDict().get("state.0.momentum_buffer").toDoubleArray());
        p.setGrad(Tensor.of(new double[] {1, 1}, 2));
        opt.step(); // b = 0.9 b + g = [1.45, 0.55]; p -= 0.1 b
        assertArrayEquals(new double[] {1 - 0.145, 2 - 0.055}, p.toDoubleArray(), 1e-6);
    }

    @Test
    void stepKeepsParametersLeavesAndSkipsMissingGrads() {
        Tensor a = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor b = Tensor.of(new double[] {3}, 1).requiresGrad(true);
        Adam opt = new Adam(List.of(a, b));
        a.mul(a).sum().backward();
        int version = b.version();
        opt.step();
        assertTrue(a.isLeaf() && a.requiresGrad() && a.gradFn() == null);
        assertNotEquals(1.0, a.toDoubleArray()[0]);
        assertEquals(version, b.version(), "b had no grad: untouched");
        assertTrue(opt.stateDict().keySet().stream().noneMatch(k -> k.startsWith("state.1.")));
        opt.zeroGrad();
        assertEquals(null, a.grad());
        a.mul(a).sum().backward();
        opt.zeroGrad(false);
        assertArrayEquals(new double[] {0, 0}, a.grad().toDoubleArray());
    }

    @Test
    void closureStepReturnsTheLoss() {
        Tensor x = Tensor.of(new double[] {3}, 1).requiresGrad(true);
        SGD opt = new SGD(List.of(x), 0.25);
        for (int i = 0; i < 20; i++) {
            Tensor loss = opt.step(() -> {
                opt.zeroGrad();
                Tensor l = x.mul(x).sum();
                l.backward();
                return l;
            });
            assertTrue(loss.item() >= 0);
        }
        assertTrue(Math.abs(x.item()) < 1e-5, "x -> 0 on x^2, got " + x.item());
    }

    @ParameterizedTest
    @MethodSource("makers")
    void everyOptimizerMinimisesAQuadratic(Maker maker) {
        List<List<Tensor>> groups = params(DType.FLOAT64, 0);
        List<Tensor> all = flat(groups);
        Optimizer<?> opt = maker.make().apply(groups);
        double first = Double.NaN;
        double last = Double.NaN;
        for (int i = 0; i < 200; i++) {
            opt.zeroGrad();
            Tensor loss = all.get(0).sub(1.0).pow(2.0).sum().add(all.get(1).pow(2.0).sum()).add(all.get(2).pow(2.0).sum());
            loss.backward();
            opt.step();
            if (i == 0) {
                first = loss.item();
            }
            last = loss.item();
        }
        assertTrue(last < first * 0.5, maker + ": loss " + first + " -> " + last);
    }

    @Test
    void schedulerStateRoundTripAndInitialLr() {
        Tensor p = Tensor.zeros(1).requiresGrad(true);
        SGD opt = new SGD(List.of(p), 1.0);
        StepLR s = new StepLR(opt, 2, 0.5);
        assertEquals(1.0, opt.paramGroups().get(0).initialLr().getAsDouble());
        for (int i = 0; i < 5; i++) {
            s.step();
        }
        assertEquals(0.25, opt.paramGroups().get(0).lr());
        Map<String, Tensor> optState = opt.stateDict();
        assertEquals(1.0, optState.get("param_groups.0.initial_lr").item());
        Map<String, Tensor> schedState = s.stateDict();

        // a second scheduler on the same optimizer starts from initial_lr, as in PyTorch
        LRScheduler other = new ExponentialLR(new SGD(List.of(Tensor.zeros(1).requiresGrad(true)), 1.0), 0.9);
        assertEquals(1.0, other.getLastLr()[0]);

        SGD opt2 = new SGD(List.of(Tensor.zeros(1).requiresGrad(true)), 7.0);
        StepLR s2 = new StepLR(opt2, 2, 0.5);
        opt2.loadStateDict(optState);
        s2.loadStateDict(schedState);
        for (int i = 0; i < 6; i++) {
            s.step();
            s2.step();
            assertArrayEquals(s.getLastLr(), s2.getLastLr());
            assertEquals(s.lastEpoch(), s2.lastEpoch());
        }
    }

    @Test
    void plateauStateRoundTrip() {
        SGD opt = new SGD(List.of(Tensor.zeros(1).requiresGrad(true)), 1.0);
        var plateau = new ReduceLROnPlateau(opt, ReduceLROnPlateau.options().patience(1));
        double[] metrics = {1, 0.5, 0.6, 0.7, 0.8, 0.9, 0.4, 0.5, 0.6, 0.7};
        for (int i = 0; i < 4; i++) {
            plateau.step(metrics[i]);
        }
        SGD opt2 = new SGD(List.of(Tensor.zeros(1).requiresGrad(true)), 1.0);
        var plateau2 = new ReduceLROnPlateau(opt2, ReduceLROnPlateau.options().patience(1));
        opt2.loadStateDict(opt.stateDict());
        plateau2.loadStateDict(plateau.stateDict());
        assertEquals(0.5, plateau2.best());
        for (int i = 4; i < metrics.length; i++) {
            plateau.step(metrics[i]);
            plateau2.step(Tensor.scalar(DType.FLOAT64, metrics[i]));
            assertArrayEquals(plateau.getLastLr(), plateau2.getLastLr(), 1e-7);
        }
        assertFalse(opt.paramGroups().get(0).lr() == 1.0, "the plateau cut the lr");
    }
}
