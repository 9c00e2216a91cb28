package dev.ember.vision.transforms;

import dev.ember.tensor.DType;
import dev.ember.tensor.Generator;
import dev.ember.tensor.Tensor;
import java.util.Arrays;

/**
 * torchvision's {@code Normalize(mean, std)}: {@code out[c] = (img[c] - mean[c]) / std[c]} for each channel of a
 * float image {@code (..., C, H, W)}; one mean/std value applies to every channel. The arithmetic is done in the
 * image's dtype, like torchvision (mean and std are rounded to float32 for a float32 image first, and a std that
 * rounds to zero is refused). torchvision's {@code inplace} option is not offered: the result is a new tensor.
 */
public final class Normalize implements Transform {
    private final double[] mean;
    private final double[] std;

    public Normalize(double[] mean, double[] std) {
        check(mean, std, -1);
        this.mean = mean.clone();
        this.std = std.clone();
    }

    public double[] mean() {
        return mean.clone();
    }

    public double[] std() {
        return std.clone();
    }

    @Override
    public Tensor apply(Tensor img, Generator gen) {
        return normalize(img, mean, std);
    }

    /** {@code (img - mean) / std} per channel; {@code img} float {@code (..., C, H, W)}, same shape out. */
    public static Tensor normalize(Tensor img, double[] mean, double[] std) {
        Planes.requireFloat("normalize", img);
        Planes.requireDims("normalize", img, 3);
        int c = Planes.channels(img);
        check(mean, std, c);
        Planes p = Planes.of("normalize", img, 3);
        boolean f32 = p.dtype == DType.FLOAT32;
        for (int k = 0; k < std.length; k++) {
            if ((f32 ? (float) std[k] : std[k]) == 0) {
                throw new IllegalArgumentException("normalize: std " + Arrays.toString(std) + " evaluated to zero"
                        + " after conversion to " + p.dtype.torchName() + ", leading to division by zero");
            }
        }
        int plane = p.height * p.width;
        double[] out = new double[p.data.length];
        for (int pl = 0; pl < p.count; pl++) {
            int ch = pl % c;
            double m = mean[mean.length == 1 ? 0 : ch];
            double s = std[std.length == 1 ? 0 : ch];
            int base = pl * plane;
            for (int i = base; i < base + plane; i++) {
                // float32 arithmetic for float32 images, as torchvision's sub_/div_ in the image's dtype
                out[i] = f32 ? ((float) p.data[i] - (float) m) / (float) s : (p.data[i] - m) / s;
            }
        }
        return p.pack(out);
    }

    private static void check(double[] mean, double[] std, int channels) {
        if (mean == null || std == null || mean.length == 0 || std.length == 0) {
            throw new IllegalArgumentException("Normalize: mean and std must be non-empty, got mean "
                    + Arrays.toString(mean) + " and std " + Arrays.toString(std));
        }
        if (channels >= 0) {
            for (double[] v : new double[][] {mean, std}) {
                if (v.length != 1 && v.length != channels) {
                    throw new IllegalArgumentException("normalize: mean " + Arrays.toString(mean) + " and std "
                            + Arrays.toString(std) + " need 1 or " + channels + " values for an image with "
                            + channels + " channels");
                }
            }
        }
    }

    @Override
    public String toString() {
        return "Normalize(mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ")";
    }
}
