package dev.ember.vision.transforms;

import dev.ember.tensor.Generator;
import dev.ember.tensor.Tensor;

/**
 * torchvision's {@code Resize} on tensors: {@code (..., H, W)} float to {@code (..., h, w)}. With a
 * {@code (height, width)} size the output has that size; with one int {@code size} the shorter side becomes
 * {@code size} and the longer keeps the aspect ratio (truncated), capped by {@code maxSize} when given.
 * Interpolation is bilinear with {@code align_corners=False} and no antialiasing (torchvision's tensor default
 * before 0.17; PIL images are antialiased, so results differ from PIL's when downsampling).
 */
public final class Resize implements Transform {
    private final int height;
    private final int width;
    private final int size;
    private final int maxSize;
    private final InterpolationMode interpolation;

    /** Shorter side to {@code size}, bilinear. */
    public Resize(int size) {
        this(size, InterpolationMode.BILINEAR, 0);
    }

    /**
     * Shorter side to {@code size}.
     *
     * @param maxSize the most the longer side may be (0: no limit), torchvision's {@code max_size}
     */
    public Resize(int size, InterpolationMode interpolation, int maxSize) {
        if (size <= 0) {
            throw new IllegalArgumentException("Resize: size must be positive, got " + size);
        }
        if (maxSize < 0 || (maxSize > 0 && maxSize <= size)) {
            throw new IllegalArgumentException("Resize: max_size = " + maxSize + " must be 0 (none) or strictly"
                    + " greater than the requested size for the smaller edge size = " + size);
        }
        this.height = -1;
        this.width = -1;
        this.size = size;
        this.maxSize = maxSize;
        this.interpolation = checked(interpolation);
    }

    /** To exactly {@code (height, width)}, bilinear. */
    public Resize(int height, int width) {
        this(height, width, InterpolationMode.BILINEAR);
    }

    /** To exactly {@code (height, width)}. */
    public Resize(int height, int width, InterpolationMode interpolation) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("Resize: size must be positive, got (" + height + ", " + width + ")");
        }
        this.height = height;
        this.width = width;
        this.size = -1;
        this.maxSize = 0;
        this.interpolation = checked(interpolation);
    }

    private static InterpolationMode checked(InterpolationMode mode) {
        if (mode == null) {
            throw new IllegalArgumentException("Resize: interpolation must not be null");
        }
        return mode;
    }

    /** The output {@code (height, width)} for an input of {@code (inHeight, inWidth)}. */
    public int[] outputSize(int inHeight, int inWidth) {
        if (size < 0) {
            return new int[] {height, width};
        }
        return Functional.resizedSize(inHeight, inWidth, size, maxSize);
    }

    @Override
    public Tensor apply(Tensor img, Generator gen) {
        Planes.requireDims("Resize", img, 2);
        int[] hw = outputSize((int) img.size(-2), (int) img.size(-1));
        return Interpolation.resize(img, hw[0], hw[1], interpolation);
    }

    @Override
    public String toString() {
        String s = size < 0 ? "(" + height + ", " + width + ")" : Integer.toString(size);
        return "Resize(size=" + s + ", interpolation=" + interpolation.name().toLowerCase()
                + (maxSize > 0 ? ", max_size=" + maxSize : "") + ", antialias=False)";
    }
}
