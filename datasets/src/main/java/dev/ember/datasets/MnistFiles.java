package dev.ember.datasets;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds the full MNIST files (60,000 + 10,000 digits), downloading them when asked: a folder the user names
 * is used if it holds the four files (compressed or not, see {@link Mnist#load}); otherwise, with
 * {@code download}, the missing {@code .gz} files are fetched from torchvision's mirror
 * ({@code https://ossci-datasets.s3.amazonaws.com/mnist/}, then TensorFlow's
 * {@code https://storage.googleapis.com/cvdf-datasets/mnist/}) into that folder, each checked against its
 * published size and SHA-256 and written atomically ({@link Downloader}). Without network the error says so
 * and how to put the files in place by hand.
 *
 * <pre>{@code
 * Path dir = MnistFiles.resolve(Path.of("data/mnist"), true);   // downloads once, then finds the files
 * MnistData train = Mnist.load(dir, true);
 * MnistData test = MnistFiles.load(null, false, true);           // the default folder, see defaultDir()
 * }</pre>
 */
public final class MnistFiles {
    /** The mirrors tried in order (torchvision's first). */
    public static final List<URI> MIRRORS = List.of(URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/"),
            URI.create("https://storage.googleapis.com/cvdf-datasets/mnist/"));

    /** The four files with their sizes and SHA-256 sums, as published (same bytes on both mirrors). */
    public static final List<Downloader.RemoteFile> FILES = List.of(
            new Downloader.RemoteFile("train-images-idx3-ubyte.gz", 9_912_422,
                    "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
            new Downloader.RemoteFile("train-labels-idx1-ubyte.gz", 28_881,
                    "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
            new Downloader.RemoteFile("t10k-images-idx3-ubyte.gz", 1_648_877,
                    "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
            new Downloader.RemoteFile("t10k-labels-idx1-ubyte.gz", 4_542,
                    "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"));

    private MnistFiles() {
    }

    /**
     * The folder used when none is given: {@code $EMBER_DATA/mnist} if the environment variable
     * {@code EMBER_DATA} is set, else {@code ~/.cache/ember/datasets/mnist}.
     */
    public static Path defaultDir() {
        String env = System.getenv("EMBER_DATA");
        Path base = env != null && !env.isBlank() ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "ember", "datasets");
        return base.resolve("mnist");
    }

    /** {@link #resolve(Path, boolean, List, Downloader)} with the standard mirrors. */
    public static Path resolve(Path dir, boolean download) throws IOException {
        return resolve(dir, download, MIRRORS, new Downloader());
    }

    /**
     * The folder holding the four MNIST files.
     *
     * @param dir the folder to look in and download into; null means {@link #defaultDir()}
     * @param download fetch missing files (else a missing file is an error)
     * @param mirrors base URLs to fetch from, in order
     * @throws IOException if files are missing and not downloaded, or a download failed (offline included)
     */
    public static Path resolve(Path dir, boolean download, List<URI> mirrors, Downloader downloader)
            throws IOException {
        if (mirrors == null || mirrors.isEmpty() || downloader == null) {
            throw new IllegalArgumentException("MnistFiles.resolve: expected mirrors and a downloader");
        }
        Path d = dir != null ? dir : defaultDir();
        if (MnistLayout.complete(d)) {
            return d;
        }
        List<String> missing = MnistLayout.missing(d);
        if (!download) {
            throw new IOException("MNIST: " + d + " lacks " + String.join(", ", missing) + "; pass download=true to"
                    + " fetch them, or " + manualHint(d, mirrors));
        }
        for (Downloader.RemoteFile f : FILES) {
            if (missing.contains(f.name())) {
                try {
                    downloader.fetch(f, mirrors, d);
                } catch (IOException e) {
                    // the first failure says it all (offline, or a mirror gone): don't retry file after file
                    throw new IOException("MNIST: download failed, is this machine offline? " + e.getMessage()
                            + ". To use MNIST without network, " + manualHint(d, mirrors), e);
                }
            }
        }
        return d;
    }

    /** Resolves (see {@link #resolve(Path, boolean)}) and loads a split, pixels in [0, 1]. */
    public static MnistData load(Path dir, boolean train, boolean download) throws IOException {
        return Mnist.load(resolve(dir, download), train);
    }

    private static String manualHint(Path dir, List<URI> mirrors) {
        return "download " + String.join(", ", MnistLayout.GZ_NAMES) + " by hand from " + mirrors.get(0) + " into "
                + dir;
    }
}
