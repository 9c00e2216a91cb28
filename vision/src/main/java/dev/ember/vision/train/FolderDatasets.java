package dev.ember.vision.train;

import dev.ember.data.Dataset;
import dev.ember.data.Subset;
import dev.ember.tensor.Generator;
import dev.ember.tensor.Tensor;
import dev.ember.vision.io.ImageFolder;
import dev.ember.vision.io.ImageReadMode;
import dev.ember.vision.io.Images;
import dev.ember.vision.transforms.Normalize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code folder:PATH} datasets: images in one sub-folder per class (torchvision's {@code ImageFolder}), read as
 * RGB, resized to {@code size x size} and normalised with ImageNet's mean and std (what pretrained torchvision
 * models expect, and a fair default for photos). Either PATH holds {@code train/} and {@code test/} (or
 * {@code val/}) folders with the same classes, or PATH holds the class folders and a fixed 20% of each class (at
 * least one image, picked by a seeded shuffle) is the test split. Images are decoded when a batch needs them, on
 * the data loader's worker threads. Training batches get random shifts of up to size/8 pixels and horizontal
 * flips.
 */
final class FolderDatasets {
    static final double[] IMAGENET_MEAN = {0.485, 0.456, 0.406};
    static final double[] IMAGENET_STD = {0.229, 0.224, 0.225};
    /** Fraction of each class held out when the folder has no test split. */
    static final double TEST_FRACTION = 0.2;

    private FolderDatasets() {
    }

    static ClassificationData load(Path root, int size) throws IOException {
        if (size < 8) {
            throw new IllegalArgumentException("folder dataset: image size must be >= 8, got " + size);
        }
        Path dir = root.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new IOException("folder dataset: " + dir + " is not a folder");
        }
        ImageFolder.Loader loader = file -> ImageFiles.resize(Images.read(file, ImageReadMode.RGB), size, size);
        Normalize normalize = new Normalize(IMAGENET_MEAN, IMAGENET_STD);
        Dataset<List<Tensor>> train;
        Dataset<List<Tensor>> test;
        List<String> classes;
        Path trainDir = dir.resolve("train");
        if (Files.isDirectory(trainDir)) {
            Path testDir = Files.isDirectory(dir.resolve("test")) ? dir.resolve("test") : dir.resolve("val");
            if (!Files.isDirectory(testDir)) {
                throw new IOException("folder dataset: " + dir + " has train/ but neither test/ nor val/");
            }
            ImageFolder tr = ImageFolder.builder(trainDir).loader(loader).transform(normalize).build();
            ImageFolder te = ImageFolder.builder(testDir).loader(loader).transform(normalize).build();
            if (!tr.classes().equals(te.classes())) {
                throw new IOException("folder dataset: the class folders of " + trainDir + " " + tr.classes()
                        + " and " + testDir + " " + te.classes() + " differ");
            }
            classes = tr.classes();
            train = tr;
            test = te;
        } else {
            ImageFolder all = ImageFolder.builder(dir).loader(loader).transform(normalize).build();
            classes = all.classes();
            int[][] split = split(all.targets(), classes.size());
            train = new Subset<>(all, split[0]);
            test = new Subset<>(all, split[1]);
        }
        double[] fill = new double[3];
        for (int c = 0; c < 3; c++) {
            fill[c] = -IMAGENET_MEAN[c] / IMAGENET_STD[c];
        }
        Augment augment = Augment.randomCrop(Math.max(1, size / 8), fill).andThen(Augment.horizontalFlip(0.5));
        return new ClassificationData("folder:" + dir, train, test, classes, 3, size, size, IMAGENET_MEAN,
                IMAGENET_STD, augment);
    }

    /** Train and test indices: per class, a seeded shuffle, the first 20% (at least 1 of 2 or more) to test. */
    static int[][] split(int[] targets, int numClasses) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < numClasses; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < targets.length; i++) {
            byClass.get(targets[i]).add(i);
        }
        Generator g = new Generator(0);
        List<Integer> train = new ArrayList<>();
        List<Integer> test = new ArrayList<>();
        for (List<Integer> idx : byClass) {
            for (int i = idx.size() - 1; i > 0; i--) { // Fisher-Yates
                int j = (int) g.nextLong(i + 1);
                Integer t = idx.get(i);
                idx.set(i, idx.get(j));
                idx.set(j, t);
            }
            int nTest = idx.size() < 2 ? 0 : Math.max(1, (int) Math.round(idx.size() * TEST_FRACTION));
            test.addAll(idx.subList(0, nTest));
            train.addAll(idx.subList(nTest, idx.size()));
        }
        train.sort(null);
        test.sort(null);
        return new int[][] {train.stream().mapToInt(Integer::intValue).toArray(),
            test.stream().mapToInt(Integer::intValue).toArray()};
    }
}
