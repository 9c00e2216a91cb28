package dev.ember.vision.transforms;

import dev.ember.tensor.Tensor;

/**
 * The deterministic image functions behind the transforms, as {@code torchvision.transforms.functional} on
 * tensors (torchvision 0.14, tested against it): geometric functions take {@code (..., H, W)} tensors of any
 * dtype, colour functions and resizing take float {@code (..., C, H, W)} images in [0, 1]. Sizes are
 * {@code (height, width)} like torchvision's. Results are new tensors without autograd history.
 */
public final class Functional {
    private Functional() {
    }

    /** {@code (img - mean[c]) / std[c]} per channel; see {@link Normalize}. */
    public static Tensor normalize(Tensor img, double[] mean, double[] std) {
        return Normalize.normalize(img, mean, std);
    }

    /** Resizes {@code (..., H, W)} to {@code (..., height, width)} bilinearly (antialias off). */
    public static Tensor resize(Tensor img, int height, int width) {
        return Interpolation.resize(img, height, width, InterpolationMode.BILINEAR);
    }

    /** Resizes {@code (..., H, W)} to {@code (..., height, width)}. */
    public static Tensor resize(Tensor img, int height, int width, InterpolationMode interpolation) {
        return Interpolation.resize(img, height, width, interpolation);
    }

    /**
     * Resizes so that the shorter side becomes {@code size}, keeping the aspect ratio: the longer side becomes
     * {@code (int) (size * long / short)} (truncated, as torchvision).
     */
    public static Tensor resize(Tensor img, int size, InterpolationMode interpolation) {
        Planes.requireDims("resize", img, 2);
        int[] hw = resizedSize((int) img.size(-2), (int) img.size(-1), size, 0);
        return Interpolation.resize(img, hw[0], hw[1], interpolation);
    }

    /**
     * torchvision's {@code _compute_resized_output_size} for an int size: {@code (height, width)} with the shorter
     * side {@code size} and the longer {@code (int) (size * long / short)}; if {@code maxSize > 0} and the longer
     * side would exceed it, the longer side becomes {@code maxSize} and the shorter
     * {@code (int) (maxSize * short / long)}.
     */
    public static int[] resizedSize(int height, int width, int size, int maxSize) {
        if (size <= 0) {
            throw new IllegalArgumentException("resize: size must be positive, got " + size);
        }
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("resize: cannot resize an empty image of " + height + " x " + width);
        }
        boolean tall = width <= height; // torchvision: short, long = (w, h) if w <= h else (h, w)
        int shortSide = tall ? width : height;
        int longSide = tall ? height : width;
        int newShort = size;
        int newLong = (int) ((double) size * longSide / shortSide);
        if (maxSize > 0) {
            if (maxSize <= size) {
                throw new IllegalArgumentException("resize: max_size = " + maxSize + " must be strictly greater"
                        + " than the requested size for the smaller edge size = " + size);
            }
            if (newLong > maxSize) {
                newShort = (int) ((double) maxSize * newShort / newLong);
                newLong = maxSize;
            }
        }
        return tall ? new int[] {newLong, newShort} : new int[] {newShort, newLong};
    }

    /** The box at {@code (top, left)} of {@code height x width}; outside the image is zero. */
    public static Tensor crop(Tensor img, int top, int left, int height, int width) {
        return Geometry.crop(img, top, left, height, width);
    }

    /** The centred {@code height x width} box (zero-padded where larger than the image). */
    public static Tensor centerCrop(Tensor img, int height, int width) {
        return Geometry.centerCrop(img, height, width);
    }

    /**
     * Pads the last two dims; {@code padding} is one value (all sides), two (left/right, top/bottom) or four
     * (left, top, right, bottom), as torchvision.
     */
    public static Tensor pad(Tensor img, int[] padding, double fill, PaddingMode mode) {
        return Geometry.pad(img, Geometry.parsePadding("pad", padding), fill, mode);
    }

    /** Mirrors left-right: {@code img.flip(-1)}. */
    public static Tensor hflip(Tensor img) {
        return Geometry.hflip(img);
    }

    /** Mirrors top-bottom: {@code img.flip(-2)}. */
    public static Tensor vflip(Tensor img) {
        return Geometry.vflip(img);
    }

    /** {@link #crop} then {@link #resize(Tensor, int, int, InterpolationMode)}. */
    public static Tensor resizedCrop(Tensor img, int top, int left, int height, int width, int outHeight,
            int outWidth, InterpolationMode interpolation) {
        Planes.requireFloat("resizedCrop", img);
        return Interpolation.resize(Geometry.crop(img, top, left, height, width), outHeight, outWidth,
                interpolation);
    }

    /** {@code clamp(img * factor, 0, 1)}; factor 0 gives black, 1 the original. */
    public static Tensor adjustBrightness(Tensor img, double factor) {
        return Color.adjustBrightness(img, factor);
    }

    /** Blends each image with the mean of its grayscale; factor 0 gives a gray image, 1 the original. */
    public static Tensor adjustContrast(Tensor img, double factor) {
        return Color.adjustContrast(img, factor);
    }

    /** Blends with the grayscale image; factor 0 gives gray, 1 the original, 2 doubles the saturation. */
    public static Tensor adjustSaturation(Tensor img, double factor) {
        return Color.adjustSaturation(img, factor);
    }

    /** Shifts the hue by {@code factor} turns, {@code factor} in [-0.5, 0.5]. */
    public static Tensor adjustHue(Tensor img, double factor) {
        return Color.adjustHue(img, factor);
    }

    /** {@code 0.2989 R + 0.587 G + 0.114 B}, as 1 channel or 3 equal ones. */
    public static Tensor rgbToGrayscale(Tensor img, int numOutputChannels) {
        return Color.rgbToGrayscale(img, numOutputChannels);
    }
}
