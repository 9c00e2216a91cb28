package dev.ember.backend.cpu;

import dev.ember.backend.Strided;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The GRU cell's element-wise part in one pass each way (PyTorch's {@code _thnn_fused_gru_cell}): from the two
 * gate projections (N, 3H) (blocks r, z, n, as PyTorch lays them out) and h (N, H) to h' (N, H), with
 * {@code r = sigmoid(x_r + h_r)}, {@code z = sigmoid(x_z + h_z)}, {@code n = tanh(x_n + r h_n)} and
 * {@code h' = n + z (h - n)}, saving (r, z, n, h_n) (N, 4H) for the backward. Each element gets the operations
 * of the composite in {@code dev.ember.nn.functional.Recurrent} in the same order, with the same scalar
 * functions the composite's row kernels use (vector lanes and scalar tails agree bit for bit), so the forward
 * gives its bits. float64 (gradcheck's dtype) runs plain loops. Operands need unit stride along their last dim.
 */
final class CpuGru {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final int GRAIN = 2048;

    private CpuGru() {
    }

    static boolean forward(Strided xGates, Strided hGates, Strided h, Strided hNew, Strided saved) {
        if (!CpuLstm.rows(xGates, hGates, h, hNew, saved)) {
            return false;
        }
        int n = h.shape()[0];
        int hs = h.shape()[1];
        CpuStorage x = (CpuStorage) xGates.storage();
        CpuStorage g = (CpuStorage) hGates.storage();
        CpuStorage hp = (CpuStorage) h.storage();
        CpuStorage out = (CpuStorage) hNew.storage();
        CpuStorage sv = (CpuStorage) saved.storage();
        Parallel.parallelFor(0, n, Math.max(1, GRAIN / Math.max(hs, 1)), (from, to) -> {
            for (int row = from; row < to; row++) {
                int xo = xGates.offset() + row * xGates.strides()[0];
                int go = hGates.offset() + row * hGates.strides()[0];
                int ho = h.offset() + row * h.strides()[0];
                int oo = hNew.offset() + row * hNew.strides()[0];
                int so = saved.offset() + row * saved.strides()[0];
                if (x.f != null) {
                    forwardRow(x.f, xo, g.f, go, hp.f, ho, out.f, oo, sv.f, so, hs);
                } else {
                    for (int j = 0; j < hs; j++) {
                        double r = ExactMath.sigmoid(x.d[xo + j] + g.d[go + j]);
                        double z = ExactMath.sigmoid(x.d[xo + hs + j] + g.d[go + hs + j]);
                        double hn = g.d[go + 2 * hs + j];
                        double nn = Math.tanh(x.d[xo + 2 * hs + j] + r * hn);
                        out.d[oo + j] = nn + z * (hp.d[ho + j] - nn);
                        sv.d[so + j] = r;
                        sv.d[so + hs + j] = z;
                        sv.d[so + 2 * hs + j] = nn;
                        sv.d[so + 3 * hs + j] = hn;
                    }
                }
            }
        });
        return true;
    }

    /**
     * One float32 row in passes with one kind of transcendental each, vectorised (a loop holding several
     * polynomials grows too big for C2 to inline every vector op): r and z (the LSTM's sigmoid pass), h_n, n, h'.
     */
    private static void forwardRow(float[] x, int xo, float[] g, int go, float[] h, int ho, float[] out, int oo,
                                   float[] sv, int so, int hs) {
        CpuLstm.sigmoids(x, xo, g, go, sv, so, 0, 2 * hs); // r, z
        System.arraycopy(g, go + 2 * hs, sv, so + 3 * hs, hs); // h_n
        MemorySegment xs = MemorySegment.ofArray(x);
        MemorySegment ss = MemorySegment.ofArray(sv);
        int j = 0;
        for (; j <= hs - F.length(); j += F.length()) {
            FloatVector rhn = CpuLstm.ld(ss, so + j).mul(CpuLstm.ld(ss, so + 3 * hs + j));
            FloatVector a = CpuLstm.ld(xs, xo + 2 * hs + j).add(rhn);
            ExactMath.tanh(a).intoMemorySegment(ss, (long) (so + 2 * hs + j) << 2, NATIVE);
        }
        for (; j < hs; j++) {
            sv[so + 2 * hs + j] = ExactMath.tanh(x[xo + 2 * hs + j] + sv[so + j] * sv[so + 3 * hs + j]);
        }
        for (j = 0; j < hs; j++) {
            float nn = sv[so + 2 * hs + j];
            out[oo + j] = nn + sv[so + hs + j] * (h[ho + j] - nn);
        }
    }

    /**
     * From the gradient of h' (N, H), the saved (r, z, n, h_n) and h: the gradients of the x gates and of the h
     * gates (N, 3H each; they differ only in the n block, {@code r} times the other's) and of h (N, H).
     */
    static boolean backward(Strided gradHNew, Strided saved, Strided h, Strided gradXGates, Strided gradHGates,
                            Strided gradH) {
        if (!CpuLstm.rows(gradHNew, saved, h, gradXGates, gradHGates, gradH)) {
            return false;
        }
        int n = h.shape()[0];
        int hs = h.shape()[1];
        CpuStorage gy = (CpuStorage) gradHNew.storage();
        CpuStorage sv = (CpuStorage) saved.storage();
        CpuStorage hp = (CpuStorage) h.storage();
        CpuStorage gx = (CpuStorage) gradXGates.storage();
        CpuStorage gg = (CpuStorage) gradHGates.storage();
        CpuStorage gh = (CpuStorage) gradH.storage();
        Parallel.parallelFor(0, n, Math.max(1, GRAIN / Math.max(hs, 1)), (from, to) -> {
            for (int row = from; row < to; row++) {
                int yo = gradHNew.offset() + row * gradHNew.strides()[0];
                int so = saved.offset() + row * saved.strides()[0];
                int ho = h.offset() + row * h.strides()[0];
                int xo = gradXGates.offset() + row * gradXGates.strides()[0];
                int go = gradHGates.offset() + row * gradHGates.strides()[0];
                int o = gradH.offset() + row * gradH.strides()[0];
                if (gy.f != null) {
                    for (int j = 0; j < hs; j++) {
                        float g = gy.f[yo + j];
                        float r = sv.f[so + j];
                        float z = sv.f[so + hs + j];
                        float nn = sv.f[so + 2 * hs + j];
                        float hn = sv.f[so + 3 * hs + j];
                        float gn = g * (1 - z) * (1 - nn * nn); // through n = tanh(.)
                        float gz = g * (hp.f[ho + j] - nn) * (z * (1 - z));
                        float gr = gn * hn * (r * (1 - r));
                        gx.f[xo + j] = gr;
                        gx.f[xo + hs + j] = gz;
                        gx.f[xo + 2 * hs + j] = gn;
                        gg.f[go + j] = gr;
                        gg.f[go + hs + j] = gz;
                        gg.f[go + 2 * hs + j] = gn * r;
                        gh.f[o + j] = g * z;
                    }
                } else {
                    for (int j = 0; j < hs; j++) {
                        double g = gy.d[yo + j];
                        double r = sv.d[so + j];
                        double z = sv.d[so + hs + j];
                        double nn = sv.d[so + 2 * hs + j];
                        double hn = sv.d[so + 3 * hs + j];
                        double gn = g * (1 - z) * (1 - nn * nn);
                        double gz = g * (hp.d[ho + j] - nn) * (z * (1 - z));
                        double gr = gn * hn * (r * (1 - r));
                        gx.d[xo + j] = gr;
                        gx.d[xo + hs + j] = gz;
                        gx.d[xo + 2 * hs + j] = gn;
                        gg.d[go + j] = gr;
                        gg.d[go + hs + j] = gz;
                        gg.d[go + 2 * hs + j] = gn * r;
                        gh.d[o + j] = g * z;
                    }
                }
            }
        });
        return true;
    }
}
