package dev.ember.vision.transforms;

/**
 * Resampling for {@link Resize} and {@link RandomResizedCrop}, torchvision's {@code InterpolationMode} for
 * tensors. Both follow {@code torch.nn.functional.interpolate} exactly: {@link #BILINEAR} with
 * {@code align_corners=False} and no antialiasing (torchvision's tensor path default before 0.17), and
 * {@link #NEAREST} with PyTorch's legacy {@code floor(dst * in / out)} rule (not {@code nearest-exact}).
 */
public enum InterpolationMode {
    NEAREST, BILINEAR;

    /** The mode for torchvision's name ({@code "nearest"} or {@code "bilinear"}). */
    public static InterpolationMode of(String name) {
        for (InterpolationMode m : values()) {
            if (m.name().equalsIgnoreCase(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("InterpolationMode: expected nearest or bilinear, got '" + name
                + "' (bicubic and antialiasing are not implemented)");
    }
}
