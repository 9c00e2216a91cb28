package dev.ember.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.autograd.Autograd;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Creation, random numbers, views and strides, split/chunk and type promotion, checked against PyTorch. */
class TensorBasicsTest {

    private static void assertShape(Tensor t, long... shape) {
        assertArrayEquals(shape, t.shape());
    }

    private static void assertValues(Tensor t, double... expected) {
        assertArrayEquals(expected, t.toDoubleArray(), 0.0);
    }

    @Test
    void ofOverloads() {
        Tensor f = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertEquals(DType.FLOAT32, f.dtype());
        assertShape(f, 2, 3);
        assertValues(f, 1, 2, 3, 4, 5, 6);
        for (DType dt : DType.values()) {
            Tensor t = Tensor.of(dt, new double[] {0, 1, 2, 3}, 2, 2);
            assertEquals(dt, t.dtype());
            assertShape(t, 2, 2);
        }
        assertValues(Tensor.of(DType.INT64, new double[] {-1.7, 2.9, -0.2}, 3), -1, 2, 0); // truncates, as .long()
        assertArrayEquals(new boolean[] {false, true, true}, Tensor.of(DType.BOOL, new double[] {0, -0.5, 2}, 3).toBooleanArray());
        Tensor i = Tensor.of(new long[] {0, 2}, 2);
        assertEquals(DType.INT64, i.dtype());
        assertArrayEquals(new long[] {0, 2}, i.toLongArray());
        assertArrayEquals(new long[] {Long.MAX_VALUE}, Tensor.of(new long[] {Long.MAX_VALUE}, 1).toLongArray());
        Tensor b = Tensor.of(new boolean[] {true, false}, 2);
        assertEquals(DType.BOOL, b.dtype());
        assertArrayEquals(new boolean[] {true, false}, b.toBooleanArray());
        Tensor s = Tensor.of(2.0); // torch.Tensor([2.0]): shape [1]
        assertShape(s, 1);
        assertEquals(DType.FLOAT32, s.dtype());
        assertEquals(2.0, s.item());
        Tensor z = Tensor.scalar(2.5); // torch.tensor(2.5): zero-dim
        assertEquals(0, z.dim());
        assertEquals(1, z.numel());
        assertEquals(DType.FLOAT32, z.dtype());
        assertEquals(DType.FLOAT64, Tensor.scalar(DType.FLOAT64, 1).dtype());
        // the data array is copied
        double[] data = {1, 2};
        Tensor c = Tensor.of(DType.FLOAT64, data, 2);
        data[0] = 9;
        assertValues(c, 1, 2);
    }

    @Test
    void constants() {
        Tensor z = Tensor.zeros(2, 3);
        assertEquals(DType.FLOAT32, z.dtype());
        assertValues(z, 0, 0, 0, 0, 0, 0);
        assertValues(Tensor.ones(DType.INT64, 2), 1, 1);
        assertValues(Tensor.full(7.5, 2), 7.5, 7.5);
        assertEquals(DType.FLOAT64, Tensor.full(DType.FLOAT64, 1, 1).dtype());
        Tensor like = Tensor.of(new long[] {5, 6, 7}, 3);
        Tensor zl = Tensor.zerosLike(like);
        assertEquals(DType.INT64, zl.dtype());
        assertShape(zl, 3);
        assertValues(zl, 0, 0, 0);
        assertValues(Tensor.onesLike(Tensor.zeros(DType.FLOAT64, 1, 2)), 1, 1);
        assertEquals(DType.FLOAT64, Tensor.onesLike(Tensor.zeros(DType.FLOAT64, 1)).dtype());
        assertValues(Tensor.fullLike(like, 4), 4, 4, 4);
        assertShape(Tensor.zeros(), new long[0]);
        assertEquals(1, Tensor.zeros().numel());
        assertEquals(0, Tensor.zeros(2, 0).numel());
    }

    @Test
    void arange() {
        Tensor a = Tensor.arange(5);
        assertEquals(DType.INT64, a.dtype());
        assertArrayEquals(new long[] {0, 1, 2, 3, 4}, a.toLongArray());
        assertArrayEquals(new long[] {10, 7, 4, 1}, Tensor.arange(10, 0, -3).toLongArray());
        assertArrayEquals(new long[] {2, 4}, Tensor.arange(2, 6, 2).toLongArray());
        assertEquals(0, Tensor.arange(0).numel());
        Tensor f = Tensor.arange(0.0, 1.0, 0.1);
        assertEquals(DType.FLOAT32, f.dtype());
        // torch.arange(0, 1, 0.1).tolist(): ten float32 values, the last below 1
        assertValues(f, 0.0, 0.10000000149011612, 0.20000000298023224, 0.30000001192092896, 0.4000000059604645, 0.5,
                0.6000000238418579, 0.699999988079071, 0.800000011920929, 0.8999999761581421);
        assertValues(Tensor.arange(-1.0, 1.0, 0.5), -1, -0.5, 0, 0.5);
        assertValues(Tensor.arange(DType.FLOAT64, 0, 1, 0.25), 0, 0.25, 0.5, 0.75);
    }

    @Test
    void linspace() {
        // torch.linspace(0, 1, 7).tolist() and torch.linspace(-3, 5, 7).tolist(), float32
        assertValues(Tensor.linspace(0, 1, 7), 0.0, 0.1666666716337204, 0.3333333432674408, 0.5, 0.6666666269302368,
                0.8333333134651184, 1.0);
        assertValues(Tensor.linspace(-3, 5, 7), -3.0, -1.6666666269302368, -0.33333325386047363, 0.9999998807907104,
                2.3333332538604736, 3.6666665077209473, 5.0);
        // both endpoints are exact
        for (int steps = 2; steps < 40; steps++) {
            double[] v = Tensor.linspace(DType.FLOAT64, -0.3, 0.7, steps).toDoubleArray();
            assertEquals(-0.3, v[0], 0.0);
            assertEquals(0.7, v[steps - 1], 0.0);
            float[] f = Tensor.linspace(0.1, 2.3, steps).toFloatArray();
            assertEquals(0.1f, f[0], 0.0f);
            assertEquals(2.3f, f[steps - 1], 0.0f);
        }
        assertValues(Tensor.linspace(DType.FLOAT64, 0, 1, 5), 0, 0.25, 0.5, 0.75, 1);
        assertValues(Tensor.linspace(2, 2, 1), 2);
        assertEquals(0, Tensor.linspace(0, 1, 0).numel());
    }

    @Test
    void eye() {
        assertValues(Tensor.eye(3), 1, 0, 0, 0, 1, 0, 0, 0, 1);
        Tensor e = Tensor.eye(DType.FLOAT64, 2, 3);
        assertShape(e, 2, 3);
        assertEquals(DType.FLOAT64, e.dtype());
        assertValues(e, 1, 0, 0, 0, 1, 0);
        assertValues(Tensor.eye(DType.INT64, 3, 2), 1, 0, 0, 1, 0, 0);
    }

    @Test
    void randomDistributions() {
        Ember.manualSeed(0);
        double[] u = Tensor.rand(10_000).toDoubleArray();
        double sum = 0;
        for (double x : u) {
            assertTrue(x >= 0 && x < 1, "rand out of [0, 1): " + x);
            sum += x;
        }
        assertEquals(0.5, sum / u.length, 0.02);
        double[] u64 = Tensor.rand(DType.FLOAT64, 1000).toDoubleArray();
        for (double x : u64) {
            assertTrue(x >= 0 && x < 1);
        }
        double[] n = Tensor.randn(10_000).toDoubleArray();
        double mean = 0;
        for (double x : n) {
            mean += x / n.length;
        }
        double var = 0;
        for (double x : n) {
            var += (x - mean) * (x - mean) / (n.length - 1);
        }
        assertEquals(0, mean, 0.05); // standard error 0.01
        assertEquals(1, Math.sqrt(var), 0.05);
        assertEquals(DType.FLOAT64, Tensor.randn(DType.FLOAT64, 2).dtype());
        long[] r = Tensor.randint(-2, 3, 1000).toLongArray();
        boolean[] seen = new boolean[5];
        for (long x : r) {
            assertTrue(x >= -2 && x < 3, "randint out of [-2, 3): " + x);
            seen[(int) (x + 2)] = true;
        }
        assertArrayEquals(new boolean[] {true, true, true, true, true}, seen);
        assertEquals(DType.INT64, Tensor.randint(0, 2, 3).dtype());
    }

    @Test
    void manualSeedReproducibility() {
        Ember.manualSeed(42);
        double[] a1 = Tensor.rand(50).toDoubleArray();
        double[] n1 = Tensor.randn(DType.FLOAT64, 51).toDoubleArray();
        long[] i1 = Tensor.randint(0, 1000, 50).toLongArray();
        Ember.manualSeed(42);
        assertArrayEquals(a1, Tensor.rand(50).toDoubleArray(), 0.0);
        assertArrayEquals(n1, Tensor.randn(DType.FLOAT64, 51).toDoubleArray(), 0.0);
        assertArrayEquals(i1, Tensor.randint(0, 1000, 50).toLongArray());
        Ember.manualSeed(43);
        assertFalse(java.util.Arrays.equals(a1, Tensor.rand(50).toDoubleArray()));
        // the stream moves on: a second draw differs from the first
        Ember.manualSeed(42);
        Tensor.rand(50);
        assertFalse(java.util.Arrays.equals(a1, Tensor.rand(50).toDoubleArray()));
    }

    @Test
    void viewsShareStorage() {
        Tensor base = Tensor.arange(DType.FLOAT32, 0, 6, 1).reshape(2, 3);
        Tensor t = base.t();
        Tensor row = base.select(0, 1);
        Tensor cols = base.narrow(1, 1, 2);
        Tensor flat = base.reshape(6);
        Tensor ex = base.select(1, 0).unsqueeze(1).expand(2, 4);
        try (var ignored = Autograd.noGrad()) {
            base.addi(10.0);
        }
        assertValues(t, 10, 13, 11, 14, 12, 15);
        assertValues(row, 13, 14, 15);
        assertValues(cols, 11, 12, 14, 15);
        assertValues(flat, 10, 11, 12, 13, 14, 15);
        assertValues(ex, 10, 10, 10, 10, 13, 13, 13, 13);
        // a write through a view shows in the base
        row.filli(-1);
        cols.select(0, 0).zeroi();
        assertValues(base, 10, 0, 0, -1, -1, -1);
        assertEquals(base.version(), row.version());
    }

    @Test
    void contiguous() {
        Tensor x = Tensor.zeros(2, 3);
        assertSame(x, x.contiguous());
        Tensor t = x.t();
        Tensor c = t.contiguous();
        assertNotSame(t, c);
        assertTrue(c.isContiguous());
        assertArrayEquals(new long[] {2, 1}, c.stride());
        assertArrayEquals(t.toDoubleArray(), c.toDoubleArray(), 0.0);
        // the copy no longer shares storage
        c.filli(1);
        assertValues(x, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void shapesAndStrides() {
        // strides, contiguity and offsets as torch reports them for torch.zeros(2, 3, 4)
        Tensor x = Tensor.zeros(2, 3, 4);
        assertArrayEquals(new long[] {12, 4, 1}, x.stride());
        assertTrue(x.isContiguous());
        Tensor tr = x.transpose(0, 2);
        assertShape(tr, 4, 3, 2);
        assertArrayEquals(new long[] {1, 4, 12}, tr.stride());
        assertFalse(tr.isContiguous());
        Tensor p = x.permute(1, 2, 0);
        assertShape(p, 3, 4, 2);
        assertArrayEquals(new long[] {4, 1, 12}, p.stride());
        Tensor sl = x.narrow(1, 1, 2);
        assertArrayEquals(new long[] {12, 4, 1}, sl.stride());
        assertEquals(4, sl.storageOffset());
        assertFalse(sl.isContiguous());
        assertTrue(x.narrow(0, 0, 1).isContiguous());
        Tensor step = x.slice(1, 0, 3, 2);
        assertShape(step, 2, 2, 4);
        assertArrayEquals(new long[] {12, 8, 1}, step.stride());
        assertEquals(3, x.select(2, -1).storageOffset());
        assertEquals(12, x.select(0, 1).storageOffset());
        Tensor ex = Tensor.zeros(3, 1).expand(2, 3, 4);
        assertArrayEquals(new long[] {0, 1, 0}, ex.stride());
        assertFalse(ex.isContiguous());
        assertTrue(Tensor.zeros(1, 3).expand(1, 3).isContiguous());
        assertArrayEquals(new long[] {12, 12, 4, 1}, x.unsqueeze(1).stride());
        assertEquals(3, x.dim());
        assertEquals(24, x.numel());
        assertEquals(4, x.size(-1));
        // values of a strided view come out in its own row-major order
        Tensor m = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertValues(m.t(), 1, 4, 2, 5, 3, 6);
        assertValues(m.slice(1, 0, 3, 2), 1, 3, 4, 6);
        assertValues(m.permute(1, 0).flatten(), 1, 4, 2, 5, 3, 6);
        assertShape(m.squeeze(), 2, 3);
        assertShape(m.unsqueeze(-1).unsqueeze(0), 1, 2, 3, 1);
        assertShape(m.unsqueeze(-1).unsqueeze(0).squeeze(), 2, 3);
        assertShape(m.reshape(-1), 6);
        assertShape(m.view(3, -1), 3, 2);
        assertShape(m.flatten(0, 1), 6);
        assertShape(Tensor.zeros(2, 3, 4).flatten(1, 2), 2, 12);
    }

    private static long[] sizes(List<Tensor> parts, int dim) {
        return parts.stream().mapToLong(p -> p.size(dim)).toArray();
    }

    @Test
    void splitAndChunkSizes() {
        // torch.arange(n).chunk(k) / .split(s) sizes
        assertArrayEquals(new long[] {2, 2, 1}, sizes(Tensor.arange(5).split(2, 0), 0));
        assertArrayEquals(new long[] {2, 2, 1}, sizes(Tensor.arange(5).chunk(3, 0), 0));
        assertArrayEquals(new long[] {2, 2, 2}, sizes(Tensor.arange(6).chunk(4, 0), 0)); // only 3 chunks
        assertArrayEquals(new long[] {1, 1, 1}, sizes(Tensor.arange(3).chunk(10, 0), 0));
        List<Tensor> parts = Tensor.arange(12).reshape(3, 4).split(new long[] {1, 3}, -1);
        assertArrayEquals(new long[] {1, 3}, sizes(parts, 1));
        assertArrayEquals(new long[] {1, 2, 3, 5, 6, 7, 9, 10, 11}, parts.get(1).toLongArray());
        // pieces are views
        List<Tensor> views = Tensor.zeros(4).chunk(2, 0);
        views.get(1).filli(1);
        assertEquals(1, views.get(1).toDoubleArray()[0]);
    }

    @Test
    void typePromotion() {
        Tensor f32 = Tensor.of(new double[] {1, 2}, 2);
        Tensor f64 = Tensor.of(DType.FLOAT64, new double[] {1, 2}, 2);
        Tensor i64 = Tensor.of(new long[] {1, 2}, 2);
        Tensor b = Tensor.of(new boolean[] {true, false}, 2);
        assertEquals(DType.FLOAT64, f32.add(f64).dtype());
        assertEquals(DType.FLOAT32, i64.add(f32).dtype());
        assertEquals(DType.INT64, i64.add(i64).dtype());
        assertEquals(DType.FLOAT32, i64.div(i64).dtype());
        assertValues(i64.div(Tensor.of(new long[] {2, 4}, 2)), 0.5, 0.5);
        assertEquals(DType.FLOAT32, f32.add(2.5).dtype());
        assertEquals(DType.FLOAT32, i64.add(2.5).dtype());
        assertValues(i64.add(2.5), 3.5, 4.5);
        assertEquals(DType.INT64, i64.add(2L).dtype());
        assertEquals(DType.FLOAT32, i64.div(2L).dtype());
        assertEquals(DType.FLOAT64, f64.mul(2L).dtype());
        assertEquals(DType.INT64, b.sum().dtype());
        assertEquals(1, b.sum().item());
        assertEquals(DType.INT64, i64.sum().dtype());
        assertEquals(DType.BOOL, b.add(b).dtype()); // logical or
        assertEquals(DType.INT64, b.add(1L).dtype());
        assertEquals(DType.FLOAT32, b.add(2.5).dtype());
        assertEquals(DType.BOOL, f32.lt(f64).dtype());
        assertEquals(DType.BOOL, i64.eq(2.0).dtype());
        assertArrayEquals(new boolean[] {true, true}, i64.lt(Tensor.of(new double[] {2.5}, 1)).toBooleanArray());
        // zero-dim tensors rank below dimensioned ones within a category, above them across categories
        assertEquals(DType.FLOAT32, Tensor.scalar(DType.FLOAT64, 2.5).add(f32).dtype());
        assertEquals(DType.FLOAT32, f32.add(Tensor.scalar(DType.FLOAT64, 2.5)).dtype());
        assertEquals(DType.FLOAT64, i64.add(Tensor.scalar(DType.FLOAT64, 1.5)).dtype());
        assertEquals(DType.FLOAT32, f32.add(Tensor.scalar(DType.INT64, 1)).dtype());
        assertEquals(DType.FLOAT64, Tensor.scalar(DType.FLOAT64, 1).add(Tensor.scalar(2)).dtype());
        // unary floating functions of integers give the default float dtype
        assertEquals(DType.FLOAT32, i64.exp().dtype());
        assertEquals(DType.INT64, i64.neg().dtype());
        assertEquals(DType.INT64, i64.abs().dtype());
    }

    @Test
    void dtypeConversions() {
        // float32 -> float64 is exact: the float32 value, not the decimal literal
        assertEquals((double) 6.8813735870195432f, Tensor.of(6.8813735870195432).toDouble().item(), 0.0);
        assertEquals(DType.FLOAT64, Tensor.of(1.0).toDouble().dtype());
        assertValues(Tensor.of(new double[] {-1.7, 2.9, -0.2}, 3).toLong(), -1, 2, 0); // truncation toward zero
        assertArrayEquals(new boolean[] {false, true, true}, Tensor.of(new double[] {0, -0.5, 2}, 3).toBool().toBooleanArray());
        assertValues(Tensor.of(new boolean[] {true, false}, 2).toFloat(), 1, 0);
        assertEquals(1.0000000001, Tensor.scalar(DType.FLOAT64, 1.0000000001).item(), 0.0);
        assertEquals(1.0, Tensor.scalar(DType.FLOAT64, 1.0000000001).toFloat().item(), 0.0);
    }
}
