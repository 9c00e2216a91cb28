package dev.ember.nn.utils;

import dev.ember.autograd.Autograd;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Gradient clipping, PyTorch's {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_}. Both change
 * the parameters' {@code grad} in place (under no-grad) and skip parameters without one; call them between
 * {@code loss.backward()} and {@code optimizer.step()}.
 */
public final class ClipGrad {
    private ClipGrad() {
    }

    /** {@link #clipGradNorm(Iterable, double, double, boolean)} with the 2-norm. */
    public static Tensor clipGradNorm(Iterable<Tensor> parameters, double maxNorm) {
        return clipGradNorm(parameters, maxNorm, 2.0, false);
    }

    public static Tensor clipGradNorm(Iterable<Tensor> parameters, double maxNorm, double normType) {
        return clipGradNorm(parameters, maxNorm, normType, false);
    }

    /**
     * Scales all gradients together so that their total {@code normType}-norm (the norm of the vector of
     * per-parameter norms: the norm of all gradients concatenated) is at most {@code maxNorm}: each is multiplied
     * by {@code min(1, maxNorm / (total + 1e-6))}, as PyTorch does. {@code normType} is a positive p or
     * {@code Double.POSITIVE_INFINITY} (max abs). Returns the total norm before clipping, a 0-dim tensor of the
     * gradients' (promoted) dtype; 0-dim float32 zero when no parameter has a gradient. With
     * {@code errorIfNonfinite} a NaN or infinite total norm throws instead of scaling.
     *
     * <p>Deviation: a negative or NaN {@code maxNorm}, and norm types PyTorch accepts beyond p &gt; 0 and inf
     * (0, negative, -inf), are rejected.
     */
    public static Tensor clipGradNorm(Iterable<Tensor> parameters, double maxNorm, double normType,
                                      boolean errorIfNonfinite) {
        if (!(maxNorm >= 0)) {
            throw new IllegalArgumentException("clipGradNorm: max_norm must be >= 0, got " + maxNorm);
        }
        if (!(normType > 0)) {
            throw new IllegalArgumentException("clipGradNorm: norm_type must be positive or infinity, got " + normType);
        }
        List<Tensor> grads = grads(parameters, "clipGradNorm");
        if (grads.isEmpty()) {
            return Tensor.scalar(0.0);
        }
        try (var ignored = Autograd.noGrad()) {
            DType dtype = grads.get(0).dtype();
            for (Tensor g : grads) {
                dtype = DType.promote(dtype, g.dtype());
            }
            List<Tensor> norms = new ArrayList<>();
            for (Tensor g : grads) {
                norms.add(norm(g.detach(), normType).to(dtype));
            }
            Tensor all = Tensor.stack(norms, 0);
            Tensor total = normType == Double.POSITIVE_INFINITY ? all.max() : norm(all, normType);
            if (errorIfNonfinite && !Double.isFinite(total.item())) {
                throw new IllegalStateException("clipGradNorm: The total norm of order " + normType + " for gradients "
                        + "from `parameters` is non-finite (" + total.item() + "), so it cannot be clipped. To "
                        + "disable this error and scale the gradients by the non-finite norm anyway, set "
                        + "errorIfNonfinite to false");
            }
            Tensor coef = Tensor.scalar(dtype, maxNorm).div(total.add(1e-6)).clampMax(1.0);
            for (Tensor g : grads) {
                g.muli(coef.to(g.dtype()));
            }
            return total;
        }
    }

    /** The p-norm of all elements (p = inf: max abs), as {@code torch.norm(x, p)}. */
    private static Tensor norm(Tensor x, double p) {
        if (p == Double.POSITIVE_INFINITY) {
            return x.abs().max();
        }
        if (p == 1) {
            return x.abs().sum();
        }
        if (p == 2) {
            return x.mul(x).sum().sqrt();
        }
        return x.abs().pow(p).sum().pow(1.0 / p);
    }

    /** Clamps every gradient element into [-clipValue, clipValue] in place. */
    public static void clipGradValue(Iterable<Tensor> parameters, double clipValue) {
        if (!(clipValue >= 0)) {
            throw new IllegalArgumentException("clipGradValue: clip_value must be >= 0, got " + clipValue);
        }
        try (var ignored = Autograd.noGrad()) {
            for (Tensor g : grads(parameters, "clipGradValue")) {
                g.copyi(g.clamp(-clipValue, clipValue));
            }
        }
    }

    private static List<Tensor> grads(Iterable<Tensor> parameters, String op) {
        if (parameters == null) {
            throw new IllegalArgumentException(op + ": parameters must not be null");
        }
        List<Tensor> grads = new ArrayList<>();
        for (Tensor p : parameters) {
            if (p != null && p.grad() != null) {
                grads.add(p.grad());
            }
        }
        return grads;
    }
}
