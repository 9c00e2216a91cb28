package dev.ember.datasets;

import dev.ember.data.Dataset;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.List;

/**
 * CIFAR-10 images kept as their bytes (N x 3072, 30 MB per 10,000 images; float32 would be four times that) and
 * converted on request, as torchvision's {@code CIFAR10} keeps uint8 arrays and converts in {@code __getitem__}.
 * As a {@link Dataset}, sample {@code i} is {@code [image float32 (3, 32, 32) in [0, 1], label int64 ()]}.
 */
public final class Cifar10Data implements Dataset<List<Tensor>> {
    private final byte[] pixels;
    private final byte[] labels;

    /**
     * @param pixels {@code N * 3072} bytes, image after image, each 1024 red then 1024 green then 1024 blue
     *     values in row-major 32 x 32 order (not copied: the caller hands the array over)
     * @param labels {@code N} class indices 0..9
     */
    public Cifar10Data(byte[] pixels, byte[] labels) {
        if (pixels == null || labels == null || pixels.length != (long) labels.length * Cifar10.IMAGE_BYTES) {
            throw new IllegalArgumentException("Cifar10Data: expected " + Cifar10.IMAGE_BYTES + " pixel bytes per"
                    + " label, got " + (pixels == null ? "null" : pixels.length) + " pixel bytes and "
                    + (labels == null ? "null" : labels.length) + " labels");
        }
        for (int i = 0; i < labels.length; i++) {
            if (Byte.toUnsignedInt(labels[i]) >= Cifar10.NUM_CLASSES) {
                throw new IllegalArgumentException("Cifar10Data: label " + Byte.toUnsignedInt(labels[i])
                        + " at index " + i + " is not a class 0..9");
            }
        }
        this.pixels = pixels;
        this.labels = labels;
    }

    @Override
    public int size() {
        return labels.length;
    }

    /** The class index of image {@code i}. */
    public int label(int i) {
        return labels[checkIndex(i)];
    }

    /** Image {@code i} as float32 {@code (3, 32, 32)} in [0, 1] ({@code x / 255}). */
    public Tensor image(int i) {
        int start = checkIndex(i) * Cifar10.IMAGE_BYTES;
        float[] out = new float[Cifar10.IMAGE_BYTES];
        for (int k = 0; k < out.length; k++) {
            out[k] = Byte.toUnsignedInt(pixels[start + k]) / 255f;
        }
        return Tensor.of(out, 3, 32, 32);
    }

    /** Every image as float32 {@code (N, 3, 32, 32)} in [0, 1] (614 MB for the 50,000 training images). */
    public Tensor images() {
        float[] out = new float[pixels.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = Byte.toUnsignedInt(pixels[k]) / 255f;
        }
        return Tensor.of(out, labels.length, 3, 32, 32);
    }

    /** Every label as int64 {@code (N)}. */
    public Tensor labels() {
        long[] out = new long[labels.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = labels[i];
        }
        return Tensor.of(out, out.length);
    }

    /** {@code [image(i), label(i) as a zero-dim int64 tensor]}. */
    @Override
    public List<Tensor> get(int index) {
        return List.of(image(index), Tensor.scalar(DType.INT64, label(index)));
    }

    /** The raw pixel value 0..255 of image {@code i}, channel {@code c}, row {@code y}, column {@code x}. */
    public int pixel(int i, int c, int y, int x) {
        if (c < 0 || c > 2 || y < 0 || y > 31 || x < 0 || x > 31) {
            throw new IndexOutOfBoundsException("Cifar10Data.pixel: (c, y, x) = (" + c + ", " + y + ", " + x
                    + ") is outside (3, 32, 32)");
        }
        return Byte.toUnsignedInt(pixels[checkIndex(i) * Cifar10.IMAGE_BYTES + c * 1024 + y * 32 + x]);
    }

    private int checkIndex(int i) {
        if (i < 0 || i >= labels.length) {
            throw new IndexOutOfBoundsException("Cifar10Data: index " + i + " is out of range for " + labels.length
                    + " images");
        }
        return i;
    }

    @Override
    public String toString() {
        return "Cifar10Data(" + labels.length + " images)";
    }
}
