package dev.ember.nn.functional;

import dev.ember.tensor.Tensor;
import java.util.Arrays;

/** Normalisation functions, composed from tensor ops so their gradients come from autograd. */
public final class Normalization {
    private Normalization() {
    }

    /**
     * Layer normalisation over the trailing {@code normalizedShape} dims: (x - mean) / sqrt(var + eps) * weight +
     * bias, with the biased variance, as {@code F.layer_norm}. input (*, normalizedShape) -> same shape; weight and
     * bias (normalizedShape) may be null.
     */
    public static Tensor layerNorm(Tensor input, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        int k = normalizedShape.length;
        long[] shape = input.shape();
        boolean ok = k > 0 && k <= shape.length;
        for (int i = 0; ok && i < k; i++) {
            ok = shape[shape.length - k + i] == normalizedShape[i];
        }
        if (!ok) {
            throw new IllegalArgumentException("layerNorm: input of shape " + Arrays.toString(shape)
                    + " does not end in normalized_shape " + Arrays.toString(normalizedShape));
        }
        int[] dims = new int[k];
        for (int i = 0; i < k; i++) {
            dims[i] = shape.length - k + i;
        }
        Tensor mean = input.mean(dims, true);
        Tensor centered = input.sub(mean);
        Tensor var = centered.mul(centered).mean(dims, true);
        Tensor y = centered.div(var.add(eps).sqrt());
        if (weight != null) {
            y = y.mul(weight);
        }
        return bias == null ? y : y.add(bias);
    }
}
