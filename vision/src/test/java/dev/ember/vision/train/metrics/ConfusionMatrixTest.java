package dev.ember.vision.train.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Counts and ratios against values worked out by hand (they agree with scikit-learn's). */
class ConfusionMatrixTest {
    // 10 examples of 3 classes; by hand: rows (true) [3 1 0], [0 1 1], [1 0 3]
    private static final long[] TARGETS = {0, 0, 0, 1, 1, 2, 2, 2, 2, 0};
    private static final long[] PREDICTED = {0, 1, 0, 1, 2, 2, 2, 0, 2, 0};

    private static ConfusionMatrix example() {
        ConfusionMatrix m = new ConfusionMatrix(3);
        m.add(TARGETS, PREDICTED);
        return m;
    }

    @Test
    void countsRowsAreTrueClassesColumnsPredictions() {
        ConfusionMatrix m = example();
        assertArrayEquals(new long[][] {{3, 1, 0}, {0, 1, 1}, {1, 0, 3}}, m.counts());
        assertEquals(10, m.total());
        assertEquals(4, m.support(0));
        assertEquals(4, m.predicted(0));
        assertEquals(2, m.predicted(1));
    }

    @Test
    void accuracyPrecisionRecallF1ByHand() {
        ConfusionMatrix m = example();
        assertEquals(0.7, m.accuracy(), 1e-15);
        // precision: diagonal over column sums 4, 2, 4
        assertEquals(0.75, m.precision(0), 1e-15);
        assertEquals(0.5, m.precision(1), 1e-15);
        assertEquals(0.75, m.precision(2), 1e-15);
        // recall: diagonal over row sums 4, 2, 4
        assertEquals(0.75, m.recall(0), 1e-15);
        assertEquals(0.5, m.recall(1), 1e-15);
        assertEquals(0.75, m.recall(2), 1e-15);
        assertEquals(0.75, m.f1(0), 1e-15);
        assertEquals(0.5, m.f1(1), 1e-15);
        assertEquals(2.0 / 3, m.macroPrecision(), 1e-15);
        assertEquals(2.0 / 3, m.macroRecall(), 1e-15);
        assertEquals(2.0 / 3, m.macroF1(), 1e-15);
    }

    @Test
    void precisionAndRecallDifferWhenErrorsAreAsymmetric() {
        // class 0: 2 examples, both right; class 1: 2 examples, one predicted as 0
        ConfusionMatrix m = ConfusionMatrix.of(new long[][] {{2, 0}, {1, 1}});
        assertEquals(2.0 / 3, m.precision(0), 1e-15);
        assertEquals(1.0, m.recall(0), 1e-15);
        assertEquals(1.0, m.precision(1), 1e-15);
        assertEquals(0.5, m.recall(1), 1e-15);
        assertEquals(0.8, m.f1(0), 1e-15); // 2 * (2/3) * 1 / (2/3 + 1)
        assertEquals(2.0 / 3, m.f1(1), 1e-15);
    }

    @Test
    void zeroDivisionGivesZeroAsScikitLearn() {
        ConfusionMatrix m = new ConfusionMatrix(3);
        m.add(0, 0);
        m.add(1, 0);
        assertEquals(0, m.precision(2));
        assertEquals(0, m.recall(2));
        assertEquals(0, m.f1(2));
        assertEquals(0, m.precision(1)); // class 1 never predicted
        assertEquals(0, new ConfusionMatrix(2).accuracy());
        assertArrayEquals(new double[] {1, 0, 0}, m.rowNormalized()[1], 0);
    }

    @Test
    void addAllSumsCounts() {
        ConfusionMatrix a = example();
        a.addAll(example());
        assertEquals(6, a.count(0, 0));
        assertEquals(20, a.total());
    }

    @Test
    void reportListsClassesAndMatrix() {
        String r = example().report(List.of("cat", "dog", "bird"));
        assertTrue(r.contains("cat"), r);
        assertTrue(r.contains("0.7500"), r);
        assertTrue(r.contains("macro avg"), r);
        assertTrue(r.contains("2 bird"), r);
    }

    @Test
    void rejectsBadInput() {
        ConfusionMatrix m = new ConfusionMatrix(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.add(3, 0));
        assertTrue(e.getMessage().contains("[0, 3)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.add(new long[] {0}, new long[] {0, 1}));
        assertThrows(IllegalArgumentException.class, () -> new ConfusionMatrix(0));
        assertThrows(IllegalArgumentException.class, () -> ConfusionMatrix.of(new long[][] {{1, 2}}));
        assertThrows(IllegalArgumentException.class, () -> ConfusionMatrix.of(new long[][] {{-1}}));
        assertThrows(IllegalArgumentException.class, () -> m.report(List.of("a")));
    }
}
