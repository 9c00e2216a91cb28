package dev.ember.backend;

/** Element-wise comparisons; the result is always BOOL. Operands are compared in their promoted dtype. */
public enum CompareOp {
    EQ, NE, LT, LE, GT, GE;

    public boolean test(double a, double b) {
        return switch (this) {
            case EQ -> a == b;
            case NE -> a != b;
            case LT -> a < b;
            case LE -> a <= b;
            case GT -> a > b;
            case GE -> a >= b;
        };
    }

    public boolean testLong(long a, long b) {
        return switch (this) {
            case EQ -> a == b;
            case NE -> a != b;
            case LT -> a < b;
            case LE -> a <= b;
            case GT -> a > b;
            case GE -> a >= b;
        };
    }

    public String opName() {
        return name().toLowerCase();
    }
}
