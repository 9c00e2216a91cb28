package dev.ember.nn.functional;

import dev.ember.autograd.Autograd;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;

/**
 * Accurate special functions built from tensor primitives, for the activations and losses of this package:
 * {@code log1p}, {@code expm1}, {@code xlogy}, the normal CDF (via a Chebyshev erfc). The tensor API has no
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

    // erfc(z) = t * exp(-z^2 + sum_k C_k T_k(2t - 1)), t = 2 / (2 + z), z >= 0; tools/erfc_chebyshev.py
    private static final double[] ERFC_CHEB = {
        -0.6513268598908547, 0.6419697923564902, 0.019476473204185836, -0.009561514786808632,
        -0.0009465953444820369, 0.00036683949785276145, 4.252332480690777e-05, -2.0278578112534242e-05,
        -1.6242900046470256e-06, 1.3036558355805232e-06, 1.5626441722066142e-08, -8.523809591492654e-08,
        6.5290544390988515e-09, 5.059343495551469e-09, -9.91364156493033e-10, -2.273651222931836e-10,
        9.646791102015527e-11, 2.3940380830391146e-12, -6.886027526497553e-12, 8.944879273090725e-13,
        3.130921399342958e-13, -1.1270822361367252e-13, 3.810905255189232e-16, 7.106097613609237e-15,
        -1.5230282014571043e-15, -9.457494571291233e-17, 1.210237189224279e-16, -2.816663087747177e-17,
    };

    /** erfc(z) for z &gt;= 0, relative error about 1e-16 (no gradient: call under noGrad or on detached input). */
    static Tensor erfcNonNegative(Tensor z) {
        Tensor t = Tensor.scalar(z.dtype(), 2).div(z.add(2.0));
        Tensor u2 = t.mul(4.0).sub(2.0); // 2u for the Clenshaw recurrence
        Tensor b1 = Tensor.zerosLike(z);
        Tensor b2 = Tensor.zerosLike(z);
        for (int k = ERFC_CHEB.length - 1; k >= 1; k--) {
            Tensor b = u2.mul(b1).sub(b2).add(ERFC_CHEB[k]);
            b2 = b1;
            b1 = b;
        }
        // sum = C_0 + u * b1 - b2, with u = u2 / 2
        Tensor series = u2.mul(b1).mul(0.5).sub(b2).add(ERFC_CHEB[0]);
        return t.mul(series.sub(z.mul(z)).exp());
    }

    /** The standard normal CDF Phi(x) = erfc(-x / sqrt 2) / 2, accurate in both tails; no gradient. */
    static Tensor normalCdf(Tensor x) {
        try (var ignored = Autograd.noGrad()) {
            Tensor xd = x.detach();
            Tensor half = erfcNonNegative(xd.abs().mul(Math.sqrt(0.5))).mul(0.5);
            return Tensor.where(xd.ge(0.0), half.neg().add(1.0), half);
        }
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
