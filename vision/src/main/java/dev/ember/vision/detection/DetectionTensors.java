package dev.ember.vision.detection;

import dev.ember.tensor.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A detection split decoded once into memory at the model's input size: per image the normalised CHW pixels
 * ({@link ImageTensors}) and the boxes scaled to the resized image. Small datasets (thousands of 64x64
 * images, a few tens of MB) train much faster this way than by decoding PNGs every epoch.
 */
public final class DetectionTensors {
    private final DetectionData data;
    private final int size;
    private final float[][] pixels;
    private final double[][][] boxes;
    private final int[][] labels;

    private DetectionTensors(DetectionData data, int size, float[][] pixels, double[][][] boxes, int[][] labels) {
        this.data = data;
        this.size = size;
        this.pixels = pixels;
        this.boxes = boxes;
        this.labels = labels;
    }

    /** Decodes every image of {@code data}, resized to {@code size x size}. */
    public static DetectionTensors load(DetectionData data, int size) throws IOException {
        int n = data.size();
        float[][] pixels = new float[n][];
        double[][][] boxes = new double[n][][];
        int[][] labels = new int[n][];
        for (int i = 0; i < n; i++) {
            AnnotatedImage im = data.images().get(i);
            var image = data.readImage(i);
            if (image.getWidth() != im.width() || image.getHeight() != im.height()) {
                throw new IOException("image " + data.imagePath(i) + ": is " + image.getWidth() + "x"
                        + image.getHeight() + " but its annotation says " + im.width() + "x" + im.height());
            }
            pixels[i] = ImageTensors.toChw(image, size);
            boxes[i] = scale(im.boxes(), (double) size / im.width(), (double) size / im.height());
            labels[i] = im.labels();
        }
        return new DetectionTensors(data, size, pixels, boxes, labels);
    }

    static double[][] scale(double[][] boxes, double sx, double sy) {
        double[][] out = new double[boxes.length][];
        for (int k = 0; k < boxes.length; k++) {
            double[] b = boxes[k];
            out[k] = new double[] {b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy};
        }
        return out;
    }

    public DetectionData data() {
        return data;
    }

    public int size() {
        return pixels.length;
    }

    /** The model input size (pixels of the square images). */
    public int imageSize() {
        return size;
    }

    /** Boxes of image {@code i} in resized pixels. */
    public double[][] boxes(int i) {
        return boxes[i];
    }

    public int[] labels(int i) {
        return labels[i];
    }

    /**
     * A batch: images {@code (B, 3, S, S)} and their targets. With {@code random} non-null each image is
     * mirrored left to right with probability 1/2, boxes with it.
     */
    public Batch batch(int[] indices, Random random) {
        int per = 3 * size * size;
        float[] x = new float[indices.length * per];
        List<double[][]> bs = new ArrayList<>();
        List<int[]> ls = new ArrayList<>();
        for (int j = 0; j < indices.length; j++) {
            int i = indices[j];
            double[][] b = boxes[i];
            if (random != null && random.nextBoolean()) {
                ImageTensors.flipInto(pixels[i], x, j * per, size);
                double[][] flipped = new double[b.length][];
                for (int k = 0; k < b.length; k++) {
                    flipped[k] = new double[] {size - b[k][2], b[k][1], size - b[k][0], b[k][3]};
                }
                b = flipped;
            } else {
                System.arraycopy(pixels[i], 0, x, j * per, per);
            }
            bs.add(b);
            ls.add(labels[i]);
        }
        return new Batch(Tensor.of(x, indices.length, 3, size, size), bs, ls);
    }

    /**
     * A batch of images with their ground truth.
     *
     * @param images (B, 3, S, S)
     * @param boxes  per image, xyxy boxes in input pixels
     * @param labels per image, labels
     */
    public record Batch(Tensor images, List<double[][]> boxes, List<int[]> labels) {
    }
}
