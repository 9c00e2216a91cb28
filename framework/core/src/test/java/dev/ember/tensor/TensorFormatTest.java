package dev.ember.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** toString prints what PyTorch prints; every expected string here is PyTorch 1.13's str() of the same tensor. */
class TensorFormatTest {

    private static Tensor f64(double... v) {
        return Tensor.of(DType.FLOAT64, v, v.length);
    }

    @Test
    void basics() {
        assertEquals("tensor([[1., 2.],\n        [3., 4.]])", Tensor.of(new double[] {1, 2, 3, 4}, 2, 2).toString());
        assertEquals("tensor([[1., 2.],\n        [3., 4.]], dtype=torch.float64)",
                Tensor.of(DType.FLOAT64, new double[] {1, 2, 3, 4}, 2, 2).toString());
        assertEquals("tensor([0.5000, 1.2500])", Tensor.of(new double[] {0.5, 1.25}, 2).toString());
        assertEquals("tensor([-0.5000,  1.2500])", Tensor.of(new double[] {-0.5, 1.25}, 2).toString());
        assertEquals("tensor([0, 2])", Tensor.of(new long[] {0, 2}, 2).toString());
        assertEquals("tensor([-1, 10])", Tensor.of(new long[] {-1, 10}, 2).toString());
        // bools are right-aligned to the widest, like every element: " True" next to "False"
        assertEquals("tensor([ True, False])", Tensor.of(new boolean[] {true, false}, 2).toString());
        assertEquals("tensor([[ True],\n        [False]])", Tensor.of(new boolean[] {true, false}, 2, 1).toString());
        assertEquals("tensor([[[1., 2.]],\n\n        [[3., 4.]]])", Tensor.of(new double[] {1, 2, 3, 4}, 2, 1, 2).toString());
        assertEquals("tensor([[1., 0., 0.],\n        [0., 1., 0.]])", Tensor.eye(DType.FLOAT32, 2, 3).toString());
    }

    @Test
    void zeroDimAndEmpty() {
        assertEquals("tensor(2.)", Tensor.scalar(2).toString());
        assertEquals("tensor(2., dtype=torch.float64)", Tensor.scalar(DType.FLOAT64, 2).toString());
        assertEquals("tensor(-3)", Tensor.scalar(DType.INT64, -3).toString());
        assertEquals("tensor(nan)", Tensor.scalar(Double.NaN).toString());
        assertEquals("tensor([])", Tensor.zeros(0).toString());
        assertEquals("tensor([], size=(2, 0))", Tensor.zeros(2, 0).toString());
        assertEquals("tensor([], dtype=torch.int64)", Tensor.zeros(DType.INT64, 0).toString());
        assertEquals("tensor([], size=(3, 0), dtype=torch.float64)", Tensor.zeros(DType.FLOAT64, 3, 0).toString());
    }

    @Test
    void autogradSuffixes() {
        Tensor x = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        assertEquals("tensor([1., 2.], requires_grad=True)", x.toString());
        assertEquals("tensor([2., 4.], grad_fn=<MulBackward0>)", x.mul(2.0).toString());
        Tensor d = f64(1, 2).requiresGrad(true);
        assertEquals("tensor([1., 2.], dtype=torch.float64, requires_grad=True)", d.toString());
        assertEquals("tensor([2., 4.], dtype=torch.float64, grad_fn=<MulBackward0>)", d.mul(2.0).toString());
        assertEquals("tensor([1., 2.])", x.detach().toString());
    }

    @Test
    void scientificNotation() {
        assertEquals("tensor([1.0000e-05, 1.0000e+00])", Tensor.of(new double[] {1e-5, 1.0}, 2).toString());
        assertEquals("tensor([1.0000e-05, 1.0000e-05])", Tensor.of(new double[] {1e-5, 1e-5}, 2).toString());
        assertEquals("tensor([1.2346e+02, 1.0000e-03])", Tensor.of(new double[] {123.456, 0.001}, 2).toString());
        assertEquals("tensor([1.5000e-04, 5.0000e-01])", Tensor.of(new double[] {0.00015, 0.5}, 2).toString());
        assertEquals("tensor([2.5000e+08, 1.5000e+00])", Tensor.of(new double[] {2.5e8, 1.5}, 2).toString());
        assertEquals("tensor([[1.5000e+00, 2.0000e+03],\n        [3.0000e+00, 4.0000e+00]])",
                Tensor.of(new double[] {1.5, 2000, 3, 4}, 2, 2).toString());
        // integer-valued floats switch to scientific on a span over 1000x or a value over 1e8
        assertEquals("tensor([1.0000e+00, 2.0000e+03])", Tensor.of(new double[] {1, 2000}, 2).toString());
        assertEquals("tensor([   1., 1000.])", Tensor.of(new double[] {1, 1000}, 2).toString());
        assertEquals("tensor([1.0000e+08, 1.0000e+00])", Tensor.of(new double[] {1e8, 1}, 2).toString());
    }

    @Test
    void nonFiniteAndSignedZero() {
        assertEquals("tensor([   nan, 1.5000,    inf])",
                Tensor.of(new double[] {Double.NaN, 1.5, Double.POSITIVE_INFINITY}, 3).toString());
        // the width comes from the non-zero finite values only
        assertEquals("tensor([nan, 0.])", Tensor.of(new double[] {Double.NaN, 0}, 2).toString());
        assertEquals("tensor([-inf, 1.])", Tensor.of(new double[] {Double.NEGATIVE_INFINITY, 1}, 2).toString());
        assertEquals("tensor([-0., 0.])", Tensor.of(new double[] {-0.0, 0.0}, 2).toString());
        assertEquals("tensor([-1.0000e-05,  5.0000e-01])", Tensor.of(new double[] {-0.00001, 0.5}, 2).toString());
    }

    @Test
    void roundingFollowsTheBinaryValue() {
        // Python rounds the exact binary value: 2.00005 is 2.0000499999..., 1.00125 is 1.0012499999...
        assertEquals("tensor([2.0000, 0.5000], dtype=torch.float64)", f64(2.00005, 0.5).toString());
        assertEquals("tensor([0.1235, 0.5000])", Tensor.of(new double[] {0.12345, 0.5}, 2).toString());
        assertEquals("tensor([1.0012, 0.5000], dtype=torch.float64)", f64(1.00125, 0.5).toString());
        assertEquals("tensor([10.0000, 10.0000, 10.0000], dtype=torch.float64)",
                Tensor.full(DType.FLOAT64, 9.99995, 3).toString());
    }

    @Test
    void longRowsWrapAt80Columns() {
        assertEquals("tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,\n"
                + "        18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29])", Tensor.arange(30).toString());
        assertEquals("tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
                + "        14., 15., 16.])", Tensor.arange(0.0, 17.0, 1.0).toString());
        // the dtype suffix moves to its own line when it would pass column 80
        assertEquals("tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
                + "        14., 15., 16.], dtype=torch.float64)", Tensor.arange(DType.FLOAT64, 0, 17, 1).toString());
    }

    @Test
    void summarizesOver1000Elements() {
        assertEquals("tensor([   0,    1,    2,  ..., 1997, 1998, 1999])", Tensor.arange(2000).toString());
        assertEquals("tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.])",
                Tensor.arange(0.0, 1001.0, 1.0).toString());
        // the format is chosen from the printed edge values only
        assertEquals("tensor([[0.0000e+00, 1.0000e+00],\n        [2.0000e+00, 3.0000e+00],\n"
                + "        [4.0000e+00, 5.0000e+00],\n        ...,\n        [1.9940e+03, 1.9950e+03],\n"
                + "        [1.9960e+03, 1.9970e+03],\n        [1.9980e+03, 1.9990e+03]])",
                Tensor.arange(0.0, 2000.0, 1.0).reshape(1000, 2).toString());
        assertEquals("tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n"
                + "        1.9990e+03])", Tensor.arange(0.0, 2000.0, 1.0).toString());
    }
}
