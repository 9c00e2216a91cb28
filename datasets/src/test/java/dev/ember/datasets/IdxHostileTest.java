package dev.ember.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Malformed and hostile IDX input: a clear IOException, never a huge allocation. */
class IdxHostileTest {
    @TempDir
    Path dir;

    /** IDX bytes with the given magic, dims (as unsigned 32-bit) and data length. */
    private static byte[] idx(int magic, long[] dims, int dataBytes) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + dataBytes); // big-endian by default
        b.putInt(magic);
        for (long d : dims) {
            b.putInt((int) d);
        }
        return b.array();
    }

    private static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(plain);
        }
        return out.toByteArray();
    }

    private static String fails(byte[] bytes) {
        return assertThrows(IOException.class, () -> Idx.read(new ByteArrayInputStream(bytes), "bad.idx"))
                .getMessage();
    }

    private String failsFromFile(byte[] bytes) throws IOException {
        Path f = dir.resolve("bad-file");
        Files.write(f, bytes);
        return assertThrows(IOException.class, () -> Idx.read(f)).getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "message \"" + message + "\" should mention \"" + p + "\"");
        }
    }

    /** Bytes allocated by this thread while running {@code body}, which must throw an IOException. */
    private static long allocatedWhileFailing(Executable body) {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = bean.getCurrentThreadAllocatedBytes();
        assertThrows(IOException.class, body);
        return bean.getCurrentThreadAllocatedBytes() - before;
    }

    @Test
    void wrongMagic() throws IOException {
        assertMentions(fails(idx(0x01000803, new long[] {1, 2, 2}, 4)), "bad.idx", "not an IDX file", "0x01000803");
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 0};
        assertMentions(fails(png), "not an IDX file", "0x89504e47");
        assertMentions(failsFromFile(png), "bad-file", "not an IDX file");
    }

    @Test
    void unsupportedElementType() {
        assertMentions(fails(idx(0x00000D03, new long[] {1, 1, 1}, 4)), "element type 0x0d", "float32",
                "only unsigned byte");
        assertMentions(fails(idx(0x00007701, new long[] {1}, 1)), "element type 0x77", "not an IDX type");
    }

    @Test
    void badDimsCount() {
        assertMentions(fails(idx(0x00000800, new long[0], 0)), "0 dims", "expected 1 to 8");
        assertMentions(fails(idx(0x000008C8, new long[0], 0)), "200 dims");
    }

    @Test
    void tooShort() throws IOException {
        assertMentions(fails(new byte[0]), "too short", "0 bytes");
        assertMentions(fails(new byte[] {0, 0, 8}), "too short");
        assertMentions(fails(Arrays.copyOf(idx(0x00000803, new long[] {1, 28, 28}, 0), 9)), "truncated header");
        assertMentions(failsFromFile(new byte[] {0, 0}), "too short");
    }

    @Test
    void truncatedData() throws IOException {
        byte[] cut = Arrays.copyOf(idx(0x00000803, new long[] {10, 28, 28}, 7840), 16 + 5000);
        assertMentions(fails(cut), "truncated", "7840", "5000");
        assertMentions(failsFromFile(cut), "truncated", "7840", "5000");
        assertMentions(fails(gzip(cut)), "truncated", "7840", "5000");
    }

    @Test
    void trailingBytes() throws IOException {
        byte[] extra = idx(0x00000801, new long[] {10}, 12);
        assertMentions(fails(extra), "trailing bytes");
        assertMentions(failsFromFile(extra), "trailing bytes");
        assertMentions(fails(gzip(extra)), "trailing bytes");
    }

    @Test
    void dimsClaimingTwoToThe31Elements() throws IOException {
        // 65536 * 32768 = 2^31: rejected from the header alone, in every reading path
        byte[] claim = idx(0x00000802, new long[] {65536, 32768}, 16);
        assertMentions(fails(claim), "more than 2^31", "[65536, 32768]", "limit");
        assertMentions(failsFromFile(claim), "more than 2^31");
        assertMentions(fails(gzip(claim)), "more than 2^31");
        // a product that would overflow a long: four dims of 2^32 - 1
        long m = 0xFFFFFFFFL;
        assertMentions(fails(idx(0x00000804, new long[] {m, m, m, m}, 0)), "more than 2^31");
        // a zero dim beside an absurd one describes no data, and is still refused
        assertMentions(fails(idx(0x00000802, new long[] {0, m}, 0)), "larger than 2^31");
    }

    @Test
    void sizeLimit() {
        byte[] ok = idx(0x00000803, new long[] {2, 28, 28}, 2 * 784);
        assertMentions(assertThrows(IOException.class,
                () -> Idx.read(new ByteArrayInputStream(ok), "small", 1000)).getMessage(), "1568", "limit of 1000");
        assertThrows(IllegalArgumentException.class, () -> Idx.read(new ByteArrayInputStream(ok), "x", -1));
        assertThrows(IllegalArgumentException.class,
                () -> Idx.read(new ByteArrayInputStream(ok), "x", Integer.MAX_VALUE));
    }

    @Test
    void hugeClaimOverLittleDataAllocatesLittle() throws IOException {
        // header claims ~1 GB (under the default limit), the data is 10 bytes
        byte[] claim = idx(0x00000803, new long[] {1_000_000, 1000, 1}, 10);
        long streamed = allocatedWhileFailing(() -> Idx.read(new ByteArrayInputStream(claim), "claim"));
        assertTrue(streamed < 8 << 20, "allocated " + streamed + " bytes for a 26-byte stream");
        Path f = dir.resolve("claim");
        Files.write(f, claim);
        long fromFile = allocatedWhileFailing(() -> Idx.read(f));
        assertTrue(fromFile < 8 << 20, "allocated " + fromFile + " bytes for a 26-byte file");
    }

    @Test
    void gzipClaimingMoreThanItHoldsAllocatesLittle() throws IOException {
        // gzip bomb-ish: the header claims a full MNIST training set (47 MB), the stream holds 100 images
        byte[] plain = idx(0x00000803, new long[] {60000, 28, 28}, 100 * 784);
        byte[] gz = gzip(plain);
        long bytes = allocatedWhileFailing(() -> Idx.read(new ByteArrayInputStream(gz), "bomb.gz"));
        assertTrue(bytes < 8 << 20, "allocated " + bytes + " bytes for " + gz.length + " compressed bytes");
        assertMentions(fails(gz), "truncated", "47040000", "78400");
    }

    @Test
    void gzipThatReallyExpandsIsCappedByTheLimit() throws IOException {
        // 20 MB of zeros compress to about 20 KB; with a 1 MB limit it is refused from the header
        byte[] plain = idx(0x00000803, new long[] {20_000, 1000, 1}, 20_000_000);
        byte[] gz = gzip(plain);
        assertTrue(gz.length < 100_000);
        long bytes = allocatedWhileFailing(() -> Idx.read(new ByteArrayInputStream(gz), "zeros.gz", 1 << 20));
        assertTrue(bytes < 8 << 20, "allocated " + bytes);
    }

    @Test
    void corruptAndCutGzip() throws IOException {
        byte[] gz = gzip(idx(0x00000803, new long[] {50, 28, 28}, 50 * 784));
        byte[] cut = Arrays.copyOf(gz, gz.length / 2);
        assertMentions(fails(cut), "bad.idx", "gzip");
        byte[] corrupt = gz.clone();
        for (int i = 10; i < 30; i++) {
            corrupt[i] ^= (byte) 0x5a;
        }
        String message = fails(corrupt);
        assertTrue(message.contains("gzip") || message.contains("IDX"), message);
        assertMentions(failsFromFile(cut), "bad-file", "gzip");
    }

    @Test
    void anEmptyFileOfTheRightShapeIsFine() throws IOException {
        IdxArray a = Idx.read(new ByteArrayInputStream(idx(0x00000803, new long[] {0, 28, 28}, 0)), "empty");
        assertEquals(0, a.size());
    }
}
