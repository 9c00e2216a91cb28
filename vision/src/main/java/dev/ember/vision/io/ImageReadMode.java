package dev.ember.vision.io;

/**
 * Which channels an image becomes, after torchvision's {@code torchvision.io.ImageReadMode} plus Ember's default
 * {@link #AUTO}. Tensors are float32 {@code (C, H, W)} with values in [0, 1].
 *
 * <ul>
 *   <li>{@link #AUTO} (default): gray images give 1 channel, colour images 3; alpha is dropped;</li>
 *   <li>{@link #UNCHANGED}: the file's channels, alpha kept: gray 1, gray + alpha 2, colour 3, colour + alpha 4
 *       (a palette image counts as colour);</li>
 *   <li>{@link #GRAY}, {@link #GRAY_ALPHA}, {@link #RGB}, {@link #RGB_ALPHA}: always 1, 2, 3 or 4 channels;
 *       colour becomes gray with Pillow's {@code convert("L")} formula
 *       {@code (19595 R + 38470 G + 7471 B + 2^15) >> 16} on 8-bit values, gray becomes colour by repeating it,
 *       and a missing alpha channel is 1 (opaque).</li>
 * </ul>
 *
 * Alpha is straight (not premultiplied): colour values are the file's, whatever the transparency.
 */
public enum ImageReadMode {
    AUTO, UNCHANGED, GRAY, GRAY_ALPHA, RGB, RGB_ALPHA
}
