package dev.ember.io;

import static dev.ember.io.SafeTensorsTest.ascii;
import static dev.ember.io.SafeTensorsTest.concat;
import static dev.ember.io.SafeTensorsTest.le;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Truncated and hostile safetensors files: each a clear IOException, no big allocation, no crash. */
class SafeTensorsHostileTest {
    @TempDir
    Path dir;

    /** A file with this header text and {@code dataBytes} zero bytes of data. */
    private static byte[] file(String header, int dataBytes) {
        return concat(le(header.length()), ascii(header), new byte[dataBytes]);
    }

    private void assertRejected(byte[] bytes, String... fragments) throws IOException {
        long before = Fixtures.allocated();
        IOException e = assertThrows(IOException.class, () -> SafeTensors.fromBytes(bytes));
        Path p = Files.write(dir.resolve("bad" + System.nanoTime() + ".safetensors"), bytes);
        IOException fromFile = assertThrows(IOException.class, () -> SafeTensors.load(p));
        long allocated = Fixtures.allocated() - before;
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "expected '" + f + "' in: " + e.getMessage());
            assertTrue(fromFile.getMessage().contains(f), "expected '" + f + "' in: " + fromFile.getMessage());
        }
        assertTrue(fromFile.getMessage().contains(p.toString()), "the message names the file: " + fromFile.getMessage());
        assertTrue(allocated < (16L << 20) + 4L * bytes.length, "allocated " + allocated + " bytes for a hostile file");
    }

    private static final String OK_ENTRY = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    @Test
    void validFileForReference() throws IOException {
        Tensor a = SafeTensors.fromBytes(file(OK_ENTRY, 8)).tensors().get("a");
        assertTrue(Arrays.equals(new double[] {0, 0}, a.toDoubleArray()));
    }

    @Test
    void truncatedFiles() throws IOException {
        byte[] good = SafeTensors.toBytes(Map.of("w", Tensor.ones(4, 4)), null);
        assertRejected(Arrays.copyOf(good, good.length - 3), "outside the data section", "truncated file?");
        assertRejected(Arrays.copyOf(good, 20), "header length", "runs past the end of the file");
        assertRejected(Arrays.copyOf(good, 5), "too small");
        assertRejected(new byte[0], "too small");
    }

    @Test
    void headerLengthBeyondTheFileOrTheCap() throws IOException {
        assertRejected(concat(le(50_000_000L), ascii("{}")), "header length 50000000", "runs past the end");
        assertRejected(concat(le(SafeTensors.MAX_HEADER_BYTES + 1), ascii("{}")), "exceeds the limit");
        assertRejected(concat(le(-1L), ascii("{}")), "18446744073709551615", "exceeds the limit");
        assertRejected(concat(le(Long.MAX_VALUE), ascii("{}")), "exceeds the limit");
    }

    @Test
    void malformedJson() throws IOException {
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",", 0), "not valid JSON");
        assertRejected(file("{\"a\":1,}   ", 0), "not valid JSON");
        assertRejected(file("[1,2,3]", 0), "does not start with '{'");
        assertRejected(file(" {}", 0), "does not start with '{'");
        assertRejected(concat(le(4), new byte[] {'{', '"', (byte) 0xFF, '}'}), "not valid UTF-8");
        assertRejected(file("{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}", 0), "nesting");
        assertRejected(file(OK_ENTRY.replace("}}", "},\"a\":{}}"), 8), "duplicate key");
    }

    @Test
    void badEntries() throws IOException {
        assertRejected(file("{\"a\":5}", 0), "tensor \"a\"", "expected an object");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8), "expected exactly the keys");
        assertRejected(file(OK_ENTRY.replace("}}", ",\"extra\":1}}"), 8), "expected exactly the keys");
        assertRejected(file(OK_ENTRY.replace("F32", "F33"), 8), "unknown dtype \"F33\"");
        assertRejected(file(OK_ENTRY.replace("F32", "U64"), 8), "unsupported dtype U64");
        assertRejected(file(OK_ENTRY.replace("\"F32\"", "32"), 8), "dtype must be a string");
        assertRejected(file(OK_ENTRY.replace("[2]", "[-2]"), 8), "non-negative integers");
        assertRejected(file(OK_ENTRY.replace("[2]", "[2.0]"), 8), "non-negative integers");
        assertRejected(file(OK_ENTRY.replace("[2]", "\"2\""), 8), "shape must be an array");
        assertRejected(file(OK_ENTRY.replace("[0,8]", "[0]"), 8), "data_offsets must be [begin, end]");
        assertRejected(file(OK_ENTRY.replace("[0,8]", "[-8,0]"), 8), "outside the data section");
        assertRejected(file(OK_ENTRY.replace("[0,8]", "[8,0]"), 8), "outside the data section");
        assertRejected(file("{\"__metadata__\":{\"k\":1}}", 0), "is not a string");
        assertRejected(file("{\"__metadata__\":[]}", 0), "must be an object of strings");
    }

    @Test
    void offsetsOutOfRangeOverlappingOrMismatched() throws IOException {
        assertRejected(file(OK_ENTRY.replace("[0,8]", "[0,16]"), 8), "outside the data section of 8 bytes");
        assertRejected(file(OK_ENTRY.replace("[0,8]", "[0,9223372036854775807]"), 8), "outside the data section");
        assertRejected(file(OK_ENTRY.replace("[2]", "[3]"), 8), "span 8 bytes", "need 12");
        assertRejected(file(OK_ENTRY.replace("[0,8]", "[0,4]"), 4), "span 4 bytes", "need 8");
        String two = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertRejected(file(two, 12), "\"a\" [0, 8) and \"b\" [4, 12) overlap");
        assertRejected(file(two.replace("[4,12]", "[0,8]"), 8), "overlap");
        assertRejected(file(two.replace("[4,12]", "[12,20]"), 20), "gap of 4 bytes");
        assertRejected(file(OK_ENTRY, 12), "holds 12 bytes but the tensors cover 8", "trailing");
    }

    @Test
    void hugeShapesAreRejectedBeforeAllocating() throws IOException {
        assertRejected(file(OK_ENTRY.replace("[2]", "[65536,65536]"), 8), "more than 2^31-1 elements");
        assertRejected(file(OK_ENTRY.replace("[2]", "[4611686018427387904,4]"), 8), "more than 2^31-1 elements");
        assertRejected(file(OK_ENTRY.replace("[2]", "[9223372036854775808]"), 8), "not valid JSON", "64-bit range");
        // plausible shape, offsets claiming far more data than the file has
        assertRejected(file(OK_ENTRY.replace("[2]", "[100000000]").replace("[0,8]", "[0,400000000]"), 8),
                "outside the data section");
    }
}
