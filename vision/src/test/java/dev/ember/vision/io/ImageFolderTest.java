package dev.ember.vision.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.data.DataLoader;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import dev.ember.vision.transforms.CenterCrop;
import dev.ember.vision.transforms.Compose;
import dev.ember.vision.transforms.RandomCrop;
import dev.ember.vision.transforms.RandomHorizontalFlip;
import dev.ember.vision.transforms.Resize;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ImageFolder against torchvision's class and sample order, loading, transforms, seeding and bad folders. */
class ImageFolderTest {
    @TempDir
    Path root;

    /**
     * The tree torchvision 0.14 lists (checked with {@code ImageFolder(root, loader=lambda p: p).samples}) as
     * Ant/z.png 0, cat/A.PNG 1, cat/a.png 1, cat/b.png 1, cat/B/g.png 1, cat/s/e.png 1, cat/s-x/d.png 1,
     * cat/s/deeper/f.png 1, dog/1.jpg 2, dog/2.jpeg 2: folders by path string ('-' sorts before '/'), files
     * by name, upper case first; notes.txt and top.png (not in a class folder) are left out.
     */
    static final List<String> TORCHVISION_ORDER = List.of("Ant/z.png", "cat/A.PNG", "cat/a.png", "cat/b.png",
            "cat/B/g.png", "cat/s/e.png", "cat/s-x/d.png", "cat/s/deeper/f.png", "dog/1.jpg", "dog/2.jpeg");

    @BeforeEach
    void makeTree() throws IOException {
        int k = 0;
        for (String name : TORCHVISION_ORDER) {
            Path f = root.resolve(name);
            Files.createDirectories(f.getParent());
            // sample k is a 1-channel 5 x 6 image of constant value (k + 1) * 20 / 255
            BufferedImage img = new BufferedImage(6, 5, BufferedImage.TYPE_BYTE_GRAY);
            int[] v = new int[30];
            Arrays.fill(v, (k + 1) * 20);
            img.getRaster().setSamples(0, 0, 6, 5, 0, v);
            String format = name.endsWith(".png") || name.endsWith(".PNG") ? "png" : "jpg";
            assertTrue(ImageIO.write(img, format, f.toFile()));
            k++;
        }
        Files.writeString(root.resolve("cat/notes.txt"), "not an image");
        Files.copy(root.resolve("Ant/z.png"), root.resolve("top.png"));
    }

    @Test
    void classesAndSamplesInTorchvisionOrder() throws IOException {
        ImageFolder ds = new ImageFolder(root);
        assertEquals(List.of("Ant", "cat", "dog"), ds.classes());
        assertEquals(Map.of("Ant", 0, "cat", 1, "dog", 2), ds.classToIdx());
        List<String> names = new ArrayList<>();
        for (ImageFolder.Sample s : ds.samples()) {
            names.add(root.relativize(s.path()).toString());
        }
        assertEquals(TORCHVISION_ORDER, names);
        assertArrayEquals(new int[] {0, 1, 1, 1, 1, 1, 1, 1, 2, 2}, ds.targets());
        assertEquals(10, ds.size());
    }

    @Test
    void samplesAreRgbImagesAndInt64Labels() throws IOException {
        ImageFolder ds = new ImageFolder(root);
        for (int i = 0; i < ds.size(); i++) {
            List<Tensor> s = ds.get(i);
            Tensor img = s.get(0);
            assertArrayEquals(new long[] {3, 5, 6}, img.shape(), "the default loader converts to RGB");
            double expected = (i + 1) * 20 / 255.0;
            double tol = ds.samples().get(i).path().toString().endsWith("jpeg")
                    || ds.samples().get(i).path().toString().endsWith("jpg") ? 2 / 255.0 : 1e-7;
            for (double v : img.toDoubleArray()) {
                assertEquals(expected, v, tol, "sample " + i);
            }
            Tensor label = s.get(1);
            assertEquals(DType.INT64, label.dtype());
            assertEquals(0, label.dim());
            assertEquals(ds.targets()[i], (int) label.item());
        }
        assertThrows(IndexOutOfBoundsException.class, () -> ds.get(10));
    }

    @Test
    void extensionsAndValidFileFilters() throws IOException {
        ImageFolder png = ImageFolder.builder(root).extensions(".png", ".JPG").build();
        assertEquals(9, png.size(), "A.PNG matches .png: torchvision lower-cases the file name");
        assertFalse(png.samples().stream().anyMatch(x -> x.path().toString().endsWith(".jpeg")));
        ImageFolder onlyS = ImageFolder.builder(root)
                .isValidFile(p -> p.getFileName().toString().matches("[a-z1]\\..*"))
                .build();
        assertEquals(List.of(0, 1, 2), Arrays.stream(onlyS.targets()).boxed().distinct().toList());
        var e = assertThrows(IOException.class, () -> ImageFolder.builder(root).extensions(".jpeg").build());
        assertTrue(e.getMessage().contains("found no valid file for the classes Ant, cat")
                && e.getMessage().contains(".jpeg"), e.getMessage());
    }

    @Test
    void badFoldersAndFiles() throws IOException {
        var e = assertThrows(IOException.class, () -> new ImageFolder(root.resolve("missing")));
        assertTrue(e.getMessage().contains("is not a folder"), e.getMessage());
        Path flat = Files.createDirectory(root.resolve("cat/s/deeper/flat"));
        Files.writeString(flat.resolve("x.png"), "x");
        e = assertThrows(IOException.class, () -> new ImageFolder(flat));
        assertTrue(e.getMessage().contains("couldn't find any class folder"), e.getMessage());
        // a corrupt image fails when loaded, naming the file
        Files.writeString(root.resolve("dog/3.png"), "corrupt");
        ImageFolder ds = new ImageFolder(root);
        UncheckedIOException u = assertThrows(UncheckedIOException.class, () -> ds.get(ds.size() - 1));
        assertTrue(u.getMessage().contains("3.png") && u.getMessage().contains("not a recognised image format"),
                u.getMessage());
    }

    @Test
    void batchesThroughDataLoaderWithWorkers() throws IOException {
        ImageFolder ds = new ImageFolder(root, new Compose(new Resize(4, 4), new CenterCrop(3)));
        var loader = DataLoader.builder(ds).batchSize(4).numWorkers(2).build();
        int seen = 0;
        for (List<Tensor> batch : loader) {
            long b = batch.get(0).size(0);
            assertArrayEquals(new long[] {b, 3, 3, 3}, batch.get(0).shape());
            assertArrayEquals(new long[] {b}, batch.get(1).shape());
            assertEquals(DType.INT64, batch.get(1).dtype());
            seen += (int) b;
        }
        assertEquals(10, seen);
    }

    @Test
    void seededRandomTransformsAreReproduciblePerIndexAndEpoch() throws IOException {
        // a horizontal gradient so flips and crops are visible
        Path grad = root.resolve("cat/gradient.png");
        double[] v = new double[3 * 8 * 8];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i % 8) / 7.0;
        }
        Images.writePng(Tensor.of(v, 3, 8, 8), grad);
        var t = new Compose(new RandomCrop(5), new RandomHorizontalFlip());
        ImageFolder a = ImageFolder.builder(root).transform(t).seed(7).build();
        ImageFolder b = ImageFolder.builder(root).transform(t).seed(7).build();
        int idx = -1;
        for (int i = 0; i < a.size(); i++) {
            if (a.samples().get(i).path().equals(grad)) {
                idx = i;
            }
        }
        assertTrue(idx >= 0);
        double[] first = a.get(idx).get(0).toDoubleArray();
        assertArrayEquals(first, a.get(idx).get(0).toDoubleArray(), 0.0, "same index, same epoch: same draw");
        assertArrayEquals(first, b.get(idx).get(0).toDoubleArray(), 0.0, "another dataset with the seed");
        boolean changed = false;
        for (int epoch = 1; epoch < 6 && !changed; epoch++) {
            a.setEpoch(epoch);
            changed = !Arrays.equals(first, a.get(idx).get(0).toDoubleArray());
        }
        assertTrue(changed, "a new epoch draws new augmentations");
        a.setEpoch(0);
        assertArrayEquals(first, a.get(idx).get(0).toDoubleArray(), 0.0, "epoch 0 again");
        assertFalse(a.toString().isEmpty());
    }
}
