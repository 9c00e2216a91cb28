package dev.ember.datasets;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-10 (Alex Krizhevsky, 2009; https://www.cs.toronto.edu/~kriz/cifar.html) from the binary version's files,
 * which the user supplies (extract {@code cifar-10-binary.tar.gz}): {@code data_batch_1.bin} ..
 * {@code data_batch_5.bin} (training, 50,000 images) and {@code test_batch.bin} (10,000). Each file is a
 * sequence of 3073-byte records: one label byte 0..9, then 3072 pixel bytes, the 1024 red values of the
 * 32 x 32 image in row-major order, then green, then blue, which is exactly the {@code (3, 32, 32)} layout.
 *
 * <pre>{@code
 * Cifar10Data train = Cifar10.load(Path.of("data/cifar-10-batches-bin"), true);   // 50,000 images
 * Tensor x = train.image(0);                  // float32 (3, 32, 32) in [0, 1]
 * String name = Cifar10.CLASSES.get(train.label(0));
 * }</pre>
 *
 * <p>Files are untrusted input: every file's size is checked (a positive multiple of 3073 bytes, all of them
 * together at most {@code maxRecords} records) before anything is allocated, and a label above 9 is an error
 * naming the file and record.
 */
public final class Cifar10 {
    /** The class names, index = label, as torchvision's {@code CIFAR10.classes}. */
    public static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog",
            "frog", "horse", "ship", "truck");
    /** Number of classes. */
    public static final int NUM_CLASSES = 10;
    /** Pixel bytes of one image: 3 x 32 x 32. */
    public static final int IMAGE_BYTES = 3 * 32 * 32;
    /** Bytes of one record: the label byte and the pixels. */
    public static final int RECORD_BYTES = 1 + IMAGE_BYTES;
    /** Records in each file of the distribution. */
    public static final int RECORDS_PER_BATCH = 10_000;
    /** The training files, in order. */
    public static final List<String> TRAIN_FILES = List.of("data_batch_1.bin", "data_batch_2.bin",
            "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    /** The test file. */
    public static final String TEST_FILE = "test_batch.bin";
    /** The folder the archive extracts to, looked for inside the folder given to {@link #load}. */
    public static final String ARCHIVE_FOLDER = "cifar-10-batches-bin";
    /** Default limit on records read at once: the whole distribution (60,000; 184 MB of bytes). */
    public static final long DEFAULT_MAX_RECORDS = 60_000;
    /**
     * Per-channel mean of the training images in [0, 1], as commonly used with torchvision
     * ({@code Normalize((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616))}).
     */
    public static final double[] MEAN = {0.4914, 0.4822, 0.4465};
    /** Per-channel standard deviation of the training pixels in [0, 1]. */
    public static final double[] STD = {0.2470, 0.2435, 0.2616};

    private Cifar10() {
    }

    /**
     * The training (the five data batches) or test split from {@code dir}, or from
     * {@code dir/cifar-10-batches-bin} if that is where the files are.
     *
     * @throws IOException if a file is missing or malformed
     */
    public static Cifar10Data load(Path dir, boolean train) throws IOException {
        Path d = dir;
        String probe = train ? TRAIN_FILES.get(0) : TEST_FILE;
        if (!Files.isRegularFile(d.resolve(probe)) && Files.isDirectory(d.resolve(ARCHIVE_FOLDER))) {
            d = d.resolve(ARCHIVE_FOLDER);
        }
        List<Path> files = new ArrayList<>();
        for (String name : train ? TRAIN_FILES : List.of(TEST_FILE)) {
            Path f = d.resolve(name);
            if (!Files.isRegularFile(f)) {
                throw new IOException("CIFAR-10: " + f + " not found (expected the binary version's files "
                        + String.join(", ", TRAIN_FILES) + ", " + TEST_FILE + " in " + dir + " or " + dir + "/"
                        + ARCHIVE_FOLDER + "; download cifar-10-binary.tar.gz from"
                        + " https://www.cs.toronto.edu/~kriz/cifar.html and extract it)");
            }
            files.add(f);
        }
        return read(files, DEFAULT_MAX_RECORDS);
    }

    /** Reads one batch file (any number of records up to {@link #DEFAULT_MAX_RECORDS}). */
    public static Cifar10Data readBatch(Path file) throws IOException {
        return read(List.of(file), DEFAULT_MAX_RECORDS);
    }

    /**
     * Reads batch files in order into one dataset.
     *
     * @param maxRecords the most records accepted in all files together
     * @throws IOException if a file has a size that is not a positive multiple of 3073 bytes, the files hold more
     *     than {@code maxRecords} records, a label is above 9, or a file cannot be read
     */
    public static Cifar10Data read(List<Path> files, long maxRecords) throws IOException {
        if (files == null || files.isEmpty()) {
            throw new IllegalArgumentException("Cifar10.read: expected at least one file");
        }
        long limit = Math.min(maxRecords, (Integer.MAX_VALUE - 8) / IMAGE_BYTES);
        if (maxRecords < 1) {
            throw new IllegalArgumentException("Cifar10.read: maxRecords must be positive, got " + maxRecords);
        }
        long[] counts = new long[files.size()];
        long total = 0;
        for (int k = 0; k < counts.length; k++) {
            Path f = files.get(k);
            long size = Files.size(f);
            if (size == 0) {
                throw new IOException("CIFAR-10 " + f + ": empty file");
            }
            if (size % RECORD_BYTES != 0) {
                throw new IOException("CIFAR-10 " + f + ": " + size + " bytes is not a whole number of "
                        + RECORD_BYTES + "-byte records (1 label byte + 3072 pixel bytes; a full batch is "
                        + (long) RECORDS_PER_BATCH * RECORD_BYTES + " bytes): truncated, or not a CIFAR-10 binary"
                        + " file");
            }
            counts[k] = size / RECORD_BYTES;
            total += counts[k];
            if (total > limit) {
                throw new IOException("CIFAR-10 " + f + ": the files hold " + total + " records so far, more than"
                        + " the limit of " + limit);
            }
        }
        byte[] pixels = new byte[(int) total * IMAGE_BYTES];
        byte[] labels = new byte[(int) total];
        int at = 0;
        for (int k = 0; k < counts.length; k++) {
            Path f = files.get(k);
            try (InputStream in = new BufferedInputStream(Files.newInputStream(f), 1 << 16)) {
                for (long r = 0; r < counts[k]; r++, at++) {
                    int label = in.read();
                    int got = label < 0 ? 0 : in.readNBytes(pixels, at * IMAGE_BYTES, IMAGE_BYTES);
                    if (label < 0 || got < IMAGE_BYTES) {
                        throw new IOException("CIFAR-10 " + f + ": ends inside record " + r + " (the file shrank"
                                + " while being read)");
                    }
                    if (label >= NUM_CLASSES) {
                        throw new IOException("CIFAR-10 " + f + ": label " + label + " in record " + r
                                + " is not a class 0..9 (is this the CIFAR-100 format, with 2 label bytes?)");
                    }
                    labels[at] = (byte) label;
                }
                if (in.read() != -1) {
                    throw new IOException("CIFAR-10 " + f + ": grew while being read");
                }
            }
        }
        return new Cifar10Data(pixels, labels);
    }
}
