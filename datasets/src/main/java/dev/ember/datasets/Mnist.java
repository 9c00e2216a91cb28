package dev.ember.datasets;

import dev.ember.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The MNIST family (MNIST, Fashion-MNIST, KMNIST) from the standard IDX files, and the conversions from
 * IDX bytes to tensors that torchvision's {@code ToTensor()} and {@code Normalize((0.1307,), (0.3081,))}
 * perform.
 *
 * <p>{@link #load(Path, boolean)} expects the four files of the distribution in one folder, as downloaded
 * (gzip-compressed or not): {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 * {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}, each optionally with {@code .gz}; the
 * spelling with a dot ({@code train-images.idx3-ubyte}) that some mirrors use is accepted too.
 * For a small sample that ships with Ember, see {@link MnistSample}.
 */
public final class Mnist {
    /** Mean pixel value of the MNIST training set in [0, 1], as in PyTorch's MNIST example. */
    public static final float MEAN = 0.1307f;
    /** Standard deviation of the MNIST training pixels in [0, 1]. */
    public static final float STD = 0.3081f;
    /** Number of classes (digits 0..9). */
    public static final int NUM_CLASSES = 10;

    private Mnist() {
    }

    /** Loads the training (60,000) or test (10,000) split from {@code dir}, pixels scaled to [0, 1]. */
    public static MnistData load(Path dir, boolean train) throws IOException {
        return load(dir, train, false);
    }

    /**
     * Loads the training or test split from {@code dir}.
     *
     * @param normalize if true, pixels are {@code (x / 255 - MEAN) / STD}, else {@code x / 255}
     * @throws IOException if a file is missing, unreadable or malformed, or images and labels disagree
     */
    public static MnistData load(Path dir, boolean train, boolean normalize) throws IOException {
        String prefix = train ? "train" : "t10k";
        Path imagesFile = find(dir, prefix, "images", "idx3");
        Path labelsFile = find(dir, prefix, "labels", "idx1");
        return fromIdx(Idx.read(imagesFile), Idx.read(labelsFile), normalize, imagesFile + ", " + labelsFile);
    }

    /**
     * Checks that {@code images} (N, H, W) and {@code labels} (N) of digits 0..9 belong together and
     * converts them.
     *
     * @param source names the data in error messages
     * @throws IOException if the ranks, counts or label values are wrong
     */
    public static MnistData fromIdx(IdxArray images, IdxArray labels, boolean normalize, String source)
            throws IOException {
        if (images.rank() != 3) {
            throw new IOException("MNIST " + source + ": images must have 3 dims (N, H, W), got "
                    + Arrays.toString(images.dims()) + " (is this a labels file?)");
        }
        if (labels.rank() != 1) {
            throw new IOException("MNIST " + source + ": labels must have 1 dim (N), got "
                    + Arrays.toString(labels.dims()));
        }
        if (images.dim(0) != labels.dim(0)) {
            throw new IOException("MNIST " + source + ": " + images.dim(0) + " images but " + labels.dim(0)
                    + " labels");
        }
        for (int i = 0; i < labels.size(); i++) {
            if (labels.get(i) >= NUM_CLASSES) {
                throw new IOException("MNIST " + source + ": label " + labels.get(i) + " at index " + i
                        + " is not a digit 0..9");
            }
        }
        return new MnistData(images(images, normalize), labels(labels));
    }

    /**
     * IDX images {@code (N, H, W)} of bytes to a float32 tensor {@code (N, 1, H, W)}: {@code x / 255}, or
     * {@code (x / 255 - MEAN) / STD} if {@code normalize} (computed in float32, like torchvision).
     */
    public static Tensor images(IdxArray images, boolean normalize) {
        if (images.rank() != 3) {
            throw new IllegalArgumentException("Mnist.images: expected IDX dims (N, H, W), got "
                    + Arrays.toString(images.dims()));
        }
        byte[] src = images.data();
        float[] out = new float[src.length];
        for (int i = 0; i < src.length; i++) {
            float x = Byte.toUnsignedInt(src[i]) / 255f;
            out[i] = normalize ? (x - MEAN) / STD : x;
        }
        return Tensor.of(out, images.dim(0), 1, images.dim(1), images.dim(2));
    }

    /** IDX labels {@code (N)} of bytes to an int64 tensor {@code (N)}. */
    public static Tensor labels(IdxArray labels) {
        if (labels.rank() != 1) {
            throw new IllegalArgumentException("Mnist.labels: expected IDX dims (N), got "
                    + Arrays.toString(labels.dims()));
        }
        long[] out = new long[labels.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = labels.get(i);
        }
        return Tensor.of(out, out.length);
    }

    /** Normalises a tensor of pixels in [0, 1] with MNIST's mean and std: {@code (x - MEAN) / STD}. */
    public static Tensor normalize(Tensor images) {
        return images.sub((double) MEAN).div((double) STD);
    }

    private static Path find(Path dir, String prefix, String kind, String idx) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("MNIST: " + dir + " is not a folder");
        }
        List<String> tried = new ArrayList<>();
        for (String sep : new String[] {"-", "."}) {
            for (String ext : new String[] {"", ".gz"}) {
                String name = prefix + "-" + kind + sep + idx + "-ubyte" + ext;
                Path p = dir.resolve(name);
                if (Files.isRegularFile(p)) {
                    return p;
                }
                tried.add(name);
            }
        }
        throw new IOException("MNIST: no " + prefix + " " + kind + " file in " + dir + " (looked for "
                + String.join(", ", tried) + ")");
    }
}
