package dev.ember.vision.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.tensor.Tensor;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AugmentTest {

    @Test
    void randomCropShiftsEachImageWithinThePadding() {
        Ember.manualSeed(3);
        int n = 40;
        Tensor x = Tensor.arange(n * 2 * 5 * 5).reshape(n, 2, 5, 5).toFloat().add(1.0);
        Tensor y = Augment.randomCrop(1, -1, -2).apply(x);
        assertArrayEquals(x.shape(), y.shape());
        Set<String> shifts = new HashSet<>();
        for (int i = 0; i < n; i++) {
            double[] in = x.select(0, i).toDoubleArray();
            double[] out = y.select(0, i).toDoubleArray();
            String found = null;
            for (int dy = -1; dy <= 1 && found == null; dy++) {
                for (int dx = -1; dx <= 1 && found == null; dx++) {
                    if (matches(in, out, dy, dx)) {
                        found = dy + "," + dx;
                    }
                }
            }
            assertTrue(found != null, "image " + i + " is a shifted window padded with the channel's fill");
            shifts.add(found);
        }
        assertTrue(shifts.size() >= 5, "images get their own shifts: " + shifts);
        assertEquals(x, Augment.randomCrop(0, 0, 0).apply(x));
    }

    /** out[c][r][q] == in[c][r + dy][q + dx], or the fill (-1 - c) outside. */
    private static boolean matches(double[] in, double[] out, int dy, int dx) {
        for (int c = 0; c < 2; c++) {
            for (int r = 0; r < 5; r++) {
                for (int q = 0; q < 5; q++) {
                    int sr = r + dy;
                    int sq = q + dx;
                    double expected = sr < 0 || sr >= 5 || sq < 0 || sq >= 5 ? -1 - c : in[c * 25 + sr * 5 + sq];
                    if (out[c * 25 + r * 5 + q] != expected) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    @Test
    void horizontalFlipMirrorsWithProbabilityP() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 1, 1, 2, 3);
        assertArrayEquals(new double[] {3, 2, 1, 6, 5, 4}, Augment.horizontalFlip(1).apply(x).toDoubleArray());
        assertArrayEquals(x.toDoubleArray(), Augment.horizontalFlip(0).apply(x).toDoubleArray());
        Ember.manualSeed(0);
        Tensor many = Tensor.arange(3).toFloat().reshape(1, 1, 1, 3).expand(200, 1, 1, 3).contiguous();
        double[] first = Augment.horizontalFlip(0.5).apply(many).narrow(3, 0, 1).flatten().toDoubleArray();
        long flipped = java.util.Arrays.stream(first).filter(v -> v == 2).count();
        assertTrue(flipped > 60 && flipped < 140, "about half flipped: " + flipped);
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> Augment.randomCrop(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> Augment.horizontalFlip(1.5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Augment.randomCrop(1, 0).apply(Tensor.zeros(2, 3, 4, 4)));
        assertTrue(e.getMessage().contains("1 fill values for 3 channels"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Augment.horizontalFlip(0.5).apply(Tensor.zeros(3, 4)));
    }
}
