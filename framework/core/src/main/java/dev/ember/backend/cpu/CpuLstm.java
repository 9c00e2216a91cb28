package dev.ember.backend.cpu;

import dev.ember.backend.Strided;
import dev.ember.backend.UnaryOp;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The LSTM cell's element-wise part in one pass each way (PyTorch's {@code _thnn_fused_lstm_cell}): from the
 * two gate projections (N, 4H) (gates i, f, g, o) and c (N, H) to h and c' in one (N, 2H) output, saving the
 * activated gates (N, 4H) for the backward, which gives the gates' gradient (N, 4H) and c's (N, H). Rows are
 * vectorised along H; operands need unit stride along their last dim.
 */
final class CpuLstm {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final int GRAIN = 4096;

    private CpuLstm() {
    }

    /** Whether every operand is 2-D, of one floating dtype, with unit stride along its last dim (CpuGru's too). */
    static boolean rows(Strided... ts) {
        for (Strided t : ts) {
            if (t.shape().length != 2 || t.strides()[1] != 1 || t.dtype() != ts[0].dtype()
                    || !t.dtype().isFloatingPoint()) {
                return false;
            }
        }
        return true;
    }

    private static int rowStride(Strided t) {
        return t.strides()[0];
    }

    static boolean forward(Strided xGates, Strided hGates, Strided cPrev, Strided hc, Strided gates) {
        if (!rows(xGates, hGates, cPrev, hc, gates)) {
            return false;
        }
        int n = cPrev.shape()[0];
        int h = cPrev.shape()[1];
        CpuStorage x = (CpuStorage) xGates.storage();
        CpuStorage hg = (CpuStorage) hGates.storage();
        CpuStorage cp = (CpuStorage) cPrev.storage();
        CpuStorage out = (CpuStorage) hc.storage();
        CpuStorage ws = (CpuStorage) gates.storage();
        Parallel.parallelFor(0, n, Math.max(1, GRAIN / Math.max(h, 1)), (from, to) -> {
            for (int r = from; r < to; r++) {
                int xo = xGates.offset() + r * rowStride(xGates);
                int ho = hGates.offset() + r * rowStride(hGates);
                int co = cPrev.offset() + r * rowStride(cPrev);
                int oo = hc.offset() + r * rowStride(hc);
                int wo = gates.offset() + r * rowStride(gates);
                if (x.f != null) {
                    forwardRow(x.f, xo, hg.f, ho, cp.f, co, out.f, oo, ws.f, wo, h);
                } else {
                    forwardRow(x.d, xo, hg.d, ho, cp.d, co, out.d, oo, ws.d, wo, h);
                }
            }
        });
        return true;
    }

    private static FloatVector sigmoid(FloatVector v) {
        // as FloatRows: e = exp(-|x|) never overflows
        FloatVector e = ExactMath.exp(v.abs().neg());
        FloatVector r = FloatVector.broadcast(F, 1f).div(e.add(1f));
        return r.blend(e.mul(r), v.compare(VectorOperators.LT, 0f));
    }

    private static DoubleVector sigmoid(DoubleVector v) {
        DoubleVector e = ExactMath.exp(v.abs().neg());
        DoubleVector r = DoubleVector.broadcast(D, 1).div(e.add(1));
        return r.blend(e.mul(r), v.compare(VectorOperators.LT, 0));
    }

    private static double sigmoid(double v) {
        return ExactMath.sigmoid(v); // the vector path's twin
    }

    static FloatVector ld(MemorySegment m, int i) {
        return FloatVector.fromMemorySegment(F, m, (long) i << 2, NATIVE);
    }

    private static void st(FloatVector v, MemorySegment m, int i) {
        v.intoMemorySegment(m, (long) i << 2, NATIVE);
    }

    private static DoubleVector ld(MemorySegment m, int i, boolean dbl) {
        return DoubleVector.fromMemorySegment(D, m, (long) i << 3, NATIVE);
    }

    private static void st(DoubleVector v, MemorySegment m, int i) {
        v.intoMemorySegment(m, (long) i << 3, NATIVE);
    }

    /**
     * One row, in three loops with one kind of transcendental each: a single loop with all five (three sigmoids,
     * two tanh) grew too big for C2 to inline every vector op, and the ops it left out ran as Java fallbacks
     * (FloatVector.blendTemplate) at a fraction of the speed. Each element gets the same operations either way.
     */
    private static void forwardRow(float[] x, int xo, float[] hg, int ho, float[] cp, int co, float[] out, int oo,
                                   float[] ws, int wo, int h) {
        sigmoids(x, xo, hg, ho, ws, wo, 0, 2 * h); // i, f
        tanhs(x, xo, hg, ho, ws, wo, 2 * h, 3 * h); // g
        sigmoids(x, xo, hg, ho, ws, wo, 3 * h, 4 * h); // o
        cells(ws, wo, cp, co, out, oo, h);
    }

    /** ws[wo + j] = sigmoid(x[xo + j] + hg[ho + j]) for j in [from, to). */
    static void sigmoids(float[] x, int xo, float[] hg, int ho, float[] ws, int wo, int from, int to) {
        MemorySegment xs = MemorySegment.ofArray(x);
        MemorySegment hs = MemorySegment.ofArray(hg);
        MemorySegment w = MemorySegment.ofArray(ws);
        int j = from;
        for (; j <= to - F.length(); j += F.length()) {
            st(sigmoid(ld(xs, xo + j).add(ld(hs, ho + j))), w, wo + j);
        }
        for (; j < to; j++) {
            ws[wo + j] = ExactMath.sigmoid(x[xo + j] + hg[ho + j]);
        }
    }

    /** ws[wo + j] = tanh(x[xo + j] + hg[ho + j]) for j in [from, to). */
    private static void tanhs(float[] x, int xo, float[] hg, int ho, float[] ws, int wo, int from, int to) {
        MemorySegment xs = MemorySegment.ofArray(x);
        MemorySegment hs = MemorySegment.ofArray(hg);
        MemorySegment w = MemorySegment.ofArray(ws);
        int j = from;
        for (; j <= to - F.length(); j += F.length()) {
            st(ExactMath.tanh(ld(xs, xo + j).add(ld(hs, ho + j))), w, wo + j);
        }
        for (; j < to; j++) {
            ws[wo + j] = ExactMath.tanh(x[xo + j] + hg[ho + j]);
        }
    }

    /** From the activated gates: c' = f c + i g and h = o tanh(c'), written as out = [h, c']. */
    private static void cells(float[] ws, int wo, float[] cp, int co, float[] out, int oo, int h) {
        MemorySegment w = MemorySegment.ofArray(ws);
        MemorySegment cs = MemorySegment.ofArray(cp);
        MemorySegment os = MemorySegment.ofArray(out);
        int j = 0;
        for (; j < F.loopBound(h); j += F.length()) {
            FloatVector c = ld(w, wo + h + j).mul(ld(cs, co + j)).add(ld(w, wo + j).mul(ld(w, wo + 2 * h + j)));
            st(ld(w, wo + 3 * h + j).mul(ExactMath.tanh(c)), os, oo + j);
            st(c, os, oo + h + j);
        }
        for (; j < h; j++) {
            float c = ws[wo + h + j] * cp[co + j] + ws[wo + j] * ws[wo + 2 * h + j];
            out[oo + j] = ws[wo + 3 * h + j] * ExactMath.tanh(c);
            out[oo + h + j] = c;
        }
    }

    private static void forwardRow(double[] x, int xo, double[] hg, int ho, double[] cp, int co, double[] out,
                                   int oo, double[] ws, int wo, int h) {
        MemorySegment xs = MemorySegment.ofArray(x);
        MemorySegment hs = MemorySegment.ofArray(hg);
        MemorySegment cs = MemorySegment.ofArray(cp);
        MemorySegment os = MemorySegment.ofArray(out);
        MemorySegment w = MemorySegment.ofArray(ws);
        int bound = D.loopBound(h);
        int j = 0;
        for (; j < bound; j += D.length()) {
            DoubleVector i = sigmoid(ld(xs, xo + j, true).add(ld(hs, ho + j, true)));
            DoubleVector f = sigmoid(ld(xs, xo + h + j, true).add(ld(hs, ho + h + j, true)));
            DoubleVector g = ExactMath.tanh(ld(xs, xo + 2 * h + j, true).add(ld(hs, ho + 2 * h + j, true)));
            DoubleVector o = sigmoid(ld(xs, xo + 3 * h + j, true).add(ld(hs, ho + 3 * h + j, true)));
            st(i, w, wo + j);
            st(f, w, wo + h + j);
            st(g, w, wo + 2 * h + j);
            st(o, w, wo + 3 * h + j);
            DoubleVector c = f.mul(ld(cs, co + j, true)).add(i.mul(g));
            st(o.mul(ExactMath.tanh(c)), os, oo + j);
            st(c, os, oo + h + j);
        }
        for (; j < h; j++) {
            double i = sigmoid(x[xo + j] + hg[ho + j]);
            double f = sigmoid(x[xo + h + j] + hg[ho + h + j]);
            double g = Math.tanh(x[xo + 2 * h + j] + hg[ho + 2 * h + j]);
            double o = sigmoid(x[xo + 3 * h + j] + hg[ho + 3 * h + j]);
            ws[wo + j] = i;
            ws[wo + h + j] = f;
            ws[wo + 2 * h + j] = g;
            ws[wo + 3 * h + j] = o;
            double c = f * cp[co + j] + i * g;
            out[oo + j] = o * Math.tanh(c);
            out[oo + h + j] = c;
        }
    }

    /**
     * gradHc (N, 2H): the gradients of h and c'; gates (N, 4H) the activated gates, cPrev (N, H), hc the forward's
     * output (for c'). Writes gradGates (N, 4H), the gradient of both gate projections, and gradCPrev (N, H).
     */
    static boolean backward(Strided gradHc, Strided gates, Strided cPrev, Strided hc, Strided gradGates,
                            Strided gradCPrev) {
        if (!rows(gradHc, gates, cPrev, hc, gradGates, gradCPrev)) {
            return false;
        }
        int n = cPrev.shape()[0];
        int h = cPrev.shape()[1];
        CpuStorage gy = (CpuStorage) gradHc.storage();
        CpuStorage ws = (CpuStorage) gates.storage();
        CpuStorage cp = (CpuStorage) cPrev.storage();
        CpuStorage y = (CpuStorage) hc.storage();
        CpuStorage gg = (CpuStorage) gradGates.storage();
        CpuStorage gc = (CpuStorage) gradCPrev.storage();
        Parallel.parallelFor(0, n, Math.max(1, GRAIN / Math.max(h, 1)), (from, to) -> {
            for (int r = from; r < to; r++) {
                int go = gradHc.offset() + r * rowStride(gradHc);
                int wo = gates.offset() + r * rowStride(gates);
                int co = cPrev.offset() + r * rowStride(cPrev);
                int yo = hc.offset() + r * rowStride(hc);
                int ggo = gradGates.offset() + r * rowStride(gradGates);
                int gco = gradCPrev.offset() + r * rowStride(gradCPrev);
                if (gy.f != null) {
                    backwardRow(gy.f, go, ws.f, wo, cp.f, co, y.f, yo, gg.f, ggo, gc.f, gco, h);
                } else {
                    backwardRow(gy.d, go, ws.d, wo, cp.d, co, y.d, yo, gg.d, ggo, gc.d, gco, h);
                }
            }
        });
        return true;
    }

    private static void backwardRow(float[] gy, int go, float[] ws, int wo, float[] cp, int co, float[] y, int yo,
                                    float[] gg, int ggo, float[] gc, int gco, int h) {
        MemorySegment gys = MemorySegment.ofArray(gy);
        MemorySegment w = MemorySegment.ofArray(ws);
        MemorySegment cs = MemorySegment.ofArray(cp);
        MemorySegment ys = MemorySegment.ofArray(y);
        MemorySegment ggs = MemorySegment.ofArray(gg);
        MemorySegment gcs = MemorySegment.ofArray(gc);
        int bound = F.loopBound(h);
        // tanh(c') first, into gc (overwritten below): with the polynomial in the same loop C2 left some of the
        // other vector ops out of line, as boxing fallbacks
        FloatRows.unary(UnaryOp.TANH, y, yo + h, gc, gco, bound);
        int j = 0;
        for (; j < bound; j += F.length()) {
            FloatVector gh = ld(gys, go + j);
            FloatVector gcn = ld(gys, go + h + j);
            FloatVector i = ld(w, wo + j);
            FloatVector f = ld(w, wo + h + j);
            FloatVector g = ld(w, wo + 2 * h + j);
            FloatVector o = ld(w, wo + 3 * h + j);
            FloatVector tc = ld(gcs, gco + j);
            FloatVector gct = gcn.add(gh.mul(o).mul(tc.mul(tc).neg().add(1f)));
            st(gct.mul(g).mul(i.mul(i.neg().add(1f))), ggs, ggo + j);
            st(gct.mul(ld(cs, co + j)).mul(f.mul(f.neg().add(1f))), ggs, ggo + h + j);
            st(gct.mul(i).mul(g.mul(g).neg().add(1f)), ggs, ggo + 2 * h + j);
            st(gh.mul(tc).mul(o.mul(o.neg().add(1f))), ggs, ggo + 3 * h + j);
            st(gct.mul(f), gcs, gco + j);
        }
        for (; j < h; j++) {
            float gh = gy[go + j];
            float gcn = gy[go + h + j];
            float i = ws[wo + j];
            float f = ws[wo + h + j];
            float g = ws[wo + 2 * h + j];
            float o = ws[wo + 3 * h + j];
            float tc = ExactMath.tanh(y[yo + h + j]);
            float gct = gcn + gh * o * (1 - tc * tc);
            gg[ggo + j] = gct * g * (i * (1 - i));
            gg[ggo + h + j] = gct * cp[co + j] * (f * (1 - f));
            gg[ggo + 2 * h + j] = gct * i * (1 - g * g);
            gg[ggo + 3 * h + j] = gh * tc * (o * (1 - o));
            gc[gco + j] = gct * f;
        }
    }

    private static void backwardRow(double[] gy, int go, double[] ws, int wo, double[] cp, int co, double[] y, int yo,
                                    double[] gg, int ggo, double[] gc, int gco, int h) {
        MemorySegment gys = MemorySegment.ofArray(gy);
        MemorySegment w = MemorySegment.ofArray(ws);
        MemorySegment cs = MemorySegment.ofArray(cp);
        MemorySegment ys = MemorySegment.ofArray(y);
        MemorySegment ggs = MemorySegment.ofArray(gg);
        MemorySegment gcs = MemorySegment.ofArray(gc);
        int bound = D.loopBound(h);
        int j = 0;
        for (; j < bound; j += D.length()) {
            DoubleVector gh = ld(gys, go + j, true);
            DoubleVector gcn = ld(gys, go + h + j, true);
            DoubleVector i = ld(w, wo + j, true);
            DoubleVector f = ld(w, wo + h + j, true);
            DoubleVector g = ld(w, wo + 2 * h + j, true);
            DoubleVector o = ld(w, wo + 3 * h + j, true);
            DoubleVector tc = ExactMath.tanh(ld(ys, yo + h + j, true));
            DoubleVector gct = gcn.add(gh.mul(o).mul(tc.mul(tc).neg().add(1)));
            st(gct.mul(g).mul(i.mul(i.neg().add(1))), ggs, ggo + j);
            st(gct.mul(ld(cs, co + j, true)).mul(f.mul(f.neg().add(1))), ggs, ggo + h + j);
            st(gct.mul(i).mul(g.mul(g).neg().add(1)), ggs, ggo + 2 * h + j);
            st(gh.mul(tc).mul(o.mul(o.neg().add(1))), ggs, ggo + 3 * h + j);
            st(gct.mul(f), gcs, gco + j);
        }
        for (; j < h; j++) {
            double gh = gy[go + j];
            double gcn = gy[go + h + j];
            double i = ws[wo + j];
            double f = ws[wo + h + j];
            double g = ws[wo + 2 * h + j];
            double o = ws[wo + 3 * h + j];
            double tc = Math.tanh(y[yo + h + j]);
            double gct = gcn + gh * o * (1 - tc * tc);
            gg[ggo + j] = gct * g * (i * (1 - i));
            gg[ggo + h + j] = gct * cp[co + j] * (f * (1 - f));
            gg[ggo + 2 * h + j] = gct * i * (1 - g * g);
            gg[ggo + 3 * h + j] = gh * tc * (o * (1 - o));
            gc[gco + j] = gct * f;
        }
    }
}
