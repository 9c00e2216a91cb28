package dev.ember.nn.functional;

import dev.ember.tensor.Tensor;

/** Dropout: random zeroing during training, scaled so the expected value is unchanged. */
public final class Dropouts {
    private Dropouts() {
    }

    /**
     * Zeroes each element with probability {@code p} and scales the rest by 1/(1-p) when {@code training};
     * returns the input unchanged otherwise. Any shape. The mask comes from the default generator.
     */
    public static Tensor dropout(Tensor input, double p, boolean training) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("dropout: probability has to be between 0 and 1, but got " + p);
        }
        if (!training || p == 0) {
            return input;
        }
        if (p == 1) {
            return input.mul(0.0);
        }
        Tensor keep = Tensor.randLike(input).ge(p).to(input.dtype());
        return input.mul(keep.div(1 - p));
    }
}
