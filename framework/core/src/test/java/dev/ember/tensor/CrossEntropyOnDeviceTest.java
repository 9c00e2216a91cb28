package dev.ember.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.backend.DeviceGraph;
import dev.ember.nn.functional.F;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fused cross entropy with its targets left on the device (ignore mask and count computed there, nothing read
 * back) against the host-target version, the one the CPU runs: the same operations on the same values, so the
 * same bits, forward and backward, for every reduction, with and without ignored rows.
 */
class CrossEntropyOnDeviceTest {

    private static Tensor[] run(boolean onDevice, DType dtype, double[] logits, long[] targets, long ignore,
                                String reduction) {
        Tensor x = Tensor.of(dtype, logits, targets.length, logits.length / targets.length).requiresGrad(true);
        Tensor loss = onDevice
                ? Fused.crossEntropy(x, Tensor.of(targets, targets.length), ignore, reduction)
                : Fused.crossEntropy(x, targets, ignore, reduction);
        Tensor g = loss.dim() == 0 ? loss : loss.mul(Tensor.arange(targets.length).to(dtype).add(1.0));
        g.sum().backward();
        return new Tensor[] {loss.detach(), x.grad()};
    }

    @Test
    void deviceTargetsGiveTheHostTargetsBits() {
        SplittableRandom rnd = new SplittableRandom(3);
        int n = 7;
        int c = 5;
        double[] logits = new double[n * c];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = rnd.nextGaussian() * 3;
        }
        long[] allValid = {0, 4, 2, 2, 1, 3, 0};
        long[] someIgnored = {0, -100, 2, 4, -100, 3, 1};
        long[] allIgnored = {7, 7, 7, 7, 7, 7, 7};
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (String reduction : new String[] {"mean", "sum", "none"}) {
                for (long[] t : new long[][] {allValid, someIgnored}) {
                    Tensor[] host = run(false, dtype, logits, t, -100, reduction);
                    Tensor[] dev = run(true, dtype, logits, t, -100, reduction);
                    String what = dtype + " " + reduction + " " + java.util.Arrays.toString(t);
                    assertArrayEquals(host[0].toDoubleArray(), dev[0].toDoubleArray(), 0.0, what + " loss");
                    assertArrayEquals(host[1].toDoubleArray(), dev[1].toDoubleArray(), 0.0, what + " grad");
                }
                Tensor[] host = run(false, dtype, logits, allIgnored, 7, reduction);
                Tensor[] dev = run(true, dtype, logits, allIgnored, 7, reduction);
                assertArrayEquals(host[0].toDoubleArray(), dev[0].toDoubleArray(), 0.0, "all ignored " + reduction);
                if (reduction.equals("mean")) {
                    assertTrue(Double.isNaN(dev[0].item()), "mean over no targets is NaN, as in PyTorch");
                }
            }
        }
    }

    /** A bad target still names itself on the CPU, where the check reads the values at once. */
    @Test
    void badTargetIsReported() {
        Tensor x = Tensor.zeros(3, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.crossEntropy(x, Tensor.of(new long[] {0, 9, 1}, 3)));
        assertEquals("crossEntropy: target 9 is out of bounds for 4 classes (valid: 0..3 or ignore_index -100)",
                e.getMessage());
    }

    /**
     * Targets handed over unchecked (a check message given) are checked here when the backend has no loss kernel
     * to do it: the CPU's, with a negative target; ignore_index passes.
     */
    @Test
    void uncheckedTargetsAreCheckedWhenNoKernelDoes() {
        Tensor x = Tensor.zeros(3, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fused.crossEntropy(x, Tensor.of(new long[] {0, -3, 1}, 3), -100, "mean", "ce: target %d"));
        assertEquals("ce: target -3", e.getMessage());
        assertEquals(Math.log(4), Fused.crossEntropy(x, Tensor.of(new long[] {0, -100, 3}, 3), -100, "mean",
                "ce: target %d").item(), 1e-6); // float32
    }

    /** The CPU runs every op at once: there is nothing to capture, and it says so. */
    @Test
    void cpuHasNoGraphs() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> DeviceGraph.capture(Device.CPU, () -> { }));
        assertTrue(e.getMessage().contains("capture needs a CUDA device"), e.getMessage());
    }
}
