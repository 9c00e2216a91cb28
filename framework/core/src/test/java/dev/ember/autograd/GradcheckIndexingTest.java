package dev.ember.autograd;

import static dev.ember.autograd.Gradchecks.check;
import static dev.ember.autograd.Gradchecks.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.ember.Ember;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** gradcheck of indexSelect, gather and scatterAdd: repeated indices, negative dims, strided inputs. */
class GradcheckIndexingTest {

    @BeforeEach
    void seed() {
        Ember.manualSeed(31337);
    }

    private static Tensor longs(long[] data, long... shape) {
        return Tensor.of(data, shape);
    }

    @Test
    void indexSelect() {
        Tensor repeated = longs(new long[] {2, 0, 2, 1, 2}, 5);
        check(in -> in[0].indexSelect(0, repeated), randn(3, 2));
        check(in -> in[0].indexSelect(1, repeated), randn(2, 3));
        check(in -> in[0].indexSelect(-1, repeated), randn(2, 2, 3));
        check(in -> in[0].indexSelect(-2, longs(new long[] {1, 1}, 2)), randn(2, 3, 2));
        // a 0-dim index selects one row and keeps the dim (size 1), as torch.index_select
        check(in -> in[0].indexSelect(0, Tensor.of(new long[] {1})), randn(3, 2));
        // strided inputs and a strided index
        check(in -> in[0].t().indexSelect(0, repeated), randn(2, 3));
        check(in -> in[0].expand(4, 3).indexSelect(-1, repeated), randn(3));
        Tensor stridedIndex = longs(new long[] {0, 9, 2, 9, 0, 9}, 6).slice(0, 0, 6, 2);
        check(in -> in[0].indexSelect(0, stridedIndex), randn(3, 2));
    }

    @Test
    void indexSelectGradientAccumulatesRepeats() {
        // the row picked three times gets three times the gradient (PyTorch's index_add backward)
        Tensor x = Tensor.ones(DType.FLOAT64, 3, 2).requiresGrad(true);
        x.indexSelect(0, longs(new long[] {2, 0, 2, 2}, 4)).sum().backward();
        assertArrayEquals(new double[] {1, 1, 0, 0, 3, 3}, x.grad().toDoubleArray(), 0.0);
    }

    @Test
    void gather() {
        Tensor idx = longs(new long[] {0, 0, 2, 1, 2, 2}, 2, 3);
        check(in -> in[0].gather(1, idx), randn(2, 3));
        check(in -> in[0].gather(-1, idx), randn(2, 4));
        // index smaller than the input outside the gathered dim
        check(in -> in[0].gather(0, longs(new long[] {1, 0, 1, 1}, 2, 2)), randn(3, 3));
        check(in -> in[0].gather(-2, longs(new long[] {2, 2, 0}, 1, 3)), randn(3, 3));
        // strided input, strided (expanded) index
        check(in -> in[0].t().gather(1, idx), randn(3, 2));
        check(in -> in[0].gather(1, longs(new long[] {1, 1, 0}, 1, 3).expand(2, 3)), randn(2, 2));
        check(in -> in[0].permute(2, 0, 1).gather(-1, longs(new long[] {1, 0, 0, 1, 1, 1, 0, 0}, 2, 2, 2)),
                randn(2, 2, 2));
    }

    @Test
    void scatterAddBothInputs() {
        Tensor idx = longs(new long[] {0, 2, 0, 1, 1, 1}, 2, 3);
        // grads for self and src together
        check(in -> in[0].scatterAdd(1, idx, in[1]), randn(2, 3), randn(2, 3));
        check(in -> in[0].scatterAdd(-1, idx, in[1]), randn(2, 4), randn(2, 3));
        check(in -> in[0].scatterAdd(0, longs(new long[] {2, 0, 2, 2}, 2, 2), in[1]), randn(3, 2), randn(2, 2));
        // src larger than the index: the uncovered src elements get zero gradient
        check(in -> in[0].scatterAdd(1, longs(new long[] {1, 1, 0, 0}, 2, 2), in[1]), randn(2, 3), randn(2, 3));
        // strided self and src
        check(in -> in[0].t().scatterAdd(-2, longs(new long[] {0, 0, 1, 2}, 2, 2), in[1].expand(2, 2)),
                randn(2, 3), randn(2));
    }

    @Test
    void scatterAddSelfOnlyAndSrcOnly() {
        Tensor idx = longs(new long[] {1, 1, 0}, 1, 3);
        Tensor constSrc = Tensor.ones(DType.FLOAT64, 1, 3);
        check(in -> in[0].scatterAdd(0, idx, constSrc), randn(2, 3));
        Tensor constSelf = Tensor.zeros(DType.FLOAT64, 2, 3);
        check(in -> constSelf.scatterAdd(0, idx, in[0]), randn(1, 3));
    }

    @Test
    void scatterAddGradientForSrcIsGatherOfSelfGradient() {
        Tensor self = Tensor.zeros(DType.FLOAT64, 3).requiresGrad(true);
        Tensor src = Tensor.ones(DType.FLOAT64, 4).requiresGrad(true);
        Tensor w = Tensor.of(DType.FLOAT64, new double[] {10, 20, 30}, 3);
        self.scatterAdd(0, longs(new long[] {2, 2, 0, 1}, 4), src).mul(w).sum().backward();
        assertArrayEquals(new double[] {10, 20, 30}, self.grad().toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {30, 30, 10, 20}, src.grad().toDoubleArray(), 0.0);
    }
}
