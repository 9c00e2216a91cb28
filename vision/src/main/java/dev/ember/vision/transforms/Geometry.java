package dev.ember.vision.transforms;

import dev.ember.tensor.Tensor;
import java.util.Arrays;

/**
 * Crops, padding and flips on {@code (..., H, W)} tensors of any dtype. Each one is an index map: output row
 * {@code y} reads input row {@code rows[y]} and output column {@code x} reads input column {@code cols[x]},
 * or the fill value where the index is -1. The formulas are torchvision's tensor path
 * ({@code torchvision.transforms.functional_tensor}, 0.14).
 */
final class Geometry {
    private Geometry() {
    }

    /** {@code out[..., y, x] = img[..., rows[y], cols[x]]}, or {@code fill} where an index is -1. */
    static Tensor remap(String op, Tensor img, int[] rows, int[] cols, double fill) {
        Planes p = Planes.of(op, img, 2);
        double[] out = p.allocate(op, rows.length, cols.length);
        int inPlane = p.height * p.width;
        int outPlane = rows.length * cols.length;
        for (int c = 0; c < p.count; c++) {
            int o = c * outPlane;
            for (int r : rows) {
                int base = c * inPlane + r * p.width;
                for (int col : cols) {
                    out[o++] = r < 0 || col < 0 ? fill : p.data[base + col];
                }
            }
        }
        return p.pack(out, rows.length, cols.length);
    }

    /**
     * torchvision's {@code crop}: the box with top-left corner {@code (top, left)}; parts of the box outside the
     * image are zero, as torchvision pads them.
     */
    static Tensor crop(Tensor img, int top, int left, int height, int width) {
        Planes.requireDims("crop", img, 2);
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("crop: height and width must be positive, got " + height + " x "
                    + width + " for an image of shape " + Arrays.toString(img.shape()));
        }
        int h = (int) img.size(-2);
        int w = (int) img.size(-1);
        if (top == 0 && left == 0 && height == h && width == w) {
            return img.contiguous();
        }
        return remap("crop", img, window(top, height, h), window(left, width, w), 0.0);
    }

    /**
     * torchvision's {@code center_crop}: the box at {@code (round((H - height) / 2), round((W - width) / 2))} with
     * Python's round (half to even); a side longer than the image is zero-padded, the extra going to the
     * bottom/right when odd.
     */
    static Tensor centerCrop(Tensor img, int height, int width) {
        Planes.requireDims("centerCrop", img, 2);
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("centerCrop: size must be positive, got " + height + " x " + width);
        }
        int h = (int) img.size(-2);
        int w = (int) img.size(-1);
        return crop(img, centerStart(h, height), centerStart(w, width), height, width);
    }

    private static int centerStart(int size, int crop) {
        if (crop > size) {
            return -((crop - size) / 2);
        }
        return (int) Math.rint((size - crop) / 2.0);
    }

    /**
     * torchvision's {@code pad} with padding {@code (left, top, right, bottom)}.
     *
     * @param fill the value of {@link PaddingMode#CONSTANT} padding, ignored by the other modes
     */
    static Tensor pad(Tensor img, int[] ltrb, double fill, PaddingMode mode) {
        Planes.requireDims("pad", img, 2);
        int h = (int) img.size(-2);
        int w = (int) img.size(-1);
        int[] rows = padIndex(ltrb[1], h, ltrb[3], mode, "height", img);
        int[] cols = padIndex(ltrb[0], w, ltrb[2], mode, "width", img);
        return remap("pad", img, rows, cols, fill);
    }

    /**
     * A padding argument as torchvision reads it: one value for every side, two for (left/right, top/bottom),
     * four for (left, top, right, bottom). Returns (left, top, right, bottom).
     */
    static int[] parsePadding(String op, int... padding) {
        if (padding == null || (padding.length != 1 && padding.length != 2 && padding.length != 4)) {
            throw new IllegalArgumentException(op + ": padding must have 1, 2 or 4 values (all sides; left/right"
                    + " and top/bottom; left, top, right, bottom), got "
                    + (padding == null ? "null" : Arrays.toString(padding)));
        }
        for (int v : padding) {
            if (v < 0) {
                throw new IllegalArgumentException(op + ": padding must be non-negative, got "
                        + Arrays.toString(padding));
            }
        }
        return switch (padding.length) {
            case 1 -> new int[] {padding[0], padding[0], padding[0], padding[0]};
            case 2 -> new int[] {padding[0], padding[1], padding[0], padding[1]};
            default -> padding.clone();
        };
    }

    /** {@code img.flip(-1)}. */
    static Tensor hflip(Tensor img) {
        Planes.requireDims("hflip", img, 2);
        return remap("hflip", img, identity((int) img.size(-2)), reversed((int) img.size(-1)), 0.0);
    }

    /** {@code img.flip(-2)}. */
    static Tensor vflip(Tensor img) {
        Planes.requireDims("vflip", img, 2);
        return remap("vflip", img, reversed((int) img.size(-2)), identity((int) img.size(-1)), 0.0);
    }

    /** Indices {@code start .. start + length - 1}, -1 outside {@code [0, size)}. */
    private static int[] window(int start, int length, int size) {
        int[] idx = new int[length];
        for (int i = 0; i < length; i++) {
            long v = (long) start + i;
            idx[i] = v >= 0 && v < size ? (int) v : -1;
        }
        return idx;
    }

    private static int[] padIndex(int before, int size, int after, PaddingMode mode, String what, Tensor img) {
        if (mode != PaddingMode.CONSTANT && (before > 0 || after > 0)) {
            int most = Math.max(before, after);
            boolean ok = size > 0 && switch (mode) {
                case REFLECT -> most < size;
                case SYMMETRIC -> most <= size;
                default -> true;
            };
            if (!ok) {
                throw new IllegalArgumentException("pad: " + mode.name().toLowerCase() + " padding of " + most
                        + " is too large for " + what + " " + size + " of shape " + Arrays.toString(img.shape())
                        + switch (mode) {
                            case REFLECT -> " (must be less than the size)";
                            case SYMMETRIC -> " (must be at most the size)";
                            default -> " (needs a non-empty image)";
                        });
            }
        }
        long total = (long) before + size + after;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("pad: padded " + what + " " + total + " is too large");
        }
        int[] idx = new int[(int) total];
        for (int k = 0; k < idx.length; k++) {
            int i = k - before;
            if (i >= 0 && i < size) {
                idx[k] = i;
            } else {
                idx[k] = switch (mode) {
                    case CONSTANT -> -1;
                    case EDGE -> i < 0 ? 0 : size - 1;
                    case REFLECT -> i < 0 ? -i : 2 * (size - 1) - i;
                    case SYMMETRIC -> i < 0 ? -i - 1 : 2 * size - 1 - i;
                };
            }
        }
        return idx;
    }

    private static int[] identity(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return idx;
    }

    private static int[] reversed(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = n - 1 - i;
        }
        return idx;
    }
}
