package dev.ember.backend;

/**
 * Element-wise functions of one argument. The scalar formula here is the reference that every backend's
 * kernel is tested against; floating-point only except where {@link #keepsIntegers()} says otherwise.
 */
public enum UnaryOp {
    NEG {
        public double apply(double x) { return -x; }
        public long applyLong(long x) { return -x; }
    },
    ABS {
        public double apply(double x) { return Math.abs(x); }
        public long applyLong(long x) { return Math.abs(x); }
    },
    RELU {
        public double apply(double x) { return x > 0 ? x : (x == x ? 0.0 : x); }
        public long applyLong(long x) { return Math.max(x, 0); }
    },
    SIGN {
        public double apply(double x) { return Math.signum(x); }
        public long applyLong(long x) { return Long.signum(x); }
    },
    EXP {
        public double apply(double x) { return Math.exp(x); }
    },
    LOG {
        public double apply(double x) { return Math.log(x); }
    },
    TANH {
        public double apply(double x) { return Math.tanh(x); }
    },
    SIGMOID {
        // 1 / (1 + e^-x) overflows gracefully to 0 for very negative x
        public double apply(double x) { return 1.0 / (1.0 + Math.exp(-x)); }
    },
    SQRT {
        public double apply(double x) { return Math.sqrt(x); }
    },
    SIN {
        public double apply(double x) { return Math.sin(x); }
    },
    COS {
        public double apply(double x) { return Math.cos(x); }
    },
    ERF {
        public double apply(double x) { return Special.erf(x); }
    },
    ERFC {
        public double apply(double x) { return Special.erfc(x); }
    };

    public abstract double apply(double x);

    /** Integer version, for ops that keep integer dtypes ({@link #keepsIntegers()}). */
    public long applyLong(long x) {
        throw new IllegalStateException(name() + " has no integer kernel");
    }

    /** True for ops whose result on an integer tensor is an integer tensor (neg, abs, relu, sign). */
    public boolean keepsIntegers() {
        return this == NEG || this == ABS || this == RELU || this == SIGN;
    }

    /** PyTorch's lower-case op name, for messages. */
    public String opName() {
        return Names.lower(this);
    }
}
