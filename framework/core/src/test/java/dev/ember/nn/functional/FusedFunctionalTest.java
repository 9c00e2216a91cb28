package dev.ember.nn.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fused layer norm and cross entropy against their composite twins
 * ({@link Normalization#layerNormComposite}, {@link ClassLosses#crossEntropyComposite}): values and the gradients
 * of every input on random inputs of odd sizes, non-contiguous inputs, with and without weight and bias, ignored
 * targets and every reduction, both float dtypes.
 */
class FusedFunctionalTest {

    private static Tensor random(DType dtype, SplittableRandom rnd, double scale, long... shape) {
        int n = 1;
        for (long s : shape) {
            n *= (int) s;
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextGaussian() * scale + 0.3;
        }
        return Tensor.of(dtype, v, shape);
    }

    private static void close(Tensor want, Tensor got, double rtol, String what) {
        assertArrayEquals(want.shape(), got.shape(), what);
        assertEquals(want.dtype(), got.dtype(), what);
        double[] w = want.toDoubleArray();
        double[] g = got.toDoubleArray();
        for (int i = 0; i < w.length; i++) {
            assertEquals(w[i], g[i], rtol * (Math.abs(w[i]) + 1e-2), what + " at " + i);
        }
    }

    private static Tensor leaf(Tensor t) {
        return t == null ? null : t.detach().requiresGrad(true);
    }

    @Test
    void layerNormMatchesTheComposite() {
        SplittableRandom rnd = new SplittableRandom(21);
        long[][] shapes = {{5, 7}, {3, 4, 33}, {2, 3, 4, 5}, {1, 1}, {17, 128}};
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double rtol = dtype == DType.FLOAT32 ? 1e-5 : 1e-12;
            for (long[] shape : shapes) {
                for (int k = 1; k <= Math.min(2, shape.length); k++) {
                    long[] norm = java.util.Arrays.copyOfRange(shape, shape.length - k, shape.length);
                    for (int affine = 0; affine < 3; affine++) {
                        for (boolean transposed : new boolean[] {false, true}) {
                            Tensor x = random(dtype, rnd, 3, shape);
                            if (transposed && shape.length >= 2) {
                                x = x.transpose(0, -1).contiguous().transpose(0, -1);
                            }
                            Tensor w = affine > 0 ? random(dtype, rnd, 1, norm) : null;
                            Tensor b = affine > 1 ? random(dtype, rnd, 1, norm) : null;
                            Tensor[] f = {leaf(x), leaf(w), leaf(b)};
                            Tensor[] c = {leaf(x), leaf(w), leaf(b)};
                            Tensor yf = Normalization.layerNorm(f[0], norm, f[1], f[2], 1e-5);
                            Tensor yc = Normalization.layerNormComposite(c[0], norm, c[1], c[2], 1e-5);
                            String what = "layerNorm " + java.util.Arrays.toString(shape) + " over "
                                    + java.util.Arrays.toString(norm) + " affine " + affine + " " + dtype
                                    + (transposed ? " transposed" : "");
                            assertEquals("NativeLayerNormBackward0", yf.gradFn().name(), what);
                            close(yc, yf, rtol, what);
                            Tensor gy = random(dtype, rnd, 1, shape);
                            yf.backward(gy);
                            yc.backward(gy);
                            for (int i = 0; i < 3; i++) {
                                if (f[i] != null) {
                                    close(c[i].grad(), f[i].grad(), rtol * 20, what + " gradient " + i);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void crossEntropyMatchesTheComposite() {
        SplittableRandom rnd = new SplittableRandom(22);
        int[][] sizes = {{1, 1}, {1, 5}, {7, 3}, {64, 10}, {33, 65}};
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double rtol = dtype == DType.FLOAT32 ? 1e-5 : 1e-12;
            for (int[] nc : sizes) {
                for (String reduction : new String[] {"mean", "sum", "none"}) {
                    for (boolean ignore : new boolean[] {false, true}) {
                        int n = nc[0];
                        int c = nc[1];
                        long[] t = new long[n];
                        for (int i = 0; i < n; i++) {
                            t[i] = ignore && i % 3 == 1 ? -100 : rnd.nextInt(c);
                        }
                        Tensor target = Tensor.of(t, n);
                        // logits transposed in storage for half the cases
                        Tensor x = random(dtype, rnd, 3, n, c);
                        if (rnd.nextBoolean()) {
                            x = x.t().contiguous().t();
                        }
                        Tensor a = leaf(x);
                        Tensor b = leaf(x);
                        CrossEntropyOptions o = new CrossEntropyOptions(null, -100, reduction, 0);
                        Tensor lf = Losses.crossEntropy(a, target, o);
                        Tensor lc = ClassLosses.crossEntropyComposite(b, target, null, o, 1, c);
                        String what = "crossEntropy (" + n + ", " + c + ") " + reduction + (ignore ? " ignoring" : "")
                                + " " + dtype;
                        assertEquals("NllLossBackward0", lf.gradFn().name(), what);
                        close(lc, lf, rtol, what);
                        Tensor gy = reduction.equals("none") ? random(dtype, rnd, 1, n) : Tensor.scalar(dtype, 1.7);
                        lf.backward(gy);
                        lc.backward(gy);
                        close(b.grad(), a.grad(), rtol * 10, what + " gradient");
                    }
                }
            }
        }
    }

    @Test
    void everyTargetIgnoredGivesNaNMeanLikeTheComposite() {
        Tensor x = Tensor.randn(3, 4).requiresGrad(true);
        Tensor t = Tensor.of(new long[] {-100, -100, -100}, 3);
        assertEquals(Double.NaN, Losses.crossEntropy(x, t).item(), 0.0);
        assertEquals(Double.NaN, ClassLosses.crossEntropyComposite(x, t, null,
                CrossEntropyOptions.DEFAULTS, 1, 4).item(), 0.0);
    }

    @Test
    void otherCasesStillUseTheComposite() {
        Tensor x = Tensor.randn(3, 4, 2).requiresGrad(true);
        // (N, C, d1) input: the class dim is not the last, the composite runs (its last op is a division)
        Tensor loss = Losses.crossEntropy(x, Tensor.of(new long[] {0, 1, 2, 3, 0, 1}, 3, 2));
        assertNotEquals("NllLossBackward0", loss.gradFn().name());
        // a weight of another shape than normalized_shape: the fused layer norm declines
        assertNull(dev.ember.tensor.Fused.layerNorm(Tensor.randn(2, 3), 1, Tensor.randn(1, 3), null, 1e-5));
    }

    @Test
    void lstmCellMatchesTheComposite() {
        SplittableRandom rnd = new SplittableRandom(23);
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double rtol = dtype == DType.FLOAT32 ? 1e-5 : 1e-12;
            for (int[] nh : new int[][] {{1, 1}, {3, 5}, {2, 16}, {4, 33}}) {
                int n = nh[0];
                int h = nh[1];
                // xp a step of a (L, N, 4H) projection, and c a narrow view as in a chain of steps
                Tensor xpAll = random(dtype, rnd, 2, 2, n, 4L * h);
                Tensor hp = random(dtype, rnd, 2, n, 4L * h);
                Tensor cWide = random(dtype, rnd, 1, n, 2L * h);
                Tensor[] f = {leaf(xpAll), leaf(hp), leaf(cWide)};
                Tensor[] c = {leaf(xpAll), leaf(hp), leaf(cWide)};
                Tensor[] fo = dev.ember.tensor.Fused.lstmCell(f[0].select(0, 1), f[1], f[2].narrow(1, h, h));
                Tensor[] co = Recurrent.lstmComposite(c[0].select(0, 1), c[1], c[2].narrow(1, h, h));
                String what = "lstm cell n " + n + " h " + h + " " + dtype;
                close(co[0], fo[0], rtol, what + " h");
                close(co[1], fo[1], rtol, what + " c");
                Tensor wh = random(dtype, rnd, 1, n, h);
                Tensor wc = random(dtype, rnd, 1, n, h);
                fo[0].mul(wh).sum().add(fo[1].mul(wc).sum()).backward();
                co[0].mul(wh).sum().add(co[1].mul(wc).sum()).backward();
                for (int i = 0; i < 3; i++) {
                    close(c[i].grad(), f[i].grad(), rtol * 10, what + " gradient " + i);
                }
            }
        }
    }

    @Test
    void gruCellMatchesTheComposite() {
        SplittableRandom rnd = new SplittableRandom(29);
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double rtol = dtype == DType.FLOAT32 ? 1e-5 : 1e-12;
            for (int[] nh : new int[][] {{1, 1}, {3, 5}, {2, 16}, {4, 33}}) {
                int n = nh[0];
                int h = nh[1];
                // xp a step of a (L, N, 3H) projection, and h a narrow view as in a bidirectional output
                Tensor xpAll = random(dtype, rnd, 2, 2, n, 3L * h);
                Tensor hp = random(dtype, rnd, 2, n, 3L * h);
                Tensor hWide = random(dtype, rnd, 1, n, 2L * h);
                Tensor[] f = {leaf(xpAll), leaf(hp), leaf(hWide)};
                Tensor[] c = {leaf(xpAll), leaf(hp), leaf(hWide)};
                Tensor fo = dev.ember.tensor.FusedGru.gruCell(f[0].select(0, 1), f[1], f[2].narrow(1, h, h));
                Tensor co = Recurrent.gruComposite(c[0].select(0, 1), c[1], c[2].narrow(1, h, h));
                String what = "gru cell n " + n + " h " + h + " " + dtype;
                assertEquals("GruCellBackward0", fo.gradFn().name(), what);
                // the same operations in the same order: the forward gives the composite's bits
                assertArrayEquals(co.toDoubleArray(), fo.toDoubleArray(), 0.0, what + " h'");
                Tensor w = random(dtype, rnd, 1, n, h);
                fo.mul(w).sum().backward();
                co.mul(w).sum().backward();
                for (int i = 0; i < 3; i++) {
                    close(c[i].grad(), f[i].grad(), rtol * 10, what + " gradient " + i);
                }
            }
        }
    }
    /**
     * A whole LSTM (layers, both directions, batch-first, with and without biases, initial states that need
     * gradients) as one node per layer and direction against the per-step reference: outputs, final states and
     * the gradients of the input, the initial states and every weight.
     */
    @Test
    void lstmLayerMatchesThePerStepPath() {
        SplittableRandom rnd = new SplittableRandom(31);
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double rtol = dtype == DType.FLOAT32 ? 2e-5 : 1e-11;
            // {seq, batch, input, hidden, layers, bidirectional, biases, batchFirst}
            for (int[] c : new int[][] {{1, 1, 1, 1, 1, 0, 1, 0}, {5, 3, 4, 7, 1, 0, 1, 1}, {6, 2, 3, 16, 2, 1, 1, 0},
                {4, 3, 5, 33, 1, 1, 0, 1}}) {
                int seq = c[0];
                int n = c[1];
                int in = c[2];
                int h = c[3];
                int layers = c[4];
                int dirs = c[5] + 1;
                boolean biases = c[6] == 1;
                boolean batchFirst = c[7] == 1;
                Tensor x = random(dtype, rnd, 1, batchFirst ? new long[] {n, seq, in} : new long[] {seq, n, in});
                Tensor h0 = random(dtype, rnd, 0.5, (long) layers * dirs, n, h);
                Tensor c0 = random(dtype, rnd, 0.5, (long) layers * dirs, n, h);
                java.util.List<Tensor> params = new java.util.ArrayList<>();
                for (int l = 0; l < layers; l++) {
                    for (int d = 0; d < dirs; d++) {
                        long width = l == 0 ? in : (long) h * dirs;
                        params.add(random(dtype, rnd, 0.4, 4L * h, width));
                        params.add(random(dtype, rnd, 0.4, 4L * h, h));
                        if (biases) {
                            params.add(random(dtype, rnd, 0.4, 4L * h));
                            params.add(random(dtype, rnd, 0.4, 4L * h));
                        }
                    }
                }
                String what = "lstm " + java.util.Arrays.toString(c) + " " + dtype;
                Tensor[][] leaves = new Tensor[2][];
                Tensor[][] outs = new Tensor[2][];
                for (int k = 0; k < 2; k++) {
                    Recurrent.fusedLayer = k == 0;
                    try {
                        java.util.List<Tensor> ps = params.stream().map(FusedFunctionalTest::leaf).toList();
                        Tensor[] l = {leaf(x), leaf(h0), leaf(c0)};
                        outs[k] = Recurrent.run(Recurrent.Mode.LSTM, l[0], new Tensor[] {l[1], l[2]}, ps, biases,
                                layers, 0.0, true, dirs == 2, batchFirst);
                        Tensor weights = random(dtype, new SplittableRandom(7), 1, outs[k][0].shape());
                        outs[k][0].mul(weights).sum().add(outs[k][1].mul(0.7).sum()).add(outs[k][2].mul(-1.3).sum())
                                .backward();
                        java.util.List<Tensor> all = new java.util.ArrayList<>(java.util.List.of(l));
                        all.addAll(ps);
                        leaves[k] = all.toArray(new Tensor[0]);
                    } finally {
                        Recurrent.fusedLayer = true;
                    }
                }
                Tensor direct = dev.ember.tensor.FusedLstm.layer(leaf(random(dtype, rnd, 1, seq, n, 4L * h)),
                        leaf(h0.select(0, 0)), leaf(c0.select(0, 0)), leaf(params.get(1)),
                        biases ? leaf(params.get(3)) : null, false);
                assertEquals("LstmLayerBackward0", direct.gradFn().name(), what + ": the fused node runs here");
                for (int o = 0; o < 3; o++) {
                    close(outs[1][o], outs[0][o], rtol, what + " output " + o);
                }
                for (int i = 0; i < leaves[0].length; i++) {
                    close(leaves[1][i].grad(), leaves[0][i].grad(), rtol * 10, what + " gradient " + i);
                }
            }
        }
    }
}
