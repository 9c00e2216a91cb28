package dev.ember.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ember.Ember;
import dev.ember.tensor.DType;
import dev.ember.tensor.Device;
import dev.ember.tensor.Tensor;
import java.util.function.Function;

/**
 * The GPU tests' common ground: skip (not fail) without a GPU, and compare a CUDA result with the CPU backend's,
 * the reference, forward and backward.
 */
final class GpuCheck {
    static final Device CUDA = Device.cuda();

    private GpuCheck() {
    }

    /**
     * Skips without a GPU. On the emulator ({@code ember.cuda.driver} naming it) only a missing C++ compiler skips:
     * an emulator that does not build (a kernel using CUDA the emulator lacks) fails, or the run would pass while
     * testing nothing.
     */
    static void requireGpu() {
        String reason = Cuda.unavailableReason();
        if (reason != null && EmulatedDriver.class.getName().equals(System.getProperty("ember.cuda.driver"))
                && !reason.contains(EmulatedDriver.NO_COMPILER)) {
            fail("the CUDA emulator is not available: " + reason);
        }
        assumeTrue(Cuda.isAvailable(), () -> "no GPU here: " + reason);
    }

    /** Skips the calling test on a machine (or emulator) with fewer than two CUDA devices. */
    static void requireTwoDevices() {
        assumeTrue(Cuda.deviceCount() >= 2, "one CUDA device here");
    }

    /** Tolerances by dtype: float32 kernels may reorder sums and use the GPU's own libm. */
    static double tol(DType dtype) {
        return dtype == DType.FLOAT64 ? 1e-10 : 2e-5;
    }

    static void assertClose(String what, Tensor expected, Tensor actual, double rtol, double atol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        double[] e = expected.toDoubleArray();
        double[] a = actual.cpu().toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            boolean ok = Double.isNaN(e[i]) ? Double.isNaN(a[i])
                    : e[i] == a[i] || Math.abs(e[i] - a[i]) <= atol + rtol * Math.abs(e[i]);
            if (!ok) {
                fail(what + ": element " + i + " of " + e.length + ": CPU " + e[i] + ", CUDA " + a[i]);
            }
        }
    }

    static void assertClose(String what, Tensor expected, Tensor actual) {
        double t = tol(expected.dtype());
        assertClose(what, expected, actual, t, t);
    }

    /** Random normal values of the given shape and dtype (seeded: every run tests the same inputs). */
    static Tensor randn(long seed, DType dtype, long... shape) {
        Ember.manualSeed(seed);
        return Tensor.randn(DType.FLOAT64, shape).to(dtype);
    }

    /**
     * Runs {@code f} on CPU inputs and on their CUDA copies, compares the outputs, then back-propagates the same
     * random output gradient through both and compares every floating input's gradient. Inputs are contiguous
     * leaves; {@code f} makes the non-contiguous views (transpose, slice, expand) it wants to test, so the views
     * and their gradients run on the GPU too.
     */
    static void forwardBackward(String what, double rtol, double atol, Function<Tensor[], Tensor> f, Tensor... cpuInputs) {
        Tensor[] cpu = new Tensor[cpuInputs.length];
        Tensor[] gpu = new Tensor[cpuInputs.length];
        for (int i = 0; i < cpuInputs.length; i++) {
            boolean grad = cpuInputs[i].isFloatingPoint();
            cpu[i] = cpuInputs[i].detach().clone().requiresGrad(grad);
            gpu[i] = cpuInputs[i].detach().cuda().requiresGrad(grad);
        }
        Tensor yc = f.apply(cpu);
        Tensor yg = f.apply(gpu);
        assertEquals(CUDA, yg.device(), what + ": result device");
        assertClose(what + " forward", yc, yg, rtol, atol);
        if (!yc.requiresGrad()) {
            return;
        }
        Tensor g = randn(99, yc.dtype(), yc.shape());
        yc.backward(g);
        yg.backward(g.cuda());
        for (int i = 0; i < cpu.length; i++) {
            if (cpu[i].requiresGrad() && cpu[i].grad() != null) {
                assertEquals(CUDA, gpu[i].grad().device(), what + ": gradient device of input " + i);
                assertClose(what + " gradient of input " + i, cpu[i].grad(), gpu[i].grad(), rtol, atol);
            }
        }
    }

    static void forwardBackward(String what, Function<Tensor[], Tensor> f, Tensor... cpuInputs) {
        double t = tol(cpuInputs[0].dtype());
        forwardBackward(what, t, t, f, cpuInputs);
    }
}
