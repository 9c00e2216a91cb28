package dev.ember.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.data.DataLoader;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CIFAR-10 binary format with small files written here in the published layout, and hostile files. */
class Cifar10Test {
    @TempDir
    Path dir;

    /** The pixel byte of record {@code r}, channel {@code c}, row {@code y}, column {@code x}. */
    private static int pixel(int r, int c, int y, int x) {
        return (r * 31 + c * 101 + y * 7 + x * 3) & 0xff;
    }

    /** Records with the given labels: label byte, then R (32 x 32 row-major), G, B. */
    private static byte[] records(int... labels) {
        byte[] out = new byte[labels.length * Cifar10.RECORD_BYTES];
        for (int r = 0; r < labels.length; r++) {
            int base = r * Cifar10.RECORD_BYTES;
            out[base] = (byte) labels[r];
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        out[base + 1 + c * 1024 + y * 32 + x] = (byte) pixel(r, c, y, x);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void readsRecordsInTheChannelFirstLayout() throws IOException {
        Path f = Files.write(dir.resolve("test_batch.bin"), records(3, 0, 9));
        Cifar10Data d = Cifar10.readBatch(f);
        assertEquals(3, d.size());
        assertEquals(List.of(3, 0, 9), List.of(d.label(0), d.label(1), d.label(2)));
        Tensor img = d.image(2);
        assertArrayEquals(new long[] {3, 32, 32}, img.shape());
        assertEquals(DType.FLOAT32, img.dtype());
        float[] v = img.toFloatArray();
        for (int c = 0; c < 3; c++) {
            for (int y : new int[] {0, 5, 31}) {
                for (int x : new int[] {0, 17, 31}) {
                    assertEquals(pixel(2, c, y, x) / 255f, v[c * 1024 + y * 32 + x]);
                    assertEquals(pixel(2, c, y, x), d.pixel(2, c, y, x));
                }
            }
        }
        Tensor all = d.images();
        assertArrayEquals(new long[] {3, 3, 32, 32}, all.shape());
        assertArrayEquals(img.toFloatArray(), all.select(0, 2).contiguous().toFloatArray());
        assertArrayEquals(new long[] {3, 0, 9}, d.labels().toLongArray());
        assertEquals("truck", Cifar10.CLASSES.get(d.label(2)));

        List<Tensor> s = d.get(1);
        assertEquals(0, s.get(1).dim());
        assertEquals(0, (int) s.get(1).item());
        var batches = DataLoader.builder(d).batchSize(2).build();
        List<Tensor> first = batches.iterator().next();
        assertArrayEquals(new long[] {2, 3, 32, 32}, first.get(0).shape());
        assertArrayEquals(new long[] {3, 0}, first.get(1).toLongArray());
    }

    @Test
    void loadsSplitsFromTheArchiveFolder() throws IOException {
        Path batches = Files.createDirectory(dir.resolve(Cifar10.ARCHIVE_FOLDER));
        for (int k = 0; k < 5; k++) {
            Files.write(batches.resolve(Cifar10.TRAIN_FILES.get(k)), records(k, k + 1));
        }
        Files.write(batches.resolve(Cifar10.TEST_FILE), records(7));
        Cifar10Data train = Cifar10.load(dir, true);
        assertEquals(10, train.size());
        assertArrayEquals(new long[] {0, 1, 1, 2, 2, 3, 3, 4, 4, 5}, train.labels().toLongArray(), "files in order");
        assertEquals(pixel(1, 2, 3, 4), train.pixel(3, 2, 3, 4), "record 1 of data_batch_2");
        Cifar10Data test = Cifar10.load(batches, false);
        assertEquals(1, test.size());
        assertEquals(7, test.label(0));
        Files.delete(batches.resolve("data_batch_4.bin"));
        String m = assertThrows(IOException.class, () -> Cifar10.load(dir, true)).getMessage();
        assertTrue(m.contains("data_batch_4.bin") && m.contains("cifar-10-binary.tar.gz"), m);
    }

    @Test
    void hostileFilesAreRefusedBeforeAllocating() throws IOException {
        byte[] two = records(1, 2);
        Path cut = Files.write(dir.resolve("cut.bin"), java.util.Arrays.copyOf(two, two.length - 100));
        String m = assertThrows(IOException.class, () -> Cifar10.readBatch(cut)).getMessage();
        assertTrue(m.contains("6046 bytes") && m.contains("3073-byte records") && m.contains("truncated"), m);
        Path empty = Files.write(dir.resolve("empty.bin"), new byte[0]);
        m = assertThrows(IOException.class, () -> Cifar10.readBatch(empty)).getMessage();
        assertTrue(m.contains("empty"), m);
        byte[] bad = records(1, 2, 3);
        bad[Cifar10.RECORD_BYTES] = 10;
        Path badLabel = Files.write(dir.resolve("label.bin"), bad);
        m = assertThrows(IOException.class, () -> Cifar10.readBatch(badLabel)).getMessage();
        assertTrue(m.contains("label 10 in record 1") && m.contains("label.bin"), m);

        // a record limit is checked from the file sizes, before the arrays are allocated
        Path three = Files.write(dir.resolve("three.bin"), records(1, 2, 3));
        long before = allocated();
        m = assertThrows(IOException.class, () -> Cifar10.read(List.of(three, three), 5)).getMessage();
        assertTrue(allocated() - before < 1 << 20, "allocated before refusing");
        assertTrue(m.contains("6 records") && m.contains("limit of 5"), m);
        assertEquals(6, Cifar10.read(List.of(three, three), 6).size());
        assertThrows(IllegalArgumentException.class, () -> new Cifar10Data(new byte[3072], new byte[] {12}));
    }

    private static long allocated() {
        var bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        return bean.getCurrentThreadAllocatedBytes();
    }
}
