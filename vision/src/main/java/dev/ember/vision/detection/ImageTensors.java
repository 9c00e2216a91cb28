package dev.ember.vision.detection;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * Pixels in and out of the detector: an RGB image resized to the model's square input and normalised as
 * {@code (v / 255 - 0.5) / 0.25} per channel, stored CHW in a float array. A fixed normalisation rather than
 * dataset statistics keeps a checkpoint usable on any image; the first BatchNorm absorbs the rest.
 */
public final class ImageTensors {
    static final float MEAN = 0.5f;
    static final float STD = 0.25f;

    private ImageTensors() {
    }

    /** {@code image} resized (bilinear) to {@code size x size} -> normalised CHW floats of length 3 size^2. */
    public static float[] toChw(BufferedImage image, int size) {
        BufferedImage im = image.getWidth() == size && image.getHeight() == size ? image : resize(image, size, size);
        float[] out = new float[3 * size * size];
        int plane = size * size;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int rgb = im.getRGB(x, y);
                int at = y * size + x;
                out[at] = (((rgb >> 16) & 255) / 255f - MEAN) / STD;
                out[plane + at] = (((rgb >> 8) & 255) / 255f - MEAN) / STD;
                out[2 * plane + at] = ((rgb & 255) / 255f - MEAN) / STD;
            }
        }
        return out;
    }

    /** Bilinear resize to {@code width x height} (RGB; alpha is dropped). */
    public static BufferedImage resize(BufferedImage image, int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, width, height, null);
        g.dispose();
        return out;
    }

    /** Mirrors a CHW image of {@code size x size} left to right, from {@code src} into {@code dst} at {@code offset}. */
    static void flipInto(float[] src, float[] dst, int offset, int size) {
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < size; y++) {
                int row = (c * size + y) * size;
                for (int x = 0; x < size; x++) {
                    dst[offset + row + x] = src[row + size - 1 - x];
                }
            }
        }
    }
}
