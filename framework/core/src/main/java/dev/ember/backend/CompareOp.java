package dev.ember.backend;

/** Element-wise comparisons; the result is always BOOL. Operands are compared in their promoted dtype. */
public enum CompareOp {
    EQ, NE, LT, LE, GT, GE;

    /** IEEE semantics: NaN compares unequal to everything, and -0.0 equals 0.0. */
    public boolean test(double a, double b) {
        if (a != a || b != b) {
            return this == NE;
        }
        return holds(a < b ? -1 : a > b ? 1 : 0);
    }

    public boolean testLong(long a, long b) {
        return holds(Long.compare(a, b));
    }

    /** Whether this comparison holds for an ordering result (negative, zero, positive). */
    private boolean holds(int order) {
        return switch (this) {
            case EQ -> order == 0;
            case NE -> order != 0;
            case LT -> order < 0;
            case LE -> order <= 0;
            case GT -> order > 0;
            case GE -> order >= 0;
        };
    }

    public String opName() {
        return Names.lower(this);
    }
}
