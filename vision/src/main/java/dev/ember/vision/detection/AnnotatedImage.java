package dev.ember.vision.detection;

import java.util.Arrays;

/**
 * The ground truth of one image: its file (relative to the dataset's image folder), its size in pixels and
 * its objects, each an xyxy box in pixels with a class label in {@code [0, numClasses)}.
 *
 * @param fileName image file, relative to the image folder
 * @param width    image width in pixels
 * @param height   image height in pixels
 * @param boxes    {@code (K, 4)} xyxy boxes, {@code x1 <= x2}, {@code y1 <= y2}
 * @param labels   {@code (K)} class labels
 */
public record AnnotatedImage(String fileName, int width, int height, double[][] boxes, int[] labels) {

    public AnnotatedImage {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("AnnotatedImage " + fileName + ": size must be positive, got " + width
                    + "x" + height);
        }
        if (boxes.length != labels.length) {
            throw new IllegalArgumentException("AnnotatedImage " + fileName + ": " + boxes.length + " boxes but "
                    + labels.length + " labels");
        }
        boxes = Arrays.stream(boxes).map(double[]::clone).toArray(double[][]::new);
        for (double[] b : boxes) {
            if (b.length != 4 || !(b[0] <= b[2]) || !(b[1] <= b[3])) {
                throw new IllegalArgumentException("AnnotatedImage " + fileName + ": box " + Arrays.toString(b)
                        + " is not x1, y1, x2, y2 with x1 <= x2 and y1 <= y2");
            }
        }
        labels = labels.clone();
    }

    /** Number of objects. */
    public int size() {
        return labels.length;
    }

    @Override
    public double[][] boxes() {
        return Arrays.stream(boxes).map(double[]::clone).toArray(double[][]::new);
    }

    @Override
    public int[] labels() {
        return labels.clone();
    }

    /** Box {@code i} (a copy). */
    public double[] box(int i) {
        return boxes[i].clone();
    }

    /** Label of object {@code i}. */
    public int label(int i) {
        return labels[i];
    }
}
