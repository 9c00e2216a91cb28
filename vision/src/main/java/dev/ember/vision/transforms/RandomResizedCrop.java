package dev.ember.vision.transforms;

import dev.ember.tensor.Generator;
import dev.ember.tensor.Tensor;

/**
 * torchvision's {@code RandomResizedCrop(size, scale=(0.08, 1.0), ratio=(3/4, 4/3))} on float
 * {@code (..., H, W)}: picks a box whose area is a uniform fraction in {@code scale} of the image and whose
 * aspect ratio (width / height) is log-uniform in {@code ratio} (up to 10 tries, then a centred box with the
 * ratio clamped), and resizes it to {@code (height, width)} (bilinear, antialias off). A batch gets one box.
 */
public final class RandomResizedCrop implements Transform {
    private final int height;
    private final int width;
    private final double[] scale;
    private final double[] ratio;
    private final InterpolationMode interpolation;

    /** A square {@code size x size} output with the default scale and ratio ranges. */
    public RandomResizedCrop(int size) {
        this(size, size, new double[] {0.08, 1.0}, new double[] {3.0 / 4.0, 4.0 / 3.0}, InterpolationMode.BILINEAR);
    }

    /**
     * @param scale {@code (min, max)} fraction of the image area, {@code 0 <= min <= max}
     * @param ratio {@code (min, max)} aspect ratio width / height, {@code 0 < min <= max}
     */
    public RandomResizedCrop(int height, int width, double[] scale, double[] ratio, InterpolationMode interpolation) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("RandomResizedCrop: size must be positive, got (" + height + ", "
                    + width + ")");
        }
        if (scale == null || scale.length != 2 || !(scale[0] >= 0 && scale[0] <= scale[1])) {
            throw new IllegalArgumentException("RandomResizedCrop: scale must be (min, max) with 0 <= min <= max, got "
                    + java.util.Arrays.toString(scale));
        }
        if (ratio == null || ratio.length != 2 || !(ratio[0] > 0 && ratio[0] <= ratio[1])
                || Double.isInfinite(ratio[1])) {
            throw new IllegalArgumentException("RandomResizedCrop: ratio must be (min, max) with 0 < min <= max, got "
                    + java.util.Arrays.toString(ratio));
        }
        if (interpolation == null) {
            throw new IllegalArgumentException("RandomResizedCrop: interpolation must not be null");
        }
        this.height = height;
        this.width = width;
        this.scale = scale.clone();
        this.ratio = ratio.clone();
        this.interpolation = interpolation;
    }

    /**
     * torchvision's {@code RandomResizedCrop.get_params}: {@code (top, left, h, w)} of the box for an image of
     * {@code (height, width)}. Each try draws an area fraction, a log-ratio and, once the box fits, its top and
     * left; after 10 misses the box is centred, as large as fits with the ratio clamped to {@code ratio}.
     */
    public static int[] getParams(int height, int width, double[] scale, double[] ratio, Generator gen) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("RandomResizedCrop: cannot crop an empty image of " + height + " x "
                    + width);
        }
        double area = (double) height * width;
        double logLo = Math.log(ratio[0]);
        double logHi = Math.log(ratio[1]);
        for (int attempt = 0; attempt < 10; attempt++) {
            double targetArea = area * uniform(gen, scale[0], scale[1]);
            double aspect = Math.exp(uniform(gen, logLo, logHi));
            // Python's round(): half to even
            int w = (int) Math.rint(Math.sqrt(targetArea * aspect));
            int h = (int) Math.rint(Math.sqrt(targetArea / aspect));
            if (0 < w && w <= width && 0 < h && h <= height) {
                int i = (int) gen.nextLong(height - h + 1);
                int j = (int) gen.nextLong(width - w + 1);
                return new int[] {i, j, h, w};
            }
        }
        double inRatio = (double) width / height;
        int w;
        int h;
        if (inRatio < ratio[0]) {
            w = width;
            h = (int) Math.rint(w / ratio[0]);
        } else if (inRatio > ratio[1]) {
            h = height;
            w = (int) Math.rint(h * ratio[1]);
        } else {
            w = width;
            h = height;
        }
        return new int[] {(height - h) / 2, (width - w) / 2, h, w};
    }

    private static double uniform(Generator gen, double lo, double hi) {
        return lo + (hi - lo) * gen.nextDouble();
    }

    @Override
    public Tensor apply(Tensor img, Generator gen) {
        Planes.requireDims("RandomResizedCrop", img, 2);
        Planes.requireFloat("RandomResizedCrop", img);
        int[] box = getParams((int) img.size(-2), (int) img.size(-1), scale, ratio, gen);
        return Functional.resizedCrop(img, box[0], box[1], box[2], box[3], height, width, interpolation);
    }

    @Override
    public String toString() {
        return "RandomResizedCrop(size=(" + height + ", " + width + "), scale=(" + scale[0] + ", " + scale[1]
                + "), ratio=(" + ratio[0] + ", " + ratio[1] + "), interpolation="
                + interpolation.name().toLowerCase() + ", antialias=False)";
    }
}
