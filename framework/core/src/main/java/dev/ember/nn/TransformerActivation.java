package dev.ember.nn;

import dev.ember.nn.functional.Activations;
import dev.ember.tensor.Tensor;

/** The feed-forward activations of the Transformer layers, by PyTorch's names: "relu" and "gelu" (exact, erf). */
final class TransformerActivation {
    private TransformerActivation() {
    }

    static String check(String layer, String activation) {
        if (!"relu".equals(activation) && !"gelu".equals(activation)) {
            throw new IllegalArgumentException(layer + ": activation should be relu/gelu, not " + activation);
        }
        return activation;
    }

    static Tensor apply(String activation, Tensor x) {
        return "relu".equals(activation) ? Activations.relu(x) : Activations.gelu(x);
    }
}
