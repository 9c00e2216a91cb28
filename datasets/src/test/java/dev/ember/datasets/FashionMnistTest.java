package dev.ember.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ember.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fashion-MNIST: small IDX files written here, and, when Debian's dataset-fashion-mnist package is installed,
 * the real files against facts about them (first labels, class counts, pixel statistics).
 */
class FashionMnistTest {
    @TempDir
    Path dir;

    private static IdxArray labels(int... values) {
        byte[] data = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            data[i] = (byte) values[i];
        }
        return new IdxArray(new int[] {values.length}, data);
    }

    private static IdxArray images(int n) {
        byte[] data = new byte[n * 784];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 11);
        }
        return new IdxArray(new int[] {n, 28, 28}, data);
    }

    private void writeSplit(String prefix, IdxArray images, IdxArray labels, boolean gzip) throws IOException {
        String ext = gzip ? ".gz" : "";
        Idx.write(dir.resolve(prefix + "-images-idx3-ubyte" + ext), images, gzip);
        Idx.write(dir.resolve(prefix + "-labels-idx1-ubyte" + ext), labels, gzip);
    }

    @Test
    void loadsAFolderOfIdxFiles() throws IOException {
        writeSplit("train", images(3), labels(9, 0, 3), true);
        writeSplit("t10k", images(2), labels(1, 8), false);
        MnistData train = FashionMnist.load(dir, true);
        assertArrayEquals(new long[] {3, 1, 28, 28}, train.images().shape());
        assertArrayEquals(new long[] {9, 0, 3}, train.labels().toLongArray());
        assertEquals(11 / 255f, train.images().toFloatArray()[1]);
        assertEquals("Ankle boot", FashionMnist.className(9));
        assertEquals("T-shirt/top", FashionMnist.CLASSES.get(0));
        assertEquals(10, FashionMnist.CLASSES.size());

        MnistData test = FashionMnist.load(dir, false, true);
        assertArrayEquals(new long[] {1, 8}, test.labels().toLongArray());
        assertEquals((22 / 255f - 0.2860f) / 0.3530f, test.images().toFloatArray()[2], 1e-6);
        assertEquals(dir, FashionMnist.resolve(dir));
    }

    @Test
    void badFilesAndMissingFolders() throws IOException {
        String m = assertThrows(IOException.class, () -> FashionMnist.load(dir, true)).getMessage();
        assertTrue(m.contains("train-images-idx3-ubyte.gz") && m.contains("t10k-labels-idx1-ubyte.gz")
                && m.contains(dir.toString()), m);
        writeSplit("train", images(2), labels(3, 10), false);
        writeSplit("t10k", images(1), labels(0, 1), false);
        m = assertThrows(IOException.class, () -> FashionMnist.load(dir, true)).getMessage();
        assertTrue(m.contains("label 10 at index 1") && m.contains("Fashion-MNIST"), m);
        m = assertThrows(IOException.class, () -> FashionMnist.load(dir, false)).getMessage();
        assertTrue(m.contains("1 images but 2 labels"), m);
        assertThrows(IllegalArgumentException.class, () -> FashionMnist.className(10));
    }

    @Test
    void withoutAFolderTheDebianPackageIsUsedOrExplained() throws IOException {
        if (FashionMnist.isInstalled()) {
            assertEquals(FashionMnist.DEBIAN_DIR, FashionMnist.resolve(null));
        } else {
            String m = assertThrows(IOException.class, () -> FashionMnist.resolve(null)).getMessage();
            assertTrue(m.contains("apt-get install -y dataset-fashion-mnist")
                    && m.contains("/usr/share/datasets/fashion-mnist"), m);
        }
    }

    @Test
    void debianPackageFiles() throws IOException {
        assumeTrue(FashionMnist.isInstalled(), "Debian's Fashion-MNIST is not installed in "
                + FashionMnist.DEBIAN_DIR + " (apt-get install -y dataset-fashion-mnist); skipping the real-data test");
        MnistData test = FashionMnist.load(false);
        assertArrayEquals(new long[] {10_000, 1, 28, 28}, test.images().shape());
        long[] labels = test.labels().toLongArray();
        // the first test labels and the class balance of the published files
        assertArrayEquals(new long[] {9, 2, 1, 1, 6, 1, 4, 6, 5, 7}, java.util.Arrays.copyOf(labels, 10));
        int[] counts = new int[10];
        for (long l : labels) {
            counts[(int) l]++;
        }
        for (int c : counts) {
            assertEquals(1000, c);
        }
        Tensor first = test.images().select(0, 0);
        assertEquals(33456 / 255.0, first.sum().item(), 1e-2, "pixel sum of test image 0 (an ankle boot)");

        // training labels and the pixel statistics behind MEAN and STD, from the raw bytes (no 188 MB tensor)
        IdxArray trainLabels = Idx.read(FashionMnist.DEBIAN_DIR.resolve("train-labels-idx1-ubyte.gz"));
        assertEquals(60_000, trainLabels.size());
        int[] trainCounts = new int[10];
        for (int i = 0; i < trainLabels.size(); i++) {
            trainCounts[trainLabels.get(i)]++;
        }
        for (int c : trainCounts) {
            assertEquals(6000, c);
        }
        IdxArray trainImages = Idx.read(FashionMnist.DEBIAN_DIR.resolve("train-images-idx3-ubyte.gz"));
        double sum = 0;
        double sq = 0;
        for (byte b : trainImages.data()) {
            double x = Byte.toUnsignedInt(b) / 255.0;
            sum += x;
            sq += x * x;
        }
        double n = trainImages.size();
        double mean = sum / n;
        assertEquals(FashionMnist.MEAN, mean, 1e-4);
        assertEquals(FashionMnist.STD, Math.sqrt(sq / n - mean * mean), 1e-4);
    }
}
