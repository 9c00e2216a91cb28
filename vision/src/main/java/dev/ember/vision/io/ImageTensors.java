package dev.ember.vision.io;

import dev.ember.tensor.Tensor;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.util.Arrays;

/**
 * Conversions between {@link BufferedImage} and float32 image tensors {@code (C, H, W)} with values in [0, 1],
 * as torchvision's {@code to_tensor} ({@code x / 255}) and {@code save_image} ({@code floor(x * 255 + 0.5)},
 * clamped).
 *
 * <p>Samples are read from the raster where the colour model allows it (8- and 16-bit gray and sRGB, the kinds
 * ImageIO's PNG and JPEG readers produce), so gray values are the file's values: {@code getRGB} would pass them
 * through Java's linear-gray to sRGB conversion. 16-bit samples are scaled by 1/65535. Other colour models
 * (palettes, packed ints) go through {@code getRGB} (8-bit sRGB). A palette whose entries are all gray counts as
 * a gray image.
 */
public final class ImageTensors {
    private ImageTensors() {
    }

    /** The image's channels as {@code mode} asks; float32 {@code (C, H, W)} in [0, 1]. */
    public static Tensor fromImage(BufferedImage img, ImageReadMode mode) {
        if (img == null || mode == null) {
            throw new IllegalArgumentException("ImageTensors.fromImage: image and mode must not be null");
        }
        int w = img.getWidth();
        int h = img.getHeight();
        Samples s = samples(img);
        boolean gray = s.color.length == 1;
        boolean hasAlpha = s.alpha != null;
        int[][] planes;
        int[] maxes;
        switch (mode) {
            case AUTO -> {
                planes = s.color;
                maxes = repeat(s.colorMax, planes.length);
            }
            case UNCHANGED -> {
                planes = hasAlpha ? append(s.color, s.alpha) : s.color;
                maxes = repeat(s.colorMax, planes.length);
                if (hasAlpha) {
                    maxes[maxes.length - 1] = s.alphaMax;
                }
            }
            case GRAY, GRAY_ALPHA -> {
                int[] l = gray ? s.color[0] : luma(s);
                planes = mode == ImageReadMode.GRAY ? new int[][] {l} : new int[][] {l, alphaOrOpaque(s, w * h)};
                maxes = mode == ImageReadMode.GRAY ? new int[] {s.colorMax} : new int[] {s.colorMax, alphaMax(s)};
            }
            default -> { // RGB, RGB_ALPHA
                int[][] rgb = gray ? new int[][] {s.color[0], s.color[0], s.color[0]} : s.color;
                planes = mode == ImageReadMode.RGB ? rgb : append(rgb, alphaOrOpaque(s, w * h));
                maxes = repeat(s.colorMax, planes.length);
                if (mode == ImageReadMode.RGB_ALPHA) {
                    maxes[3] = alphaMax(s);
                }
            }
        }
        long total = (long) planes.length * w * h;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("ImageTensors.fromImage: " + planes.length + " x " + h + " x " + w
                    + " values do not fit in one tensor");
        }
        float[] out = new float[(int) total];
        int n = w * h;
        for (int c = 0; c < planes.length; c++) {
            float max = maxes[c];
            int[] p = planes[c];
            for (int i = 0; i < n; i++) {
                out[c * n + i] = p[i] / max;
            }
        }
        return Tensor.of(out, planes.length, h, w);
    }

    /**
     * An image tensor as a BufferedImage: {@code (H, W)} or {@code (C, H, W)} with C = 1 (gray), 2 (gray +
     * alpha), 3 (RGB) or 4 (RGBA). Float values are taken as [0, 1] and stored as {@code floor(x * 255 + 0.5)}
     * clamped to 0..255 (torchvision's {@code save_image}); int64 values must already be 0..255.
     *
     * @throws IllegalArgumentException for another shape or dtype, NaN values, or ints outside 0..255
     */
    public static BufferedImage toImage(Tensor img) {
        if (img == null) {
            throw new IllegalArgumentException("ImageTensors.toImage: image tensor is null");
        }
        long[] shape = img.shape();
        if (!(shape.length == 2 || (shape.length == 3 && shape[0] >= 1 && shape[0] <= 4))) {
            throw new IllegalArgumentException("ImageTensors.toImage: expected (H, W) or (C, H, W) with C = 1, 2, 3"
                    + " or 4, got shape " + Arrays.toString(shape));
        }
        if (!img.isFloatingPoint() && img.dtype() != dev.ember.tensor.DType.INT64) {
            throw new IllegalArgumentException("ImageTensors.toImage: expected a float or int64 tensor, got "
                    + img.dtype().torchName());
        }
        int c = shape.length == 2 ? 1 : (int) shape[0];
        int h = (int) shape[shape.length - 2];
        int w = (int) shape[shape.length - 1];
        if (h <= 0 || w <= 0) {
            throw new IllegalArgumentException("ImageTensors.toImage: empty image of shape " + Arrays.toString(shape));
        }
        double[] v = img.toDoubleArray();
        BufferedImage out = switch (c) {
            case 1 -> new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            case 2 -> grayAlpha(w, h);
            case 3 -> new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
            default -> new BufferedImage(w, h, BufferedImage.TYPE_4BYTE_ABGR);
        };
        // raster bands are in colour-model order (R, G, B[, A] or gray[, A]) whatever the byte layout
        WritableRaster raster = out.getRaster();
        boolean floats = img.isFloatingPoint();
        int n = w * h;
        int[] band = new int[n];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < n; i++) {
                band[i] = toByte(v[ch * n + i], floats, shape);
            }
            raster.setSamples(0, 0, w, h, ch, band);
        }
        return out;
    }

    private static int toByte(double x, boolean floats, long[] shape) {
        if (Double.isNaN(x)) {
            throw new IllegalArgumentException("ImageTensors.toImage: image of shape " + Arrays.toString(shape)
                    + " contains NaN");
        }
        if (!floats) {
            if (x < 0 || x > 255) {
                throw new IllegalArgumentException("ImageTensors.toImage: int64 image values must be in 0..255, got "
                        + (long) x);
            }
            return (int) x;
        }
        double b = Math.floor(x * 255 + 0.5);
        return b < 0 ? 0 : b > 255 ? 255 : (int) b;
    }

    private static BufferedImage grayAlpha(int w, int h) {
        ColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                java.awt.Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        return new BufferedImage(cm, cm.createCompatibleWritableRaster(w, h), false, null);
    }

    /** The colour planes (1 gray or 3 RGB) and alpha plane of an image, as unsigned samples with their maxima. */
    private record Samples(int[][] color, int colorMax, int[] alpha, int alphaMax) {
    }

    private static Samples samples(BufferedImage img) {
        ColorModel cm = img.getColorModel();
        Raster r = img.getRaster();
        int w = img.getWidth();
        int h = img.getHeight();
        int type = r.getTransferType();
        if (cm instanceof ComponentColorModel && !cm.isAlphaPremultiplied()
                && (type == DataBuffer.TYPE_BYTE || type == DataBuffer.TYPE_USHORT)) {
            ColorSpace cs = cm.getColorSpace();
            int nc = cm.getNumColorComponents();
            if ((nc == 1 && cs.getType() == ColorSpace.TYPE_GRAY) || (nc == 3 && cs.isCS_sRGB())) {
                int[][] color = new int[nc][];
                for (int b = 0; b < nc; b++) {
                    color[b] = r.getSamples(0, 0, w, h, b, (int[]) null);
                }
                int colorMax = (1 << cm.getComponentSize(0)) - 1;
                if (!cm.hasAlpha()) {
                    return new Samples(color, colorMax, null, 0);
                }
                int[] alpha = r.getSamples(0, 0, w, h, nc, (int[]) null);
                return new Samples(color, colorMax, alpha, (1 << cm.getComponentSize(nc)) - 1);
            }
        }
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        int n = argb.length;
        boolean grayPalette = cm instanceof IndexColorModel icm && isGray(icm);
        int[][] color = grayPalette ? new int[1][n] : new int[3][n];
        int[] alpha = cm.hasAlpha() ? new int[n] : null;
        for (int i = 0; i < n; i++) {
            int p = argb[i];
            if (grayPalette) {
                color[0][i] = p & 0xff;
            } else {
                color[0][i] = (p >> 16) & 0xff;
                color[1][i] = (p >> 8) & 0xff;
                color[2][i] = p & 0xff;
            }
            if (alpha != null) {
                alpha[i] = (p >>> 24) & 0xff;
            }
        }
        return new Samples(color, 255, alpha, 255);
    }

    private static boolean isGray(IndexColorModel icm) {
        for (int i = 0; i < icm.getMapSize(); i++) {
            int r = icm.getRed(i);
            if (icm.getGreen(i) != r || icm.getBlue(i) != r) {
                return false;
            }
        }
        return true;
    }

    /** Gray from RGB: Pillow's integer formula on 8-bit samples, the same weights in floating point otherwise. */
    private static int[] luma(Samples s) {
        int[] r = s.color[0];
        int[] g = s.color[1];
        int[] b = s.color[2];
        int[] l = new int[r.length];
        for (int i = 0; i < l.length; i++) {
            if (s.colorMax == 255) {
                l[i] = (r[i] * 19595 + g[i] * 38470 + b[i] * 7471 + 0x8000) >> 16;
            } else {
                l[i] = (int) Math.round(0.299 * r[i] + 0.587 * g[i] + 0.114 * b[i]);
            }
        }
        return l;
    }

    private static int[] alphaOrOpaque(Samples s, int n) {
        if (s.alpha != null) {
            return s.alpha;
        }
        int[] a = new int[n];
        Arrays.fill(a, s.colorMax);
        return a;
    }

    private static int alphaMax(Samples s) {
        return s.alpha != null ? s.alphaMax : s.colorMax;
    }

    private static int[] repeat(int v, int n) {
        int[] out = new int[n];
        Arrays.fill(out, v);
        return out;
    }

    private static int[][] append(int[][] planes, int[] extra) {
        int[][] out = Arrays.copyOf(planes, planes.length + 1);
        out[planes.length] = extra;
        return out;
    }
}
