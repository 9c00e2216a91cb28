package dev.ember.optim.lr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ember.optim.HasBetas;
import dev.ember.optim.HasMomentum;
import dev.ember.optim.OptimFixtures;
import dev.ember.optim.Optimizer;
import dev.ember.optim.ParamGroup;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Each scheduler's learning rates (and OneCycleLR's cycled momentum) over ~30 steps against PyTorch
 * (optim/schedulers.json from tools/make_optim_golden.py), with two parameter groups of different lr.
 */
class SchedulerGoldenTest {

    @TestFactory
    Stream<DynamicTest> schedulersMatchPyTorch() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement e : OptimFixtures.load("schedulers.json").getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> run(c)));
        }
        assertTrue(tests.size() >= 15, "expected the full fixture set, found " + tests.size());
        return tests.stream();
    }

    static Optimizer<?> optimizer(JsonObject c) {
        double[] lrs = OptimFixtures.doubles(c.getAsJsonArray("group_lrs"));
        Optimizer<?> opt = null;
        for (double lr : lrs) {
            JsonObject kw = c.getAsJsonObject("optimizer_options").deepCopy();
            kw.addProperty("lr", lr);
            List<Tensor> p = List.of(Tensor.zeros(2).requiresGrad(true));
            if (opt == null) {
                opt = OptimFixtures.build(c.get("optimizer").getAsString(), p, kw);
            } else {
                JsonObject lrOnly = new JsonObject();
                lrOnly.addProperty("lr", lr);
                OptimFixtures.addGroup(opt, p, lrOnly);
            }
        }
        return opt;
    }

    private static void run(JsonObject c) {
        String name = c.get("name").getAsString();
        Optimizer<?> opt = optimizer(c);
        JsonObject a = c.getAsJsonObject("args");
        JsonArray lrs = c.getAsJsonArray("lrs");
        JsonArray momenta = c.getAsJsonArray("momenta");
        int steps = c.get("steps").getAsInt();
        String kind = c.get("scheduler").getAsString();
        if (kind.equals("ReduceLROnPlateau")) {
            ReduceLROnPlateau s = new ReduceLROnPlateau(opt, plateauOptions(a));
            double[] metrics = OptimFixtures.doubles(c.getAsJsonArray("metrics"));
            check(name, 0, lrs, momenta, opt, s.getLastLr());
            for (int i = 0; i < steps; i++) {
                opt.step();
                s.step(metrics[i]);
                check(name, i + 1, lrs, momenta, opt, s.getLastLr());
            }
            return;
        }
        LRScheduler s = scheduler(kind, opt, a);
        check(name, 0, lrs, momenta, opt, s.getLastLr());
        for (int i = 0; i < steps; i++) {
            opt.step();
            s.step();
            check(name, i + 1, lrs, momenta, opt, s.getLastLr());
        }
        assertEquals(steps, s.lastEpoch());
    }

    static LRScheduler scheduler(String kind, Optimizer<?> opt, JsonObject a) {
        return switch (kind) {
            case "StepLR" -> a.has("gamma") ? new StepLR(opt, a.get("step_size").getAsInt(), a.get("gamma").getAsDouble())
                    : new StepLR(opt, a.get("step_size").getAsInt());
            case "MultiStepLR" -> {
                JsonArray m = a.getAsJsonArray("milestones");
                int[] ms = new int[m.size()];
                for (int i = 0; i < ms.length; i++) {
                    ms[i] = m.get(i).getAsInt();
                }
                yield new MultiStepLR(opt, ms, a.get("gamma").getAsDouble());
            }
            case "ExponentialLR" -> new ExponentialLR(opt, a.get("gamma").getAsDouble());
            case "CosineAnnealingLR" -> a.has("eta_min")
                    ? new CosineAnnealingLR(opt, a.get("T_max").getAsInt(), a.get("eta_min").getAsDouble())
                    : new CosineAnnealingLR(opt, a.get("T_max").getAsInt());
            case "LinearLR" -> a.has("start_factor")
                    ? new LinearLR(opt, a.get("start_factor").getAsDouble(), a.get("end_factor").getAsDouble(),
                            a.get("total_iters").getAsInt())
                    : new LinearLR(opt);
            case "OneCycleLR" -> oneCycle(opt, a);
            default -> throw new IllegalArgumentException("unknown scheduler " + kind);
        };
    }

    private static OneCycleLR oneCycle(Optimizer<?> opt, JsonObject a) {
        OneCycleLR.Options o = OneCycleLR.options();
        int total = a.get("total_steps").getAsInt();
        for (String k : a.keySet()) {
            JsonElement v = a.get(k);
            switch (k) {
                case "max_lr", "total_steps" -> { }
                case "pct_start" -> o.pctStart(v.getAsDouble());
                case "anneal_strategy" -> o.annealStrategy(OneCycleLR.AnnealStrategy.valueOf(v.getAsString().toUpperCase()));
                case "cycle_momentum" -> o.cycleMomentum(v.getAsBoolean());
                case "base_momentum" -> o.baseMomentum(v.getAsDouble());
                case "max_momentum" -> o.maxMomentum(v.getAsDouble());
                case "div_factor" -> o.divFactor(v.getAsDouble());
                case "final_div_factor" -> o.finalDivFactor(v.getAsDouble());
                case "three_phase" -> o.threePhase(v.getAsBoolean());
                default -> throw new IllegalArgumentException("OneCycleLR option " + k);
            }
        }
        JsonElement maxLr = a.get("max_lr");
        return maxLr.isJsonArray() ? new OneCycleLR(opt, OptimFixtures.doubles(maxLr.getAsJsonArray()), total, o)
                : new OneCycleLR(opt, maxLr.getAsDouble(), total, o);
    }

    private static ReduceLROnPlateau.Options plateauOptions(JsonObject a) {
        ReduceLROnPlateau.Options o = ReduceLROnPlateau.options();
        for (String k : a.keySet()) {
            JsonElement v = a.get(k);
            switch (k) {
                case "mode" -> o.mode(ReduceLROnPlateau.Mode.valueOf(v.getAsString().toUpperCase()));
                case "factor" -> o.factor(v.getAsDouble());
                case "patience" -> o.patience(v.getAsInt());
                case "threshold" -> o.threshold(v.getAsDouble());
                case "threshold_mode" -> o.thresholdMode(ReduceLROnPlateau.ThresholdMode.valueOf(v.getAsString().toUpperCase()));
                case "cooldown" -> o.cooldown(v.getAsInt());
                case "min_lr" -> o.minLr(v.isJsonArray() ? OptimFixtures.doubles(v.getAsJsonArray()) : new double[] {v.getAsDouble()});
                case "eps" -> o.eps(v.getAsDouble());
                default -> throw new IllegalArgumentException("ReduceLROnPlateau option " + k);
            }
        }
        return o;
    }

    private static void check(String name, int step, JsonArray lrs, JsonArray momenta, Optimizer<?> opt,
                              double[] lastLr) {
        double[] want = OptimFixtures.doubles(lrs.get(step).getAsJsonArray());
        List<? extends ParamGroup<?>> groups = opt.paramGroups();
        double[] got = new double[groups.size()];
        double[] mom = new double[groups.size()];
        for (int i = 0; i < got.length; i++) {
            got[i] = groups.get(i).lr();
            Object o = groups.get(i).options();
            mom[i] = o instanceof HasBetas b ? b.beta1() : o instanceof HasMomentum m ? m.momentum() : 0.0;
        }
        OptimFixtures.assertClose(name + " lr after step " + step, want, got, 1e-13);
        assertArrayEquals(got, lastLr, 0.0, name + ": getLastLr after step " + step);
        OptimFixtures.assertClose(name + " momentum after step " + step,
                OptimFixtures.doubles(momenta.get(step).getAsJsonArray()), mom, 1e-13);
    }
}
