package dev.ember.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the layer fixtures written by tools/make_rnn_golden.py (PyTorch) and compares Ember's results with them:
 * outputs, then the gradients of every input and parameter after backward of sum_k (out_k * grad_output_k).
 */
final class SequenceFixtures {
    /** float64 agreement required; the sums inside matmuls may be ordered differently from PyTorch's. */
    static final double RTOL = 1e-8;

    private SequenceFixtures() {
    }

    static List<JsonObject> load(String resource) throws Exception {
        try (var in = SequenceFixtures.class.getResourceAsStream(resource)) {
            assertNotNull(in, resource + " missing from test resources (run tools/make_rnn_golden.py)");
            var reader = new InputStreamReader(in, StandardCharsets.UTF_8);
            JsonObject root = JsonParser.parseReader(reader).getAsJsonObject();
            List<JsonObject> cases = new ArrayList<>();
            for (JsonElement e : root.getAsJsonArray("cases")) {
                cases.add(e.getAsJsonObject());
            }
            return cases;
        }
    }

    static Tensor tensor(JsonObject spec) {
        JsonArray shapeJson = spec.getAsJsonArray("shape");
        long[] shape = new long[shapeJson.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeJson.get(i).getAsLong();
        }
        JsonArray data = spec.getAsJsonArray("data");
        String dtype = spec.get("dtype").getAsString();
        if (dtype.equals("bool")) {
            boolean[] b = new boolean[data.size()];
            for (int i = 0; i < b.length; i++) {
                b[i] = data.get(i).getAsInt() != 0;
            }
            return Tensor.of(b, shape);
        }
        assertEquals("float64", dtype, "fixture dtype");
        double[] v = new double[data.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = data.get(i).getAsDouble();
        }
        return Tensor.of(DType.FLOAT64, v, shape);
    }

    static Map<String, Tensor> tensors(JsonObject c, String field) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        JsonObject o = c.getAsJsonObject(field);
        for (String k : o.keySet()) {
            out.put(k, tensor(o.getAsJsonObject(k)));
        }
        return out;
    }

    /** The case's inputs as float64 leaves that require grad. */
    static Map<String, Tensor> leaves(JsonObject c) {
        Map<String, Tensor> in = tensors(c, "inputs");
        in.values().forEach(t -> t.requiresGrad(true));
        return in;
    }

    /** Loads the case's state dict (strict) into {@code m} after converting it to float64; eval mode. */
    static <M extends Module> M load(M m, JsonObject c) {
        m.to(DType.FLOAT64);
        m.eval();
        m.loadStateDict(tensors(c, "state_dict"), true);
        return m;
    }

    /**
     * Compares outputs, back-propagates the fixture's grad_outputs, compares input and parameter gradients.
     * Returns the largest relative error seen.
     */
    static double check(JsonObject c, Module m, Map<String, Tensor> leaves, Map<String, Tensor> outputs) {
        String name = c.get("name").getAsString();
        double worst = 0;
        JsonObject expectedOut = c.getAsJsonObject("outputs");
        assertEquals(expectedOut.keySet(), nonNull(outputs).keySet(), name + ": outputs");
        for (String k : expectedOut.keySet()) {
            worst = Math.max(worst, assertClose(name + " " + k, expectedOut.getAsJsonObject(k), outputs.get(k)));
        }
        Map<String, Tensor> gradOutputs = tensors(c, "grad_outputs");
        Tensor loss = null;
        for (Map.Entry<String, Tensor> e : gradOutputs.entrySet()) {
            Tensor term = outputs.get(e.getKey()).mul(e.getValue()).sum();
            loss = loss == null ? term : loss.add(term);
        }
        loss.backward();
        JsonObject inGrads = c.getAsJsonObject("input_grads");
        for (String k : inGrads.keySet()) {
            assertNotNull(leaves.get(k).grad(), name + ": input " + k + " got no gradient");
            Tensor g = leaves.get(k).grad();
            worst = Math.max(worst, assertClose(name + " grad of " + k, inGrads.getAsJsonObject(k), g));
        }
        JsonObject pGrads = c.getAsJsonObject("param_grads");
        Map<String, Tensor> params = m == null ? Map.of() : m.namedParameters();
        assertEquals(new ArrayList<>(pGrads.keySet()), new ArrayList<>(params.keySet()),
                name + ": parameter names and order");
        for (String k : pGrads.keySet()) {
            assertNotNull(params.get(k).grad(), name + ": parameter " + k + " got no gradient");
            Tensor g = params.get(k).grad();
            worst = Math.max(worst, assertClose(name + " grad of " + k, pGrads.getAsJsonObject(k), g));
        }
        return worst;
    }

    private static Map<String, Tensor> nonNull(Map<String, Tensor> m) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            if (v != null) {
                out.put(k, v);
            }
        });
        return out;
    }

    /**
     * Relative error, with the scale floored at 1e-6: some gradients are exactly zero in exact arithmetic (the
     * key bias of attention, as softmax ignores a constant shift) and both sides hold rounding noise there.
     */
    static double assertClose(String what, JsonObject expected, Tensor actual) {
        assertEquals(DType.FLOAT64, actual.dtype(), what + ": dtype");
        Tensor want = tensor(expected);
        assertArrayEquals(want.shape(), actual.shape(), what + ": shape");
        double[] w = want.toDoubleArray();
        double[] a = actual.toDoubleArray();
        double worst = 0;
        for (int i = 0; i < w.length; i++) {
            double err = Math.abs(a[i] - w[i]) / Math.max(Math.abs(w[i]), 1e-6);
            assertTrue(err <= RTOL, what + ": element " + i + " expected " + w[i] + " but was " + a[i]);
            worst = Math.max(worst, err);
        }
        return worst;
    }

    static boolean flag(JsonObject c, String name) {
        JsonElement e = c.getAsJsonObject("call").get(name);
        return e != null && !e.isJsonNull() && e.getAsBoolean();
    }
}
