package dev.ember.datasets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the four IDX files of an MNIST-family distribution are in a folder: {@code train-images-idx3-ubyte},
 * {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}, each
 * optionally {@code .gz}, or with a dot ({@code train-images.idx3-ubyte}) as some mirrors spell them (the names
 * {@link Mnist#load} accepts).
 */
final class MnistLayout {
    /** The canonical (gzip) file names, in the order train images, train labels, test images, test labels. */
    static final List<String> GZ_NAMES = List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");

    private MnistLayout() {
    }

    /** The images file of a split, or null. */
    static Path images(Path dir, boolean train) {
        return find(dir, train ? "train" : "t10k", "images", "idx3");
    }

    /** The labels file of a split, or null. */
    static Path labels(Path dir, boolean train) {
        return find(dir, train ? "train" : "t10k", "labels", "idx1");
    }

    /** True if {@code dir} holds all four files (in any accepted spelling). */
    static boolean complete(Path dir) {
        return dir != null && Files.isDirectory(dir) && images(dir, true) != null && labels(dir, true) != null
                && images(dir, false) != null && labels(dir, false) != null;
    }

    /** The canonical names of the files {@code dir} lacks. */
    static List<String> missing(Path dir) {
        List<String> out = new ArrayList<>();
        for (boolean train : new boolean[] {true, false}) {
            if (images(dir, train) == null) {
                out.add(GZ_NAMES.get(train ? 0 : 2));
            }
            if (labels(dir, train) == null) {
                out.add(GZ_NAMES.get(train ? 1 : 3));
            }
        }
        return out;
    }

    /** The images or labels file of a split, throwing an IOException naming the dataset when absent. */
    static Path require(Path dir, boolean train, boolean images, String dataset) throws IOException {
        Path p = images ? images(dir, train) : labels(dir, train);
        if (p == null) {
            String prefix = train ? "train" : "t10k";
            String kind = images ? "images-idx3" : "labels-idx1";
            throw new IOException(dataset + ": no " + prefix + "-" + kind + "-ubyte[.gz] file in " + dir);
        }
        return p;
    }

    private static Path find(Path dir, String prefix, String kind, String idx) {
        if (dir == null || !Files.isDirectory(dir)) {
            return null;
        }
        for (String sep : new String[] {"-", "."}) {
            for (String ext : new String[] {"", ".gz"}) {
                Path p = dir.resolve(prefix + "-" + kind + sep + idx + "-ubyte" + ext);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        return null;
    }
}
