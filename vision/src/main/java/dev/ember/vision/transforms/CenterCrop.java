package dev.ember.vision.transforms;

import dev.ember.tensor.Generator;
import dev.ember.tensor.Tensor;

/**
 * torchvision's {@code CenterCrop}: the centred {@code (height, width)} box of {@code (..., H, W)}, starting at
 * {@code round((H - height) / 2)} with Python's rounding (half to even); where the box is larger than the image
 * the image is zero-padded first (the odd extra pixel at the bottom/right).
 */
public final class CenterCrop implements Transform {
    private final int height;
    private final int width;

    /** A square {@code size x size} crop. */
    public CenterCrop(int size) {
        this(size, size);
    }

    public CenterCrop(int height, int width) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("CenterCrop: size must be positive, got (" + height + ", " + width
                    + ")");
        }
        this.height = height;
        this.width = width;
    }

    @Override
    public Tensor apply(Tensor img, Generator gen) {
        return Geometry.centerCrop(img, height, width);
    }

    @Override
    public String toString() {
        return "CenterCrop(size=(" + height + ", " + width + "))";
    }
}
