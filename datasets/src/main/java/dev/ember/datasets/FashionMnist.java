package dev.ember.datasets;

import dev.ember.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Fashion-MNIST (Han Xiao, Kashif Rasul, Roland Vollgraf, Zalando Research, 2017; MIT licence): 70,000 28 x 28
 * gray pictures of clothing in 10 classes, in MNIST's IDX format (60,000 training, 10,000 test), as
 * torchvision's {@code FashionMNIST} gives them after {@code ToTensor()}.
 *
 * <p>The files are read from a folder the caller names, or, when none is named, from where Debian's
 * {@code dataset-fashion-mnist} package installs them, {@value #DEBIAN_DIR_NAME}
 * ({@code apt-get install -y dataset-fashion-mnist}). Any folder with the four standard files works
 * (see {@link Mnist#load} for the accepted names).
 *
 * <pre>{@code
 * MnistData train = FashionMnist.load(true);                        // from /usr/share/datasets/fashion-mnist
 * MnistData test = FashionMnist.load(Path.of("data/fashion"), false, true);   // normalised
 * String name = FashionMnist.CLASSES.get((int) test.labels().select(0, 0).item());   // "Ankle boot"
 * }</pre>
 */
public final class FashionMnist {
    /** Where Debian's {@code dataset-fashion-mnist} package puts the files. */
    public static final String DEBIAN_DIR_NAME = "/usr/share/datasets/fashion-mnist";
    /** {@link #DEBIAN_DIR_NAME} as a path. */
    public static final Path DEBIAN_DIR = Path.of(DEBIAN_DIR_NAME);
    /** The class names, index = label, as torchvision's {@code FashionMNIST.classes}. */
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    /** Number of classes. */
    public static final int NUM_CLASSES = 10;
    /** Mean pixel value of the 60,000 training images in [0, 1] (0.28604, computed from the files). */
    public static final float MEAN = 0.2860f;
    /** Standard deviation of the training pixels in [0, 1] (0.35302). */
    public static final float STD = 0.3530f;

    private FashionMnist() {
    }

    /** True if Debian's package files are present. */
    public static boolean isInstalled() {
        return MnistLayout.complete(DEBIAN_DIR);
    }

    /**
     * The folder to read: {@code dir} if given (it must hold the four files), else the Debian package's folder.
     *
     * @throws IOException naming the missing files and how to get them
     */
    public static Path resolve(Path dir) throws IOException {
        Path d = dir != null ? dir : DEBIAN_DIR;
        if (MnistLayout.complete(d)) {
            return d;
        }
        String missing = String.join(", ", MnistLayout.missing(d));
        if (dir == null) {
            throw new IOException("Fashion-MNIST: not found in " + DEBIAN_DIR + " (missing " + missing + "). Install"
                    + " Debian's package (apt-get install -y dataset-fashion-mnist), or download the four files from"
                    + " https://github.com/zalandoresearch/fashion-mnist into a folder and pass that folder");
        }
        throw new IOException("Fashion-MNIST: " + dir + " lacks " + missing + " (expected the four IDX files of"
                + " https://github.com/zalandoresearch/fashion-mnist, gzip-compressed or not; Debian's"
                + " dataset-fashion-mnist package puts them in " + DEBIAN_DIR + ")");
    }

    /** A split from the Debian package's folder, pixels in [0, 1]. */
    public static MnistData load(boolean train) throws IOException {
        return load(null, train, false);
    }

    /** A split from {@code dir} (null: the Debian package's folder), pixels in [0, 1]. */
    public static MnistData load(Path dir, boolean train) throws IOException {
        return load(dir, train, false);
    }

    /**
     * A split: training (60,000) or test (10,000).
     *
     * @param dir the folder with the four files, or null for the Debian package's folder
     * @param normalize if true, pixels are {@code (x / 255 - MEAN) / STD}, else {@code x / 255}
     * @throws IOException if the files are missing, unreadable or malformed, or images and labels disagree
     */
    public static MnistData load(Path dir, boolean train, boolean normalize) throws IOException {
        Path d = resolve(dir);
        Path images = MnistLayout.require(d, train, true, "Fashion-MNIST");
        Path labels = MnistLayout.require(d, train, false, "Fashion-MNIST");
        return fromIdx(Idx.read(images), Idx.read(labels), normalize, images + ", " + labels);
    }

    /**
     * Checks that {@code images} (N, H, W) and {@code labels} (N) of classes 0..9 belong together and converts
     * them: images float32 (N, 1, H, W), labels int64 (N).
     *
     * @param source names the data in error messages
     */
    public static MnistData fromIdx(IdxArray images, IdxArray labels, boolean normalize, String source)
            throws IOException {
        if (images.rank() != 3) {
            throw new IOException("Fashion-MNIST " + source + ": images must have 3 dims (N, H, W), got "
                    + Arrays.toString(images.dims()) + " (is this a labels file?)");
        }
        if (labels.rank() != 1) {
            throw new IOException("Fashion-MNIST " + source + ": labels must have 1 dim (N), got "
                    + Arrays.toString(labels.dims()));
        }
        if (images.dim(0) != labels.dim(0)) {
            throw new IOException("Fashion-MNIST " + source + ": " + images.dim(0) + " images but " + labels.dim(0)
                    + " labels");
        }
        for (int i = 0; i < labels.size(); i++) {
            if (labels.get(i) >= NUM_CLASSES) {
                throw new IOException("Fashion-MNIST " + source + ": label " + labels.get(i) + " at index " + i
                        + " is not a class 0..9");
            }
        }
        Tensor x = Mnist.images(images, false);
        return new MnistData(normalize ? normalize(x) : x, Mnist.labels(labels));
    }

    /** Normalises pixels in [0, 1] with Fashion-MNIST's mean and std: {@code (x - MEAN) / STD}. */
    public static Tensor normalize(Tensor images) {
        return images.sub((double) MEAN).div((double) STD);
    }

    /** The name of class {@code label}, e.g. 9 -> "Ankle boot". */
    public static String className(int label) {
        if (label < 0 || label >= NUM_CLASSES) {
            throw new IllegalArgumentException("FashionMnist.className: label must be in 0..9, got " + label);
        }
        return CLASSES.get(label);
    }
}
