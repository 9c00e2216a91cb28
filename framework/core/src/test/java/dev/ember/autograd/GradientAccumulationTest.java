package dev.ember.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * How the engine adds up gradients: views (select, slice, narrow, chunk) add their gradient into the viewed region
 * of an engine-owned buffer instead of building a zero tensor each, sums are made in place once the engine owns
 * them, and gradients a node returned are never written to (they may be shared). Expected values are worked out
 * by hand; indexSelect's gradient (the embedding backward) adds repeated rows.
 */
class GradientAccumulationTest {

    private static Tensor f64(long rows, long cols) {
        double[] v = new double[(int) (rows * cols)];
        for (int i = 0; i < v.length; i++) {
            v[i] = i + 1;
        }
        return Tensor.of(DType.FLOAT64, v, rows, cols).requiresGrad(true);
    }

    @Test
    void manyViewsOfOneTensorAddUp() {
        Tensor x = f64(3, 4);
        // every row selected with weight (t + 1), a column slice, a narrow, one chunk, and the whole tensor
        Tensor loss = x.sum();
        for (int t = 0; t < 3; t++) {
            loss = loss.add(x.select(0, t).sum().mul(t + 1.0));
        }
        loss = loss.add(x.slice(1, 1, 4, 2).sum().mul(10.0));
        loss = loss.add(x.narrow(0, 1, 2).sum().mul(100.0));
        loss = loss.add(x.chunk(2, 1).get(1).sum().mul(1000.0));
        loss.backward();
        double[] want = new double[12];
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                want[r * 4 + c] = 1 + (r + 1) + (c % 2 == 1 ? 10 : 0) + (r >= 1 ? 100 : 0) + (c >= 2 ? 1000 : 0);
            }
        }
        assertArrayEquals(want, x.grad().toDoubleArray(), 0.0);
    }

    /**
     * A keepdim sum's backward hands on its gradient expanded (stride 0): the engine may not add the next gradient
     * of the same input into that view in place, since many of its elements share one memory location. (The sum's
     * gradient here is a broadcast product's, reduced to (2, 1): a buffer the engine owns, so that the expanded
     * view of it counted as owned too.)
     */
    @Test
    void anExpandedGradientIsNotSummedInPlace() {
        Tensor w = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3}, 3, 1);
        Tensor v = Tensor.of(DType.FLOAT64, new double[] {1, 1, 1, 2, 2, 2}, 2, 3);
        for (boolean sumFirst : new boolean[] {true, false}) {
            Tensor x = f64(2, 3);
            Tensor product = x.matmul(w).sum();
            Tensor expanded = x.sum(1, true).mul(v).sum(); // d/dx[r][c] = v's row sum r: 3, then 6
            (sumFirst ? product.add(expanded) : expanded.add(product)).backward();
            assertArrayEquals(new double[] {4, 5, 6, 7, 8, 9}, x.grad().toDoubleArray(), 0.0, "sumFirst " + sumFirst);
        }
    }

    @Test
    void viewGradientsAfterAPlainGradientDoNotWriteIntoIt() {
        Tensor x = f64(2, 3);
        Tensor y = x.mul(1.0); // y's gradient first arrives from the plain path below, then from the views
        Tensor shared = y.add(0.0);
        Tensor loss = shared.sum().add(y.select(0, 1).sum().mul(2.0)).add(y.select(1, 0).sum().mul(3.0));
        loss.backward();
        assertArrayEquals(new double[] {4, 1, 1, 6, 3, 3}, x.grad().toDoubleArray(), 0.0);
    }

    @Test
    void retainGraphRunsTheViewPathTwiceAndAFreedGraphFailsClearly() {
        Tensor x = f64(2, 2);
        Tensor loss = x.select(0, 0).sum().add(x.select(0, 0).mul(2.0).sum());
        loss.backward(Tensor.scalar(DType.FLOAT64, 1), true);
        loss.backward(Tensor.scalar(DType.FLOAT64, 1), true);
        assertArrayEquals(new double[] {6, 6, 0, 0}, x.grad().toDoubleArray(), 0.0);
        Tensor once = x.select(0, 1).sum();
        once.backward();
        assertThrows(IllegalStateException.class, once::backward);
    }

    @Test
    void leavesDoNotShareGradientStorage() {
        // a + b hands the same gradient to both leaves; each must get its own copy
        Tensor a = f64(1, 3);
        Tensor b = f64(1, 3);
        a.add(b).sum().backward();
        assertNotSame(a.grad(), b.grad());
        a.grad().zeroi();
        assertArrayEquals(new double[] {1, 1, 1}, b.grad().toDoubleArray(), 0.0);
        // a gradient passed on through a view (reshape) is still the caller's tensor: the leaf copies it
        Tensor c = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor seed = Tensor.of(DType.FLOAT64, new double[] {1, 1, 1}, 1, 3);
        c.reshape(1, 3).backward(seed);
        seed.zeroi();
        assertArrayEquals(new double[] {1, 1, 1}, c.grad().toDoubleArray(), 0.0, "c.grad aliased the seed");
    }

    /**
     * A broadcast leaf's gradient is a sum the engine made: the leaf keeps that buffer (no copy), which nothing
     * else holds, while leaves whose gradient passes through unreduced, or only reshaped ((1, 3) -> (3)), get
     * copies, so zeroing one leaf's grad in place touches nothing else; a second backward adds, as before.
     */
    @Test
    void reducedGradientsAreKeptAndOthersCopied() {
        Tensor x = f64(2, 3);
        Tensor bias = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor row = f64(1, 3);
        Tensor y = x.add(bias).add(row).mul(2.0);
        y.sum().backward();
        assertArrayEquals(new double[] {4, 4, 4}, bias.grad().toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {4, 4, 4}, row.grad().toDoubleArray(), 0.0);
        x.grad().zeroi();
        row.grad().zeroi();
        assertArrayEquals(new double[] {4, 4, 4}, bias.grad().toDoubleArray(), 0.0, "bias.grad aliased another");
        bias.grad().zeroi();
        assertArrayEquals(new double[] {0, 0, 0, 0, 0, 0}, x.grad().toDoubleArray(), 0.0);
        x.add(bias).add(row).mul(2.0).sum().backward(); // accumulates into the kept buffer
        assertArrayEquals(new double[] {4, 4, 4}, bias.grad().toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {4, 4, 4}, row.grad().toDoubleArray(), 0.0);

        // (1, 3) + (3): the (3) leaf's gradient is only a reshape of the one the (1, 3) leaf gets
        Tensor wide = f64(1, 3);
        Tensor flat = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3}, 3).requiresGrad(true);
        wide.add(flat).sum().backward();
        wide.grad().zeroi();
        assertArrayEquals(new double[] {1, 1, 1}, flat.grad().toDoubleArray(), 0.0, "flat.grad aliased wide.grad");
    }

    /**
     * A matrix product's gradients are new products, which leaves keep without a copy (a Linear weight's, through
     * the transpose view): the values are the hand-worked ones, a weight used twice gets the sum, and zeroing one
     * leaf's grad in place touches no other leaf's.
     */
    @Test
    void productGradientsAreKeptWithoutAliasing() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
        Tensor w = Tensor.of(DType.FLOAT64, new double[] {1, 0, 0, 1, 1, 1}, 3, 2).requiresGrad(true);
        Tensor v = Tensor.of(DType.FLOAT64, new double[] {2, 0, 0, 2, 1, 1}, 3, 2).requiresGrad(true);
        // y = x w^T + x v^T + (x w^T) * 2: w's gradient arrives twice, as a product each time
        Tensor xw = x.matmul(w.t());
        xw.add(x.matmul(v.t())).add(xw.mul(2.0)).sum().backward();
        // d/dw of sum(x w^T) is ones(2, 3)^T x = column sums of x in every row: (4, 6); times 1 + 2
        assertArrayEquals(new double[] {12, 18, 12, 18, 12, 18}, w.grad().toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {4, 6, 4, 6, 4, 6}, v.grad().toDoubleArray(), 0.0);
        // d/dx: ones(2, 3) (3 w + v) = rows of (3 * (2, 2) + (3, 3)) = (9, 9)
        assertArrayEquals(new double[] {9, 9, 9, 9}, x.grad().toDoubleArray(), 0.0);
        assertTrue(w.grad().isContiguous() && v.grad().isContiguous());
        w.grad().zeroi();
        assertArrayEquals(new double[] {4, 6, 4, 6, 4, 6}, v.grad().toDoubleArray(), 0.0, "v.grad aliased w.grad");
        assertArrayEquals(new double[] {9, 9, 9, 9}, x.grad().toDoubleArray(), 0.0, "x.grad aliased w.grad");
        x.matmul(w.t()).sum().backward(); // accumulates into the kept buffer
        assertArrayEquals(new double[] {4, 6, 4, 6, 4, 6}, w.grad().toDoubleArray(), 0.0);
    }

    /**
     * A scalar's backward is seeded with a view of one cached 1: what a leaf or a retained gradient gets is a copy,
     * so changing it in place changes no later seed.
     */
    @Test
    void theCachedSeedIsNeverWrittenThrough() {
        Tensor leaf = Tensor.scalar(DType.FLOAT64, 3).requiresGrad(true);
        leaf.backward(); // backward on a leaf: its grad is the seed
        leaf.grad().addi(leaf.grad());
        Tensor x = f64(1, 2);
        Tensor loss = x.mul(2.0).sum();
        loss.retainGrad();
        loss.backward();
        loss.grad().muli(Tensor.scalar(DType.FLOAT64, 5));
        Tensor y = f64(1, 2);
        y.sum().backward();
        assertArrayEquals(new double[] {2}, leaf.grad().toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {5}, loss.grad().toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {2, 2}, x.grad().toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {1, 1}, y.grad().toDoubleArray(), 0.0, "the seed was written through");
    }

    @Test
    void indexSelectGradientAddsRepeatedRows() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor w = Tensor.of(dtype, new double[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2).requiresGrad(true);
            Tensor idx = Tensor.of(new long[] {3, 0, 3, 3}, 4);
            Tensor g = Tensor.of(dtype, new double[] {1, 10, 2, 20, 3, 30, 4, 40}, 4, 2);
            w.indexSelect(0, idx).backward(g);
            assertArrayEquals(new double[] {2, 20, 0, 0, 0, 0, 8, 80}, w.grad().toDoubleArray(), 0.0);
            // along dim 1, and from a non-contiguous gradient: the general path
            Tensor v = Tensor.of(dtype, new double[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
            Tensor gt = Tensor.of(dtype, new double[] {1, 2, 3, 4}, 2, 2).t();
            v.indexSelect(1, Tensor.of(new long[] {2, 2}, 2)).backward(gt);
            assertArrayEquals(new double[] {0, 0, 4, 0, 0, 6}, v.grad().toDoubleArray(), 0.0);
        }
    }
}
