package dev.ember.optim;

import static dev.ember.optim.OptimFixtures.assertClose;
import static dev.ember.optim.OptimFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every optimizer and option combination against PyTorch (optim/optimizers.json from
 * tools/make_optim_golden.py): three steps with fixed gradients, the parameters after each step (float32 to
 * 1e-6, float64 to 1e-12), the state after the last step, and loading PyTorch's state after step 2 into a fresh
 * optimizer then stepping once more.
 */
class OptimizerGoldenTest {

    @TestFactory
    Stream<DynamicTest> optimizersMatchPyTorch() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement e : OptimFixtures.load("optimizers.json").getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            String name = c.get("name").getAsString();
            tests.add(DynamicTest.dynamicTest(name + " steps", () -> steps(c)));
            tests.add(DynamicTest.dynamicTest(name + " loads PyTorch state", () -> resume(c)));
        }
        assertTrue(tests.size() >= 2 * 50, "expected the full fixture set, found " + tests.size() / 2 + " cases");
        return tests.stream();
    }

    /** The fixture's parameters (or {@code values}) as leaves requiring grad, and its optimizer over them. */
    private static Optimizer<?> optimizer(JsonObject c, List<Tensor> params) {
        JsonArray groups = c.getAsJsonArray("groups");
        Optimizer<?> opt = null;
        for (JsonElement g : groups) {
            List<Tensor> ps = new ArrayList<>();
            for (JsonElement i : g.getAsJsonObject().getAsJsonArray("params")) {
                ps.add(params.get(i.getAsInt()));
            }
            JsonObject overrides = g.getAsJsonObject().getAsJsonObject("options");
            if (opt == null) {
                assertEquals(0, overrides.size(), "fixture: the first group takes the defaults");
                opt = OptimFixtures.build(c.get("optimizer").getAsString(), ps, c.getAsJsonObject("options"));
            } else {
                OptimFixtures.addGroup(opt, ps, overrides);
            }
        }
        return opt;
    }

    private static List<Tensor> leaves(JsonArray specs) {
        List<Tensor> params = new ArrayList<>();
        for (JsonElement p : specs) {
            params.add(tensor(p.getAsJsonObject()).requiresGrad(true));
        }
        return params;
    }

    private static void setGrads(List<Tensor> params, JsonArray grads) {
        for (int i = 0; i < params.size(); i++) {
            JsonElement g = grads.get(i);
            params.get(i).setGrad(g.isJsonNull() ? null : tensor(g.getAsJsonObject()));
        }
    }

    private static void steps(JsonObject c) {
        String name = c.get("name").getAsString();
        List<Tensor> params = leaves(c.getAsJsonArray("params"));
        List<Tensor> identity = List.copyOf(params);
        Optimizer<?> opt = optimizer(c, params);
        JsonArray grads = c.getAsJsonArray("grads");
        JsonArray expected = c.getAsJsonArray("expected");
        for (int step = 0; step < grads.size(); step++) {
            setGrads(params, grads.get(step).getAsJsonArray());
            opt.step();
            JsonArray want = expected.get(step).getAsJsonArray();
            for (int i = 0; i < params.size(); i++) {
                assertSame(identity.get(i), params.get(i));
                assertTrue(params.get(i).isLeaf() && params.get(i).requiresGrad(), name + ": param stays a leaf");
                assertClose(name + " step " + (step + 1) + " param " + i, want.get(i).getAsJsonObject(),
                        params.get(i));
            }
        }
        compareState(name, c.getAsJsonObject("states").getAsJsonObject(String.valueOf(grads.size())),
                opt.stateDict());
    }

    /** Ember's state dict against PyTorch's: the same state entries, and Ember's hyperparameters equal. */
    private static void compareState(String name, JsonObject want, Map<String, Tensor> got) {
        TreeSet<String> wantState = new TreeSet<>();
        for (String k : want.keySet()) {
            if (k.startsWith("state.")) {
                wantState.add(k);
            }
        }
        TreeSet<String> gotState = new TreeSet<>();
        for (String k : got.keySet()) {
            if (k.startsWith("state.")) {
                gotState.add(k);
            }
        }
        assertEquals(wantState, gotState, name + ": state keys");
        for (Map.Entry<String, Tensor> e : got.entrySet()) {
            JsonObject w = want.getAsJsonObject(e.getKey());
            assertNotNull(w, name + ": PyTorch has no " + e.getKey());
            assertClose(name + " " + e.getKey(), w, e.getValue());
        }
    }

    private static void resume(JsonObject c) {
        String name = c.get("name").getAsString();
        JsonArray expected = c.getAsJsonArray("expected");
        List<Tensor> params = leaves(expected.get(1).getAsJsonArray());
        Optimizer<?> opt = optimizer(c, params);
        Map<String, Tensor> saved = new LinkedHashMap<>();
        JsonObject state2 = c.getAsJsonObject("states").getAsJsonObject("2");
        for (String k : state2.keySet()) {
            saved.put(k, tensor(state2.getAsJsonObject(k)));
        }
        opt.loadStateDict(saved);
        setGrads(params, c.getAsJsonArray("grads").get(2).getAsJsonArray());
        opt.step();
        JsonArray want = expected.get(2).getAsJsonArray();
        for (int i = 0; i < params.size(); i++) {
            assertClose(name + " resumed step 3 param " + i, want.get(i).getAsJsonObject(), params.get(i));
        }
    }
}
