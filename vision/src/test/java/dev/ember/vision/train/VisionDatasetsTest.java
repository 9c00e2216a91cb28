package dev.ember.vision.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dataset and model names as the app passes them; folder datasets on a few generated PNGs. */
class VisionDatasetsTest {

    @TempDir
    Path tmp;

    @Test
    void mnistSampleIsNormalisedWithItsClasses() throws IOException {
        ClassificationData d = VisionDatasets.load("mnist-sample", VisionDatasets.Options.defaults());
        assertEquals(7996, d.train().size());
        assertEquals(2004, d.test().size());
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), d.classes());
        Tensor first = d.train().get(0).get(0);
        assertArrayEquals(new long[] {1, 28, 28}, first.shape());
        // the corner pixel is background: (0 - mean) / std
        assertEquals(-0.1307 / 0.3081, first.toDoubleArray()[0], 1e-5);
    }

    @Test
    void unknownNamesListTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VisionDatasets.load("imagenet", VisionDatasets.Options.defaults()));
        assertTrue(e.getMessage().contains("mnist-sample") && e.getMessage().contains("folder:PATH"), e.getMessage());
        IOException dir = assertThrows(IOException.class,
                () -> VisionDatasets.load("mnist", tmp.resolve("nowhere")));
        assertTrue(dir.getMessage().contains("does not exist"), dir.getMessage());
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class, () -> VisionModels.canonical("x"));
        assertTrue(m.getMessage().contains("lenet") && m.getMessage().contains("vit-tiny"), m.getMessage());
        assertEquals("efficientnet-b0", VisionModels.canonical("EfficientNet_B0"));
        assertEquals("lenet", VisionModels.canonical("lenet5"));
    }

    @Test
    void folderWithoutSplitHoldsOutAFifthOfEachClass() throws IOException {
        writeImages(tmp.resolve("pets"), "cat", 10, 0xFF0000);
        writeImages(tmp.resolve("pets"), "dog", 5, 0x0000FF);
        ClassificationData d = VisionDatasets.load("folder:" + tmp.resolve("pets"), size(8));
        assertEquals(List.of("cat", "dog"), d.classes());
        assertEquals("folder:" + tmp.resolve("pets").toAbsolutePath().normalize(), d.name());
        assertEquals(3, d.test().size()); // 2 cats, 1 dog
        assertEquals(12, d.train().size());
        List<Tensor> sample = d.test().get(0);
        assertArrayEquals(new long[] {3, 8, 8}, sample.get(0).shape());
        assertEquals(0, sample.get(1).dim());
        // a red cat, normalised with ImageNet's statistics
        double[] px = sample.get(0).toDoubleArray();
        assertEquals((1 - 0.485) / 0.229, px[0], 1e-5);
        assertEquals((0 - 0.406) / 0.225, px[128], 1e-5);
    }

    @Test
    void splitIsStratifiedAndDeterministic() {
        int[] targets = new int[23];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = i < 20 ? i % 2 : 2; // 10 + 10 + 3
        }
        int[][] a = FolderDatasets.split(targets, 3);
        int[][] b = FolderDatasets.split(targets, 3);
        assertArrayEquals(a[0], b[0]);
        assertArrayEquals(a[1], b[1]);
        assertEquals(5, a[1].length); // 2 + 2 + 1
        long twos = Arrays.stream(a[1]).filter(i -> targets[i] == 2).count();
        assertEquals(1, twos);
        assertEquals(23, a[0].length + a[1].length);
    }

    @Test
    void folderWithTrainAndTestFolders() throws IOException {
        Path root = tmp.resolve("split");
        writeImages(root.resolve("train"), "a", 3, 0x101010);
        writeImages(root.resolve("train"), "b", 3, 0xF0F0F0);
        writeImages(root.resolve("val"), "a", 1, 0x101010);
        writeImages(root.resolve("val"), "b", 2, 0xF0F0F0);
        ClassificationData d = VisionDatasets.load("folder:" + root, size(16));
        assertEquals(6, d.train().size());
        assertEquals(3, d.test().size());
        assertEquals(16, d.height());

        writeImages(root.resolve("test"), "c", 1, 0);
        IOException e = assertThrows(IOException.class, () -> VisionDatasets.load("folder:" + root, size(16)));
        assertTrue(e.getMessage().contains("differ"), e.getMessage());
    }

    @Test
    void cifar10FromTheBinaryFilesIsNormalisedPerChannel() throws IOException {
        Path dir = tmp.resolve("cifar-10-batches-bin");
        Files.createDirectories(dir);
        for (String f : List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                "data_batch_5.bin", "test_batch.bin")) {
            byte[] records = new byte[2 * 3073];
            for (int r = 0; r < 2; r++) {
                records[r * 3073] = (byte) (r + 3); // labels 3 (cat) and 4 (deer)
                java.util.Arrays.fill(records, r * 3073 + 1, r * 3073 + 1 + 1024, (byte) 255); // red plane
            }
            Files.write(dir.resolve(f), records);
        }
        // the folder above the extracted archive works too
        ClassificationData d = VisionDatasets.load("cifar10", new VisionDatasets.Options(tmp, 64, false));
        assertEquals(10, d.train().size());
        assertEquals(2, d.test().size());
        assertEquals("cat", d.classes().get((int) d.test().get(0).get(1).item()));
        double[] px = d.test().get(1).get(0).toDoubleArray();
        assertEquals(3 * 32 * 32, px.length);
        assertEquals((1 - 0.4914) / 0.2470, px[0], 1e-5);
        assertEquals((0 - 0.4822) / 0.2435, px[1024], 1e-5);
        IOException none = assertThrows(IOException.class,
                () -> VisionDatasets.load("cifar10", new VisionDatasets.Options(tmp.resolve("x"), 64, false)));
        assertTrue(none.getMessage().contains("does not exist"), none.getMessage());
    }

    private static VisionDatasets.Options size(int folderSize) {
        return new VisionDatasets.Options(null, folderSize, false);
    }

    private static void writeImages(Path root, String cls, int n, int rgb) throws IOException {
        Path dir = root.resolve(cls);
        Files.createDirectories(dir);
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(12, 10, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 10; y++) {
                for (int x = 0; x < 12; x++) {
                    img.setRGB(x, y, rgb);
                }
            }
            ImageIO.write(img, "png", dir.resolve(cls + i + ".png").toFile());
        }
    }
}
