package dev.ember.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.tensor.DType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The bundled digits.csv.gz. Expected rows are copied from the CSV itself (and agree with scikit-learn
 * 1.2.1's load_digits()), not from Ember's output.
 */
class DigitsTest {
    private static final double[] ROW0 = {0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11,
        8, 0, 0, 4, 12, 0, 0, 8, 8, 0, 0, 5, 8, 0, 0, 9, 8, 0, 0, 4, 11, 0, 1, 12, 7, 0, 0, 2, 14, 5, 10, 12, 0, 0,
        0, 0, 6, 13, 10, 0, 0, 0}; // label 0
    private static final double[] ROW100 = {0, 0, 0, 2, 13, 0, 0, 0, 0, 0, 0, 8, 15, 0, 0, 0, 0, 0, 5, 16, 5, 2, 0,
        0, 0, 0, 15, 12, 1, 16, 4, 0, 0, 4, 16, 2, 9, 16, 8, 0, 0, 0, 10, 14, 16, 16, 4, 0, 0, 0, 0, 0, 13, 8, 0, 0,
        0, 0, 0, 0, 13, 6, 0, 0}; // label 4
    private static final double[] ROW1796 = {0, 0, 10, 14, 8, 1, 0, 0, 0, 2, 16, 14, 6, 1, 0, 0, 0, 0, 15, 15, 8,
        15, 0, 0, 0, 0, 5, 16, 16, 10, 0, 0, 0, 0, 12, 15, 15, 12, 0, 0, 0, 4, 16, 6, 4, 16, 6, 0, 0, 8, 16, 10, 8,
        16, 8, 0, 0, 1, 8, 12, 14, 12, 1, 0}; // label 8

    @Test
    void loadsTheBundledFile() {
        DigitsData d = Digits.load();
        assertArrayEquals(new long[] {1797, 64}, d.features().shape());
        assertArrayEquals(new long[] {1797}, d.labels().shape());
        assertEquals(DType.FLOAT32, d.features().dtype());
        assertEquals(DType.INT64, d.labels().dtype());
        float[] f = d.features().toFloatArray();
        long[] y = d.labels().toLongArray();
        assertRow(ROW0, f, 0, 1);
        assertRow(ROW100, f, 100, 1);
        assertRow(ROW1796, f, 1796, 1);
        assertEquals(0, y[0]);
        assertEquals(4, y[100]);
        assertEquals(8, y[1796]);
        long[] counts = new long[10];
        for (long l : y) {
            counts[(int) l]++;
        }
        // np.bincount(load_digits().target)
        assertArrayEquals(new long[] {178, 182, 177, 183, 181, 182, 181, 179, 174, 180}, counts);
        double sum = 0;
        float max = 0;
        for (float v : f) {
            sum += v;
            max = Math.max(max, v);
        }
        assertEquals(561718.0, sum); // load_digits().data.sum()
        assertEquals(16f, max);
    }

    @Test
    void scaledAndImages() {
        DigitsData d = Digits.load(true);
        float[] f = d.features().toFloatArray();
        assertRow(ROW0, f, 0, 16);
        assertArrayEquals(new long[] {1797, 1, 8, 8}, d.images().shape());
    }

    @Test
    void seededSplit() {
        DigitsData d = Digits.load();
        DigitsData.Split s = d.split(0.25, 7);
        assertEquals(450, s.test().size()); // ceil(0.25 * 1797), as scikit-learn sizes it
        assertEquals(1347, s.train().size());
        DigitsData.Split again = d.split(0.25, 7);
        assertArrayEquals(s.test().labels().toLongArray(), again.test().labels().toLongArray());
        assertArrayEquals(s.train().features().toFloatArray(), again.train().features().toFloatArray());

        Splits.Indices idx = Splits.trainTest(1797, 0.25, 7);
        Set<Long> seen = new HashSet<>();
        for (long i : idx.train()) {
            seen.add(i);
        }
        for (long i : idx.test()) {
            assertTrue(seen.add(i), "index " + i + " in both parts");
        }
        assertEquals(1797, seen.size());
        assertFalse(Arrays.equals(idx.test(), Splits.trainTest(1797, 0.25, 8).test()));
        // the selected rows really are those rows
        float[] all = d.features().toFloatArray();
        float[] test = s.test().features().toFloatArray();
        long row = idx.test()[0];
        assertArrayEquals(Arrays.copyOfRange(all, (int) row * 64, (int) row * 64 + 64), Arrays.copyOf(test, 64));

        assertThrows(IllegalArgumentException.class, () -> Splits.trainTest(10, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Splits.trainTest(10, 1.0, 1));
        assertThrows(IllegalArgumentException.class, () -> Splits.trainTest(1, 0.5, 1));
    }

    private static String row(String label) {
        return "0,".repeat(64) + label;
    }

    private static String fails(String csv) {
        return assertThrows(IOException.class, () -> Digits.parse(
                new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), "bad.csv", false)).getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "message \"" + message + "\" should mention \"" + p + "\"");
        }
    }

    @Test
    void parsesSmallInputs() throws IOException {
        String csv = row("3") + "\r\n" + "16," + "1.5,".repeat(63) + "9\n";
        DigitsData d = Digits.parse(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), "ok", true);
        assertArrayEquals(new long[] {3, 9}, d.labels().toLongArray());
        assertEquals(1f, d.features().toFloatArray()[64]);
        assertEquals(1.5f / 16, d.features().toFloatArray()[65]);
    }

    @Test
    void rejectsMalformedRows() throws IOException {
        assertMentions(fails(""), "no rows");
        assertMentions(fails(row("1") + "\n" + "0,0,1\n"), "bad.csv", "line 2", "3 comma-separated values",
                "expected 65");
        assertMentions(fails(row("1") + ",0\n"), "line 1", "66 comma-separated");
        assertMentions(fails("x," + row("1").substring(2)), "column 1", "\"x\" is not a number");
        assertMentions(fails("NaN," + row("1").substring(2)), "\"NaN\" is not a number");
        assertMentions(fails("17," + row("1").substring(2)), "pixel 17 is outside [0, 16]");
        assertMentions(fails("-1," + row("1").substring(2)), "pixel -1");
        assertMentions(fails(row("10")), "column 65", "label \"10\" is not a digit 0..9");
        assertMentions(fails(row("3.5")), "label \"3.5\"");
        assertMentions(fails(row("")), "label \"\"");
        assertMentions(fails(row("1") + "\n\n" + row("2")), "line 2");
        assertMentions(fails("0".repeat(5000)), "longer than 4096");
    }

    @Test
    void rejectsBrokenGzip() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write((row("1") + "\n").repeat(50).getBytes(StandardCharsets.UTF_8));
        }
        byte[] cut = Arrays.copyOf(out.toByteArray(), out.size() - 12);
        String m = assertThrows(IOException.class,
                () -> Digits.parse(new ByteArrayInputStream(cut), "cut.csv.gz", false)).getMessage();
        assertMentions(m, "cut.csv.gz", "gzip");
    }

    private static void assertRow(double[] expected, float[] features, int row, double divisor) {
        for (int c = 0; c < 64; c++) {
            assertEquals((float) (expected[c] / divisor), features[row * 64 + c], "row " + row + " column " + c);
        }
    }
}
