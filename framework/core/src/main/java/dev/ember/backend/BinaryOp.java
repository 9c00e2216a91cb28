package dev.ember.backend;

/**
 * Element-wise functions of two arguments, computed in the output's dtype (inputs are converted first,
 * as PyTorch does: a float32 result means float32 arithmetic). On bool outputs ADD and MAXIMUM act as
 * logical or, MUL and MINIMUM as logical and.
 */
public enum BinaryOp {
    ADD {
        public double apply(double a, double b) { return a + b; }
        public long applyLong(long a, long b) { return a + b; }
    },
    SUB {
        public double apply(double a, double b) { return a - b; }
        public long applyLong(long a, long b) { return a - b; }
    },
    MUL {
        public double apply(double a, double b) { return a * b; }
        public long applyLong(long a, long b) { return a * b; }
    },
    DIV {
        public double apply(double a, double b) { return a / b; }
        public long applyLong(long a, long b) {
            throw new IllegalStateException("DIV is true division: integer inputs promote to float");
        }
    },
    POW {
        public double apply(double a, double b) { return Math.pow(a, b); }
        public long applyLong(long a, long b) {
            if (b < 0) {
                throw new IllegalArgumentException("pow: integers to negative integer powers are not allowed");
            }
            long r = 1;
            for (long i = 0; i < b; i++) {
                r *= a;
            }
            return r;
        }
    },
    MAXIMUM {
        // NaN propagates, as in torch.maximum
        public double apply(double a, double b) { return a != a || b != b ? Double.NaN : Math.max(a, b); }
        public long applyLong(long a, long b) { return Math.max(a, b); }
    },
    MINIMUM {
        public double apply(double a, double b) { return a != a || b != b ? Double.NaN : Math.min(a, b); }
        public long applyLong(long a, long b) { return Math.min(a, b); }
    };

    public abstract double apply(double a, double b);

    public abstract long applyLong(long a, long b);

    public String opName() {
        return Names.lower(this);
    }
}
