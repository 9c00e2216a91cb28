package dev.ember.vision.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** BoxOps' argument checks (the arithmetic is checked against torchvision in BoxOpsGoldenTest). */
class BoxOpsTest {

    @Test
    void badShapesAndFormatsAreRejectedWithTheirNames() {
        var e = assertThrows(IllegalArgumentException.class, () -> BoxOps.boxIou(Tensor.zeros(3, 5), Tensor.zeros(2, 4)));
        assertTrue(e.getMessage().contains("box_iou") && e.getMessage().contains("[3, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BoxOps.boxConvert(Tensor.zeros(1, 4), "xyxy", "yolo"));
        assertTrue(e.getMessage().contains("\"yolo\""), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BoxOps.nms(Tensor.zeros(3, 4), Tensor.zeros(2), 0.5));
        assertTrue(e.getMessage().contains("scores must have shape [3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> BoxOps.batchedNms(Tensor.zeros(2, 4), Tensor.zeros(2), Tensor.zeros(2), 0.5));
        assertTrue(e.getMessage().contains("idxs must be an integer tensor"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> BoxOps.boxArea(Tensor.of(new long[] {0, 0, 1, 1}, 1, 4)));
        assertTrue(e.getMessage().contains("floating point"), e.getMessage());
    }

    @Test
    void batchedNmsNeverSuppressesAcrossCategories() {
        Tensor boxes = Tensor.of(new double[] {0, 0, 10, 10, 0, 0, 10, 10, 1, 1, 10, 10}, 3, 4);
        Tensor scores = Tensor.of(new double[] {0.9, 0.8, 0.7}, 3);
        assertArrayEquals(new long[] {0}, BoxOps.nms(boxes, scores, 0.5).toLongArray());
        assertArrayEquals(new long[] {0, 1}, BoxOps.batchedNms(boxes, scores, Tensor.of(new long[] {0, 1, 0}, 3), 0.5)
                .toLongArray());
    }
}
