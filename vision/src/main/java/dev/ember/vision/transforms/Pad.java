package dev.ember.vision.transforms;

import dev.ember.tensor.Generator;
import dev.ember.tensor.Tensor;
import java.util.Arrays;

/**
 * torchvision's {@code Pad}: pads the last two dims of {@code (..., H, W)}. {@code padding} is one value for
 * every side, two for (left/right, top/bottom) or four for (left, top, right, bottom). Negative padding (which
 * torchvision turns into cropping) is refused.
 */
public final class Pad implements Transform {
    private final int[] padding;
    private final double fill;
    private final PaddingMode mode;

    /** Zero padding. */
    public Pad(int... padding) {
        this(padding, 0.0, PaddingMode.CONSTANT);
    }

    /**
     * @param fill the value of {@link PaddingMode#CONSTANT} padding (one number for every channel, as
     *     torchvision's tensor path)
     */
    public Pad(int[] padding, double fill, PaddingMode mode) {
        Geometry.parsePadding("Pad", padding);
        if (mode == null) {
            throw new IllegalArgumentException("Pad: padding mode must not be null");
        }
        this.padding = padding.clone();
        this.fill = fill;
        this.mode = mode;
    }

    @Override
    public Tensor apply(Tensor img, Generator gen) {
        return Geometry.pad(img, Geometry.parsePadding("Pad", padding), fill, mode);
    }

    @Override
    public String toString() {
        return "Pad(padding=" + Arrays.toString(padding) + ", fill=" + fill + ", padding_mode="
                + mode.name().toLowerCase() + ")";
    }
}
