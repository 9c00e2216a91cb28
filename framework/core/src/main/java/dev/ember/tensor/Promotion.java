package dev.ember.tensor;

/**
 * PyTorch's result-type rule ({@code torch.result_type}). Operands fall into three priority groups:
 * tensors with dimensions, zero-dim tensors, and wrapped Java numbers (scalar arguments). A lower group
 * only changes the result when its category (bool &lt; integer &lt; floating) is higher; a wrapped floating
 * number then gives the default dtype FLOAT32. So {@code float32 + 2.5} stays float32 and
 * {@code int64 + 2.5} becomes float32, as in PyTorch.
 */
final class Promotion {
    private Promotion() {
    }

    static DType resultType(Tensor... operands) {
        DType dims = null;
        DType zeroDim = null;
        DType wrapped = null;
        for (Tensor t : operands) {
            if (t.wrappedNumber) {
                wrapped = wrapped == null ? t.dtype() : DType.promote(wrapped, t.dtype());
            } else if (t.dim() == 0) {
                zeroDim = zeroDim == null ? t.dtype() : DType.promote(zeroDim, t.dtype());
            } else {
                dims = dims == null ? t.dtype() : DType.promote(dims, t.dtype());
            }
        }
        DType r = dims;
        if (zeroDim != null && (r == null || zeroDim.category() > r.category())) {
            r = zeroDim;
        }
        if (wrapped != null && (r == null || wrapped.category() > r.category())) {
            r = wrapped.isFloatingPoint() ? DType.FLOAT32 : wrapped;
        }
        return r;
    }
}
