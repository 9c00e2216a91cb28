package dev.ember.vision.train.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Top-k and accuracy against hand-worked examples. */
class ClassificationMetricsTest {

    @Test
    void topKOrdersLargestFirstTiesToLowerIndexNaNLast() {
        double[] row = {0.1, 0.5, 0.5, -1, Double.NaN};
        assertArrayEquals(new long[] {1, 2, 0}, TopK.indices(row, 0, 5, 3));
        assertArrayEquals(new long[] {1, 2, 0, 3, 4}, TopK.indices(row, 0, 5, 5));
        assertArrayEquals(new long[] {1}, TopK.indices(row, 0, 5, 1));
        // offset reads the second row of a (2, 3) array
        assertArrayEquals(new long[] {2, 0}, TopK.indices(new double[] {9, 9, 9, 5, -2, 7}, 3, 3, 2));
        assertTrue(TopK.contains(row, 0, 5, 3, 0));
        assertFalse(TopK.contains(row, 0, 5, 2, 0));
    }

    @Test
    void topKOfTensorRows() {
        Tensor scores = Tensor.of(new double[] {3, 1, 2, 0, 5, 4}, 2, 3);
        assertArrayEquals(new long[][] {{0, 2}, {1, 2}}, TopK.indices(scores, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TopK.indices(scores, 4));
        assertTrue(e.getMessage().contains("k must be in [1, 3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TopK.indices(Tensor.zeros(3), 1));
    }

    @Test
    void accuracyTopKAndLossByHand() {
        ClassificationMetrics m = new ClassificationMetrics(4, 1, 2, 3, 5);
        Tensor logits = Tensor.of(new double[] {
            2, 1, 0, -1,   // target 0: top-1 right
            0, 3, 2, 1,    // target 2: top-1 says 1, top-2 {1, 2} right
            1, 0, 0, 5,    // target 1: top-2 {3, 0} wrong; top-3 {3, 0, 1} right (1 before 2 on the tie)
        }, 3, 4);
        m.update(logits, Tensor.of(new long[] {0, 2, 1}, 3));
        m.addLoss(0.5, 2);
        m.addLoss(2.0, 1);
        assertEquals(3, m.count());
        assertEquals(1.0 / 3, m.accuracy(), 1e-15);
        assertEquals(1.0 / 3, m.topK(1), 1e-15);
        assertEquals(2.0 / 3, m.topK(2), 1e-15);
        assertEquals(1.0, m.topK(3), 1e-15);
        assertEquals(1.0, m.topK(5), 1e-15); // clamped to the 4 classes
        assertEquals(1.0, m.loss(), 1e-15);
        assertArrayEquals(new long[] {0, 0, 0, 1}, m.confusion().counts()[1]);
        assertTrue(m.summary().contains("accuracy 33.33%"), m.summary());
        assertTrue(m.summary().contains("top-2 66.67%"), m.summary());
    }

    @Test
    void accumulatesAcrossBatches() {
        ClassificationMetrics m = new ClassificationMetrics(2, 1);
        m.update(new double[] {1, 0, 0, 1}, new long[] {0, 0});
        m.update(new double[] {0, 1}, new long[] {1});
        assertEquals(2.0 / 3, m.accuracy(), 1e-15);
        assertArrayEquals(new long[][] {{1, 1}, {0, 1}}, m.confusion().counts());
        assertTrue(Double.isNaN(new ClassificationMetrics(2).loss()));
    }

    @Test
    void rejectsMismatchedShapes() {
        ClassificationMetrics m = new ClassificationMetrics(3, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.update(Tensor.zeros(2, 4), Tensor.of(new long[] {0, 1}, 2)));
        assertTrue(e.getMessage().contains("expected scores (N, 3)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.update(new double[5], new long[2]));
        assertThrows(IllegalArgumentException.class, () -> m.topK(2));
        assertThrows(IllegalArgumentException.class, () -> new ClassificationMetrics(3, 0));
    }
}
