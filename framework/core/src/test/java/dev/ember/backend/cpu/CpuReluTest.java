package dev.ember.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ReLU's one-pass gradient ({@link CpuRelu}, through ReluBackward0) against the composite it replaces,
 * {@code where(out > 0, grad, 0)}, bit for bit: outputs with zeros of both signs and NaN, gradients with NaN and
 * infinities, float32 and float64, sizes around the parallel grain, 1 and 2 threads.
 */
class CpuReluTest {
    private final int savedThreads = Parallel.numThreads();

    @AfterEach
    void restoreThreads() {
        Parallel.setNumThreads(savedThreads);
    }

    private static double[] values(Random r, int n) {
        double[] special = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-40};
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(8) == 0 ? special[r.nextInt(special.length)] : r.nextGaussian();
        }
        return v;
    }

    @Test
    void matchesTheCompositeBitForBit() {
        Random r = new Random(3);
        for (int threads : new int[] {1, 2}) {
            Parallel.setNumThreads(threads);
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                for (int n : new int[] {1, 7, 16383, 16385, 40000}) {
                    Tensor x = Tensor.of(dtype, values(r, n), n).requiresGrad(true);
                    Tensor g = Tensor.of(dtype, values(r, n), n);
                    Tensor out = x.relu();
                    out.backward(g);
                    Tensor fused = x.grad();
                    assertNotNull(fused);
                    Tensor composite = g.where(out.detach().gt(0.0), Tensor.scalar(dtype, 0));
                    String what = dtype + " n=" + n + " threads=" + threads;
                    assertEquals(composite.dtype(), fused.dtype(), what);
                    if (dtype == DType.FLOAT32) {
                        assertArrayEquals(bits(composite.toFloatArray()), bits(fused.toFloatArray()), what);
                    } else {
                        assertArrayEquals(bits(composite.toDoubleArray()), bits(fused.toDoubleArray()), what);
                    }
                }
            }
        }
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }

    private static long[] bits(double[] v) {
        long[] b = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Double.doubleToRawLongBits(v[i]);
        }
        return b;
    }
}
