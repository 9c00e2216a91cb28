package dev.ember.vision.train;

import dev.ember.data.Dataset;
import dev.ember.data.TensorDataset;
import dev.ember.datasets.Cifar10;
import dev.ember.datasets.FashionMnist;
import dev.ember.datasets.Mnist;
import dev.ember.datasets.MnistData;
import dev.ember.datasets.MnistFiles;
import dev.ember.datasets.MnistSample;
import dev.ember.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The datasets {@code ember vision train --dataset} offers, by name, as {@link ClassificationData}: images
 * normalised with the dataset's per-channel mean and std, and the training augmentation that suits them.
 *
 * <ul>
 * <li>{@code mnist-sample}: the 10,000 MNIST digits bundled with Ember (7,996 train, 2,004 test); no download.
 * <li>{@code mnist}: the full MNIST (60,000 / 10,000) from its four IDX files ({@link MnistFiles}; with
 *     {@code download} they are fetched into the data folder when missing).
 * <li>{@code fashion-mnist}: Zalando's Fashion-MNIST (60,000 / 10,000), same format ({@link FashionMnist}; Debian
 *     and Ubuntu ship it as {@code dataset-fashion-mnist} in {@code /usr/share/datasets/fashion-mnist}).
 * <li>{@code cifar10}: CIFAR-10 (50,000 / 10,000 colour 32x32 images) from the binary version's files
 *     ({@link Cifar10}); images are converted when a batch needs them.
 * <li>{@code folder:PATH}: your own images, one sub-folder per class ({@link FolderDatasets}).
 * </ul>
 * MNIST-like sets are augmented with torchvision's {@code RandomCrop(28, padding=2)} (shifts of up to 2 pixels),
 * Fashion-MNIST also with {@code RandomHorizontalFlip()} (clothes look alike mirrored), CIFAR-10 with the usual
 * {@code RandomCrop(32, padding=4)} and {@code RandomHorizontalFlip()}.
 */
public final class VisionDatasets {
    /** The names {@link #load} accepts besides {@code folder:PATH}. */
    public static final List<String> NAMES = List.of("mnist-sample", "mnist", "fashion-mnist", "cifar10");
    /** Default image size of {@code folder:PATH} datasets. */
    public static final int DEFAULT_FOLDER_SIZE = 64;

    /**
     * Where and how to load.
     *
     * @param dataDir    the folder holding the dataset's files, or null for the default places
     *                   ({@link #defaultDirs})
     * @param folderSize the side of {@code folder:PATH} images after resizing
     * @param download   fetch missing files where the dataset supports it (MNIST)
     */
    public record Options(Path dataDir, int folderSize, boolean download) {
        public static Options defaults() {
            return new Options(null, DEFAULT_FOLDER_SIZE, false);
        }
    }

    private VisionDatasets() {
    }

    /** {@link #load(String, Options)} from {@code dataDir} with the other defaults. */
    public static ClassificationData load(String name, Path dataDir) throws IOException {
        return load(name, new Options(dataDir, DEFAULT_FOLDER_SIZE, false));
    }

    /** Loads dataset {@code name} (one of {@link #NAMES} or {@code folder:PATH}). */
    public static ClassificationData load(String name, Options options) throws IOException {
        if (name.startsWith("folder:")) {
            String path = name.substring("folder:".length());
            if (path.isBlank()) {
                throw new IllegalArgumentException("dataset folder:PATH needs a path, e.g. folder:/data/pets");
            }
            return FolderDatasets.load(Path.of(path), options.folderSize());
        }
        String n = name.toLowerCase(Locale.ROOT);
        return switch (n) {
            case "mnist-sample" -> mnistLike(n, MnistSample.train(false), MnistSample.test(false), digits(),
                    Mnist.MEAN, Mnist.STD, false);
            case "mnist" -> {
                Path dir = MnistFiles.resolve(findDir(n, options.dataDir(), options.download()),
                        options.download());
                yield mnistLike(n, Mnist.load(dir, true), Mnist.load(dir, false), digits(), Mnist.MEAN, Mnist.STD,
                        false);
            }
            case "fashion-mnist" -> {
                Path dir = findDir(n, options.dataDir(), false);
                yield mnistLike(n, FashionMnist.load(dir, true), FashionMnist.load(dir, false), FashionMnist.CLASSES,
                        FashionMnist.MEAN, FashionMnist.STD, true);
            }
            case "cifar10" -> cifar10(findDir(n, options.dataDir(), false));
            default -> throw new IllegalArgumentException("unknown dataset \"" + name + "\"; available: "
                    + String.join(", ", NAMES) + ", folder:PATH");
        };
    }

    /**
     * Where {@link #load} looks for a dataset's files when no folder is given, in order: {@code $EMBER_DATA/<name>}
     * (when set), {@code ~/.cache/ember/datasets/<name>}, {@code data/<name>}, and for Fashion-MNIST the Debian
     * package's folder.
     */
    public static List<Path> defaultDirs(String name) {
        List<Path> dirs = new ArrayList<>();
        String env = System.getenv("EMBER_DATA");
        if (env != null && !env.isBlank()) {
            dirs.add(Path.of(env, name));
        }
        dirs.add(Path.of(System.getProperty("user.home"), ".cache", "ember", "datasets", name));
        dirs.add(Path.of("data", name));
        if (name.equals("fashion-mnist")) {
            dirs.add(FashionMnist.DEBIAN_DIR);
        }
        return dirs;
    }

    /** The given folder, else the first default one that exists, else (to download into) the first default. */
    private static Path findDir(String name, Path dataDir, boolean download) throws IOException {
        if (dataDir != null) {
            if (!Files.isDirectory(dataDir) && !download) {
                throw new IOException(name + ": data folder " + dataDir + " does not exist");
            }
            return dataDir;
        }
        List<Path> tried = defaultDirs(name);
        for (Path p : tried) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        if (download) {
            return tried.get(0);
        }
        String hint = switch (name) {
            case "fashion-mnist" -> " (on Debian/Ubuntu: apt-get install dataset-fashion-mnist; or download the four"
                    + " IDX files from https://github.com/zalandoresearch/fashion-mnist)";
            case "cifar10" -> " (download cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html"
                    + " and extract it there)";
            default -> " (or add --download to fetch the four IDX files)";
        };
        throw new IOException(name + ": no data folder found; looked in " + tried + hint
                + ", or pass the folder with --data-dir");
    }

    private static List<String> digits() {
        List<String> d = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            d.add(Integer.toString(i));
        }
        return d;
    }

    /** Normalises pixels in [0, 1] with one mean and std and wraps both splits. */
    private static ClassificationData mnistLike(String name, MnistData train, MnistData test, List<String> classes,
            double mean, double std, boolean flip) {
        long[] s = train.images().shape();
        Augment augment = Augment.randomCrop(2, -mean / std);
        if (flip) {
            augment = augment.andThen(Augment.horizontalFlip(0.5));
        }
        return new ClassificationData(name,
                new TensorDataset(train.images().sub(mean).div(std), train.labels()),
                new TensorDataset(test.images().sub(mean).div(std), test.labels()),
                classes, (int) s[1], (int) s[2], (int) s[3], new double[] {mean}, new double[] {std}, augment);
    }

    private static ClassificationData cifar10(Path dir) throws IOException {
        double[] mean = Cifar10.MEAN;
        double[] std = Cifar10.STD;
        double[] fill = new double[3];
        for (int c = 0; c < 3; c++) {
            fill[c] = -mean[c] / std[c];
        }
        return new ClassificationData("cifar10", normalized(Cifar10.load(dir, true), mean, std),
                normalized(Cifar10.load(dir, false), mean, std), Cifar10.CLASSES, 3, 32, 32, mean, std,
                Augment.randomCrop(4, fill).andThen(Augment.horizontalFlip(0.5)));
    }

    /** The samples of {@code data} with their image normalised per channel, converted on access. */
    static Dataset<List<Tensor>> normalized(Dataset<List<Tensor>> data, double[] mean, double[] std) {
        Tensor m = Tensor.of(mean, mean.length, 1, 1);
        Tensor s = Tensor.of(std, std.length, 1, 1);
        return new Dataset<>() {
            @Override
            public int size() {
                return data.size();
            }

            @Override
            public List<Tensor> get(int index) {
                List<Tensor> sample = data.get(index);
                return List.of(sample.get(0).sub(m).div(s), sample.get(1));
            }
        };
    }
}
