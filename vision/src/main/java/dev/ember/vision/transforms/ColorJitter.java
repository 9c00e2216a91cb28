package dev.ember.vision.transforms;

import dev.ember.tensor.Generator;
import dev.ember.tensor.Tensor;
import java.util.Arrays;

/**
 * torchvision's {@code ColorJitter(brightness, contrast, saturation, hue)} on float {@code (..., C, H, W)} images
 * in [0, 1] with 1 or 3 channels: draws a random order of the four adjustments and one factor for each enabled
 * one, uniform in its range, then applies them in that order with torchvision's tensor formulas
 * ({@link Functional#adjustBrightness} and the like; hue exactly, not approximated). A number {@code b} for
 * brightness, contrast or saturation means the range {@code [max(0, 1 - b), 1 + b]}; a number {@code h} for hue
 * means {@code [-h, h]}, {@code 0 <= h <= 0.5}. A range of exactly 1 (or 0 for hue) disables that adjustment.
 */
public final class ColorJitter implements Transform {
    private final double[] brightness;
    private final double[] contrast;
    private final double[] saturation;
    private final double[] hue;

    /**
     * The factors chosen by one draw: {@code order} is a permutation of 0 (brightness), 1 (contrast),
     * 2 (saturation) and 3 (hue); a factor is null where that adjustment is disabled.
     */
    public record Params(int[] order, Double brightness, Double contrast, Double saturation, Double hue) {
        public Params {
            int[] sorted = order == null ? null : order.clone();
            if (sorted != null) {
                Arrays.sort(sorted);
            }
            if (!Arrays.equals(sorted, new int[] {0, 1, 2, 3})) {
                throw new IllegalArgumentException("ColorJitter.Params: order must be a permutation of 0..3, got "
                        + Arrays.toString(order));
            }
            order = order.clone();
        }

        @Override
        public int[] order() {
            return order.clone();
        }
    }

    /** Ranges from single numbers, as {@code ColorJitter(brightness, contrast, saturation, hue)}. */
    public ColorJitter(double brightness, double contrast, double saturation, double hue) {
        this(around(brightness, "brightness"), around(contrast, "contrast"), around(saturation, "saturation"),
                hueRange(hue));
    }

    /** Explicit {@code (min, max)} ranges; null disables an adjustment. */
    public ColorJitter(double[] brightness, double[] contrast, double[] saturation, double[] hue) {
        this.brightness = checked(brightness, "brightness", 0, Double.POSITIVE_INFINITY, 1);
        this.contrast = checked(contrast, "contrast", 0, Double.POSITIVE_INFINITY, 1);
        this.saturation = checked(saturation, "saturation", 0, Double.POSITIVE_INFINITY, 1);
        this.hue = checked(hue, "hue", -0.5, 0.5, 0);
    }

    private static double[] around(double v, String name) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("ColorJitter: if " + name + " is a single number, it must be finite"
                    + " and non negative, got " + v);
        }
        return new double[] {Math.max(1 - v, 0.0), 1 + v};
    }

    private static double[] hueRange(double v) {
        if (!(v >= 0 && v <= 0.5)) {
            throw new IllegalArgumentException("ColorJitter: hue must be in [0, 0.5], got " + v);
        }
        return new double[] {-v, v};
    }

    private static double[] checked(double[] range, String name, double lo, double hi, double center) {
        if (range == null) {
            return null;
        }
        if (range.length != 2 || !(lo <= range[0] && range[0] <= range[1] && range[1] <= hi)) {
            throw new IllegalArgumentException("ColorJitter: " + name + " values should be between (" + lo + ", "
                    + hi + ") as (min, max), got " + Arrays.toString(range));
        }
        return range[0] == center && range[1] == center ? null : range.clone();
    }

    /**
     * torchvision's {@code ColorJitter.get_params}: a random order, then one uniform factor per enabled
     * adjustment, drawn in the order brightness, contrast, saturation, hue.
     */
    public Params getParams(Generator gen) {
        int[] order = {0, 1, 2, 3};
        for (int i = order.length - 1; i > 0; i--) {
            int k = (int) gen.nextLong(i + 1);
            int t = order[i];
            order[i] = order[k];
            order[k] = t;
        }
        return new Params(order, draw(brightness, gen), draw(contrast, gen), draw(saturation, gen), draw(hue, gen));
    }

    private static Double draw(double[] range, Generator gen) {
        return range == null ? null : range[0] + (range[1] - range[0]) * gen.nextDouble();
    }

    /** Applies the adjustments of {@code params} in its order. */
    public static Tensor apply(Tensor img, Params params) {
        Tensor x = img;
        for (int fn : params.order()) {
            if (fn == 0 && params.brightness() != null) {
                x = Color.adjustBrightness(x, params.brightness());
            } else if (fn == 1 && params.contrast() != null) {
                x = Color.adjustContrast(x, params.contrast());
            } else if (fn == 2 && params.saturation() != null) {
                x = Color.adjustSaturation(x, params.saturation());
            } else if (fn == 3 && params.hue() != null) {
                x = Color.adjustHue(x, params.hue());
            }
        }
        return x;
    }

    @Override
    public Tensor apply(Tensor img, Generator gen) {
        Planes.requireChannels("ColorJitter", img, 1, 3);
        Planes.requireFloat("ColorJitter", img);
        return apply(img, getParams(gen));
    }

    @Override
    public String toString() {
        return "ColorJitter(brightness=" + str(brightness) + ", contrast=" + str(contrast) + ", saturation="
                + str(saturation) + ", hue=" + str(hue) + ")";
    }

    private static String str(double[] range) {
        return range == null ? "None" : "[" + range[0] + ", " + range[1] + "]";
    }
}
