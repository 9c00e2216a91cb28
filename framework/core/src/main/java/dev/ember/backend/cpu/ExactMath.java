package dev.ember.backend.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;

/**
 * exp and tanh of a whole vector through {@link Math}, lane by lane, and a fixed-order lane sum. The Vector
 * API's own transcendental operators give different last bits when the JIT compiles them (to SVML-style stubs)
 * than when they run interpreted, so results would change with warm-up and from run to run; {@link Math}'s functions are
 * the same in the interpreter and in compiled code. A training run with a fixed seed must repeat exactly.
 */
final class ExactMath {
    // one lane buffer per thread: these run inside hot loops, so they must not allocate
    private static final ThreadLocal<float[]> FLOATS = ThreadLocal.withInitial(() -> new float[64]);
    private static final ThreadLocal<double[]> DOUBLES = ThreadLocal.withInitial(() -> new double[64]);

    private ExactMath() {
    }

    static FloatVector exp(FloatVector v) {
        float[] a = FLOATS.get();
        v.intoArray(a, 0);
        for (int i = 0; i < v.length(); i++) {
            a[i] = (float) Math.exp(a[i]);
        }
        return FloatVector.fromArray(v.species(), a, 0);
    }

    static DoubleVector exp(DoubleVector v) {
        double[] a = DOUBLES.get();
        v.intoArray(a, 0);
        for (int i = 0; i < v.length(); i++) {
            a[i] = Math.exp(a[i]);
        }
        return DoubleVector.fromArray(v.species(), a, 0);
    }

    static FloatVector tanh(FloatVector v) {
        float[] a = FLOATS.get();
        v.intoArray(a, 0);
        for (int i = 0; i < v.length(); i++) {
            a[i] = (float) Math.tanh(a[i]);
        }
        return FloatVector.fromArray(v.species(), a, 0);
    }

    static DoubleVector tanh(DoubleVector v) {
        double[] a = DOUBLES.get();
        v.intoArray(a, 0);
        for (int i = 0; i < v.length(); i++) {
            a[i] = Math.tanh(a[i]);
        }
        return DoubleVector.fromArray(v.species(), a, 0);
    }

    /** Fixed left-to-right sum of the lanes ({@code reduceLanes(ADD)} may add them in any order). */
    static double sumLanes(DoubleVector v) {
        double s = 0;
        for (int i = 0; i < v.length(); i++) {
            s += v.lane(i);
        }
        return s;
    }
}
