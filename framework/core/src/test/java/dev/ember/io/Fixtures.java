package dev.ember.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the fixtures written by tools/make_io_golden.py (PyTorch / NumPy) and compares tensors exactly. */
final class Fixtures {
    private Fixtures() {
    }

    static Path path(String name) {
        URL url = Fixtures.class.getResource("/io/" + name);
        assertNotNull(url, "io/" + name + " missing from test resources (run tools/make_io_golden.py)");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonObject json(String name) throws IOException {
        return JsonParser.parseString(Files.readString(path(name))).getAsJsonObject();
    }

    /** A tensor from {"shape", "dtype", "data"}. */
    static Tensor tensor(JsonObject spec) {
        JsonArray sh = spec.getAsJsonArray("shape");
        long[] shape = new long[sh.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = sh.get(i).getAsLong();
        }
        JsonArray data = spec.getAsJsonArray("data");
        int n = data.size();
        return switch (spec.get("dtype").getAsString()) {
            case "float32" -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (float) data.get(i).getAsDouble();
                }
                yield Tensor.of(v, shape);
            }
            case "float64" -> {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    v[i] = data.get(i).getAsDouble();
                }
                yield Tensor.of(DType.FLOAT64, v, shape);
            }
            case "int64" -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = data.get(i).getAsLong();
                }
                yield Tensor.of(v, shape);
            }
            case "bool" -> {
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) {
                    v[i] = data.get(i).getAsBoolean();
                }
                yield Tensor.of(v, shape);
            }
            default -> throw new IllegalArgumentException(spec.get("dtype").getAsString());
        };
    }

    /** Same dtype, shape and bit-identical values. */
    static void assertSame(Tensor expected, Tensor actual, String what) {
        assertEquals(expected.dtype(), actual.dtype(), what + " dtype");
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        switch (expected.dtype()) {
            case FLOAT32 -> {
                float[] e = expected.toFloatArray();
                float[] a = actual.toFloatArray();
                for (int i = 0; i < e.length; i++) {
                    assertEquals(Float.floatToRawIntBits(e[i]), Float.floatToRawIntBits(a[i]), what + "[" + i + "]");
                }
            }
            case FLOAT64 -> {
                double[] e = expected.toDoubleArray();
                double[] a = actual.toDoubleArray();
                for (int i = 0; i < e.length; i++) {
                    assertEquals(Double.doubleToRawLongBits(e[i]), Double.doubleToRawLongBits(a[i]), what + "[" + i + "]");
                }
            }
            case INT64 -> assertArrayEquals(expected.toLongArray(), actual.toLongArray(), what);
            case BOOL -> assertArrayEquals(expected.toBooleanArray(), actual.toBooleanArray(), what);
        }
    }

    /** Bytes this thread has allocated so far (HotSpot), to check hostile input causes no big allocation. */
    static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
