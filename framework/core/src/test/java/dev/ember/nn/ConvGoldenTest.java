package dev.ember.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.nn.functional.Convolutions;
import dev.ember.nn.functional.Normalization;
import dev.ember.nn.functional.Padding;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Convolution, pooling and normalisation layers against PyTorch (fixtures from tools/make_conv_golden.py in
 * conv/layers.json): each case builds the Ember layer from PyTorch's constructor arguments, checks its printed
 * form and state dict names, loads PyTorch's state dict, and for each step (train or eval) compares the output,
 * the input gradient, every parameter gradient and the buffers (running statistics, num_batches_tracked).
 * Values must agree to 1e-10 (float64) or 1e-5 (float32) relative to the tensor's largest magnitude, since the
 * sums run in another order than PyTorch's.
 */
class ConvGoldenTest {
    private static final double F64_RTOL = 1e-10;
    private static final double F32_RTOL = 1e-5;

    private static JsonObject fixtures() throws Exception {
        try (var in = ConvGoldenTest.class.getResourceAsStream("/conv/layers.json")) {
            assertNotNull(in, "conv/layers.json missing from test resources");
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        }
    }

    @TestFactory
    Stream<DynamicTest> layersMatchPyTorch() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement e : fixtures().getAsJsonArray("layers")) {
            JsonObject c = e.getAsJsonObject();
            tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> runLayer(c)));
        }
        assertTrue(tests.size() >= 40, "expected the full fixture set, found " + tests.size());
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> functionsMatchPyTorch() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement e : fixtures().getAsJsonArray("functions")) {
            JsonObject c = e.getAsJsonObject();
            tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> runFunction(c)));
        }
        assertTrue(tests.size() >= 8, "expected the full fixture set, found " + tests.size());
        return tests.stream();
    }

    private static void runLayer(JsonObject c) {
        String name = c.get("name").getAsString();
        Module m = build(c.get("layer").getAsString(), c.getAsJsonObject("args"));
        assertEquals(c.get("repr").getAsString(), m.toString(), name + ": printed form");
        DType dtype = dtype(c.get("dtype").getAsString());
        if (dtype != DType.FLOAT32) {
            m.to(dtype);
        }
        Map<String, Tensor> state = new LinkedHashMap<>();
        c.getAsJsonObject("state_dict").entrySet().forEach(e -> state.put(e.getKey(), tensor(e.getValue())));
        assertEquals(List.copyOf(state.keySet()), List.copyOf(m.stateDict().keySet()), name + ": state dict keys");
        m.loadStateDict(state, true);
        Layer layer = (Layer) m;
        int step = 0;
        for (JsonElement se : c.getAsJsonArray("steps")) {
            JsonObject s = se.getAsJsonObject();
            String at = name + " step " + step++;
            m.train(s.get("train").getAsBoolean());
            m.zeroGrad();
            Tensor x = tensor(s.get("input")).requiresGrad(true);
            Tensor out = layer.forward(x);
            assertClose(at + " output", s.getAsJsonObject("output"), out);
            out.backward(tensor(s.get("grad_output")));
            assertClose(at + " input grad", s.getAsJsonObject("input_grad"), x.grad());
            Map<String, Tensor> params = m.namedParameters();
            JsonObject grads = s.getAsJsonObject("param_grads");
            assertEquals(grads.keySet(), params.keySet(), at + ": parameter names");
            for (String p : grads.keySet()) {
                assertClose(at + " grad of " + p, grads.getAsJsonObject(p), params.get(p).grad());
            }
            Map<String, Tensor> buffers = m.namedBuffers();
            JsonObject expected = s.getAsJsonObject("buffers");
            assertEquals(expected.keySet(), buffers.keySet(), at + ": buffer names");
            for (String b : expected.keySet()) {
                assertClose(at + " buffer " + b, expected.getAsJsonObject(b), buffers.get(b));
            }
        }
    }

    /** The Ember layer for PyTorch's class name and keyword arguments (numbers or lists, as given to PyTorch). */
    private static Module build(String layer, JsonObject a) {
        return switch (layer) {
            case "Conv1d" -> {
                long k = a.get("kernel_size").getAsLong();
                long s = num(a, "stride", 1);
                long d = num(a, "dilation", 1);
                long g = num(a, "groups", 1);
                boolean bias = bool(a, "bias", true);
                String mode = str(a, "padding_mode", "zeros");
                JsonElement p = a.get("padding");
                yield p != null && p.getAsJsonPrimitive().isString()
                        ? new Conv1d(a.get("in_channels").getAsLong(), a.get("out_channels").getAsLong(), k, s,
                                p.getAsString(), d, g, bias, mode)
                        : new Conv1d(a.get("in_channels").getAsLong(), a.get("out_channels").getAsLong(), k, s,
                                num(a, "padding", 0), d, g, bias, mode);
            }
            case "Conv2d" -> {
                long[] k = pair(a, "kernel_size", 0);
                long[] s = pair(a, "stride", 1);
                long[] d = pair(a, "dilation", 1);
                long g = num(a, "groups", 1);
                boolean bias = bool(a, "bias", true);
                String mode = str(a, "padding_mode", "zeros");
                long in = a.get("in_channels").getAsLong();
                long out = a.get("out_channels").getAsLong();
                JsonElement p = a.get("padding");
                yield p != null && p.isJsonPrimitive() && p.getAsJsonPrimitive().isString()
                        ? new Conv2d(in, out, k, s, p.getAsString(), d, g, bias, mode)
                        : new Conv2d(in, out, k, s, pair(a, "padding", 0), d, g, bias, mode);
            }
            case "ConvTranspose2d" -> new ConvTranspose2d(a.get("in_channels").getAsLong(),
                    a.get("out_channels").getAsLong(), pair(a, "kernel_size", 0), pair(a, "stride", 1),
                    pair(a, "padding", 0), pair(a, "output_padding", 0), num(a, "groups", 1), bool(a, "bias", true),
                    pair(a, "dilation", 1), str(a, "padding_mode", "zeros"));
            case "MaxPool1d" -> {
                long k = a.get("kernel_size").getAsLong();
                yield new MaxPool1d(k, num(a, "stride", k), num(a, "padding", 0), num(a, "dilation", 1),
                        bool(a, "ceil_mode", false));
            }
            case "MaxPool2d" -> {
                boolean scalar = a.get("kernel_size").isJsonPrimitive();
                boolean ceil = bool(a, "ceil_mode", false);
                if (scalar) {
                    long k = a.get("kernel_size").getAsLong();
                    yield new MaxPool2d(k, num(a, "stride", k), num(a, "padding", 0), num(a, "dilation", 1), ceil);
                }
                yield new MaxPool2d(pair(a, "kernel_size", 0), a.has("stride") ? pair(a, "stride", 0) : null,
                        pair(a, "padding", 0), pair(a, "dilation", 1), ceil);
            }
            case "AvgPool2d" -> {
                boolean ceil = bool(a, "ceil_mode", false);
                boolean include = bool(a, "count_include_pad", true);
                Long divisor = a.has("divisor_override") ? a.get("divisor_override").getAsLong() : null;
                if (a.get("kernel_size").isJsonPrimitive()) {
                    long k = a.get("kernel_size").getAsLong();
                    yield new AvgPool2d(k, num(a, "stride", k), num(a, "padding", 0), ceil, include, divisor);
                }
                yield new AvgPool2d(pair(a, "kernel_size", 0), a.has("stride") ? pair(a, "stride", 0) : null,
                        pair(a, "padding", 0), ceil, include, divisor);
            }
            case "AdaptiveAvgPool2d" -> a.get("output_size").isJsonPrimitive()
                    ? new AdaptiveAvgPool2d(a.get("output_size").getAsLong())
                    : new AdaptiveAvgPool2d(pair(a, "output_size", 0));
            case "BatchNorm1d", "BatchNorm2d" -> {
                long n = a.get("num_features").getAsLong();
                double eps = a.has("eps") ? a.get("eps").getAsDouble() : 1e-5;
                Double momentum = !a.has("momentum") ? Double.valueOf(0.1)
                        : a.get("momentum").isJsonNull() ? null : a.get("momentum").getAsDouble();
                boolean affine = bool(a, "affine", true);
                boolean track = bool(a, "track_running_stats", true);
                yield layer.equals("BatchNorm1d") ? new BatchNorm1d(n, eps, momentum, affine, track)
                        : new BatchNorm2d(n, eps, momentum, affine, track);
            }
            case "GroupNorm" -> new GroupNorm(a.get("num_groups").getAsLong(), a.get("num_channels").getAsLong(),
                    a.has("eps") ? a.get("eps").getAsDouble() : 1e-5, bool(a, "affine", true));
            default -> throw new IllegalArgumentException("unknown layer in fixture: " + layer);
        };
    }

    private static void runFunction(JsonObject c) {
        String name = c.get("name").getAsString();
        JsonArray specs = c.getAsJsonArray("inputs");
        Tensor[] in = new Tensor[specs.size()];
        for (int i = 0; i < in.length; i++) {
            in[i] = tensor(specs.get(i)).requiresGrad(true);
        }
        JsonObject a = c.getAsJsonObject("args");
        Tensor bias = in.length > 2 ? in[2] : null;
        Tensor out = switch (c.get("fn").getAsString()) {
            case "unfold" -> Convolutions.unfold(in[0], longs(a, "kernel_size"), longs(a, "dilation"),
                    longs(a, "padding"), longs(a, "stride"));
            case "fold" -> Convolutions.fold(in[0], longs(a, "output_size"), longs(a, "kernel_size"),
                    longs(a, "dilation"), longs(a, "padding"), longs(a, "stride"));
            case "pad" -> Padding.pad(in[0], longs(a, "pad"), a.get("mode").getAsString(),
                    a.has("value") ? a.get("value").getAsDouble() : 0);
            case "conv2d" -> Convolutions.conv2d(in[0], in[1], bias, longs(a, "stride"), longs(a, "padding"),
                    longs(a, "dilation"), a.get("groups").getAsLong());
            case "conv_transpose2d" -> Convolutions.convTranspose2d(in[0], in[1], bias, longs(a, "stride"),
                    longs(a, "padding"), longs(a, "output_padding"), a.get("groups").getAsLong(),
                    longs(a, "dilation"));
            case "batch_norm" -> Normalization.batchNorm(in[0], null, null, in[1], in[2], true, 0.1,
                    a.get("eps").getAsDouble());
            case "group_norm" -> Normalization.groupNorm(in[0], a.get("num_groups").getAsLong(), in[1], in[2],
                    a.get("eps").getAsDouble());
            default -> throw new IllegalArgumentException("unknown function in fixture: " + c.get("fn"));
        };
        assertClose(name + " output", c.getAsJsonObject("output"), out);
        out.backward(tensor(c.get("grad_output")));
        JsonArray grads = c.getAsJsonArray("grads");
        for (int i = 0; i < in.length; i++) {
            assertClose(name + " grad of input " + i, grads.get(i).getAsJsonObject(), in[i].grad());
        }
    }

    // ---------------------------------------------------------------- fixture reading

    private static long num(JsonObject a, String key, long dflt) {
        return a.has(key) ? a.get(key).getAsLong() : dflt;
    }

    private static boolean bool(JsonObject a, String key, boolean dflt) {
        return a.has(key) ? a.get(key).getAsBoolean() : dflt;
    }

    private static String str(JsonObject a, String key, String dflt) {
        return a.has(key) ? a.get(key).getAsString() : dflt;
    }

    /** A (height, width) argument given as one number or a list; {@code dflt} when absent. */
    private static long[] pair(JsonObject a, String key, long dflt) {
        if (!a.has(key)) {
            return new long[] {dflt, dflt};
        }
        JsonElement e = a.get(key);
        return e.isJsonPrimitive() ? new long[] {e.getAsLong(), e.getAsLong()} : longs(a, key);
    }

    private static long[] longs(JsonObject a, String key) {
        JsonArray arr = a.getAsJsonArray(key);
        long[] r = new long[arr.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = arr.get(i).getAsLong();
        }
        return r;
    }

    private static DType dtype(String s) {
        return switch (s) {
            case "float32" -> DType.FLOAT32;
            case "float64" -> DType.FLOAT64;
            case "int64" -> DType.INT64;
            default -> throw new IllegalArgumentException("unknown dtype in fixture: " + s);
        };
    }

    private static Tensor tensor(JsonElement e) {
        JsonObject spec = e.getAsJsonObject();
        JsonArray shapeArr = spec.getAsJsonArray("shape");
        long[] shape = new long[shapeArr.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeArr.get(i).getAsLong();
        }
        JsonArray data = spec.getAsJsonArray("data");
        DType dtype = dtype(spec.get("dtype").getAsString());
        if (dtype == DType.INT64) {
            long[] v = new long[data.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = data.get(i).getAsLong();
            }
            return Tensor.of(v, shape);
        }
        double[] v = new double[data.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = data.get(i).getAsDouble();
        }
        return Tensor.of(dtype, v, shape);
    }

    private static void assertClose(String what, JsonObject expected, Tensor actual) {
        assertNotNull(actual, what + ": missing");
        Tensor want = tensor(expected);
        assertEquals(want.dtype(), actual.dtype(), what + ": dtype");
        assertArrayEquals(want.shape(), actual.shape(), what + ": shape");
        double[] w = want.toDoubleArray();
        double[] g = actual.toDoubleArray();
        double scale = 1e-3;
        for (double v : w) {
            scale = Math.max(scale, Math.abs(v));
        }
        double rtol = want.dtype() == DType.FLOAT32 ? F32_RTOL : F64_RTOL;
        for (int i = 0; i < w.length; i++) {
            double tol = want.dtype().isFloatingPoint() ? rtol * scale : 0;
            assertTrue(Math.abs(g[i] - w[i]) <= tol, what + ": element " + i + " expected " + w[i] + " but was " + g[i]);
        }
    }
}
