package dev.ember.vision.transforms;

import dev.ember.tensor.Generator;
import dev.ember.tensor.Tensor;
import java.util.Arrays;

/**
 * torchvision's {@code RandomCrop(size, padding, pad_if_needed, fill, padding_mode)} on {@code (..., H, W)}:
 * pads by {@code padding} if given; with {@code padIfNeeded}, pads a side shorter than the crop by the
 * difference on both ends (as torchvision does); then crops a {@code (height, width)} box whose top-left corner
 * is uniform over every position that fits. A batch gets one box for all its images.
 */
public final class RandomCrop implements Transform {
    private final int height;
    private final int width;
    private final int[] padding;
    private final boolean padIfNeeded;
    private final double fill;
    private final PaddingMode mode;

    /** A square {@code size x size} crop, no padding. */
    public RandomCrop(int size) {
        this(size, size, null, false, 0.0, PaddingMode.CONSTANT);
    }

    /** A square crop after padding every side by {@code padding} with zeros (the CIFAR recipe: 32, padding 4). */
    public RandomCrop(int size, int padding) {
        this(size, size, new int[] {padding}, false, 0.0, PaddingMode.CONSTANT);
    }

    /**
     * @param padding null (none), or 1, 2 or 4 values as in {@link Pad}
     * @param padIfNeeded pad sides shorter than the crop instead of failing
     * @param fill the value of constant padding
     */
    public RandomCrop(int height, int width, int[] padding, boolean padIfNeeded, double fill, PaddingMode mode) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("RandomCrop: size must be positive, got (" + height + ", " + width
                    + ")");
        }
        if (padding != null) {
            Geometry.parsePadding("RandomCrop", padding);
        }
        if (mode == null) {
            throw new IllegalArgumentException("RandomCrop: padding mode must not be null");
        }
        this.height = height;
        this.width = width;
        this.padding = padding == null ? null : padding.clone();
        this.padIfNeeded = padIfNeeded;
        this.fill = fill;
        this.mode = mode;
    }

    /**
     * torchvision's {@code RandomCrop.get_params}: {@code (top, left, height, width)} of a uniformly placed
     * {@code (th, tw)} box in an {@code (h, w)} image; draws two numbers unless the box is the whole image.
     */
    public static int[] getParams(int h, int w, int th, int tw, Generator gen) {
        if (h < th || w < tw) {
            throw new IllegalArgumentException("RandomCrop: required crop size (" + th + ", " + tw
                    + ") is larger than input image size (" + h + ", " + w + ")");
        }
        if (h == th && w == tw) {
            return new int[] {0, 0, h, w};
        }
        int i = (int) gen.nextLong(h - th + 1);
        int j = (int) gen.nextLong(w - tw + 1);
        return new int[] {i, j, th, tw};
    }

    @Override
    public Tensor apply(Tensor img, Generator gen) {
        Planes.requireDims("RandomCrop", img, 2);
        Tensor x = img;
        if (padding != null) {
            x = Geometry.pad(x, Geometry.parsePadding("RandomCrop", padding), fill, mode);
        }
        if (padIfNeeded && x.size(-1) < width) {
            int d = width - (int) x.size(-1);
            x = Geometry.pad(x, new int[] {d, 0, d, 0}, fill, mode);
        }
        if (padIfNeeded && x.size(-2) < height) {
            int d = height - (int) x.size(-2);
            x = Geometry.pad(x, new int[] {0, d, 0, d}, fill, mode);
        }
        int[] box = getParams((int) x.size(-2), (int) x.size(-1), height, width, gen);
        return Geometry.crop(x, box[0], box[1], box[2], box[3]);
    }

    @Override
    public String toString() {
        return "RandomCrop(size=(" + height + ", " + width + "), padding="
                + (padding == null ? "None" : Arrays.toString(padding)) + ")";
    }
}
