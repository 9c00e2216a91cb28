package dev.ember.datasets;

import dev.ember.tensor.Tensor;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * scikit-learn's {@code digits}: 1,797 handwritten digits as 8 x 8 images of counts 0..16, 10 classes,
 * bundled with Ember. It is the test set of the UCI "Optical Recognition of Handwritten Digits" data
 * (E. Alpaydin, C. Kaynak, 1998), in the file {@code digits.csv.gz} that scikit-learn ships; see
 * {@code digits/README.md} beside this class's resources for its origin and licence.
 *
 * <p>The file has one row per image: 64 pixel counts (row-major) then the label, comma-separated.
 * {@link #load()} equals {@code sklearn.datasets.load_digits()}'s {@code data} and {@code target}
 * (float32 here, as PyTorch would use them).
 */
public final class Digits {
    /** Rows in the bundled file. */
    public static final int SIZE = 1797;
    /** Features per row: an 8 x 8 image. */
    public static final int FEATURES = 64;
    /** Number of classes (digits 0..9). */
    public static final int NUM_CLASSES = 10;
    /** The largest pixel count: each pixel counts the set pixels of a 4 x 4 block. */
    public static final int MAX_VALUE = 16;

    // Hostile-input limits: far above the real file (1,797 rows of < 200 characters).
    static final int MAX_ROWS = 1_000_000;
    static final int MAX_LINE = 4096;

    private static final String RESOURCE = "digits/digits.csv.gz";
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern INTEGER = Pattern.compile("\\d+");

    private Digits() {
    }

    /** The bundled data: features float32 (1797, 64) with values 0..16, labels int64 (1797). */
    public static DigitsData load() {
        return load(false);
    }

    /** The bundled data; if {@code scale}, features are divided by 16 into [0, 1]. */
    public static DigitsData load(boolean scale) {
        try (InputStream in = Digits.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("Digits: resource " + RESOURCE
                        + " is missing from the class path (is ember-datasets' jar complete?)");
            }
            return parse(in, RESOURCE, scale);
        } catch (IOException e) {
            throw new UncheckedIOException("Digits: cannot read the bundled " + RESOURCE, e);
        }
    }

    /**
     * Parses digits CSV from a stream (gzip-compressed or not, detected from its first bytes), to its end;
     * the stream is not closed. Every row must have 65 numbers: 64 features in [0, 16] then an integer
     * label 0..9. Empty input is an error.
     *
     * @param source names the data in error messages
     * @throws IOException naming the line and column of the first malformed value
     */
    public static DigitsData parse(InputStream in, String source, boolean scale) throws IOException {
        InputStream buffered = new BufferedInputStream(in);
        if (!Idx.isGzip(buffered)) {
            return parseText(buffered, source, scale);
        }
        try {
            return parseText(new GZIPInputStream(buffered), source, scale);
        } catch (ZipException | EOFException e) {
            throw new IOException("digits " + source + ": corrupt or truncated gzip data (" + e.getMessage() + ")", e);
        }
    }

    private static DigitsData parseText(InputStream in, String source, boolean scale) throws IOException {
        Reader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        float[] features = new float[FEATURES * 256];
        long[] labels = new long[256];
        int rows = 0;
        StringBuilder line = new StringBuilder();
        while (readLine(reader, line, source, rows + 1)) {
            if (rows == MAX_ROWS) {
                throw new IOException("digits " + source + ": more than " + MAX_ROWS + " rows");
            }
            if (rows == labels.length) {
                labels = Arrays.copyOf(labels, 2 * rows);
                features = Arrays.copyOf(features, 2 * rows * FEATURES);
            }
            parseRow(line, source, rows + 1, features, rows * FEATURES, labels, rows, scale);
            rows++;
        }
        if (rows == 0) {
            throw new IOException("digits " + source + ": no rows");
        }
        return new DigitsData(Tensor.of(Arrays.copyOf(features, rows * FEATURES), rows, FEATURES),
                Tensor.of(Arrays.copyOf(labels, rows), rows));
    }

    private static void parseRow(CharSequence line, String source, int lineNo, float[] features, int at,
            long[] labels, int row, boolean scale) throws IOException {
        String[] cells = line.toString().split(",", -1);
        if (cells.length != FEATURES + 1) {
            throw new IOException("digits " + source + ": line " + lineNo + " has " + cells.length
                    + " comma-separated values, expected " + (FEATURES + 1) + " (64 pixels and a label)");
        }
        for (int c = 0; c < FEATURES; c++) {
            String cell = cells[c].strip();
            if (!NUMBER.matcher(cell).matches()) {
                throw new IOException("digits " + source + ": line " + lineNo + ", column " + (c + 1) + ": \""
                        + abbreviate(cell) + "\" is not a number");
            }
            double v = Double.parseDouble(cell);
            if (!(v >= 0 && v <= MAX_VALUE)) {
                throw new IOException("digits " + source + ": line " + lineNo + ", column " + (c + 1) + ": pixel "
                        + cell + " is outside [0, " + MAX_VALUE + "]");
            }
            features[at + c] = scale ? (float) v / MAX_VALUE : (float) v;
        }
        String label = cells[FEATURES].strip();
        if (!INTEGER.matcher(label).matches() || label.length() > 2 || Integer.parseInt(label) >= NUM_CLASSES) {
            throw new IOException("digits " + source + ": line " + lineNo + ", column " + (FEATURES + 1)
                    + ": label \"" + abbreviate(label) + "\" is not a digit 0..9");
        }
        labels[row] = Integer.parseInt(label);
    }

    /** Reads one line (without its \n or \r\n) into {@code line}; false at the end of input. */
    private static boolean readLine(Reader reader, StringBuilder line, String source, int lineNo) throws IOException {
        line.setLength(0);
        int c = reader.read();
        if (c < 0) {
            return false;
        }
        while (c >= 0 && c != '\n') {
            if (line.length() == MAX_LINE) {
                throw new IOException("digits " + source + ": line " + lineNo + " is longer than " + MAX_LINE
                        + " characters");
            }
            line.append((char) c);
            c = reader.read();
        }
        if (!line.isEmpty() && line.charAt(line.length() - 1) == '\r') {
            line.setLength(line.length() - 1);
        }
        return true;
    }

    private static String abbreviate(String s) {
        return s.length() <= 20 ? s : s.substring(0, 20) + "...";
    }
}
