package dev.ember.vision.transforms;

import dev.ember.tensor.Tensor;
import dev.ember.vision.io.ImageReadMode;
import dev.ember.vision.io.ImageTensors;
import java.awt.image.BufferedImage;
import java.util.function.Function;

/**
 * torchvision's {@code ToTensor} for a decoded image: a {@link BufferedImage} becomes a float32 {@code (C, H, W)}
 * tensor in [0, 1] ({@code x / 255}, 16-bit samples {@code x / 65535}). By default ({@link ImageReadMode#AUTO})
 * gray gives 1 channel and colour 3 with alpha dropped; torchvision keeps an RGBA image's alpha, which
 * {@code new ToTensor(ImageReadMode.UNCHANGED)} does. It is the step before the tensor {@link Transform}s:
 * {@code compose.apply(new ToTensor().apply(image), gen)}.
 */
public final class ToTensor implements Function<BufferedImage, Tensor> {
    private final ImageReadMode mode;

    public ToTensor() {
        this(ImageReadMode.AUTO);
    }

    public ToTensor(ImageReadMode mode) {
        if (mode == null) {
            throw new IllegalArgumentException("ToTensor: mode must not be null");
        }
        this.mode = mode;
    }

    @Override
    public Tensor apply(BufferedImage image) {
        return ImageTensors.fromImage(image, mode);
    }

    @Override
    public String toString() {
        return "ToTensor(mode=" + mode + ")";
    }
}
