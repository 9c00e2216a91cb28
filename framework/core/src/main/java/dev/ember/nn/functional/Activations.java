package dev.ember.nn.functional;

import dev.ember.tensor.Tensor;

/**
 * Element-wise activations and the softmax family, as in {@code torch.nn.functional}, with PyTorch's formulas
 * and defaults. All take any shape and return the same shape and dtype. They are compositions of tensor ops,
 * so their gradients come from autograd; each is written so that large or tiny inputs neither overflow nor
 * lose precision (see {@link Composites}).
 */
public final class Activations {
    private Activations() {
    }

    /** max(x, 0). */
    public static Tensor relu(Tensor input) {
        return input.relu();
    }

    /** x for x &gt; 0, negativeSlope * x otherwise; PyTorch's default slope is 0.01. */
    public static Tensor leakyRelu(Tensor input) {
        return leakyRelu(input, 0.01);
    }

    public static Tensor leakyRelu(Tensor input, double negativeSlope) {
        requireFloat("leakyRelu", input);
        return Tensor.where(input.gt(0.0), input, input.mul(negativeSlope));
    }

    /** x for x &gt; 0, alpha * (exp(x) - 1) otherwise; default alpha 1. */
    public static Tensor elu(Tensor input) {
        return elu(input, 1.0);
    }

    public static Tensor elu(Tensor input, double alpha) {
        requireFloat("elu", input);
        // the negative branch sees min(x, 0) so that exp cannot overflow where the branch is discarded
        Tensor negative = Composites.expm1(input.clampMax(0)).mul(alpha);
        return Tensor.where(input.gt(0.0), input, negative);
    }

    /** x * Phi(x), Phi the standard normal CDF (PyTorch's {@code approximate='none'}). */
    public static Tensor gelu(Tensor input) {
        return gelu(input, "none");
    }

    /**
     * GELU: {@code approximate} is "none" (x * Phi(x), exact) or "tanh"
     * (0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))).
     */
    public static Tensor gelu(Tensor input, String approximate) {
        requireFloat("gelu", input);
        switch (approximate) {
            case "none" -> {
                // x * Phi(x) with Phi(x) = erfc(-x / sqrt 2) / 2: PyTorch's 1 + erf(x / sqrt 2) loses the far left
                // tail to cancellation (gelu(-10) = -7.6e-23 becomes -0.0); erfc keeps it. One fused node where the
                // backend has the kernel, else the composite (its reference)
                Tensor fused = dev.ember.tensor.Fused.gelu(input);
                return fused != null ? fused : geluComposite(input);
            }
            case "tanh" -> {
                Tensor inner = input.add(input.mul(input).mul(input).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
                return input.mul(0.5).mul(inner.tanh().add(1.0));
            }
            default -> throw new IllegalArgumentException("gelu: approximate must be \"none\" or \"tanh\", got \""
                    + approximate + "\"");
        }
    }

    /** Exact GELU from tensor ops: the reference of the fused kernel. */
    public static Tensor geluComposite(Tensor input) {
        requireFloat("gelu", input);
        return input.mul(input.mul(-Math.sqrt(0.5)).erfc()).mul(0.5);
    }

    /** x * sigmoid(x) (also called swish). */
    public static Tensor silu(Tensor input) {
        requireFloat("silu", input);
        return input.mul(input.sigmoid());
    }

    /** 1 / (1 + exp(-x)). */
    public static Tensor sigmoid(Tensor input) {
        return input.sigmoid();
    }

    public static Tensor tanh(Tensor input) {
        return input.tanh();
    }

    /** exp(x) / sum(exp(x)) along {@code dim} (computed with the max subtracted, so it never overflows). */
    public static Tensor softmax(Tensor input, int dim) {
        return input.softmax(dim);
    }

    /** x - logsumexp(x) along {@code dim}. */
    public static Tensor logSoftmax(Tensor input, int dim) {
        return input.logSoftmax(dim);
    }

    /** log(1 + exp(x)), PyTorch's defaults beta = 1, threshold = 20. */
    public static Tensor softplus(Tensor input) {
        return softplus(input, 1.0, 20.0);
    }

    /**
     * log(1 + exp(beta x)) / beta, reverting to x where beta x &gt; threshold (where the two agree to working
     * precision), as PyTorch does.
     */
    public static Tensor softplus(Tensor input, double beta, double threshold) {
        requireFloat("softplus", input);
        Tensor bx = input.mul(beta);
        // clamp so the discarded branch cannot overflow to inf (whose gradient would be NaN)
        Tensor soft = Composites.log1p(bx.clampMax(threshold).exp()).div(beta);
        return Tensor.where(bx.gt(threshold), input, soft);
    }

    static void requireFloat(String op, Tensor input) {
        if (!input.isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": expected a floating point input, got "
                    + input.dtype().torchName() + " of shape " + java.util.Arrays.toString(input.shape()));
        }
    }
}
