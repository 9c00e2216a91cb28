package dev.ember.vision.transforms;

import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;

/**
 * Colour adjustments of float images {@code (..., C, H, W)} with values in [0, 1], with torchvision's tensor
 * formulas ({@code torchvision.transforms.functional_tensor}, 0.14):
 *
 * <ul>
 *   <li>{@code blend(a, b, r) = clamp(r * a + (1 - r) * b, 0, 1)};</li>
 *   <li>brightness: {@code blend(img, 0, f)}; contrast: {@code blend(img, mean(gray(img)), f)}, the mean over
 *       each image's C, H and W; saturation: {@code blend(img, gray(img), f)};</li>
 *   <li>gray: {@code 0.2989 R + 0.587 G + 0.114 B};</li>
 *   <li>hue: RGB to HSV (Pillow's formulas), {@code h = (h + f) mod 1}, back to RGB, exactly as torchvision.</li>
 * </ul>
 *
 * Single-channel images pass through saturation and hue unchanged, as in torchvision.
 */
final class Color {
    private Color() {
    }

    static Tensor adjustBrightness(Tensor img, double factor) {
        checkFactor("adjustBrightness", "brightness_factor", factor);
        Planes.requireChannels("adjustBrightness", img, 1, 3);
        Planes p = Planes.ofFloat("adjustBrightness", img, 3);
        double[] out = new double[p.data.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = blend(p.data[i], 0.0, factor);
        }
        return p.pack(out);
    }

    static Tensor adjustContrast(Tensor img, double factor) {
        checkFactor("adjustContrast", "contrast_factor", factor);
        Planes.requireChannels("adjustContrast", img, 1, 3);
        Planes p = Planes.ofFloat("adjustContrast", img, 3);
        int c = Planes.channels(img);
        int plane = p.height * p.width;
        int images = p.count / c;
        double[] out = new double[p.data.length];
        for (int n = 0; n < images; n++) {
            int base = n * c * plane;
            double sum = 0;
            if (c == 3) {
                double[] gray = gray(p, base);
                for (double g : gray) {
                    sum += g;
                }
            } else {
                for (int i = 0; i < plane; i++) {
                    sum += p.data[base + i];
                }
            }
            double mean = round(p, plane == 0 ? 0 : sum / plane);
            for (int i = base; i < base + c * plane; i++) {
                out[i] = blend(p.data[i], mean, factor);
            }
        }
        return p.pack(out);
    }

    static Tensor adjustSaturation(Tensor img, double factor) {
        checkFactor("adjustSaturation", "saturation_factor", factor);
        Planes.requireChannels("adjustSaturation", img, 1, 3);
        Planes.requireFloat("adjustSaturation", img);
        if (Planes.channels(img) == 1) {
            return img; // as torchvision (and PIL): a gray image has no saturation
        }
        Planes p = Planes.of("adjustSaturation", img, 3);
        int plane = p.height * p.width;
        double[] out = new double[p.data.length];
        for (int n = 0; n < p.count / 3; n++) {
            int base = n * 3 * plane;
            double[] gray = gray(p, base);
            for (int ch = 0; ch < 3; ch++) {
                for (int i = 0; i < plane; i++) {
                    int at = base + ch * plane + i;
                    out[at] = blend(p.data[at], gray[i], factor);
                }
            }
        }
        return p.pack(out);
    }

    static Tensor adjustHue(Tensor img, double factor) {
        if (!(factor >= -0.5 && factor <= 0.5)) {
            throw new IllegalArgumentException("adjustHue: hue_factor (" + factor + ") is not in [-0.5, 0.5]");
        }
        Planes.requireChannels("adjustHue", img, 1, 3);
        Planes.requireFloat("adjustHue", img);
        if (Planes.channels(img) == 1) {
            return img;
        }
        Planes p = Planes.of("adjustHue", img, 3);
        int plane = p.height * p.width;
        double[] out = new double[p.data.length];
        double[] rgb = new double[3];
        for (int n = 0; n < p.count / 3; n++) {
            int base = n * 3 * plane;
            for (int i = 0; i < plane; i++) {
                double r = p.data[base + i];
                double g = p.data[base + plane + i];
                double b = p.data[base + 2 * plane + i];
                shiftHue(r, g, b, factor, rgb);
                out[base + i] = rgb[0];
                out[base + plane + i] = rgb[1];
                out[base + 2 * plane + i] = rgb[2];
            }
        }
        return p.pack(out);
    }

    /** torchvision's {@code rgb_to_grayscale}: 3 channels to 1 (or 3 equal ones); 1 channel is copied. */
    static Tensor rgbToGrayscale(Tensor img, int numOutputChannels) {
        if (numOutputChannels != 1 && numOutputChannels != 3) {
            throw new IllegalArgumentException("rgbToGrayscale: num_output_channels should be 1 or 3, got "
                    + numOutputChannels);
        }
        Planes.requireChannels("rgbToGrayscale", img, 1, 3);
        Planes p = Planes.ofFloat("rgbToGrayscale", img, 3);
        int c = Planes.channels(img);
        int plane = p.height * p.width;
        int images = p.count / c;
        double[] out = new double[images * numOutputChannels * plane];
        for (int n = 0; n < images; n++) {
            double[] gray = c == 3 ? gray(p, n * 3 * plane) : java.util.Arrays.copyOfRange(p.data, n * plane,
                    (n + 1) * plane);
            for (int ch = 0; ch < numOutputChannels; ch++) {
                System.arraycopy(gray, 0, out, (n * numOutputChannels + ch) * plane, plane);
            }
        }
        long[] shape = p.shape.clone();
        shape[shape.length - 3] = numOutputChannels;
        return Tensor.of(p.dtype, out, shape);
    }

    /** The gray plane of the RGB image starting at {@code base}, rounded to the image's dtype. */
    private static double[] gray(Planes p, int base) {
        int plane = p.height * p.width;
        double[] gray = new double[plane];
        for (int i = 0; i < plane; i++) {
            double v = 0.2989 * p.data[base + i] + 0.587 * p.data[base + plane + i]
                    + 0.114 * p.data[base + 2 * plane + i];
            gray[i] = round(p, v);
        }
        return gray;
    }

    private static double round(Planes p, double v) {
        return p.dtype == DType.FLOAT32 ? (float) v : v;
    }

    static double blend(double a, double b, double ratio) {
        double v = ratio * a + (1.0 - ratio) * b;
        return v < 0 ? 0 : v > 1 ? 1 : v;
    }

    /** RGB -> HSV (torchvision's {@code _rgb2hsv}), hue shifted by {@code f} mod 1, HSV -> RGB ({@code _hsv2rgb}). */
    static void shiftHue(double r, double g, double b, double f, double[] rgb) {
        double maxc = Math.max(r, Math.max(g, b));
        double minc = Math.min(r, Math.min(g, b));
        boolean eqc = maxc == minc;
        double cr = maxc - minc;
        double s = cr / (eqc ? 1.0 : maxc);
        double div = eqc ? 1.0 : cr;
        double rc = (maxc - r) / div;
        double gc = (maxc - g) / div;
        double bc = (maxc - b) / div;
        double h;
        if (maxc == r) {
            h = bc - gc;
        } else if (maxc == g) {
            h = 2.0 + rc - bc;
        } else {
            h = 4.0 + gc - rc;
        }
        h = h / 6.0 + 1.0;
        h = h - Math.floor(h); // fmod of a non-negative value
        h = h + f;
        h = h - Math.floor(h); // torch.remainder: the result takes the divisor's sign
        double v = maxc;

        double i = Math.floor(h * 6.0);
        double fr = h * 6.0 - i;
        double p = clamp01(v * (1.0 - s));
        double q = clamp01(v * (1.0 - s * fr));
        double t = clamp01(v * (1.0 - s * (1.0 - fr)));
        int sector = Math.floorMod((int) i, 6);
        switch (sector) {
            case 0 -> set(rgb, v, t, p);
            case 1 -> set(rgb, q, v, p);
            case 2 -> set(rgb, p, v, t);
            case 3 -> set(rgb, p, q, v);
            case 4 -> set(rgb, t, p, v);
            default -> set(rgb, v, p, q);
        }
    }

    private static void set(double[] rgb, double r, double g, double b) {
        rgb[0] = r;
        rgb[1] = g;
        rgb[2] = b;
    }

    private static double clamp01(double v) {
        return v < 0 ? 0 : v > 1 ? 1 : v;
    }

    private static void checkFactor(String op, String name, double factor) {
        if (!(factor >= 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException(op + ": " + name + " (" + factor + ") is not a finite non-negative"
                    + " number");
        }
    }
}
