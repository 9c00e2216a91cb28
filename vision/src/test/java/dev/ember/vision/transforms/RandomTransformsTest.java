package dev.ember.vision.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.tensor.Generator;
import dev.ember.tensor.Tensor;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The random transforms: same seed gives the same output, parameters stay in their ranges and follow their
 * distributions (checked with tolerances of several standard errors), and what they apply equals the
 * deterministic function with the drawn parameters.
 */
class RandomTransformsTest {
    /** (C, H, W) with distinct values, so any crop or flip is identifiable. */
    static Tensor ramp(int c, int h, int w) {
        double[] v = new double[c * h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i + 1) / (double) (v.length + 1);
        }
        return Tensor.of(v, c, h, w);
    }

    private static Transform pipeline() {
        return new Compose(
                new RandomResizedCrop(6),
                new RandomHorizontalFlip(),
                new RandomVerticalFlip(0.3),
                new ColorJitter(0.4, 0.4, 0.4, 0.1),
                new RandomCrop(5, 5, new int[] {1}, true, 0.25, PaddingMode.REFLECT),
                new Normalize(new double[] {0.485, 0.456, 0.406}, new double[] {0.229, 0.224, 0.225}));
    }

    @Test
    void sameSeedSameOutput() {
        Tensor img = Tensor.rand(3, 11, 13);
        Transform t = pipeline();
        Tensor a = t.apply(img, new Generator(42));
        Tensor b = t.apply(img, new Generator(42));
        assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 0.0);
        assertArrayEquals(new long[] {3, 5, 5}, a.shape());
        // different seeds give different outputs (for at least one of a few seeds)
        boolean differs = false;
        for (long s = 1; s <= 4 && !differs; s++) {
            differs = !Arrays.equals(a.toDoubleArray(), t.apply(img, new Generator(s)).toDoubleArray());
        }
        assertTrue(differs);
        // the generator is advanced: a second call on the same generator gives a new draw
        Generator g = new Generator(9);
        long[] before = g.getState();
        t.apply(img, g);
        assertFalse(Arrays.equals(before, g.getState()));
    }

    @Test
    void defaultGeneratorIsUsedWithoutOne() {
        Tensor img = ramp(1, 6, 6);
        Generator.defaultGenerator().manualSeed(123);
        Tensor a = new RandomCrop(3).apply(img);
        Generator.defaultGenerator().manualSeed(123);
        Tensor b = new RandomCrop(3).apply(img);
        assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 0.0);
        Tensor c = new RandomCrop(3).apply(img, new Generator(123));
        assertArrayEquals(a.toDoubleArray(), c.toDoubleArray(), 0.0, "the default generator seeded alike");
    }

    @Test
    void randomCropCoversEveryOffsetUniformly() {
        int h = 7;
        int w = 6;
        int[][] counts = new int[h - 3 + 1][w - 4 + 1];
        Generator g = new Generator(1);
        int n = 6000;
        for (int k = 0; k < n; k++) {
            int[] box = RandomCrop.getParams(h, w, 3, 4, g);
            assertEquals(3, box[2]);
            assertEquals(4, box[3]);
            counts[box[0]][box[1]]++;
        }
        double expected = n / 15.0; // 5 x 3 positions
        for (int[] row : counts) {
            for (int c : row) {
                assertEquals(expected, c, 5 * Math.sqrt(expected), Arrays.deepToString(counts));
            }
        }
        assertArrayEquals(new int[] {0, 0, 7, 6}, RandomCrop.getParams(7, 6, 7, 6, g), "whole image");
    }

    @Test
    void randomCropOutputIsTheCropAtTheDrawnOffset() {
        Tensor img = ramp(2, 5, 6);
        RandomCrop t = new RandomCrop(4, 4, new int[] {2, 1}, false, 0.5, PaddingMode.CONSTANT);
        for (long seed = 0; seed < 20; seed++) {
            Tensor out = t.apply(img, new Generator(seed));
            Tensor padded = Functional.pad(img, new int[] {2, 1}, 0.5, PaddingMode.CONSTANT);
            int[] box = RandomCrop.getParams(7, 10, 4, 4, new Generator(seed)); // the same draws
            Tensor expected = Functional.crop(padded, box[0], box[1], 4, 4);
            assertArrayEquals(expected.toDoubleArray(), out.toDoubleArray(), 0.0, "seed " + seed);
        }
        // padIfNeeded pads a short side by the difference on both ends (torchvision), then crops
        Tensor small = ramp(1, 2, 3);
        Tensor out = new RandomCrop(4, 5, null, true, 0.0, PaddingMode.CONSTANT).apply(small, new Generator(3));
        assertArrayEquals(new long[] {1, 4, 5}, out.shape());
        double sum = 0;
        for (double v : out.toDoubleArray()) {
            sum += v;
        }
        assertTrue(sum > 0, "the crop holds some of the image");
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new RandomCrop(4).apply(small, new Generator(1)));
        assertTrue(e.getMessage().contains("larger than input image size (2, 3)"), e.getMessage());
    }

    @Test
    void flipFrequencyMatchesP() {
        Tensor img = ramp(1, 2, 3);
        Tensor flipped = Functional.hflip(img);
        for (double p : new double[] {0.0, 0.3, 0.5, 1.0}) {
            RandomHorizontalFlip t = new RandomHorizontalFlip(p);
            Generator g = new Generator(5);
            int n = 4000;
            int hits = 0;
            for (int k = 0; k < n; k++) {
                Tensor out = t.apply(img, g);
                if (Arrays.equals(out.toDoubleArray(), flipped.toDoubleArray())) {
                    hits++;
                } else {
                    assertSame(img, out);
                }
            }
            assertEquals(p * n, hits, 5 * Math.sqrt(n * p * (1 - p)) + 1e-9, "p = " + p);
        }
        Tensor v = new RandomVerticalFlip(1.0).apply(img, new Generator(1));
        assertArrayEquals(Functional.vflip(img).toDoubleArray(), v.toDoubleArray(), 0.0);
    }

    @Test
    void randomResizedCropBoxesFollowScaleAndRatio() {
        double[] scale = {0.08, 1.0};
        double[] ratio = {3.0 / 4.0, 4.0 / 3.0};
        Generator g = new Generator(11);
        int h = 200;
        int w = 300;
        int n = 3000;
        double areaSum = 0;
        double logRatioSum = 0;
        for (int k = 0; k < n; k++) {
            int[] b = RandomResizedCrop.getParams(h, w, scale, ratio, g);
            assertTrue(b[0] >= 0 && b[1] >= 0 && b[0] + b[2] <= h && b[1] + b[3] <= w, Arrays.toString(b));
            double area = (double) b[2] * b[3] / (h * w);
            double r = (double) b[3] / b[2];
            // rounding each side to an int moves the area and ratio slightly off the drawn values
            assertTrue(area >= 0.08 * 0.97 && area <= 1.0, "area " + area);
            assertTrue(r >= 0.75 * 0.97 && r <= 4.0 / 3.0 * 1.03, "ratio " + r);
            areaSum += area;
            logRatioSum += Math.log(r);
        }
        // (area, log ratio) is uniform on [0.08, 1] x [log 3/4, log 4/3], redrawn while the box does not fit: the
        // expected means are those of the uniform density restricted to boxes that fit, integrated numerically
        double[] expected = fittingMeans(h, w, scale, ratio);
        assertEquals(expected[0], areaSum / n, 0.012, "mean area fraction");
        assertEquals(expected[1], logRatioSum / n, 0.012, "mean log ratio");
    }

    /** Mean area fraction and log ratio of a uniform (area, log ratio) given that the box fits in h x w. */
    private static double[] fittingMeans(int h, int w, double[] scale, double[] ratio) {
        int steps = 400;
        double lo = Math.log(ratio[0]);
        double hi = Math.log(ratio[1]);
        double mass = 0;
        double areaSum = 0;
        double logSum = 0;
        for (int i = 0; i < steps; i++) {
            double a = scale[0] + (scale[1] - scale[0]) * (i + 0.5) / steps;
            for (int j = 0; j < steps; j++) {
                double u = lo + (hi - lo) * (j + 0.5) / steps;
                double r = Math.exp(u);
                double area = a * h * w;
                if (Math.sqrt(area * r) <= w && Math.sqrt(area / r) <= h) {
                    mass++;
                    areaSum += a;
                    logSum += u;
                }
            }
        }
        return new double[] {areaSum / mass, logSum / mass};
    }

    @Test
    void randomResizedCropFallsBackToACentredBox() {
        Generator g = new Generator(2);
        // a 1 x 40 strip cannot hold a box with ratio in [3/4, 4/3] of area >= 0.9: the fallback clamps the ratio
        int[] b = RandomResizedCrop.getParams(1, 40, new double[] {0.9, 1.0}, new double[] {0.75, 4.0 / 3.0}, g);
        assertArrayEquals(new int[] {0, 19, 1, 1}, b);
        b = RandomResizedCrop.getParams(40, 1, new double[] {0.9, 1.0}, new double[] {0.75, 4.0 / 3.0}, g);
        assertArrayEquals(new int[] {19, 0, 1, 1}, b);
        Tensor out = new RandomResizedCrop(4).apply(Tensor.rand(3, 9, 7), new Generator(4));
        assertArrayEquals(new long[] {3, 4, 4}, out.shape());
    }

    @Test
    void colorJitterDrawsFactorsInRangeAndAppliesThem() {
        ColorJitter t = new ColorJitter(0.4, 0.3, 0.2, 0.1);
        Generator g = new Generator(17);
        Set<String> orders = new HashSet<>();
        int n = 3000;
        double bSum = 0;
        double hSum = 0;
        double hSq = 0;
        for (int k = 0; k < n; k++) {
            ColorJitter.Params p = t.getParams(g);
            orders.add(Arrays.toString(p.order()));
            assertTrue(p.brightness() >= 0.6 && p.brightness() <= 1.4);
            assertTrue(p.contrast() >= 0.7 && p.contrast() <= 1.3);
            assertTrue(p.saturation() >= 0.8 && p.saturation() <= 1.2);
            assertTrue(p.hue() >= -0.1 && p.hue() <= 0.1);
            bSum += p.brightness();
            hSum += p.hue();
            hSq += p.hue() * p.hue();
        }
        assertEquals(24, orders.size(), "every order of the four adjustments appears");
        assertEquals(1.0, bSum / n, 5 * 0.8 / Math.sqrt(12 * n));
        assertEquals(0.0, hSum / n, 5 * 0.2 / Math.sqrt(12 * n));
        assertEquals(0.2 * 0.2 / 12, hSq / n, 0.0005, "uniform variance");

        Tensor img = Tensor.rand(3, 4, 5);
        Tensor out = t.apply(img, new Generator(3));
        Tensor expected = ColorJitter.apply(img, t.getParams(new Generator(3)));
        assertArrayEquals(expected.toDoubleArray(), out.toDoubleArray(), 0.0);
        for (double v : out.toDoubleArray()) {
            assertTrue(v >= 0 && v <= 1);
        }
    }

    @Test
    void colorJitterDisablesNeutralRanges() {
        ColorJitter t = new ColorJitter(0, 0.5, 0, 0);
        ColorJitter.Params p = t.getParams(new Generator(1));
        assertNull(p.brightness());
        assertNotNull(p.contrast());
        assertNull(p.saturation());
        assertNull(p.hue());
        Tensor img = Tensor.rand(3, 2, 2);
        Tensor same = new ColorJitter(0, 0, 0, 0).apply(img, new Generator(1));
        assertArrayEquals(img.toDoubleArray(), same.toDoubleArray(), 0.0);
        assertEquals("ColorJitter(brightness=None, contrast=[0.5, 1.5], saturation=None, hue=None)", t.toString());
    }

    @Test
    void batchesGetOneDrawForAllImages() {
        Tensor batch = Tensor.rand(4, 3, 8, 8);
        Tensor out = new Compose(new RandomCrop(5), new RandomHorizontalFlip(), new ColorJitter(0.5, 0.5, 0.5, 0.2))
                .apply(batch, new Generator(8));
        assertArrayEquals(new long[] {4, 3, 5, 5}, out.shape());
        // each image equals the same pipeline applied alone with the same seed
        for (int i = 0; i < 4; i++) {
            Tensor single = new Compose(new RandomCrop(5), new RandomHorizontalFlip(),
                    new ColorJitter(0.5, 0.5, 0.5, 0.2)).apply(batch.select(0, i), new Generator(8));
            assertArrayEquals(single.toDoubleArray(), out.select(0, i).contiguous().toDoubleArray(), 1e-6);
        }
    }

    @Test
    void composeAndAndThenRunInOrder() {
        Tensor img = ramp(1, 4, 4);
        Transform a = new Compose(new CenterCrop(2), new Pad(1));
        Transform b = new CenterCrop(2).andThen(new Pad(1));
        Tensor x = a.apply(img, new Generator(0));
        assertArrayEquals(new long[] {1, 4, 4}, x.shape());
        assertArrayEquals(x.toDoubleArray(), b.apply(img, new Generator(0)).toDoubleArray(), 0.0);
        assertEquals(0.0, x.toDoubleArray()[0]);
        assertTrue(new Compose(new CenterCrop(2), new Resize(3)).toString().contains("CenterCrop(size=(2, 2))"));
    }
}
