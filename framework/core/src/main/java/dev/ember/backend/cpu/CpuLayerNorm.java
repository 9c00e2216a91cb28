package dev.ember.backend.cpu;

import dev.ember.backend.Strided;

/**
 * Layer normalisation over the rows of a contiguous (R, D) input, forward and backward, as ATen's
 * {@code LayerNormKernel}: per row the mean and biased variance (accumulated in double), {@code rstd = 1 /
 * sqrt(var + eps)}, and {@code y = (x - mean) * rstd * w + b}. The backward gives
 * {@code gx = rstd (dy - mean(dy) - xhat mean(dy xhat))} with {@code dy = gy w}, {@code xhat = (x - mean) rstd},
 * and sums {@code gy xhat} and {@code gy} over the rows into the weight and bias gradients. Rows run in
 * parallel; each chunk of rows keeps its own weight/bias sums, added up in row order at the end.
 */
final class CpuLayerNorm {
    private static final int GRAIN = 16384;

    private CpuLayerNorm() {
    }

    private static boolean ok(Strided... ts) {
        for (Strided t : ts) {
            if (t != null && (!t.isContiguous() || t.dtype() != ts[0].dtype() || !t.dtype().isFloatingPoint())) {
                return false;
            }
        }
        return ts[0].shape().length == 2;
    }

    /** Element i of a contiguous float or double operand, as a double (null: {@code absent}). */
    private static double at(CpuStorage s, int off, int i, double absent) {
        if (s == null) {
            return absent;
        }
        return s.f != null ? s.f[off + i] : s.d[off + i];
    }

    private static CpuStorage storage(Strided t) {
        return t == null ? null : (CpuStorage) t.storage();
    }

    private static int offset(Strided t) {
        return t == null ? 0 : t.offset();
    }

    static boolean forward(Strided in, Strided weight, Strided bias, double eps, Strided out, Strided mean,
                           Strided rstd) {
        if (!ok(in, weight, bias, out, mean, rstd)) {
            return false;
        }
        int r = in.shape()[0];
        int d = in.shape()[1];
        CpuStorage x = storage(in);
        CpuStorage y = storage(out);
        CpuStorage w = storage(weight);
        CpuStorage b = storage(bias);
        CpuStorage ms = storage(mean);
        CpuStorage rs = storage(rstd);
        int wo = offset(weight);
        int bo = offset(bias);
        Parallel.parallelFor(0, r, Math.max(1, GRAIN / Math.max(d, 1)), (from, to) -> {
            double[] wv = new double[d];
            double[] bv = new double[d];
            for (int j = 0; j < d; j++) {
                wv[j] = at(w, wo, j, 1);
                bv[j] = at(b, bo, j, 0);
            }
            for (int i = from; i < to; i++) {
                int xo = in.offset() + i * d;
                int yo = out.offset() + i * d;
                double mu = (x.f != null ? ReduceRows.sum(x.f, xo, d) : ReduceRows.sum(x.d, xo, d)) / d;
                double sq = 0;
                for (int j = 0; j < d; j++) {
                    double c = at(x, xo, j, 0) - mu;
                    sq += c * c;
                }
                double rsd = 1 / Math.sqrt(sq / d + eps);
                if (y.f != null) {
                    for (int j = 0; j < d; j++) {
                        y.f[yo + j] = (float) ((x.f[xo + j] - mu) * rsd * wv[j] + bv[j]);
                    }
                    ms.f[mean.offset() + i] = (float) mu;
                    rs.f[rstd.offset() + i] = (float) rsd;
                } else {
                    for (int j = 0; j < d; j++) {
                        y.d[yo + j] = (x.d[xo + j] - mu) * rsd * wv[j] + bv[j];
                    }
                    ms.d[mean.offset() + i] = mu;
                    rs.d[rstd.offset() + i] = rsd;
                }
            }
        });
        return true;
    }

    static boolean backward(Strided gradOut, Strided in, Strided weight, Strided mean, Strided rstd, Strided gradIn,
                            Strided gradWeight, Strided gradBias) {
        if (!ok(in, gradOut, weight, mean, rstd, gradIn, gradWeight, gradBias)) {
            return false;
        }
        int r = in.shape()[0];
        int d = in.shape()[1];
        CpuStorage x = storage(in);
        CpuStorage gy = storage(gradOut);
        CpuStorage w = storage(weight);
        CpuStorage ms = storage(mean);
        CpuStorage rs = storage(rstd);
        CpuStorage gx = storage(gradIn);
        int wo = offset(weight);
        // each chunk's weight and bias sums, filed under its first row and added in row order: deterministic
        double[][] partial = new double[r][];
        Parallel.parallelFor(0, r, Math.max(1, GRAIN / Math.max(d, 1)), (from, to) -> {
            double[] wv = new double[d];
            for (int j = 0; j < d; j++) {
                wv[j] = at(w, wo, j, 1);
            }
            double[] gw = new double[d];
            double[] gb = new double[d];
            double[] xhat = new double[d];
            double[] dy = new double[d];
            for (int i = from; i < to; i++) {
                int xo = in.offset() + i * d;
                int go = gradOut.offset() + i * d;
                int o = gradIn.offset() + i * d;
                double mu = at(ms, mean.offset(), i, 0);
                double rsd = at(rs, rstd.offset(), i, 0);
                double sumDy = 0;
                double sumDyXhat = 0;
                for (int j = 0; j < d; j++) {
                    double g = at(gy, go, j, 0);
                    xhat[j] = (at(x, xo, j, 0) - mu) * rsd;
                    dy[j] = g * wv[j];
                    sumDy += dy[j];
                    sumDyXhat += dy[j] * xhat[j];
                    gw[j] += g * xhat[j];
                    gb[j] += g;
                }
                double a = sumDy / d;
                double c = sumDyXhat / d;
                if (gx.f != null) {
                    for (int j = 0; j < d; j++) {
                        gx.f[o + j] = (float) (rsd * (dy[j] - a - xhat[j] * c));
                    }
                } else {
                    for (int j = 0; j < d; j++) {
                        gx.d[o + j] = rsd * (dy[j] - a - xhat[j] * c);
                    }
                }
            }
            double[] both = new double[2 * d];
            System.arraycopy(gw, 0, both, 0, d);
            System.arraycopy(gb, 0, both, d, d);
            partial[from] = both;
        });
        double[] gwSum = new double[d];
        double[] gbSum = new double[d];
        for (double[] part : partial) {
            if (part != null) {
                for (int j = 0; j < d; j++) {
                    gwSum[j] += part[j];
                    gbSum[j] += part[d + j];
                }
            }
        }
        for (int j = 0; j < d; j++) {
            if (gradWeight != null) {
                ((CpuStorage) gradWeight.storage()).setDouble(gradWeight.offset() + j, gwSum[j]);
            }
            if (gradBias != null) {
                ((CpuStorage) gradBias.storage()).setDouble(gradBias.offset() + j, gbSum[j]);
            }
        }
        return true;
    }
}
