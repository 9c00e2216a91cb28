package dev.ember.vision.models;

import dev.ember.tensor.Tensor;
import java.util.Arrays;

/** Input validation shared by the models, so a wrong image shape is reported by the model, not by a kernel. */
final class ModelChecks {
    private ModelChecks() {
    }

    /** Requires a batch of images (N, channels, H, W) with N, H, W >= 1. */
    static void checkImage(String model, Tensor input, long channels) {
        long[] s = input.shape();
        if (s.length != 4) {
            throw new IllegalArgumentException(model + ": expected a 4-D batch of images (N, " + channels
                    + ", H, W), got input of shape " + Arrays.toString(s));
        }
        if (s[1] != channels) {
            throw new IllegalArgumentException(model + ": expected " + channels + " input channel"
                    + (channels == 1 ? "" : "s") + " (N, " + channels + ", H, W), got input of shape "
                    + Arrays.toString(s) + " with " + s[1] + " channel" + (s[1] == 1 ? "" : "s"));
        }
        if (!input.isFloatingPoint()) {
            throw new IllegalArgumentException(model + ": expected a floating point input, got "
                    + input.dtype().torchName());
        }
    }

    /** Requires H and W of at least {@code min} pixels (stride-32 networks lose everything below). */
    static void checkMinSize(String model, Tensor input, long min) {
        long[] s = input.shape();
        if (s[2] < min || s[3] < min) {
            throw new IllegalArgumentException(model + ": input images must be at least " + min + "x" + min
                    + ", got input of shape " + Arrays.toString(s));
        }
    }
}
