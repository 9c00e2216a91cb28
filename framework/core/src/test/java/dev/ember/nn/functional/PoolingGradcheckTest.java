package dev.ember.nn.functional;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.autograd.GradCheck;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gradcheck of the pools. Max pools get distinct values at least 0.1 apart (a shuffled ramp), so no two
 * elements of a window tie within the finite-difference step and the maximum is well defined.
 */
class PoolingGradcheckTest {

    @BeforeEach
    void seed() {
        Ember.manualSeed(5);
    }

    private static Tensor leaf(long... shape) {
        return Tensor.randn(DType.FLOAT64, shape).requiresGrad(true);
    }

    /** Values 0.1 * (a random permutation of 0..n-1) - a shift, as a float64 leaf. */
    private static Tensor distinct(long... shape) {
        int n = 1;
        for (long s : shape) {
            n *= (int) s;
        }
        java.util.List<Double> values = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add(0.1 * i - 0.05 * n);
        }
        java.util.Collections.shuffle(values, new java.util.Random(n));
        double[] data = values.stream().mapToDouble(Double::doubleValue).toArray();
        return Tensor.of(DType.FLOAT64, data, shape).requiresGrad(true);
    }

    private static void check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        assertTrue(GradCheck.gradcheck(f, inputs));
    }

    private static long[] p(long a, long b) {
        return new long[] {a, b};
    }

    @Test
    void maxPool2dPaddingAndCeilMode() {
        check(t -> Pooling.maxPool2d(t[0], p(3, 3), p(2, 2), p(1, 1), p(1, 1), true), distinct(1, 2, 5, 6));
        check(t -> Pooling.maxPool2d(t[0], p(2, 2), null, p(0, 0), p(1, 1), true), distinct(2, 1, 5, 3));
    }

    @Test
    void maxPool2dDilationUnbatched() {
        check(t -> Pooling.maxPool2d(t[0], p(2, 2), p(1, 2), p(1, 0), p(2, 1), false), distinct(2, 5, 5));
    }

    @Test
    void maxPool1d() {
        check(t -> Pooling.maxPool1d(t[0], 3, 2, 1, 1, true), distinct(2, 2, 8));
        check(t -> Pooling.maxPool1d(t[0], 2, 1, 0, 2, false), distinct(3, 6));
    }

    @Test
    void avgPool2dVariants() {
        check(t -> Pooling.avgPool2d(t[0], p(3, 3), p(2, 2), p(1, 1), true, false, null), leaf(1, 2, 5, 6));
        check(t -> Pooling.avgPool2d(t[0], p(3, 2), p(2, 1), p(1, 1), true, true, null), leaf(1, 1, 6, 4));
        check(t -> Pooling.avgPool2d(t[0], p(2, 2), null, p(0, 0), false, true, 3L), leaf(2, 4, 5));
    }

    @Test
    void adaptiveAvgPool2dNonDivisible() {
        check(t -> Pooling.adaptiveAvgPool2d(t[0], p(3, 2)), leaf(1, 2, 5, 7));
        check(t -> Pooling.adaptiveAvgPool2d(t[0], p(4, 4)), leaf(2, 3, 3)); // larger than the input
    }
}
