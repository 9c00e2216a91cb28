package dev.ember.nn.functional;

import dev.ember.autograd.Autograd;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;

/**
 * Accurate special functions built from tensor primitives, for the activations and losses of this package:
 * {@code log1p}, {@code expm1}, {@code xlogy}, and a value-with-derivative helper. The tensor API has no
 * fused kernels for them; these compositions keep full float64 precision where the naive formulas lose it
 * ({@code log(1 + 1e-12)}, {@code exp(1e-12) - 1}), and are written so that no branch that {@code where}
 * discards produces a NaN, since a NaN in an unused branch would still poison the gradient (0 * NaN).
 */
final class Composites {
    private Composites() {
    }

    /**
     * log(1 + u) to full precision for small u (Kahan's trick: with w = 1 + u rounded, u * log(w) / (w - 1)
     * cancels the rounding of w). Gradient 1 / (1 + u) through autograd. Finite u &gt;= -1.
     */
    static Tensor log1p(Tensor u) {
        Tensor w = u.add(1.0);
        Tensor exact = w.eq(1.0);
        Tensor one = Tensor.scalar(u.dtype(), 1);
        // w == 1 means |u| is below half an ulp of 1, where log1p(u) == u to working precision
        Tensor den = Tensor.where(exact, one, w.sub(1.0));
        Tensor ratio = Tensor.where(exact, one, w.log().div(den));
        return u.mul(ratio);
    }

    /**
     * exp(x) - 1 to full precision near 0 (Kahan: with u = exp(x) rounded, (u - 1) * x / log(u)). Gradient
     * exp(x) through autograd, except far below zero where exp(x) underflows and the result is -1 with
     * gradient 0. For x &lt;= ~700 (callers clamp).
     */
    static Tensor expm1(Tensor input) {
        // keep exp(x) a positive normal number so that log(u) and its gradient stay finite
        Tensor x = input.clampMin(input.dtype() == DType.FLOAT32 ? -80 : -700);
        Tensor u = x.exp();
        Tensor exact = u.eq(1.0);
        Tensor one = Tensor.scalar(x.dtype(), 1);
        Tensor den = Tensor.where(exact, one, u.log());
        Tensor general = u.sub(1.0).mul(x).div(den);
        return Tensor.where(exact, x, general);
    }

    /** x * log(y), defined as 0 where x == 0 (torch.xlogy), with no NaN from the unused branch. */
    static Tensor xlogy(Tensor x, Tensor y) {
        Tensor zero = x.eq(0.0);
        Tensor safeY = Tensor.where(zero, Tensor.scalar(y.dtype(), 1), y);
        return Tensor.where(zero, Tensor.scalar(x.dtype(), 0), x.mul(safeY.log()));
    }

    /**
     * A tensor with the values of {@code value} whose gradient with respect to {@code x} is
     * {@code derivative} (element-wise, same shape as x): value + (x - x.detach()) * derivative, where the
     * bracket is exactly zero. {@code value} keeps whatever graph it has, so calls chain to add the derivatives
     * for several inputs; compute it from detached inputs. An infinite derivative becomes the dtype's largest
     * finite value (0 * inf would turn the value into NaN). For functions whose value needs many primitive ops (erf): recording all of them
     * would keep every intermediate alive until backward, while this records three. First-order only.
     */
    static Tensor withDerivative(Tensor value, Tensor x, Tensor derivative) {
        if (!x.requiresGrad() || !Autograd.isGradEnabled()) {
            return value;
        }
        // clamping keeps x - x.detach() at 0 for infinite x (inf - inf would be NaN)
        Tensor xs = x.clamp(-Float.MAX_VALUE, Float.MAX_VALUE);
        double big = derivative.dtype() == DType.FLOAT32 ? Float.MAX_VALUE : Double.MAX_VALUE;
        return value.add(xs.sub(xs.detach()).mul(derivative.detach().clamp(-big, big)));
    }
}
