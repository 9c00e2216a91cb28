package dev.ember.nn.functional;

import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Padding, as {@code F.pad}. {@code pad} lists (left, right) pairs starting from the last dim:
 * {@code {1, 2}} pads the last dim by 1 before and 2 after, {@code {1, 1, 2, 2}} also pads the second-to-last by 2.
 * Gradients flow back to the input (padding positions of "constant" get none; reflected and replicated positions
 * add their gradient to the element they copy).
 */
public final class Padding {
    private Padding() {
    }

    /** Constant padding with zeros. */
    public static Tensor pad(Tensor input, long[] pad) {
        return pad(input, pad, "constant", 0.0);
    }

    public static Tensor pad(Tensor input, long[] pad, String mode) {
        return pad(input, pad, mode, 0.0);
    }

    /**
     * Pads {@code input} (any shape with at least pad.length / 2 dims) -> each padded dim grows by left + right.
     * {@code mode}: "constant" (fills {@code value}; negative pads crop), "reflect" (mirror without repeating the
     * edge; pads &lt; size), "replicate" (repeat the edge; size &gt; 0) or "circular" (wrap around; pads &lt;= size).
     * {@code value} is used by "constant" only. Deviation: PyTorch restricts the non-constant modes to padding
     * the last 1-3 dims of a 2-5-D input; here any dims may be padded.
     */
    public static Tensor pad(Tensor input, long[] pad, String mode, double value) {
        if (pad.length % 2 != 0 || pad.length / 2 > input.dim()) {
            throw new IllegalArgumentException("pad: padding length must be even and at most twice the input's dims ("
                    + input.dim() + " for shape " + Arrays.toString(input.shape()) + "), got " + Arrays.toString(pad));
        }
        boolean constant = switch (mode) {
            case "constant" -> true;
            case "reflect", "replicate", "circular" -> false;
            default -> throw new IllegalArgumentException("pad: mode must be \"constant\", \"reflect\", \"replicate\" or "
                    + "\"circular\", got \"" + mode + "\"");
        };
        Tensor x = input;
        for (int p = 0; p < pad.length / 2; p++) {
            int dim = input.dim() - 1 - p;
            long left = pad[2 * p];
            long right = pad[2 * p + 1];
            long size = input.size(dim);
            if (size + left + right < 0 || (size + left + right == 0 && !constant)) {
                throw new IllegalArgumentException("pad: padding " + Arrays.toString(pad) + " makes dim " + dim
                        + " of input " + Arrays.toString(input.shape()) + " negative (size " + size + ")");
            }
            if (left == 0 && right == 0) {
                continue;
            }
            x = constant ? constantPad(x, dim, left, right, value) : indexPad(x, dim, left, right, mode, input.shape());
        }
        return x;
    }

    private static Tensor constantPad(Tensor x, int dim, long left, long right, double value) {
        long size = x.size(dim);
        // negative pads crop first (when a crop and a pad overlap, the crop wins as in PyTorch)
        long start = Math.max(-left, 0);
        long end = size - Math.max(-right, 0);
        if (start > 0 || end < size) {
            x = x.narrow(dim, start, Math.max(end - start, 0));
        }
        List<Tensor> parts = new ArrayList<>(3);
        if (left > 0) {
            parts.add(fill(x, dim, left, value));
        }
        parts.add(x);
        if (right > 0) {
            parts.add(fill(x, dim, right, value));
        }
        return parts.size() == 1 ? x : Tensor.cat(parts, dim);
    }

    private static Tensor fill(Tensor like, int dim, long n, double value) {
        long[] shape = like.shape();
        shape[dim] = n;
        return Tensor.full(like.dtype(), like.device(), value, shape);
    }

    private static Tensor indexPad(Tensor x, int dim, long left, long right, String mode, long[] inputShape) {
        long size = x.size(dim);
        if (left < 0 || right < 0) {
            throw new IllegalArgumentException("pad: mode \"" + mode + "\" does not accept negative padding, got ("
                    + left + ", " + right + ") for dim " + dim);
        }
        boolean ok = switch (mode) {
            case "reflect" -> left < size && right < size;
            case "circular" -> left <= size && right <= size;
            default -> size > 0;
        };
        if (!ok) {
            throw new IllegalArgumentException("pad: padding (" + left + ", " + right + ") at dim " + dim + " of input "
                    + Arrays.toString(inputShape) + " is too large for mode \"" + mode + "\" (" + switch (mode) {
                        case "reflect" -> "must be less than the dim's size " + size;
                        case "circular" -> "must be at most the dim's size " + size;
                        default -> "the dim must not be empty";
                    } + ")");
        }
        long n = size + left + right;
        long[] index = new long[(int) n];
        for (int k = 0; k < n; k++) {
            long j = k - left;
            index[k] = switch (mode) {
                case "reflect" -> j < 0 ? -j : j >= size ? 2 * (size - 1) - j : j;
                case "circular" -> Math.floorMod(j, size);
                default -> Math.min(Math.max(j, 0), size - 1);
            };
        }
        return x.indexSelect(dim, Tensor.of(index, n).to(x.device()));
    }
}
