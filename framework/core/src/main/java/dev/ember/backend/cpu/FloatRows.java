package dev.ember.backend.cpu;

import dev.ember.backend.BinaryOp;
import dev.ember.backend.CompareOp;
import dev.ember.backend.UnaryOp;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 element-wise kernels on one row of unit-stride operands, with the JDK Vector API (DESIGN.md §6: one
 * static species, {@code loopBound}, a scalar tail). An operand of step 0 is one value broadcast along the row
 * (a scalar, or a bias element). Arrays are read through {@code MemorySegment.ofArray}, which keeps the bounds
 * checks out of the loop (../shared/bench/README.md). The scalar tails use the reference formulas of
 * {@link UnaryOp} and {@link BinaryOp}; + - * / sqrt max min give exactly those results in every lane; exp, log,
 * tanh, sin and cos run through {@link Math} ({@link ExactMath}) so results repeat exactly from run to run. {@link DoubleRows} is the float64 twin.
 */
final class FloatRows {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private FloatRows() {
    }

    private static FloatVector load(MemorySegment m, int i) {
        return FloatVector.fromMemorySegment(S, m, (long) i << 2, NATIVE);
    }

    private static void store(FloatVector v, MemorySegment m, int i) {
        v.intoMemorySegment(m, (long) i << 2, NATIVE);
    }

    /** {@code y[yo + i] = op(x[xo + i])} for i in [0, n). */
    static void unary(UnaryOp op, float[] x, int xo, float[] y, int yo, int n) {
        MemorySegment xs = MemorySegment.ofArray(x);
        MemorySegment ys = MemorySegment.ofArray(y);
        int bound = S.loopBound(n);
        int i = 0;
        if (op == UnaryOp.ERF || op == UnaryOp.ERFC) {
            VectorErf.row(op == UnaryOp.ERFC, x, xo, y, yo, n);
            return;
        }
        // shorter than one vector: straight to the scalar loop below (SIGN has no vector loop)
        switch (bound == 0 ? UnaryOp.SIGN : op) {
            case NEG -> {
                for (; i < bound; i += L) {
                    store(load(xs, xo + i).neg(), ys, yo + i);
                }
            }
            case ABS -> {
                for (; i < bound; i += L) {
                    store(load(xs, xo + i).abs(), ys, yo + i);
                }
            }
            case RELU -> i = relu(xs, xo, ys, yo, bound);
            case SQRT -> {
                for (; i < bound; i += L) {
                    store(load(xs, xo + i).sqrt(), ys, yo + i);
                }
            }
            // the loops with a polynomial each live in methods of their own: in this one they made it too big
            // for C2 to inline every vector op, and the ops it left out (even RELU's max) ran as boxing fallbacks
            case SIGMOID -> i = sigmoid(xs, xo, ys, yo, bound);
            case EXP -> i = exp(xs, xo, ys, yo, bound);
            case TANH -> i = tanh(xs, xo, ys, yo, bound);
            default -> {
                // SIGN, and log/sin/cos through Math: the scalar loop below
            }
        }
        unaryTail(op, x, xo, y, yo, i, n);
    }

    private static int relu(MemorySegment xs, int xo, MemorySegment ys, int yo, int bound) {
        // max(x, 0) keeps NaN and turns -0.0 into 0.0, as the reference does
        int i = 0;
        for (; i < bound; i += L) {
            store(load(xs, xo + i).max(0f), ys, yo + i);
        }
        return i;
    }

    private static int sigmoid(MemorySegment xs, int xo, MemorySegment ys, int yo, int bound) {
        // with e = exp(-|x|) <= 1 nothing overflows: 1 / (1 + e) for x >= 0, e / (1 + e) below, so tiny
        // results stay positive (float exp(100) would overflow the plain 1 / (1 + exp(-x)))
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector v = load(xs, xo + i);
            FloatVector e = ExactMath.exp(v.abs().neg());
            FloatVector r = FloatVector.broadcast(S, 1f).div(e.add(1f));
            store(r.blend(e.mul(r), v.compare(VectorOperators.LT, 0f)), ys, yo + i);
        }
        return i;
    }

    private static int exp(MemorySegment xs, int xo, MemorySegment ys, int yo, int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            store(ExactMath.exp(load(xs, xo + i)), ys, yo + i);
        }
        return i;
    }

    private static int tanh(MemorySegment xs, int xo, MemorySegment ys, int yo, int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            store(ExactMath.tanh(load(xs, xo + i)), ys, yo + i);
        }
        return i;
    }

    /** Elements [i, n) one at a time, the common ops without the (megamorphic) {@code op.apply} call. */
    private static void unaryTail(UnaryOp op, float[] x, int xo, float[] y, int yo, int i, int n) {
        switch (op) {
            case NEG -> {
                for (; i < n; i++) {
                    y[yo + i] = -x[xo + i];
                }
            }
            case RELU -> {
                for (; i < n; i++) {
                    float v = x[xo + i];
                    y[yo + i] = v > 0 ? v : v == v ? 0 : v;
                }
            }
            // the vector body's scalar twins, so that where a row splits does not change results
            case EXP -> {
                for (; i < n; i++) {
                    y[yo + i] = ExactMath.exp(x[xo + i]);
                }
            }
            case TANH -> {
                for (; i < n; i++) {
                    y[yo + i] = ExactMath.tanh(x[xo + i]);
                }
            }
            case SIGMOID -> {
                for (; i < n; i++) {
                    y[yo + i] = ExactMath.sigmoid(x[xo + i]);
                }
            }
            default -> {
                for (; i < n; i++) {
                    y[yo + i] = (float) op.apply(x[xo + i]);
                }
            }
        }
    }

    /**
     * {@code y[yo + i] = op(a[ao + i*sa], b[bo + i*sb])} for steps sa, sb in {0, 1}, not both 0; false (nothing
     * done) for ops without a vector kernel (POW).
     */
    static boolean binary(BinaryOp op, float[] a, int ao, int sa, float[] b, int bo, int sb, float[] y, int yo,
                          int n) {
        if (op == BinaryOp.POW || (sa | sb) == 0) {
            return false;
        }
        int bound = S.loopBound(n);
        int i;
        if (bound == 0) {
            i = 0; // shorter than one vector: the scalar loop below
        } else if (sa == 1 && sb == 1) {
            i = vv(op, a, ao, b, bo, y, yo, bound);
        } else if (sa == 1) {
            i = vs(op, a, ao, b[bo], y, yo, bound);
        } else {
            i = sv(op, a[ao], b, bo, y, yo, bound);
        }
        binaryTail(op, a, ao, sa, b, bo, sb, y, yo, i, n);
        return true;
    }

    /**
     * Elements [i, n) one at a time. {@code op.apply} is a call the JIT cannot inline once several ops have run
     * through it, and short rows (an image row in im2col) are mostly tail; float arithmetic gives exactly the
     * reference's result (double, rounded once).
     */
    private static void binaryTail(BinaryOp op, float[] a, int ao, int sa, float[] b, int bo, int sb,
                                   float[] y, int yo, int i, int n) {
        switch (op) {
            case ADD -> {
                for (; i < n; i++) {
                    y[yo + i] = a[ao + i * sa] + b[bo + i * sb];
                }
            }
            case SUB -> {
                for (; i < n; i++) {
                    y[yo + i] = a[ao + i * sa] - b[bo + i * sb];
                }
            }
            case MUL -> {
                for (; i < n; i++) {
                    y[yo + i] = a[ao + i * sa] * b[bo + i * sb];
                }
            }
            case DIV -> {
                for (; i < n; i++) {
                    y[yo + i] = a[ao + i * sa] / b[bo + i * sb];
                }
            }
            default -> {
                for (; i < n; i++) {
                    y[yo + i] = (float) op.apply(a[ao + i * sa], b[bo + i * sb]);
                }
            }
        }
    }

    private static int vv(BinaryOp op, float[] a, int ao, float[] b, int bo, float[] y, int yo, int bound) {
        // the segments are made here, next to the loops, so that escape analysis can drop them
        MemorySegment as = MemorySegment.ofArray(a);
        MemorySegment bs = MemorySegment.ofArray(b);
        MemorySegment ys = MemorySegment.ofArray(y);
        int i = 0;
        switch (op) {
            case ADD -> {
                for (; i < bound; i += L) {
                    store(load(as, ao + i).add(load(bs, bo + i)), ys, yo + i);
                }
            }
            case SUB -> {
                for (; i < bound; i += L) {
                    store(load(as, ao + i).sub(load(bs, bo + i)), ys, yo + i);
                }
            }
            case MUL -> {
                for (; i < bound; i += L) {
                    store(load(as, ao + i).mul(load(bs, bo + i)), ys, yo + i);
                }
            }
            case DIV -> {
                for (; i < bound; i += L) {
                    store(load(as, ao + i).div(load(bs, bo + i)), ys, yo + i);
                }
            }
            case MAXIMUM -> {
                for (; i < bound; i += L) {
                    store(load(as, ao + i).max(load(bs, bo + i)), ys, yo + i);
                }
            }
            case MINIMUM -> {
                for (; i < bound; i += L) {
                    store(load(as, ao + i).min(load(bs, bo + i)), ys, yo + i);
                }
            }
            default -> throw new IllegalStateException(op.name());
        }
        return i;
    }

    private static int vs(BinaryOp op, float[] a, int ao, float c, float[] y, int yo, int bound) {
        MemorySegment as = MemorySegment.ofArray(a);
        MemorySegment ys = MemorySegment.ofArray(y);
        int i = 0;
        switch (op) {
            case ADD -> {
                for (; i < bound; i += L) {
                    store(load(as, ao + i).add(c), ys, yo + i);
                }
            }
            case SUB -> {
                for (; i < bound; i += L) {
                    store(load(as, ao + i).sub(c), ys, yo + i);
                }
            }
            case MUL -> {
                for (; i < bound; i += L) {
                    store(load(as, ao + i).mul(c), ys, yo + i);
                }
            }
            case DIV -> {
                for (; i < bound; i += L) {
                    store(load(as, ao + i).div(c), ys, yo + i);
                }
            }
            case MAXIMUM -> {
                for (; i < bound; i += L) {
                    store(load(as, ao + i).max(c), ys, yo + i);
                }
            }
            case MINIMUM -> {
                for (; i < bound; i += L) {
                    store(load(as, ao + i).min(c), ys, yo + i);
                }
            }
            default -> throw new IllegalStateException(op.name());
        }
        return i;
    }

    private static int sv(BinaryOp op, float c, float[] b, int bo, float[] y, int yo, int bound) {
        MemorySegment bs = MemorySegment.ofArray(b);
        MemorySegment ys = MemorySegment.ofArray(y);
        FloatVector vc = FloatVector.broadcast(S, c);
        int i = 0;
        switch (op) {
            case ADD -> {
                for (; i < bound; i += L) {
                    store(vc.add(load(bs, bo + i)), ys, yo + i);
                }
            }
            case SUB -> {
                for (; i < bound; i += L) {
                    store(vc.sub(load(bs, bo + i)), ys, yo + i);
                }
            }
            case MUL -> {
                for (; i < bound; i += L) {
                    store(vc.mul(load(bs, bo + i)), ys, yo + i);
                }
            }
            case DIV -> {
                for (; i < bound; i += L) {
                    store(vc.div(load(bs, bo + i)), ys, yo + i);
                }
            }
            case MAXIMUM -> {
                for (; i < bound; i += L) {
                    store(vc.max(load(bs, bo + i)), ys, yo + i);
                }
            }
            case MINIMUM -> {
                for (; i < bound; i += L) {
                    store(vc.min(load(bs, bo + i)), ys, yo + i);
                }
            }
            default -> throw new IllegalStateException(op.name());
        }
        return i;
    }

    /**
     * {@code y[yo + i] = op(a[ao + i*sa], b[bo + i*sb])} as bools, for steps in {0, 1} not both 0. Lanes follow
     * Java's comparisons, which are {@link CompareOp#test}'s: NaN is only "not equal", -0.0 equals 0.0.
     */
    static void compare(CompareOp op, float[] a, int ao, int sa, float[] b, int bo, int sb, boolean[] y, int yo,
                        int n) {
        int bound = S.loopBound(n);
        int i = 0;
        if (sa == 1) {
            i = sb == 1 ? compareVv(op, a, ao, b, bo, y, yo, bound) : compareVs(op, a, ao, b[bo], y, yo, bound);
        } else {
            // c op b[i] is b[i] op' c with the operands' roles swapped (lt <-> gt, le <-> ge)
            i = compareVs(mirror(op), b, bo, a[ao], y, yo, bound);
        }
        for (; i < n; i++) {
            y[yo + i] = op.test(a[ao + i * sa], b[bo + i * sb]);
        }
    }

    static CompareOp mirror(CompareOp op) {
        return switch (op) {
            case EQ, NE -> op;
            case LT -> CompareOp.GT;
            case LE -> CompareOp.GE;
            case GT -> CompareOp.LT;
            case GE -> CompareOp.LE;
        };
    }

    private static int compareVv(CompareOp op, float[] a, int ao, float[] b, int bo, boolean[] y, int yo,
                                 int bound) {
        MemorySegment as = MemorySegment.ofArray(a);
        MemorySegment bs = MemorySegment.ofArray(b);
        int i = 0;
        switch (op) {
            case EQ -> {
                for (; i < bound; i += L) {
                    load(as, ao + i).compare(VectorOperators.EQ, load(bs, bo + i)).intoArray(y, yo + i);
                }
            }
            case NE -> {
                for (; i < bound; i += L) {
                    load(as, ao + i).compare(VectorOperators.NE, load(bs, bo + i)).intoArray(y, yo + i);
                }
            }
            case LT -> {
                for (; i < bound; i += L) {
                    load(as, ao + i).compare(VectorOperators.LT, load(bs, bo + i)).intoArray(y, yo + i);
                }
            }
            case LE -> {
                for (; i < bound; i += L) {
                    load(as, ao + i).compare(VectorOperators.LE, load(bs, bo + i)).intoArray(y, yo + i);
                }
            }
            case GT -> {
                for (; i < bound; i += L) {
                    load(as, ao + i).compare(VectorOperators.GT, load(bs, bo + i)).intoArray(y, yo + i);
                }
            }
            case GE -> {
                for (; i < bound; i += L) {
                    load(as, ao + i).compare(VectorOperators.GE, load(bs, bo + i)).intoArray(y, yo + i);
                }
            }
        }
        return i;
    }

    private static int compareVs(CompareOp op, float[] a, int ao, float c, boolean[] y, int yo, int bound) {
        MemorySegment as = MemorySegment.ofArray(a);
        int i = 0;
        switch (op) {
            case EQ -> {
                for (; i < bound; i += L) {
                    load(as, ao + i).compare(VectorOperators.EQ, c).intoArray(y, yo + i);
                }
            }
            case NE -> {
                for (; i < bound; i += L) {
                    load(as, ao + i).compare(VectorOperators.NE, c).intoArray(y, yo + i);
                }
            }
            case LT -> {
                for (; i < bound; i += L) {
                    load(as, ao + i).compare(VectorOperators.LT, c).intoArray(y, yo + i);
                }
            }
            case LE -> {
                for (; i < bound; i += L) {
                    load(as, ao + i).compare(VectorOperators.LE, c).intoArray(y, yo + i);
                }
            }
            case GT -> {
                for (; i < bound; i += L) {
                    load(as, ao + i).compare(VectorOperators.GT, c).intoArray(y, yo + i);
                }
            }
            case GE -> {
                for (; i < bound; i += L) {
                    load(as, ao + i).compare(VectorOperators.GE, c).intoArray(y, yo + i);
                }
            }
        }
        return i;
    }

    /** {@code y[yo + i] = c[co + i] ? a[ao + i*sa] : b[bo + i*sb]}, cond unit-stride, steps in {0, 1}. */
    static void where(boolean[] c, int co, float[] a, int ao, int sa, float[] b, int bo, int sb, float[] y, int yo,
                      int n) {
        MemorySegment ys = MemorySegment.ofArray(y);
        int bound = S.loopBound(n);
        int i = 0;
        FloatVector ca = FloatVector.broadcast(S, a[ao]);
        FloatVector cb = FloatVector.broadcast(S, b[bo]);
        MemorySegment as = MemorySegment.ofArray(a);
        MemorySegment bs = MemorySegment.ofArray(b);
        for (; i < bound; i += L) {
            FloatVector va = sa == 0 ? ca : load(as, ao + i);
            FloatVector vb = sb == 0 ? cb : load(bs, bo + i);
            store(vb.blend(va, VectorMask.fromArray(S, c, co + i)), ys, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = c[co + i] ? a[ao + i * sa] : b[bo + i * sb];
        }
    }
}
