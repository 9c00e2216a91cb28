package dev.ember.optim;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ember.optim.lr.LinearLR;
import dev.ember.optim.lr.OneCycleLR;
import dev.ember.optim.lr.ReduceLROnPlateau;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad hyperparameters and misuse give PyTorch's message (from optim/errors.json), prefixed with the optimizer's
 * or scheduler's name, as IllegalArgumentException.
 */
class OptimizerErrorsTest {
    private static JsonObject fixtures;

    private static JsonObject fixtures() throws Exception {
        if (fixtures == null) {
            fixtures = OptimFixtures.load("errors.json");
        }
        return fixtures;
    }

    private static List<Tensor> params() {
        return List.of(Tensor.zeros(2).requiresGrad(true));
    }

    private static <E extends Throwable> void expect(Class<E> type, String prefix, String pytorchMessage,
                                                     Executable run) {
        E e = assertThrows(type, run);
        String want = pytorchMessage.endsWith(".") ? pytorchMessage.substring(0, pytorchMessage.length() - 1)
                : pytorchMessage;
        assertTrue(e.getMessage().startsWith(prefix + ": "), "message should name " + prefix + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(want), "expected PyTorch's \"" + want + "\" in: " + e.getMessage());
    }

    private static String other(String key) throws Exception {
        return fixtures().getAsJsonObject("other").get(key).getAsString();
    }

    @TestFactory
    Stream<DynamicTest> badHyperparametersGivePyTorchsMessage() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement e : fixtures().getAsJsonArray("optimizers")) {
            JsonObject c = e.getAsJsonObject();
            String optimizer = c.get("optimizer").getAsString();
            JsonObject kw = c.getAsJsonObject("options");
            if (optimizer.equals("SGD") && !kw.has("lr")) {
                kw.addProperty("lr", 0.1);
            }
            tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> expect(IllegalArgumentException.class,
                    optimizer, c.get("message").getAsString(), () -> OptimFixtures.build(optimizer, params(), kw))));
        }
        assertTrue(tests.size() >= 20);
        return tests.stream();
    }

    @Test
    void groupOverridesAreValidatedToo() {
        SGD sgd = new SGD(params(), 0.1);
        expect(IllegalArgumentException.class, "SGD", "Invalid learning rate: -1.0",
                () -> sgd.addParamGroup(params(), o -> o.lr(-1.0)));
        expect(IllegalArgumentException.class, "SGD", "lr is required", () -> new SGD(params(), SGD.options()));
    }

    @Test
    void badParameterLists() throws Exception {
        expect(IllegalArgumentException.class, "SGD", other("empty_params"), () -> new SGD(List.of(), 0.1));
        Tensor leaf = Tensor.zeros(2).requiresGrad(true);
        expect(IllegalArgumentException.class, "Adam", other("non_leaf"), () -> new Adam(List.of(leaf.mul(2.0))));
        List<Tensor> p = params();
        SGD sgd = new SGD(p, 0.1);
        expect(IllegalArgumentException.class, "SGD", other("duplicate_param_across_groups"),
                () -> sgd.addParamGroup(p));
        expect(IllegalArgumentException.class, "Adam", "floating point",
                () -> new Adam(List.of(Tensor.of(new long[] {1, 2}, 2))));
    }

    @Test
    void loadStateDictChecksGroups() throws Exception {
        List<Tensor> a = params();
        SGD one = new SGD(a, 0.1);
        SGD two = new SGD(params(), 0.1);
        two.addParamGroup(List.of(Tensor.zeros(1).requiresGrad(true)));
        expect(IllegalArgumentException.class, "SGD.loadStateDict", other("load_group_count"),
                () -> one.loadStateDict(two.stateDict()));
        SGD bigger = new SGD(List.of(Tensor.zeros(2).requiresGrad(true), Tensor.zeros(1).requiresGrad(true)), 0.1);
        expect(IllegalArgumentException.class, "SGD.loadStateDict", other("load_group_size"),
                () -> one.loadStateDict(bigger.stateDict()));
    }

    @Test
    void loadStateDictChecksEntries() {
        Tensor p = Tensor.zeros(2, 3).requiresGrad(true);
        Adam adam = new Adam(List.of(p));
        p.setGrad(Tensor.ones(2, 3));
        adam.step();
        Map<String, Tensor> good = adam.stateDict();

        Map<String, Tensor> wrongShape = new java.util.LinkedHashMap<>(good);
        wrongShape.put("state.0.exp_avg", Tensor.zeros(3, 2));
        expect(IllegalArgumentException.class, "Adam.loadStateDict", "state.0.exp_avg has shape [3, 2] but parameter "
                + "has shape [2, 3]", () -> new Adam(List.of(Tensor.zeros(2, 3).requiresGrad(true)))
                .loadStateDict(wrongShape));

        Map<String, Tensor> missing = new java.util.LinkedHashMap<>(good);
        missing.remove("state.0.exp_avg_sq");
        expect(IllegalArgumentException.class, "Adam.loadStateDict", "missing state 'exp_avg_sq'",
                () -> new Adam(List.of(Tensor.zeros(2, 3).requiresGrad(true))).loadStateDict(missing));

        Map<String, Tensor> noHyper = new java.util.LinkedHashMap<>(good);
        noHyper.remove("param_groups.0.betas");
        expect(IllegalArgumentException.class, "Adam.loadStateDict", "missing hyperparameter 'betas'",
                () -> new Adam(List.of(Tensor.zeros(2, 3).requiresGrad(true))).loadStateDict(noHyper));

        Map<String, Tensor> unknown = new java.util.LinkedHashMap<>(good);
        unknown.put("optimizer.lr", Tensor.scalar(0.1));
        expect(IllegalArgumentException.class, "Adam.loadStateDict", "unexpected key 'optimizer.lr'",
                () -> new Adam(List.of(Tensor.zeros(2, 3).requiresGrad(true))).loadStateDict(unknown));

        Map<String, Tensor> outOfRange = new java.util.LinkedHashMap<>(good);
        outOfRange.put("state.5.exp_avg", Tensor.zeros(2, 3));
        expect(IllegalArgumentException.class, "Adam.loadStateDict", "refers to parameter 5, but the optimizer has 1",
                () -> new Adam(List.of(Tensor.zeros(2, 3).requiresGrad(true))).loadStateDict(outOfRange));

        Map<String, Tensor> extraState = new java.util.LinkedHashMap<>(good);
        extraState.put("state.0.max_exp_avg_sq", Tensor.zeros(2, 3));
        expect(IllegalArgumentException.class, "Adam.loadStateDict", "state.0.max_exp_avg_sq is not state of Adam",
                () -> new Adam(List.of(Tensor.zeros(2, 3).requiresGrad(true))).loadStateDict(extraState));

        Map<String, Tensor> badValue = new java.util.LinkedHashMap<>(good);
        badValue.put("param_groups.0.lr", Tensor.scalar(-1.0));
        expect(IllegalArgumentException.class, "Adam.loadStateDict: param_groups.0", "Invalid learning rate: -1.0",
                () -> new Adam(List.of(Tensor.zeros(2, 3).requiresGrad(true))).loadStateDict(badValue));

        Map<String, Tensor> badStep = new java.util.LinkedHashMap<>(good);
        badStep.put("state.0.step", Tensor.scalar(1.5));
        expect(IllegalArgumentException.class, "Adam.loadStateDict", "step must be one non-negative whole number",
                () -> new Adam(List.of(Tensor.zeros(2, 3).requiresGrad(true))).loadStateDict(badStep));
    }

    @Test
    void failedLoadChangesNothing() {
        Tensor p = Tensor.zeros(2).requiresGrad(true);
        Adam adam = new Adam(List.of(p));
        Map<String, Tensor> sd = adam.stateDict();
        sd.put("param_groups.0.lr", Tensor.scalar(0.5));
        sd.put("state.0.exp_avg", Tensor.zeros(2)); // no step, no exp_avg_sq: rejected
        assertThrows(IllegalArgumentException.class, () -> adam.loadStateDict(sd));
        assertTrue(adam.paramGroups().get(0).lr() == 1e-3, "lr unchanged after a failed load");
        assertTrue(adam.stateDict().keySet().stream().noneMatch(k -> k.startsWith("state.")));
    }

    @Test
    void schedulerArguments() throws Exception {
        expect(IllegalArgumentException.class, "LinearLR", other("LinearLR_start_factor"),
                () -> new LinearLR(new SGD(params(), 0.1), 1.5, 1.0, 5));
        expect(IllegalArgumentException.class, "LinearLR", other("LinearLR_end_factor"),
                () -> new LinearLR(new SGD(params(), 0.1), 0.5, -0.5, 5));
        expect(IllegalArgumentException.class, "ReduceLROnPlateau", other("ReduceLROnPlateau_factor"),
                () -> new ReduceLROnPlateau(new SGD(params(), 0.1), ReduceLROnPlateau.options().factor(1.0)));
        expect(IllegalArgumentException.class, "OneCycleLR", other("OneCycleLR_total_steps"),
                () -> new OneCycleLR(new SGD(params(), 0.1), 1.0, 0));
        expect(IllegalArgumentException.class, "OneCycleLR", other("OneCycleLR_pct_start"),
                () -> new OneCycleLR(new SGD(params(), 0.1), 1.0, 10, OneCycleLR.options().pctStart(1.5)));
        expect(IllegalArgumentException.class, "OneCycleLR", other("OneCycleLR_no_momentum"),
                () -> new OneCycleLR(new Adagrad(params()), 1.0, 10));
        expect(IllegalArgumentException.class, "OneCycleLR", other("OneCycleLR_max_lr_count"),
                () -> new OneCycleLR(new SGD(params(), 0.1), new double[] {1.0, 2.0}, 10, OneCycleLR.options()));
        OneCycleLR s = new OneCycleLR(new SGD(params(), 0.1), 1.0, 3);
        s.step();
        s.step();
        s.step();
        expect(IllegalStateException.class, "OneCycleLR", other("OneCycleLR_overstep"), s::step);
    }
}
