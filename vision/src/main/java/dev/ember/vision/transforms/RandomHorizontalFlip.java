package dev.ember.vision.transforms;

import dev.ember.tensor.Generator;
import dev.ember.tensor.Tensor;

/** torchvision's {@code RandomHorizontalFlip(p=0.5)}: mirrors left-right with probability {@code p} (one draw). */
public final class RandomHorizontalFlip implements Transform {
    private final double p;

    public RandomHorizontalFlip() {
        this(0.5);
    }

    public RandomHorizontalFlip(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("RandomHorizontalFlip: p must be in [0, 1], got " + p);
        }
        this.p = p;
    }

    @Override
    public Tensor apply(Tensor img, Generator gen) {
        Planes.requireDims("RandomHorizontalFlip", img, 2);
        return gen.nextFloat() < p ? Geometry.hflip(img) : img;
    }

    @Override
    public String toString() {
        return "RandomHorizontalFlip(p=" + p + ")";
    }
}
