package dev.ember.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    private static Map<String, Tensor> everyKind() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("f32", Tensor.of(new float[] {1.5f, -0.0f, Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE, 3e38f}, 2, 3));
        m.put("f64", Tensor.of(DType.FLOAT64, new double[] {Math.PI, -1e-310, Double.NEGATIVE_INFINITY}, 3));
        m.put("i64", Tensor.of(new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE, (1L << 53) + 1, 42}, 3, 2));
        m.put("bool", Tensor.of(new boolean[] {true, false, false, true}, 2, 1, 2));
        m.put("scalar", Tensor.scalar(DType.FLOAT64, 2.25));
        m.put("scalar_i", Tensor.scalar(DType.INT64, -3));
        m.put("empty", Tensor.zeros(0, 3));
        m.put("empty_b", Tensor.zeros(DType.BOOL, 4, 0));
        Tensor base = Tensor.of(DType.FLOAT64, new double[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 3, 4);
        m.put("transposed", base.t());
        m.put("strided", base.slice(1, 0, 4, 2));
        m.put("expanded", Tensor.of(new long[] {7, 8}, 2, 1).expand(2, 3));
        return m;
    }

    private static void assertSameMap(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String k : expected.keySet()) {
            Fixtures.assertSame(expected.get(k).contiguous(), actual.get(k), k);
        }
    }

    @Test
    void roundTripsEveryDtypeShapeAndLayout() throws IOException {
        Map<String, Tensor> m = everyKind();
        assertTrue(!m.get("transposed").isContiguous() && !m.get("strided").isContiguous());
        Path p = dir.resolve("all.safetensors");
        SafeTensors.save(p, m, Map.of("k", "v", "ünïcödé", "\"quoted\"\n"));
        SafeTensors.Contents c = SafeTensors.loadWithMetadata(p);
        assertSameMap(m, c.tensors());
        assertEquals(Map.of("k", "v", "ünïcödé", "\"quoted\"\n"), c.metadata());
        assertArrayEquals(Files.readAllBytes(p), SafeTensors.toBytes(m, Map.of("k", "v", "ünïcödé", "\"quoted\"\n")));
        assertSameMap(m, SafeTensors.fromBytes(Files.readAllBytes(p)).tensors());
        assertEquals(Map.of(), SafeTensors.loadWithMetadata(write(m, null)).metadata());
    }

    private Path write(Map<String, Tensor> m, Map<String, String> meta) throws IOException {
        Path p = dir.resolve("t" + System.nanoTime() + ".safetensors");
        SafeTensors.save(p, m, meta);
        return p;
    }

    /** Byte vectors from the reference implementation's own tests (huggingface/safetensors tensor.rs). */
    @Test
    void matchesTheReferenceSerialization() {
        Tensor attn = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 1, 2, 3);
        byte[] out = SafeTensors.toBytes(Map.of("attn.0", attn), null);
        String header = "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}";
        assertEquals(64, header.length());
        assertArrayEquals(concat(le(64), ascii(header), f32le(0, 1, 2, 3, 4, 5)), out);

        // misaligned header: padded with spaces to a multiple of 8
        out = SafeTensors.toBytes(Map.of("attn0", attn.reshape(1, 1, 2, 3)), null);
        header = "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}";
        assertEquals(65, header.length());
        assertArrayEquals(concat(le(72), ascii(header + "       "), f32le(0, 1, 2, 3, 4, 5)), out);

        assertArrayEquals(concat(le(8), ascii("{}      ")), SafeTensors.toBytes(Map.of(), null));
        assertArrayEquals(concat(le(40), ascii("{\"__metadata__\":{\"framework\":\"pt\"}}     ")),
                SafeTensors.toBytes(Map.of(), Map.of("framework", "pt")));
    }

    @Test
    void sortsByDtypeAlignmentThenName() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("z_bool", Tensor.of(new boolean[] {true}, 1));
        m.put("b_f32", Tensor.of(new float[] {1}, 1));
        m.put("a_f32", Tensor.of(new float[] {2}, 1));
        m.put("y_i64", Tensor.of(new long[] {3}, 1));
        m.put("c_f64", Tensor.of(DType.FLOAT64, new double[] {4}, 1));
        byte[] out = SafeTensors.toBytes(m, null);
        String expectedHeader = "{\"y_i64\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"c_f64\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]},"
                + "\"a_f32\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]},"
                + "\"b_f32\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[20,24]},"
                + "\"z_bool\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[24,25]}}";
        int padded = (expectedHeader.length() + 7) / 8 * 8;
        String h = expectedHeader + " ".repeat(padded - expectedHeader.length());
        ByteBuffer data = ByteBuffer.allocate(25).order(ByteOrder.LITTLE_ENDIAN);
        data.putLong(3).putDouble(4).putFloat(2).putFloat(1).put((byte) 1);
        assertArrayEquals(concat(le(padded), ascii(h), data.array()), out);
    }

    @Test
    void saveIsAtomicAndLeavesNoTemporaryFiles() throws IOException {
        Path p = dir.resolve("model.safetensors");
        SafeTensors.save(p, Map.of("a", Tensor.ones(2)));
        SafeTensors.save(p, Map.of("b", Tensor.zeros(3))); // replaces
        assertEquals(List.of("b"), List.copyOf(SafeTensors.load(p).keySet()));
        byte[] before = Files.readAllBytes(p);
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(p, out -> {
            out.write(new byte[1000]);
            throw new IOException("simulated disk full");
        }));
        assertEquals("simulated disk full", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(p), "a failed write leaves the old file intact");
        RuntimeException r = assertThrows(RuntimeException.class, () -> AtomicFiles.write(p, out -> {
            out.write(1);
            throw new IllegalStateException("bug in the writer");
        }));
        assertEquals("bug in the writer", r.getMessage());
        assertArrayEquals(before, Files.readAllBytes(p));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(p), files.toList(), "no temporary files remain");
        }
    }

    @Test
    void savedFilesGetTheUsualPermissions() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path p = dir.resolve("m.safetensors");
        SafeTensors.save(p, Map.of("a", Tensor.ones(1)));
        Path reference = Files.createFile(dir.resolve("reference"));
        assertEquals(Files.getPosixFilePermissions(reference), Files.getPosixFilePermissions(p),
                "not the owner-only permissions of a temp file");
    }

    @Test
    void badArgumentsCreateNoFile() {
        Path p = dir.resolve("x.safetensors");
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.save(p, Map.of("__metadata__", Tensor.ones(1))));
        Map<String, Tensor> withNull = new LinkedHashMap<>();
        withNull.put("a", null);
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.save(p, withNull));
        assertTrue(!Files.exists(p));
        IOException missingDir = assertThrows(IOException.class,
                () -> SafeTensors.save(dir.resolve("no/such/dir/x.safetensors"), Map.of()));
        assertTrue(missingDir.getMessage().contains("does not exist"), missingDir.getMessage());
    }

    static byte[] le(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] f32le(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }
}
