package dev.ember.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** Reads the PyTorch fixtures that tools/make_nn_golden.py writes under resources/nn/ and compares tensors. */
final class NnFixtures {
    /** float64: relative, with values below 1e-3 compared absolutely at 1e-3 * RTOL. */
    static final double F64_RTOL = 1e-9;
    static final double F32_RTOL = 2e-5;

    private NnFixtures() {
    }

    static JsonObject load(String name) {
        try (var in = NnFixtures.class.getResourceAsStream("/nn/" + name)) {
            assertNotNull(in, "nn/" + name + " missing from test resources (run tools/make_nn_golden.py)");
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
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

    static void assertMatches(String what, JsonObject expected, Tensor actual) {
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
                assertTrue(Math.abs(got[i] - want) <= tol || (Double.isNaN(want) && Double.isNaN(got[i]))
                                || (Double.isInfinite(want) && want == got[i]),
                        what + ": element " + i + " expected " + want + " but was " + got[i]);
            }
        }
    }
}
