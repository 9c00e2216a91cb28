package dev.ember.vision.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** mAP on cases worked out by hand (VOC all-point interpolation). */
class MeanAveragePrecisionTest {
    private static final double[][] NONE = new double[0][];

    private static Detection det(double x1, double y1, double x2, double y2, int label, double score) {
        return new Detection(x1, y1, x2, y2, label, score);
    }

    @Test
    void perfectDetectionsGiveOne() {
        MeanAveragePrecision m = new MeanAveragePrecision(2, 0.5);
        m.update(List.of(det(0, 0, 10, 10, 0, 0.9), det(20, 20, 30, 30, 1, 0.8)),
                new double[][] {{0, 0, 10, 10}, {20, 20, 30, 30}}, new int[] {0, 1});
        var r = m.compute();
        assertArrayEquals(new double[] {1, 1}, r.ap(), 1e-12);
        assertEquals(1.0, r.map(), 1e-12);
    }

    @Test
    void falsePositivesDuplicatesAndMisses() {
        // one class, 3 objects in 2 images. By score: d1 TP (image 0, object A), d2 FP (nothing there),
        // d3 TP (image 1, object C), d4 FP (duplicate of A); object B is never found.
        // precision 1, 1/2, 2/3, 1/2 at recall 1/3, 1/3, 2/3, 2/3.
        // Interpolated precision: 1 up to recall 1/3, 2/3 up to 2/3, 0 after: AP = 1/3 * 1 + 1/3 * 2/3 = 5/9.
        MeanAveragePrecision m = new MeanAveragePrecision(1, 0.5);
        m.update(List.of(det(0, 0, 10, 10, 0, 0.9), det(50, 50, 60, 60, 0, 0.8), det(1, 1, 10, 10, 0, 0.6)),
                new double[][] {{0, 0, 10, 10}, {20, 0, 30, 10}}, new int[] {0, 0});
        m.update(List.of(det(5, 5, 15, 15, 0, 0.7)), new double[][] {{5, 6, 15, 15}}, new int[] {0});
        var r = m.compute();
        assertArrayEquals(new double[] {1, 0.5, 2.0 / 3, 0.5}, r.precision()[0], 1e-12);
        assertArrayEquals(new double[] {1.0 / 3, 1.0 / 3, 2.0 / 3, 2.0 / 3}, r.recall()[0], 1e-12);
        assertEquals(5.0 / 9, r.ap()[0], 1e-12);
        assertEquals(5.0 / 9, r.map(), 1e-12);
    }

    @Test
    void allPointInterpolationByHand() {
        // precision 1, .5, .667, .75, .6 at recall .25, .25, .5, .75, .75 (4 objects):
        // the envelope is 1 on (0, .25], .75 on (.25, .75], 0 after: AP = .25 + .5 * .75 = 0.625
        double ap = MeanAveragePrecision.allPointAp(new double[] {1, 0.5, 2.0 / 3, 0.75, 0.6},
                new double[] {0.25, 0.25, 0.5, 0.75, 0.75});
        assertEquals(0.625, ap, 1e-12);
        assertEquals(0.0, MeanAveragePrecision.allPointAp(new double[0], new double[0]), 0);
    }

    @Test
    void iouThresholdIsInclusive() {
        // detection [0, 0, 10, 10] against truth [0, 0, 10, 20]: IoU exactly 0.5 -> a match at 0.5, not at 0.51
        for (double thr : new double[] {0.5, 0.51}) {
            MeanAveragePrecision m = new MeanAveragePrecision(1, thr);
            m.update(List.of(det(0, 0, 10, 10, 0, 0.9)), new double[][] {{0, 0, 10, 20}}, new int[] {0});
            assertEquals(thr == 0.5 ? 1.0 : 0.0, m.compute().ap()[0], 1e-12, "threshold " + thr);
        }
    }

    @Test
    void wrongClassIsAFalsePositiveAndClassesWithoutTruthAreLeftOut() {
        // class 0: found after a higher-scoring class-1 box at the same place. Class 1 has no ground truth.
        // Class 2 has one object and no detection: AP 0.
        MeanAveragePrecision m = new MeanAveragePrecision(3, 0.5);
        m.update(List.of(det(0, 0, 10, 10, 1, 0.95), det(0, 0, 10, 10, 0, 0.5)),
                new double[][] {{0, 0, 10, 10}, {30, 30, 40, 40}}, new int[] {0, 2});
        var r = m.compute();
        assertEquals(1.0, r.ap()[0], 1e-12);
        assertTrue(Double.isNaN(r.ap()[1]));
        assertEquals(0.0, r.ap()[2], 1e-12);
        assertEquals(0.5, r.map(), 1e-12);
        assertArrayEquals(new int[] {1, 0, 1}, r.numGt());
    }

    @Test
    void lowerScoredMatchDoesNotStealAnotherObject() {
        // Two overlapping objects; the best-IoU object for the second detection is already taken, so it is a false
        // positive even though it overlaps the other object by more than 0.5 (VOC: match only the best-IoU box).
        MeanAveragePrecision m = new MeanAveragePrecision(1, 0.5);
        m.update(List.of(det(0, 0, 10, 10, 0, 0.9), det(0, 0, 10, 10, 0, 0.8)),
                new double[][] {{0, 0, 10, 10}, {0, 0, 10, 12}}, new int[] {0, 0});
        var r = m.compute();
        assertArrayEquals(new double[] {1, 0.5}, r.precision()[0], 1e-12);
        assertEquals(0.5, r.ap()[0], 1e-12);
    }

    @Test
    void noDetectionsAndNoTruth() {
        MeanAveragePrecision m = new MeanAveragePrecision(2, 0.5);
        m.update(List.of(), NONE, new int[0]);
        assertTrue(Double.isNaN(m.compute().map()));
        m.update(List.of(), new double[][] {{0, 0, 5, 5}}, new int[] {1});
        assertEquals(0.0, m.compute().map(), 0);
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new MeanAveragePrecision(0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new MeanAveragePrecision(2, 0));
        MeanAveragePrecision m = new MeanAveragePrecision(2, 0.5);
        var e = assertThrows(IllegalArgumentException.class,
                () -> m.update(List.of(det(0, 0, 1, 1, 2, 0.5)), NONE, new int[0]));
        assertTrue(e.getMessage().contains("label 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.update(List.of(), new double[][] {{0, 0, 1, 1}},
                new int[0]));
    }
}
