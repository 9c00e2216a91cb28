package dev.ember.vision.train;

import dev.ember.tensor.Tensor;
import dev.ember.vision.io.ImageReadMode;
import dev.ember.vision.io.Images;
import dev.ember.vision.transforms.Resize;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads an image file as the classification pipeline feeds it to a model: {@link Images#read} (PNG, JPEG, BMP,
 * GIF, TIFF; untrusted files are checked before decoding) in grey (Pillow's {@code convert("L")}) or RGB, then
 * torchvision's {@code Resize((H, W))} (bilinear, aspect ratio not kept) when the size differs. Folder datasets
 * load their training images the same way, so a predicted image is prepared exactly as the training ones were.
 */
public final class ImageFiles {
    private ImageFiles() {
    }

    /** The image at {@code path} as float32 {@code (channels, height, width)} in [0, 1]; channels 1 or 3. */
    public static Tensor read(Path path, int channels, int height, int width) throws IOException {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("ImageFiles.read: channels must be 1 or 3, got " + channels);
        }
        Tensor img = Images.read(path, channels == 1 ? ImageReadMode.GRAY : ImageReadMode.RGB);
        return resize(img, height, width);
    }

    /** {@code img (C, h, w)} resized to {@code (C, height, width)} (unchanged when the size already matches). */
    static Tensor resize(Tensor img, int height, int width) {
        if (img.size(-2) == height && img.size(-1) == width) {
            return img;
        }
        return new Resize(height, width).apply(img);
    }
}
