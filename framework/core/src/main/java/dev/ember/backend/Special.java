package dev.ember.backend;

/**
 * Special functions the JDK lacks, as scalar reference code for kernels. erf/erfc use a Chebyshev series for
 * erfc on [0, inf) (coefficients from tools/erfc_chebyshev.py), relative error about 1e-16, with the
 * reflection erfc(-z) = 2 - erfc(z); erf(x) for |x| &lt; 0.5 uses its Taylor series so tiny inputs keep their
 * relative accuracy.
 */
public final class Special {
    // erfc(z) = t * exp(-z^2 + sum_k C_k T_k(2t - 1)), t = 2 / (2 + z), z >= 0
    private static final double[] ERFC_CHEB = {
        -0.6513268598908547, 0.6419697923564902, 0.019476473204185836, -0.009561514786808632,
        -0.0009465953444820369, 0.00036683949785276145, 4.252332480690777e-05, -2.0278578112534242e-05,
        -1.6242900046470256e-06, 1.3036558355805232e-06, 1.5626441722066142e-08, -8.523809591492654e-08,
        6.5290544390988515e-09, 5.059343495551469e-09, -9.91364156493033e-10, -2.273651222931836e-10,
        9.646791102015527e-11, 2.3940380830391146e-12, -6.886027526497553e-12, 8.944879273090725e-13,
        3.130921399342958e-13, -1.1270822361367252e-13, 3.810905255189232e-16, 7.106097613609237e-15,
        -1.5230282014571043e-15, -9.457494571291233e-17, 1.210237189224279e-16, -2.816663087747177e-17,
    };

    private Special() {
    }

    /** The coefficients C_k of erfc's Chebyshev series (a copy), for vectorised kernels that follow {@link #erf}. */
    public static double[] erfcChebyshev() {
        return ERFC_CHEB.clone();
    }

    /** erfc(z) for z &gt;= 0 (Clenshaw evaluation of the series). */
    private static double erfcNonNegative(double z) {
        double t = 2 / (2 + z);
        double u2 = 4 * t - 2; // 2u for the Clenshaw recurrence
        double b1 = 0;
        double b2 = 0;
        for (int k = ERFC_CHEB.length - 1; k >= 1; k--) {
            double b = u2 * b1 - b2 + ERFC_CHEB[k];
            b2 = b1;
            b1 = b;
        }
        double series = 0.5 * u2 * b1 - b2 + ERFC_CHEB[0];
        return t * Math.exp(series - z * z);
    }

    public static double erfc(double x) {
        if (x != x) {
            return x;
        }
        return x >= 0 ? erfcNonNegative(x) : 2 - erfcNonNegative(-x);
    }

    public static double erf(double x) {
        if (x != x) {
            return x;
        }
        double a = Math.abs(x);
        if (a < 0.5) {
            // 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)); 12 terms reach double precision below 0.5
            double x2 = x * x;
            double term = x;
            double sum = x;
            for (int n = 1; n < 13; n++) {
                term *= -x2 / n;
                sum += term / (2 * n + 1);
            }
            return sum * 1.1283791670955126; // 2 / sqrt(pi)
        }
        double r = 1 - erfcNonNegative(a);
        return x < 0 ? -r : r;
    }
}
