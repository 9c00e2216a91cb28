package dev.ember.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
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
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path dir;

    @Test
    void readsEveryFileNumpyWrote() throws IOException {
        JsonObject expected = Fixtures.json("npy.json");
        int files = 0;
        for (String name : expected.keySet()) {
            if (name.endsWith(".npy")) {
                Tensor t = Npy.load(Fixtures.path(name));
                Fixtures.assertSame(Fixtures.tensor(expected.getAsJsonObject(name)), t, name);
                files++;
            }
        }
        assertEquals(13, files);
        // Fortran order is transposed into row-major: the 3-d case is arange(24).reshape(2, 3, 4)
        Tensor f3 = Npy.load(Fixtures.path("f64_fortran3d.npy"));
        assertArrayEquals(new long[] {2, 3, 4}, f3.shape());
        assertEquals(23.0, f3.toDoubleArray()[23]);
        assertEquals(5.0, f3.toDoubleArray()[5]);
    }

    @Test
    void writesTheSameBytesAsNumpy() throws IOException {
        JsonObject expected = Fixtures.json("npy.json");
        for (String name : List.of("f32.npy", "i64.npy", "bool.npy", "scalar.npy", "empty.npy")) {
            Tensor t = Fixtures.tensor(expected.getAsJsonObject(name));
            assertArrayEquals(Files.readAllBytes(Fixtures.path(name)), Npy.toBytes(t), name);
        }
        // a C-ordered float64 with the Fortran file's values is still read back identically
        Tensor f = Npy.load(Fixtures.path("f64_fortran.npy"));
        Path p = dir.resolve("f.npy");
        Npy.save(p, f.t()); // non-contiguous input is written row-major
        Fixtures.assertSame(f.t().contiguous(), Npy.load(p), "transposed");
    }

    @Test
    void roundTripsEmberDtypes() throws IOException {
        for (Tensor t : List.of(Tensor.of(new float[] {1, Float.NaN, -0f}, 3), Tensor.scalar(DType.INT64, 5),
                Tensor.of(new boolean[] {true, false}, 1, 2), Tensor.zeros(DType.FLOAT64, 2, 0, 3),
                Tensor.arange(DType.FLOAT64, 0, 6, 1).reshape(2, 3).t())) {
            Fixtures.assertSame(t.contiguous(), Npy.fromBytes(Npy.toBytes(t)), Arrays.toString(t.shape()));
        }
    }

    @Test
    void readsNpzArchives() throws IOException {
        JsonObject expected = Fixtures.json("npy.json").getAsJsonObject("npz");
        for (String f : List.of("arrays.npz", "arrays_compressed.npz")) {
            Map<String, Tensor> m = Npz.load(Fixtures.path(f));
            assertEquals(List.of("a", "b"), List.copyOf(m.keySet()), f);
            for (String k : m.keySet()) {
                Fixtures.assertSame(Fixtures.tensor(expected.getAsJsonObject(k)), m.get(k), f + ":" + k);
            }
        }
    }

    @Test
    void npzRoundTrip() throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("weights", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
        m.put("ids", Tensor.of(new long[] {9, 8}, 2));
        m.put("mask", Tensor.of(new boolean[] {true}, 1));
        Path stored = dir.resolve("s.npz");
        Path deflated = dir.resolve("d.npz");
        Npz.save(stored, m);
        Npz.saveCompressed(deflated, m);
        for (Path p : List.of(stored, deflated)) {
            Map<String, Tensor> back = Npz.load(p);
            assertEquals(m.keySet(), back.keySet());
            for (String k : m.keySet()) {
                Fixtures.assertSame(m.get(k), back.get(k), k);
            }
        }
        assertArrayEquals(Files.readAllBytes(stored), readAfterRewrite(stored, m), "deterministic bytes");
    }

    private byte[] readAfterRewrite(Path p, Map<String, Tensor> m) throws IOException {
        Npz.save(p, m);
        return Files.readAllBytes(p);
    }

    // ---------------------------------------------------------------- hostile input

    /** A v1.0 .npy with this header dict text and {@code dataBytes} zero bytes. */
    private static byte[] npy(String dict, int dataBytes) {
        byte[] h = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(NpyHeader.MAGIC).put((byte) 1).put((byte) 0).putShort((short) h.length).put(h);
        return b.array();
    }

    private static final String OK = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

    private void assertRejected(byte[] bytes, String... fragments) throws IOException {
        long before = Fixtures.allocated();
        IOException e = assertThrows(IOException.class, () -> Npy.fromBytes(bytes));
        Path p = Files.write(dir.resolve("bad" + System.nanoTime() + ".npy"), bytes);
        IOException fromFile = assertThrows(IOException.class, () -> Npy.load(p));
        assertTrue(Fixtures.allocated() - before < (16L << 20) + 4L * bytes.length, "large allocation");
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "expected '" + f + "' in: " + e.getMessage());
            assertTrue(fromFile.getMessage().contains(f), "expected '" + f + "' in: " + fromFile.getMessage());
        }
    }

    @Test
    void hostileNpyFiles() throws IOException {
        assertEquals(6, Npy.fromBytes(npy(OK, 24)).numel());
        assertRejected(npy(OK, 20), "needs 24 data bytes but 20 follow", "truncated");
        assertRejected(npy(OK, 28), "needs 24 data bytes but 28 follow");
        assertRejected(Arrays.copyOf(npy(OK, 24), 30), "runs past the end");
        assertRejected(Arrays.copyOf(npy(OK, 24), 7), "too small");
        byte[] magic = npy(OK, 24);
        magic[1] = 'X';
        assertRejected(magic, "magic");
        byte[] version = npy(OK, 24);
        version[6] = 4;
        assertRejected(version, "unsupported format version 4.0");
        byte[] v2huge = npy(OK, 24);
        v2huge[6] = 2;
        ByteBuffer.wrap(v2huge).order(ByteOrder.LITTLE_ENDIAN).putInt(8, -1);
        assertRejected(v2huge, "header length 4294967295 exceeds the limit");
        assertRejected(npy(OK.replace("<f4", "|O"), 24), "unsupported dtype '|O'");
        assertRejected(npy(OK.replace("<f4", "<U5"), 24), "unsupported dtype '<U5'");
        assertRejected(npy(OK.replace("<f4", ">u8"), 24), "unsupported dtype '>u8'");
        assertRejected(npy(OK.replace("'<f4'", "[('a', '<f4')]"), 24), "structured dtypes");
        assertRejected(npy(OK.replace("'fortran_order': False, ", ""), 24), "header keys must be");
        assertRejected(npy(OK.replace("}", "'x': 1, }"), 24), "malformed header");
        assertRejected(npy(OK.replace("False", "'no'"), 24), "fortran_order must be True or False");
        assertRejected(npy(OK.replace("(2, 3)", "(-2, 3)"), 24), "non-negative integer");
        assertRejected(npy(OK.replace("(2, 3)", "(2)"), 24), "(n,)");
        assertRejected(npy(OK.replace("(2, 3)", "(1099511627776, 1099511627776)"), 24), "more than 2^31-1 elements");
        assertRejected(npy(OK.replace("(2, 3)", "(99999999999999999999,)"), 24), "too large");
        assertRejected(npy(OK.replace("(2, 3)", "(100000000,)"), 24), "needs 400000000 data bytes but 24 follow");
        assertRejected(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'descr': '<f4'}", 24),
                "duplicate key");
        assertRejected(npy("__import__('os').system('true')", 24), "malformed header");
    }

    @Test
    void hostileNpzFiles() throws IOException {
        Path notZip = Files.write(dir.resolve("a.npz"), "not a zip at all".getBytes(StandardCharsets.UTF_8));
        IOException e = assertThrows(IOException.class, () -> Npz.load(notZip));
        assertTrue(e.getMessage().contains("not a valid zip archive"), e.getMessage());

        Path other = dir.resolve("b.npz");
        writeZip(other, "readme.txt", "hello".getBytes(StandardCharsets.UTF_8));
        e = assertThrows(IOException.class, () -> Npz.load(other));
        assertTrue(e.getMessage().contains("entry readme.txt: not an .npy array"), e.getMessage());

        // an entry whose header claims more data than the entry holds
        byte[] lying = Npy.toBytes(Tensor.zeros(2));
        String text = new String(lying, StandardCharsets.ISO_8859_1).replace("(2,)", "(9,)");
        Path liar = dir.resolve("c.npz");
        writeZip(liar, "x.npy", text.getBytes(StandardCharsets.ISO_8859_1));
        e = assertThrows(IOException.class, () -> Npz.load(liar));
        assertTrue(e.getMessage().contains("entry x.npy") && e.getMessage().contains("needs 36 data bytes"),
                e.getMessage());
    }

    private static void writeZip(Path p, String entry, byte[] content) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
            z.putNextEntry(new ZipEntry(entry));
            z.write(content);
            z.closeEntry();
        }
    }
}
