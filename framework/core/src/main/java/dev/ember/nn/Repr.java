package dev.ember.nn;

import java.math.BigDecimal;

/** Python's text for the numbers in PyTorch's module reprs ({@code eps=1e-05}, {@code p=0.5}, {@code (3,)}). */
final class Repr {
    private Repr() {
    }

    /**
     * Python's {@code repr(float)}: the shortest digits that round-trip (as Java's), in positional notation when the
     * decimal exponent is in [-4, 16), else scientific with a signed two-digit exponent: 0.0001, 1e-05, 1e+16, 2.0.
     */
    static String pyFloat(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        String sign = (v < 0 || (v == 0 && 1 / v < 0)) ? "-" : "";
        if (v == 0) {
            return sign + "0.0";
        }
        BigDecimal d = new BigDecimal(Double.toString(Math.abs(v))).stripTrailingZeros();
        String digits = d.unscaledValue().toString();
        int decpt = digits.length() - d.scale(); // value = 0.digits * 10^decpt
        if (decpt <= -4 || decpt > 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            int exp = decpt - 1;
            return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
        }
        if (decpt <= 0) {
            return sign + "0." + "0".repeat(-decpt) + digits;
        }
        if (decpt >= digits.length()) {
            return sign + digits + "0".repeat(decpt - digits.length()) + ".0";
        }
        return sign + digits.substring(0, decpt) + "." + digits.substring(decpt);
    }

    /**
     * A number PyTorch's defaults hold as a Python int ({@code Softplus(beta=1, threshold=20)}): integral values
     * print without a fraction, others as {@link #pyFloat}.
     */
    static String pyNumber(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : pyFloat(v);
    }

    /** Python's tuple text: (3,) or (2, 3). */
    static String pyTuple(long[] values) {
        if (values.length == 1) {
            return "(" + values[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < values.length; i++) {
            sb.append(i > 0 ? ", " : "").append(values[i]);
        }
        return sb.append(')').toString();
    }
}
