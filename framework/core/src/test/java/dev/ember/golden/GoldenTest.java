package dev.ember.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every op against PyTorch: inputs, outputs and gradients written by tools/make_golden.py (Debian
 * python3-torch) into golden/ops.json. Each case runs the op through Ember's public API, compares the output
 * (dtype, shape, values) and, for differentiable cases, the gradient of every input after
 * {@code out.backward(grad_output)}. float64 values must agree to 1e-10 relative.
 */
class GoldenTest {
    private static final double F64_RTOL = 1e-10;
    private static final double F32_RTOL = 1e-6;

    @TestFactory
    Stream<DynamicTest> opsMatchPyTorch() throws Exception {
        JsonObject root;
        try (var in = GoldenTest.class.getResourceAsStream("/golden/ops.json")) {
            assertNotNull(in, "golden/ops.json missing from test resources");
            root = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement e : root.getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> runCase(c)));
        }
        assertTrue(tests.size() > 100, "expected the full fixture set, found " + tests.size() + " cases");
        return tests.stream();
    }

    private static void runCase(JsonObject c) {
        JsonArray inputSpecs = c.getAsJsonArray("inputs");
        Tensor[] leaves = new Tensor[inputSpecs.size()];
        Tensor[] args = new Tensor[inputSpecs.size()];
        for (int i = 0; i < leaves.length; i++) {
            JsonObject spec = inputSpecs.get(i).getAsJsonObject();
            leaves[i] = tensor(spec);
            if (spec.get("requires_grad").getAsBoolean()) {
                leaves[i].requiresGrad(true);
            }
            args[i] = pre(leaves[i], spec.get("pre"));
        }
        Tensor out = GoldenOps.apply(c.get("op").getAsString(), c.getAsJsonObject("args"), args);
        String name = c.get("name").getAsString();
        assertMatches(name + " output", c.getAsJsonObject("output"), out);

        JsonElement gradOut = c.get("grad_output");
        if (gradOut == null || gradOut.isJsonNull()) {
            return;
        }
        out.backward(tensor(gradOut.getAsJsonObject()));
        JsonArray grads = c.getAsJsonArray("grads");
        for (int i = 0; i < leaves.length; i++) {
            JsonElement expected = grads.get(i);
            if (expected.isJsonNull()) {
                assertNull(leaves[i].grad(), name + ": input " + i + " should get no gradient");
            } else {
                assertNotNull(leaves[i].grad(), name + ": input " + i + " got no gradient");
                assertMatches(name + " grad of input " + i, expected.getAsJsonObject(), leaves[i].grad());
            }
        }
    }

    static DType dtype(String s) {
        return switch (s) {
            case "float32" -> DType.FLOAT32;
            case "float64" -> DType.FLOAT64;
            case "int64" -> DType.INT64;
            case "bool" -> DType.BOOL;
            default -> throw new IllegalArgumentException("unknown dtype in fixture: " + s);
        };
    }

    static long[] longs(JsonArray a) {
        long[] r = new long[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).getAsLong();
        }
        return r;
    }

    static int[] ints(JsonArray a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).getAsInt();
        }
        return r;
    }

    static Tensor tensor(JsonObject spec) {
        long[] shape = longs(spec.getAsJsonArray("shape"));
        JsonArray data = spec.getAsJsonArray("data");
        DType dtype = dtype(spec.get("dtype").getAsString());
        if (dtype == DType.INT64) {
            return Tensor.of(longs(data), shape);
        }
        double[] v = new double[data.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = data.get(i).getAsDouble();
        }
        return Tensor.of(dtype, v, shape);
    }

    private static Tensor pre(Tensor leaf, JsonElement pre) {
        if (pre == null || pre.isJsonNull()) {
            return leaf;
        }
        JsonObject p = pre.getAsJsonObject();
        return switch (p.get("op").getAsString()) {
            case "transpose" -> leaf.transpose(p.get("dim0").getAsInt(), p.get("dim1").getAsInt());
            case "narrow" -> leaf.narrow(p.get("dim").getAsInt(), p.get("start").getAsLong(), p.get("length").getAsLong());
            case "expand" -> leaf.expand(longs(p.getAsJsonArray("shape")));
            default -> throw new IllegalArgumentException("unknown pre op " + p);
        };
    }

    private static void assertMatches(String what, JsonObject expected, Tensor actual) {
        DType dtype = dtype(expected.get("dtype").getAsString());
        assertEquals(dtype, actual.dtype(), what + ": dtype");
        assertArrayEquals(longs(expected.getAsJsonArray("shape")), actual.shape(), what + ": shape");
        JsonArray data = expected.getAsJsonArray("data");
        double[] got = actual.toDoubleArray();
        assertEquals(data.size(), got.length, what + ": element count");
        double rtol = dtype == DType.FLOAT32 ? F32_RTOL : F64_RTOL;
        for (int i = 0; i < got.length; i++) {
            double want = data.get(i).getAsDouble();
            if (!dtype.isFloatingPoint()) {
                assertEquals(want, got[i], 0.0, what + ": element " + i);
            } else {
                double tol = rtol * Math.max(Math.abs(want), 1e-3);
                assertTrue(Math.abs(got[i] - want) <= tol || (Double.isNaN(want) && Double.isNaN(got[i])),
                        what + ": element " + i + " expected " + want + " but was " + got[i]);
            }
        }
    }
}
