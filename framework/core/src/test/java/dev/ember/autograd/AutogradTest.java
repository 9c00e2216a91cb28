package dev.ember.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The autograd engine's behaviour: accumulation, retain_grad, detach, no_grad, graph freeing, in-place checks. */
class AutogradTest {

    private static Tensor f64(double... v) {
        return Tensor.of(DType.FLOAT64, v, v.length).requiresGrad(true);
    }

    private static String message(Class<? extends Throwable> type, Executable e) {
        return assertThrows(type, e).getMessage();
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), () -> "expected \"" + p + "\" in: " + message);
        }
    }

    @Test
    void seedNeuronMatchesPyTorchExactly() {
        // the micrograd neuron; values printed by PyTorch with the same float32 -> float64 inputs
        Tensor x1 = Tensor.of(2.0).toDouble().requiresGrad(true);
        Tensor x2 = Tensor.of(0.0).toDouble().requiresGrad(true);
        Tensor w1 = Tensor.of(-3.0).toDouble().requiresGrad(true);
        Tensor w2 = Tensor.of(1.0).toDouble().requiresGrad(true);
        Tensor b = Tensor.of(6.8813735870195432).toDouble().requiresGrad(true);
        Tensor o = x1.mul(w1).add(x2.mul(w2)).add(b).tanh();
        o.backward();
        assertEquals(0.7071066904050358, o.item(), 0.0);
        assertEquals(0.5000001283844369, x2.grad().item(), 0.0);
        assertEquals(0.0, w2.grad().item(), 0.0);
        assertEquals(-1.5000003851533106, x1.grad().item(), 0.0);
        assertEquals(1.0000002567688737, w1.grad().item(), 0.0);
        assertEquals(0.5000001283844369, b.grad().item(), 0.0);
        assertEquals(DType.FLOAT64, x1.grad().dtype());
    }

    @Test
    void gradFnNames() {
        Tensor x = f64(1, 2);
        Tensor y = f64(3, 4);
        assertEquals("MulBackward0", x.mul(y).gradFn().name());
        assertEquals("AddBackward0", x.add(y).gradFn().name());
        assertEquals("SumBackward1", x.sum(0, false).gradFn().name());
        assertEquals("TanhBackward0", x.tanh().gradFn().name());
        assertNull(x.gradFn());
        assertTrue(x.isLeaf());
        assertFalse(x.mul(y).isLeaf());
    }

    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        Tensor x = f64(1, 2, 3);
        x.mul(x).sum().backward();
        assertArrayEquals(new double[] {2, 4, 6}, x.grad().toDoubleArray(), 0.0);
        x.mul(3.0).sum().backward();
        assertArrayEquals(new double[] {5, 7, 9}, x.grad().toDoubleArray(), 0.0);
        x.setGrad(null);
        x.sum().backward();
        assertArrayEquals(new double[] {1, 1, 1}, x.grad().toDoubleArray(), 0.0);
    }

    @Test
    void leafUsedTwiceGetsTheSumOfBothPaths() {
        Tensor x = f64(1.5, -2);
        x.mul(2.0).add(x.exp()).sum().backward();
        assertArrayEquals(new double[] {2 + Math.exp(1.5), 2 + Math.exp(-2)}, x.grad().toDoubleArray(), 1e-15);
    }

    @Test
    void retainGradOnNonLeaf() {
        Tensor x = f64(1, 2, 3);
        Tensor y = x.mul(2.0).retainGrad();
        Tensor z = x.mul(5.0);
        y.mul(y).sum().backward();
        assertArrayEquals(new double[] {4, 8, 12}, y.grad().toDoubleArray(), 0.0); // 2y
        assertArrayEquals(new double[] {8, 16, 24}, x.grad().toDoubleArray(), 0.0);
        assertNull(z.grad()); // not retained, not in the graph of the loss
    }

    @Test
    void detachStopsGradients() {
        Tensor x = f64(1, 2);
        Tensor d = x.detach();
        assertFalse(d.requiresGrad());
        assertNull(d.gradFn());
        // x * detach(x): only the first factor carries a gradient
        x.mul(x.detach()).sum().backward();
        assertArrayEquals(new double[] {1, 2}, x.grad().toDoubleArray(), 0.0);
        // detach shares storage
        try (var ignored = Autograd.noGrad()) {
            d.filli(7);
        }
        assertArrayEquals(new double[] {7, 7}, x.toDoubleArray(), 0.0);
    }

    @Test
    void noGradRecordsNothingAndScopesNest() {
        Tensor x = f64(1, 2);
        assertTrue(Autograd.isGradEnabled());
        try (var outer = Autograd.noGrad()) {
            assertFalse(Autograd.isGradEnabled());
            Tensor y = x.mul(2.0).exp();
            assertFalse(y.requiresGrad());
            assertNull(y.gradFn());
            try (var inner = Autograd.enableGrad()) {
                assertTrue(Autograd.isGradEnabled());
                Tensor z = x.mul(2.0);
                assertTrue(z.requiresGrad());
                assertEquals("MulBackward0", z.gradFn().name());
            }
            assertFalse(Autograd.isGradEnabled());
            try (var inner = Autograd.noGrad()) {
                assertFalse(Autograd.isGradEnabled());
            }
            assertFalse(Autograd.isGradEnabled());
        }
        assertTrue(Autograd.isGradEnabled());
        assertTrue(x.mul(2.0).requiresGrad());
    }

    @Test
    void secondBackwardThroughFreedGraphFails() {
        Tensor x = f64(1, 2);
        Tensor loss = x.exp().sum();
        loss.backward();
        String m = message(IllegalStateException.class, loss::backward);
        assertContains(m, "second time");
    }

    @Test
    void retainGraphAllowsASecondBackward() {
        Tensor x = f64(1, 2);
        Tensor loss = x.exp().sum();
        loss.backward(Tensor.scalar(DType.FLOAT64, 1.0), true);
        double[] once = x.grad().toDoubleArray();
        assertArrayEquals(new double[] {Math.exp(1), Math.exp(2)}, once, 1e-15);
        loss.backward(Tensor.scalar(DType.FLOAT64, 1.0), true);
        assertArrayEquals(new double[] {2 * once[0], 2 * once[1]}, x.grad().toDoubleArray(), 0.0);
        loss.backward(); // the last one may free it
        assertThrows(IllegalStateException.class, loss::backward);
    }

    @Test
    void backwardOnNonScalarNeedsAGradient() {
        Tensor x = f64(1, 2, 3);
        Tensor y = x.mul(2.0);
        assertContains(message(IllegalArgumentException.class, y::backward), "scalar outputs", "[3]");
        y.backward(Tensor.of(DType.FLOAT64, new double[] {1, 10, 100}, 3));
        assertArrayEquals(new double[] {2, 20, 200}, x.grad().toDoubleArray(), 0.0);
    }

    @Test
    void backwardWithWrongShapedGradient() {
        Tensor y = f64(1, 2, 3).mul(2.0);
        String m = message(IllegalArgumentException.class, () -> y.backward(Tensor.ones(DType.FLOAT64, 2)));
        assertContains(m, "backward", "[2]", "[3]");
    }

    @Test
    void backwardOnATensorThatDoesNotRequireGrad() {
        Tensor y = Tensor.ones(3).sum();
        assertThrows(IllegalStateException.class, y::backward);
    }

    @Test
    void inPlaceOnSavedOutputIsDetected() {
        Tensor x = f64(1, 2);
        Tensor y = x.exp(); // exp saves its output
        y.muli(2.0);
        Tensor loss = y.sum();
        assertContains(message(IllegalStateException.class, loss::backward), "modified by an inplace operation");
    }

    @Test
    void inPlaceOnSavedInputIsDetected() {
        Tensor x = f64(1, 2);
        Tensor a = x.mul(1.0);
        Tensor y = a.mul(a); // mul saves both inputs
        a.addi(1.0);
        assertContains(message(IllegalStateException.class, () -> y.sum().backward()), "modified by an inplace");
    }

    @Test
    void inPlaceOnLeafRequiringGrad() {
        Tensor x = f64(1, 2);
        assertThrows(IllegalStateException.class, () -> x.addi(1.0));
        assertThrows(IllegalStateException.class, () -> x.muli(Tensor.ones(DType.FLOAT64, 2)));
        assertThrows(IllegalStateException.class, () -> x.filli(0));
        assertThrows(IllegalStateException.class, x::zeroi);
        assertArrayEquals(new double[] {1, 2}, x.toDoubleArray(), 0.0);
        int v = x.version();
        try (var ignored = Autograd.noGrad()) {
            x.addi(1.0);
            assertEquals(v + 1, x.version());
            x.muli(Tensor.of(DType.FLOAT64, new double[] {2, 3}, 2));
            assertEquals(v + 2, x.version());
        }
        assertArrayEquals(new double[] {4, 9}, x.toDoubleArray(), 0.0);
        assertTrue(x.requiresGrad());
        assertTrue(x.isLeaf());
    }

    @Test
    void inPlaceOnNonLeafRebasesHistory() {
        Tensor x = f64(0.5, -1, 2);
        Tensor y = x.mul(2.0);
        y.addi(1.0);
        assertEquals("AddBackward0", y.gradFn().name());
        y.mul(y).sum().backward();
        // d/dx (2x+1)^2 = 4 (2x+1)
        assertArrayEquals(new double[] {8, -4, 20}, x.grad().toDoubleArray(), 0.0);
    }

    @Test
    void inPlaceMulWithATensorRequiringGrad() {
        Tensor x = f64(1, 2, 3);
        Tensor w = f64(4, 5, 6);
        Tensor y = x.mul(3.0);
        y.muli(w);
        assertArrayEquals(new double[] {12, 30, 54}, y.toDoubleArray(), 0.0);
        y.sum().backward();
        assertArrayEquals(new double[] {12, 15, 18}, x.grad().toDoubleArray(), 0.0); // 3w
        assertArrayEquals(new double[] {3, 6, 9}, w.grad().toDoubleArray(), 0.0); // 3x
    }

    @Test
    void inPlaceWithBroadcastOperandRequiringGrad() {
        Tensor x = Tensor.ones(DType.FLOAT64, 2, 3).requiresGrad(true);
        Tensor b = f64(1, 2, 3);
        Tensor y = x.mul(2.0);
        y.addi(b);
        y.mul(y).sum().backward();
        // y = 2 + b per column; d/db = sum over rows of 2y, d/dx = 2 * 2y
        assertArrayEquals(new double[] {12, 16, 20}, b.grad().toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {12, 16, 20, 12, 16, 20}, x.grad().toDoubleArray(), 0.0);
    }

    @Test
    void zeroiAndFilliWriteAndBumpVersion() {
        Tensor t = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
        int v = t.version();
        assertSame(t, t.filli(2.5));
        assertArrayEquals(new double[] {2.5, 2.5, 2.5, 2.5}, t.toDoubleArray(), 0.0);
        assertEquals(v + 1, t.version());
        assertSame(t, t.zeroi());
        assertArrayEquals(new double[] {0, 0, 0, 0}, t.toDoubleArray(), 0.0);
        assertEquals(v + 2, t.version());
        // through a view: the shared storage's version moves for both
        Tensor row = t.select(0, 1);
        row.filli(9);
        assertArrayEquals(new double[] {0, 0, 9, 9}, t.toDoubleArray(), 0.0);
        assertEquals(v + 3, t.version());
        assertEquals(t.version(), row.version());
    }

    @Test
    void filliOnNonLeafCutsTheGradient() {
        Tensor x = f64(1, 2);
        Tensor y = x.mul(2.0);
        y.filli(3.0);
        assertArrayEquals(new double[] {3, 3}, y.toDoubleArray(), 0.0);
        assertTrue(y.requiresGrad());
        y.mul(x).sum().backward();
        // only the direct path through mul reaches x: d/dx (3 * x) = 3
        assertArrayEquals(new double[] {3, 3}, x.grad().toDoubleArray(), 0.0);
    }

    @Test
    void inPlaceResultTypeMustCastToSelf() {
        Tensor i = Tensor.of(new long[] {1, 2}, 2);
        assertContains(message(IllegalArgumentException.class, () -> i.addi(Tensor.of(new double[] {0.5, 1}, 2))),
                "addi", "can't be cast", "torch.int64");
        assertContains(message(IllegalArgumentException.class, () -> i.addi(0.5)), "can't be cast");
        assertContains(message(IllegalArgumentException.class, () -> i.divi(2.0)), "divi", "can't be cast");
        assertArrayEquals(new long[] {1, 2}, i.toLongArray());
        // a float32 self accepts a float64 operand (result float64 casts down within the category)
        Tensor f = Tensor.of(new double[] {1, 2}, 2);
        f.addi(Tensor.of(DType.FLOAT64, new double[] {0.5, 0.25}, 2));
        assertEquals(DType.FLOAT32, f.dtype());
        assertArrayEquals(new double[] {1.5, 2.25}, f.toDoubleArray(), 0.0);
    }

    @Test
    void inPlaceCannotGrowSelfByBroadcasting() {
        Tensor t = Tensor.zeros(3);
        assertContains(message(IllegalArgumentException.class, () -> t.addi(Tensor.ones(2, 3))), "addi", "[3]", "[2, 3]");
    }

    @Test
    void gradientOfBroadcastInputIsSummedBackToItsShape() {
        Tensor a = Tensor.ones(DType.FLOAT64, 2, 3).requiresGrad(true);
        Tensor b = f64(1, 2, 3);
        a.mul(b).sum().backward();
        assertArrayEquals(new long[] {3}, b.grad().shape());
        assertArrayEquals(new double[] {2, 2, 2}, b.grad().toDoubleArray(), 0.0);
        assertArrayEquals(new long[] {2, 3}, a.grad().shape());
    }

    @Test
    void gradientIsCastToTheLeafDType() {
        Tensor a = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true); // float32
        Tensor b = f64(3, 4);
        Tensor y = a.mul(b);
        assertEquals(DType.FLOAT64, y.dtype());
        y.sum().backward();
        assertEquals(DType.FLOAT32, a.grad().dtype());
        assertArrayEquals(new double[] {3, 4}, a.grad().toDoubleArray(), 0.0);
        assertEquals(DType.FLOAT64, b.grad().dtype());
    }

    @Test
    void leafBackwardAndGradShape() {
        Tensor x = f64(5);
        x.backward();
        assertArrayEquals(new double[] {1}, x.grad().toDoubleArray(), 0.0);
        assertThrows(IllegalArgumentException.class, () -> x.setGrad(Tensor.ones(DType.FLOAT64, 2)));
        assertNotNull(x.grad());
    }

    @Test
    void requiresGradFlagOnlyOnLeaves() {
        Tensor x = f64(1, 2);
        Tensor y = x.mul(2.0);
        assertThrows(IllegalArgumentException.class, () -> y.requiresGrad(false));
        assertThrows(IllegalStateException.class, () -> Tensor.ones(2).retainGrad());
    }
}
