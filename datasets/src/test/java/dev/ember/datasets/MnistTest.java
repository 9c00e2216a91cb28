package dev.ember.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading the standard MNIST files from a folder, with small stand-ins written in the standard layout. */
class MnistTest {
    @TempDir
    Path dir;

    private static IdxArray images(int n) {
        byte[] data = new byte[n * 784];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7);
        }
        return new IdxArray(new int[] {n, 28, 28}, data);
    }

    private static IdxArray labels(int... values) {
        byte[] data = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            data[i] = (byte) values[i];
        }
        return new IdxArray(new int[] {values.length}, data);
    }

    @Test
    void loadsTheStandardFileNamesCompressedOrNot() throws IOException {
        Idx.write(dir.resolve("train-images-idx3-ubyte.gz"), images(3), true);
        Idx.write(dir.resolve("train-labels-idx1-ubyte.gz"), labels(5, 0, 4), true);
        Idx.write(dir.resolve("t10k-images-idx3-ubyte"), images(2), false);
        Idx.write(dir.resolve("t10k-labels.idx1-ubyte"), labels(7, 2), false);

        MnistData train = Mnist.load(dir, true);
        assertArrayEquals(new long[] {3, 1, 28, 28}, train.images().shape());
        assertArrayEquals(new long[] {5, 0, 4}, train.labels().toLongArray());
        float[] px = train.images().toFloatArray();
        assertEquals(0f, px[0]);
        assertEquals(7 / 255f, px[1]);
        assertEquals(((37 * 7) & 0xff) / 255f, px[37]);

        MnistData test = Mnist.load(dir, false, true);
        assertArrayEquals(new long[] {7, 2}, test.labels().toLongArray());
        assertEquals((7 / 255f - 0.1307f) / 0.3081f, test.images().toFloatArray()[1], 1e-6);
    }

    @Test
    void missingFilesAreNamed() {
        String m = assertThrows(IOException.class, () -> Mnist.load(dir, true)).getMessage();
        assertTrue(m.contains("train-images-idx3-ubyte.gz") && m.contains(dir.toString()), m);
        m = assertThrows(IOException.class, () -> Mnist.load(dir.resolve("nope"), false)).getMessage();
        assertTrue(m.contains("not a folder"), m);
    }

    @Test
    void mismatchedFilesAreRejected() throws IOException {
        Idx.write(dir.resolve("train-images-idx3-ubyte"), images(3), false);
        Idx.write(dir.resolve("train-labels-idx1-ubyte"), labels(1, 2), false);
        String m = assertThrows(IOException.class, () -> Mnist.load(dir, true)).getMessage();
        assertTrue(m.contains("3 images but 2 labels"), m);

        Idx.write(dir.resolve("train-labels-idx1-ubyte"), labels(1, 2, 10), false);
        m = assertThrows(IOException.class, () -> Mnist.load(dir, true)).getMessage();
        assertTrue(m.contains("label 10 at index 2"), m);

        // images and labels swapped
        Idx.write(dir.resolve("train-images-idx3-ubyte"), labels(1, 2, 3), false);
        m = assertThrows(IOException.class, () -> Mnist.load(dir, true)).getMessage();
        assertTrue(m.contains("3 dims"), m);
    }

    @Test
    void conversionsCheckRanks() {
        assertThrows(IllegalArgumentException.class, () -> Mnist.images(labels(1, 2), false));
        assertThrows(IllegalArgumentException.class, () -> Mnist.labels(images(1)));
        float[] n = Mnist.normalize(Mnist.images(images(1), false)).toFloatArray();
        assertEquals((7 / 255f - 0.1307f) / 0.3081f, n[1], 1e-6);
    }
}
