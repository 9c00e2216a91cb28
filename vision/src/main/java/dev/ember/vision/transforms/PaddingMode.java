package dev.ember.vision.transforms;

/**
 * How {@link Pad} and {@link RandomCrop} fill the border, torchvision's {@code padding_mode}. For a row
 * {@code [1, 2, 3, 4]} padded by 2 on both sides:
 *
 * <ul>
 *   <li>{@link #CONSTANT}: the fill value, {@code [f, f, 1, 2, 3, 4, f, f]};</li>
 *   <li>{@link #EDGE}: the edge value repeated, {@code [1, 1, 1, 2, 3, 4, 4, 4]};</li>
 *   <li>{@link #REFLECT}: mirrored without repeating the edge, {@code [3, 2, 1, 2, 3, 4, 3, 2]} (padding must be
 *       smaller than the size, as in PyTorch);</li>
 *   <li>{@link #SYMMETRIC}: mirrored repeating the edge, {@code [2, 1, 1, 2, 3, 4, 4, 3]} (padding at most the
 *       size).</li>
 * </ul>
 */
public enum PaddingMode {
    CONSTANT, EDGE, REFLECT, SYMMETRIC;

    /** The mode for torchvision's name ({@code "constant"}, {@code "edge"}, {@code "reflect"}, {@code "symmetric"}). */
    public static PaddingMode of(String name) {
        for (PaddingMode m : values()) {
            if (m.name().equalsIgnoreCase(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("PaddingMode: expected constant, edge, reflect or symmetric, got '"
                + name + "'");
    }
}
