package dev.ember.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path dir;

    private static IdxArray random(int... dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        byte[] data = new byte[n];
        new Random(42).nextBytes(data);
        return new IdxArray(dims, data);
    }

    @Test
    void writerFollowsTheSpec() throws IOException {
        // header bytes written out by hand from the IDX description: 00 00 08 <ndims>, big-endian sizes
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Idx.write(out, new IdxArray(new int[] {2, 3}, new byte[] {1, 2, 3, 4, 5, (byte) 255}));
        byte[] expected = {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, (byte) 255};
        assertArrayEquals(expected, out.toByteArray());

        out.reset();
        Idx.write(out, new IdxArray(new int[] {70000}, new byte[70000]));
        byte[] header = java.util.Arrays.copyOf(out.toByteArray(), 8);
        assertArrayEquals(new byte[] {0, 0, 8, 1, 0, 1, 0x11, 0x70}, header); // 70000 = 0x00011170
    }

    @Test
    void readsAHandWrittenFile() throws IOException {
        byte[] file = {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 127, (byte) 128, (byte) 255};
        IdxArray a = Idx.read(new ByteArrayInputStream(file), "hand");
        assertArrayEquals(new int[] {1, 2, 2}, a.dims());
        assertEquals(0, a.get(0));
        assertEquals(127, a.get(1));
        assertEquals(128, a.get(2));
        assertEquals(255, a.get(3));
    }

    @Test
    void roundTripUncompressedAndGzip() throws IOException {
        for (IdxArray a : new IdxArray[] {random(5, 28, 28), random(1000), random(2, 3, 4, 5), random(0, 28, 28)}) {
            for (boolean gzip : new boolean[] {false, true}) {
                Path f = dir.resolve("a" + a.rank() + a.dim(0) + (gzip ? ".gz" : ""));
                Idx.write(f, a, gzip);
                byte[] bytes = Files.readAllBytes(f);
                assertEquals(gzip, (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b, "gzip magic");
                assertEquals(a, Idx.read(f));
                assertEquals(a, Idx.read(new ByteArrayInputStream(bytes), f.toString()));
                if (gzip) {
                    // a standard gunzip gives the uncompressed IDX bytes
                    ByteArrayOutputStream plain = new ByteArrayOutputStream();
                    Idx.write(plain, a);
                    assertArrayEquals(plain.toByteArray(),
                            new GZIPInputStream(new ByteArrayInputStream(bytes)).readAllBytes());
                }
            }
        }
    }

    @Test
    void detectsGzipByContentNotName() throws IOException {
        IdxArray a = random(3, 4);
        Path gzNamedPlain = dir.resolve("plain.gz");
        Path plainNamedGz = dir.resolve("compressed-idx1-ubyte");
        Idx.write(gzNamedPlain, a, false);
        Idx.write(plainNamedGz, a, true);
        assertEquals(a, Idx.read(gzNamedPlain));
        assertEquals(a, Idx.read(plainNamedGz));
    }

    @Test
    void gzipOutputIsDeterministic() throws IOException {
        IdxArray a = random(10, 28, 28);
        Path f1 = dir.resolve("one.gz");
        Path f2 = dir.resolve("two.gz");
        Idx.write(f1, a, true);
        Idx.write(f2, a, true);
        assertArrayEquals(Files.readAllBytes(f1), Files.readAllBytes(f2));
    }

    @Test
    void writeReplacesAtomicallyAndLeavesNoTemporaryFiles() throws IOException {
        Path f = dir.resolve("x.gz");
        Idx.write(f, random(4), true);
        Idx.write(f, random(6), true);
        assertEquals(6, Idx.read(f).size());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void idxArrayValidates() {
        assertThrows(IllegalArgumentException.class, () -> new IdxArray(new int[] {2, 3}, new byte[5]));
        assertThrows(IllegalArgumentException.class, () -> new IdxArray(new int[] {-1}, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new IdxArray(new int[0], new byte[1]));
        assertThrows(IllegalArgumentException.class,
                () -> new IdxArray(new int[] {65536, 65536}, new byte[1]));
        assertEquals(0, new IdxArray(new int[] {65536, 65536, 0}, new byte[0]).size());
    }
}
