package dev.ember.vision.transforms;

import dev.ember.tensor.Generator;
import dev.ember.tensor.Tensor;

/** torchvision's {@code RandomVerticalFlip(p=0.5)}: mirrors top-bottom with probability {@code p} (one draw). */
public final class RandomVerticalFlip implements Transform {
    private final double p;

    public RandomVerticalFlip() {
        this(0.5);
    }

    public RandomVerticalFlip(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("RandomVerticalFlip: p must be in [0, 1], got " + p);
        }
        this.p = p;
    }

    @Override
    public Tensor apply(Tensor img, Generator gen) {
        Planes.requireDims("RandomVerticalFlip", img, 2);
        return gen.nextFloat() < p ? Geometry.vflip(img) : img;
    }

    @Override
    public String toString() {
        return "RandomVerticalFlip(p=" + p + ")";
    }
}
