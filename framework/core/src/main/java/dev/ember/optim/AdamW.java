package dev.ember.optim;

import dev.ember.tensor.Tensor;

/**
 * AdamW, PyTorch's {@code torch.optim.AdamW}: Adam with decoupled weight decay (Loshchilov and Hutter), so the
 * decay shrinks the parameters rather than entering the moment estimates:
 * <pre>
 * g ← maximize ? −∇ : ∇
 * θ ← θ (1 − γ λ)
 * m ← β1 m + (1 − β1) g;   v ← β2 v + (1 − β2) g²;   v̂ ← amsgrad ? (v_max ← max(v_max, v)) : v
 * θ ← θ − (γ / (1 − β1ᵗ)) · m / (√v̂ / √(1 − β2ᵗ) + ε)
 * </pre>
 * Defaults as Adam's except weight decay 1e-2. It takes {@link Adam.Options}: start from
 * {@link #options() AdamW.options()} so the default weight decay is AdamW's (Adam.options() has 0).
 */
public class AdamW extends Adam {

    public AdamW(Iterable<Tensor> params) {
        this(params, options());
    }

    public AdamW(Iterable<Tensor> params, Adam.Options options) {
        super(params, options, true);
    }

    /** PyTorch's defaults for AdamW: Adam's with weight decay 1e-2. */
    public static Adam.Options options() {
        return Adam.options().weightDecay(1e-2);
    }
}
