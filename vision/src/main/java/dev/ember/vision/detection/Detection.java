package dev.ember.vision.detection;

import java.util.Locale;

/**
 * One detected object: an xyxy box in pixels of the image it was found in, a class label and a confidence
 * score in [0, 1].
 */
public record Detection(double x1, double y1, double x2, double y2, int label, double score) {

    public double width() {
        return x2 - x1;
    }

    public double height() {
        return y2 - y1;
    }

    /** The same detection with its box scaled by {@code sx} horizontally and {@code sy} vertically. */
    public Detection scaled(double sx, double sy) {
        return new Detection(x1 * sx, y1 * sy, x2 * sx, y2 * sy, label, score);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Detection[label=%d, score=%.3f, box=(%.1f, %.1f, %.1f, %.1f)]", label,
                score, x1, y1, x2, y2);
    }
}
