package dev.ember.autograd;

import static dev.ember.autograd.Gradchecks.check;
import static dev.ember.autograd.Gradchecks.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ember.Ember;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * gradcheck of reductions over all dims, one dim and several dims, keepDim both ways, negative dims, and
 * on non-contiguous (permuted, transposed, expanded) inputs.
 */
class GradcheckReductionTest {

    @BeforeEach
    void seed() {
        Ember.manualSeed(99);
    }

    @Test
    void sumAll() {
        check(in -> in[0].sum(), randn(2, 3, 2));
        check(in -> in[0].permute(2, 0, 1).sum(), randn(2, 3, 2));
        check(in -> in[0].expand(4, 3).sum(), randn(3));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void sumDims(boolean keepDim) {
        Tensor x = randn(2, 3, 2);
        check(in -> in[0].sum(0, keepDim), x);
        check(in -> in[0].sum(1, keepDim), x);
        check(in -> in[0].sum(-1, keepDim), x);
        check(in -> in[0].sum(new int[] {0, -1}, keepDim), x);
        check(in -> in[0].sum(new int[] {-1, -3}, keepDim), x);
        check(in -> in[0].permute(2, 0, 1).sum(-2, keepDim), x);
        check(in -> in[0].transpose(0, -1).sum(new int[] {1, 2}, keepDim), x);
        check(in -> in[0].expand(2, 2, 3).sum(new int[] {0, 2}, keepDim), randn(2, 1));
    }

    @Test
    void meanAll() {
        check(in -> in[0].mean(), randn(2, 3));
        check(in -> in[0].t().mean(), randn(2, 3));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void meanDims(boolean keepDim) {
        Tensor x = randn(2, 3, 2);
        check(in -> in[0].mean(1, keepDim), x);
        check(in -> in[0].mean(-1, keepDim), x);
        check(in -> in[0].mean(new int[] {0, 2}, keepDim), x);
        check(in -> in[0].mean(new int[] {-2, -1}, keepDim), x);
        check(in -> in[0].permute(1, 2, 0).mean(-1, keepDim), x);
        check(in -> in[0].narrow(1, 1, 2).mean(new int[] {-1, 0}, keepDim), x);
    }

    @Test
    void maxMinAll() {
        // continuous random values: no ties
        Tensor x = randn(3, 4);
        check(in -> in[0].max(), x);
        check(in -> in[0].min(), x);
        check(in -> in[0].t().max(), x);
        check(in -> in[0].narrow(0, 1, 2).min(), x);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void maxMinDim(boolean keepDim) {
        Tensor x = randn(2, 3, 4);
        check(in -> in[0].max(1, keepDim), x);
        check(in -> in[0].max(-1, keepDim), x);
        check(in -> in[0].min(0, keepDim), x);
        check(in -> in[0].min(-2, keepDim), x);
        check(in -> in[0].permute(2, 0, 1).max(-1, keepDim), x);
        check(in -> in[0].transpose(0, 2).min(0, keepDim), x);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void amaxAmin(boolean keepDim) {
        Tensor x = randn(2, 3, 4);
        check(in -> in[0].amax(new int[] {0, 2}, keepDim), x);
        check(in -> in[0].amax(new int[] {-1}, keepDim), x);
        check(in -> in[0].amin(new int[] {-1, -2}, keepDim), x);
        check(in -> in[0].amin(new int[] {1}, keepDim), x);
        check(in -> in[0].permute(1, 2, 0).amax(new int[] {0, -1}, keepDim), x);
    }

    @Test
    void maxWithTiesSharesTheGradient() {
        // PyTorch's amax: equal shares for tied maxima. gradcheck can't see ties (a kink), so check directly.
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 3, 3, 2}, 4).requiresGrad(true);
        x.max().backward();
        assertArrayEquals(new double[] {0, 0.5, 0.5, 0}, x.grad().toDoubleArray(), 0.0);
    }

    @Test
    void maxMinDimWithTiesRouteTheGradientToOneIndex() {
        // PyTorch: x.max(1).values backward goes to the returned index (the first maximum); amax shares
        double[] data = {1, 3, 3, 2, 2, 0};
        Tensor x = Tensor.of(DType.FLOAT64, data, 2, 3).requiresGrad(true);
        Tensor m = x.max(1, false);
        assertEquals("MaxBackward0", m.gradFn().name());
        m.sum().backward();
        assertArrayEquals(new double[] {0, 1, 0, 1, 0, 0}, x.grad().toDoubleArray(), 0.0);
        x.setGrad(null);
        x.min(-1, true).sum().backward();
        assertArrayEquals(new double[] {1, 0, 0, 0, 0, 1}, x.grad().toDoubleArray(), 0.0);
        x.setGrad(null);
        x.amax(new int[] {1}, false).sum().backward();
        assertArrayEquals(new double[] {0, 0.5, 0.5, 0.5, 0.5, 0}, x.grad().toDoubleArray(), 0.0);
        // the indices are taken at forward time: modifying x afterwards does not disturb backward
        Tensor y = Tensor.of(DType.FLOAT64, data, 2, 3).requiresGrad(true);
        Tensor c = y.mul(1.0);
        Tensor cm = c.max(0, false);
        c.addi(100.0);
        cm.sum().backward();
        assertArrayEquals(new double[] {0, 1, 1, 1, 0, 0}, y.grad().toDoubleArray(), 0.0);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void varAndStdAll(int correction) {
        Tensor x = randn(2, 3);
        check(in -> in[0].var(null, correction, false), x);
        check(in -> in[0].std(null, correction, false), x);
        check(in -> in[0].t().var(null, correction, true), x);
        check(in -> in[0].expand(2, 2, 3).std(null, correction, false), x);
    }

    @Test
    void varAndStdDefaults() {
        Tensor x = randn(3, 4);
        check(in -> in[0].var(), x);
        check(in -> in[0].std(), x);
        check(in -> in[0].var(-1, false), x);
        check(in -> in[0].std(0, true), x);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void varAndStdDims(int correction) {
        Tensor x = randn(2, 3, 3);
        for (boolean keepDim : new boolean[] {false, true}) {
            check(in -> in[0].var(new int[] {1}, correction, keepDim), x);
            check(in -> in[0].var(new int[] {-1, 0}, correction, keepDim), x);
            check(in -> in[0].std(new int[] {-2}, correction, keepDim), x);
            check(in -> in[0].std(new int[] {0, 2}, correction, keepDim), x);
            check(in -> in[0].permute(2, 0, 1).var(new int[] {-1}, correction, keepDim), x);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void logsumexp(boolean keepDim) {
        Tensor x = randn(2, 3, 2);
        check(in -> in[0].logsumexp(1, keepDim), x);
        check(in -> in[0].logsumexp(-1, keepDim), x);
        check(in -> in[0].logsumexp(new int[] {0, -1}, keepDim), x);
        check(in -> in[0].transpose(0, 1).logsumexp(-1, keepDim), x);
        // large values: the max shift keeps it finite, the gradient stays softmax
        check(in -> in[0].mul(50.0).logsumexp(0, keepDim), randn(4));
    }

    @Test
    void softmax() {
        Tensor x = randn(2, 3, 2);
        check(in -> in[0].softmax(-1), x);
        check(in -> in[0].softmax(0), x);
        check(in -> in[0].softmax(1), x);
        check(in -> in[0].permute(2, 0, 1).softmax(-1), x);
        check(in -> in[0].expand(2, 4).softmax(-1), randn(4));
        check(in -> in[0].expand(3, 4).softmax(0), randn(4));
        check(in -> in[0].softmax(0), randn(5));
    }

    @Test
    void logSoftmax() {
        Tensor x = randn(2, 3, 2);
        check(in -> in[0].logSoftmax(-1), x);
        check(in -> in[0].logSoftmax(1), x);
        check(in -> in[0].logSoftmax(-3), x);
        check(in -> in[0].transpose(0, 2).logSoftmax(-1), x);
        check(in -> in[0].narrow(-1, 1, 3).logSoftmax(-1), randn(2, 5));
    }

    @Test
    void reductionsComposeWithBroadcasting() {
        // x - mean(x) with the mean broadcast back: gradient flows through both paths
        check(in -> in[0].sub(in[0].mean(-1, true)).div(in[0].std(-1, true)), randn(3, 4));
        check(in -> in[0].softmax(-1).mul(in[1]).sum(0, false), randn(2, 3), randn(3));
    }
}
