package dev.ember.nn.functional;

import dev.ember.tensor.Tensor;

/**
 * The functional API, PyTorch's {@code torch.nn.functional} (imported there as {@code F}): the maths that the
 * layers in {@code dev.ember.nn} call, as static functions on tensors. Each function's shapes are given in its
 * Javadoc; the implementations live in topic classes of this package.
 */
public final class F {
    private F() {
    }

    /** input (*, in) @ weight (out, in)^T + bias (out) -> (*, out); bias may be null. */
    public static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        if (input.dim() == 0 || input.size(-1) != weight.size(-1)) {
            throw new IllegalArgumentException("linear: input of shape " + java.util.Arrays.toString(input.shape())
                    + " does not end in in_features=" + weight.size(-1) + " (weight shape "
                    + java.util.Arrays.toString(weight.shape()) + ")");
        }
        Tensor y = input.matmul(weight.t());
        return bias == null ? y : y.add(bias);
    }
}
