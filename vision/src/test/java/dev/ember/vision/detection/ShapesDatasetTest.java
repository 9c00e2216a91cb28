package dev.ember.vision.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The generated shapes: reproducible, inside the image, within the requested counts and sizes, and visible. */
class ShapesDatasetTest {

    @Test
    void reproducibleAndWithinSpecification() {
        ShapesDataset.Options o = ShapesDataset.Options.defaults();
        for (int i = 0; i < 20; i++) {
            ShapesDataset.Sample a = ShapesDataset.sample(o, 5, i);
            ShapesDataset.Sample b = ShapesDataset.sample(o, 5, i);
            assertArrayEquals(a.labels(), b.labels());
            assertEquals(a.image().getRGB(10, 20), b.image().getRGB(10, 20));
            assertTrue(a.labels().length >= 1 && a.labels().length <= 3, "objects: " + a.labels().length);
            for (int k = 0; k < a.labels().length; k++) {
                double[] box = a.boxes()[k];
                double w = box[2] - box[0];
                assertTrue(box[0] >= 0 && box[1] >= 0 && box[2] <= 64 && box[3] <= 64, java.util.Arrays.toString(box));
                assertTrue(w >= 12 && w <= 26 && w == box[3] - box[1], java.util.Arrays.toString(box));
                assertTrue(a.labels()[k] >= 0 && a.labels()[k] < 3);
                for (int j = 0; j < k; j++) {
                    assertTrue(BoxOps.iou(box, a.boxes()[j]) <= 0.05);
                }
            }
        }
        assertNotEquals(ShapesDataset.sample(o, 5, 0).image().getRGB(3, 3), ShapesDataset.sample(o, 6, 0).image()
                .getRGB(3, 3), "another seed gives another image");
    }

    @Test
    void shapesStandOutFromTheBackground() {
        // with no noise, the centre pixel of every shape has the shape's colour, not the background's
        ShapesDataset.Options o = new ShapesDataset.Options(64, 1, 3, 12, 26, 0);
        for (int i = 0; i < 10; i++) {
            ShapesDataset.Sample s = ShapesDataset.sample(o, 1, i);
            for (double[] b : s.boxes()) {
                int cx = (int) ((b[0] + b[2]) / 2);
                int cy = (int) ((b[1] + b[3]) / 2) + 2; // a little low: the triangle is wider there
                int inside = s.image().getRGB(cx, cy) & 0xffffff;
                int max = Math.max(Math.max((inside >> 16) & 255, (inside >> 8) & 255), inside & 255);
                assertTrue(max >= 180, "shape colour is bright: " + Integer.toHexString(inside));
            }
        }
    }

    @Test
    void rejectsImpossibleOptions() {
        assertThrows(IllegalArgumentException.class, () -> new ShapesDataset.Options(64, 0, 3, 12, 26, 16));
        assertThrows(IllegalArgumentException.class, () -> new ShapesDataset.Options(64, 1, 3, 12, 40, 16));
        assertThrows(IllegalArgumentException.class, () -> new ShapesDataset.Options(8, 1, 3, 4, 4, 16));
    }
}
