package dev.ember.backend.cpu;

import dev.ember.backend.BinaryOp;
import dev.ember.backend.Strided;
import dev.ember.backend.UnaryOp;

/**
 * softmax and logSoftmax along the last dim, forward and backward, one row at a time (the row stays in cache
 * across its passes) with the row kernels of {@link FloatRows}, {@link DoubleRows} and {@link ReduceRows}.
 * Each row follows the composite in {@code dev.ember.tensor.Reductions}: shift by the row max (0 if the max is
 * infinite), exponentiate, sum in double, then divide (softmax) or subtract the log of the sum (logSoftmax).
 * Operands are (R, C) views with unit stride along C; rows run in parallel.
 */
final class CpuSoftmax {
    /** Elements per chunk of parallel work (exp is the dear part). */
    private static final int GRAIN = 8192;

    private CpuSoftmax() {
    }

    private static boolean rows(Strided... ts) {
        for (Strided t : ts) {
            if (t.shape().length != 2 || (t.strides()[1] != 1 && t.shape()[1] > 1) || !t.dtype().isFloatingPoint()
                    || t.dtype() != ts[0].dtype()) {
                return false;
            }
        }
        return true;
    }

    private static int rowStride(Strided t) {
        return t.shape()[0] > 1 ? t.strides()[0] : 0;
    }

    static boolean forward(Strided in, Strided out, boolean log) {
        if (!rows(in, out)) {
            return false;
        }
        int r = in.shape()[0];
        int c = in.shape()[1];
        if (c == 0) {
            return true;
        }
        CpuStorage x = (CpuStorage) in.storage();
        CpuStorage y = (CpuStorage) out.storage();
        int xs = rowStride(in);
        int ys = rowStride(out);
        Parallel.parallelFor(0, r, Math.max(1, GRAIN / c), (from, to) -> {
            for (int i = from; i < to; i++) {
                int xo = in.offset() + i * xs;
                int yo = out.offset() + i * ys;
                if (x.f != null) {
                    rowF(x.f, xo, y.f, yo, c, log);
                } else {
                    rowD(x.d, xo, y.d, yo, c, log);
                }
            }
        });
        return true;
    }

    private static void rowF(float[] x, int xo, float[] y, int yo, int c, boolean log) {
        float m = ReduceRows.extreme(true, x, xo, c);
        float[] shift = {Float.isInfinite(m) ? 0f : m};
        FloatRows.binary(BinaryOp.SUB, x, xo, 1, shift, 0, 0, y, yo, c);
        FloatRows.unary(UnaryOp.EXP, y, yo, y, yo, c);
        float sum = (float) ReduceRows.sum(y, yo, c);
        if (log) {
            float[] lse = {(float) Math.log(sum) + shift[0]};
            FloatRows.binary(BinaryOp.SUB, x, xo, 1, lse, 0, 0, y, yo, c);
        } else {
            FloatRows.binary(BinaryOp.DIV, y, yo, 1, new float[] {sum}, 0, 0, y, yo, c);
        }
    }

    private static void rowD(double[] x, int xo, double[] y, int yo, int c, boolean log) {
        double m = ReduceRows.extreme(true, x, xo, c);
        double[] shift = {Double.isInfinite(m) ? 0 : m};
        DoubleRows.binary(BinaryOp.SUB, x, xo, 1, shift, 0, 0, y, yo, c);
        DoubleRows.unary(UnaryOp.EXP, y, yo, y, yo, c);
        double sum = ReduceRows.sum(y, yo, c);
        if (log) {
            double[] lse = {Math.log(sum) + shift[0]};
            DoubleRows.binary(BinaryOp.SUB, x, xo, 1, lse, 0, 0, y, yo, c);
        } else {
            DoubleRows.binary(BinaryOp.DIV, y, yo, 1, new double[] {sum}, 0, 0, y, yo, c);
        }
    }

    static boolean backward(Strided out, Strided gradOut, Strided gradIn, boolean log) {
        if (!rows(out, gradOut, gradIn)) {
            return false;
        }
        int r = out.shape()[0];
        int c = out.shape()[1];
        if (c == 0) {
            return true;
        }
        CpuStorage y = (CpuStorage) out.storage();
        CpuStorage gy = (CpuStorage) gradOut.storage();
        CpuStorage gx = (CpuStorage) gradIn.storage();
        int ys = rowStride(out);
        int gys = rowStride(gradOut);
        int gxs = rowStride(gradIn);
        Parallel.parallelFor(0, r, Math.max(1, GRAIN / c), (from, to) -> {
            for (int i = from; i < to; i++) {
                int yo = out.offset() + i * ys;
                int go = gradOut.offset() + i * gys;
                int xo = gradIn.offset() + i * gxs;
                if (y.f != null) {
                    backRowF(y.f, yo, gy.f, go, gx.f, xo, c, log);
                } else {
                    backRowD(y.d, yo, gy.d, go, gx.d, xo, c, log);
                }
            }
        });
        return true;
    }

    private static void backRowF(float[] y, int yo, float[] gy, int go, float[] gx, int xo, int c, boolean log) {
        if (log) {
            // gx = gy - exp(y) * sum(gy)
            float[] s = {(float) ReduceRows.sum(gy, go, c)};
            FloatRows.unary(UnaryOp.EXP, y, yo, gx, xo, c);
            FloatRows.binary(BinaryOp.MUL, gx, xo, 1, s, 0, 0, gx, xo, c);
            FloatRows.binary(BinaryOp.SUB, gy, go, 1, gx, xo, 1, gx, xo, c);
        } else {
            // gx = y * (gy - sum(gy * y))
            float[] dot = {(float) ReduceRows.dot(gy, go, y, yo, c)};
            FloatRows.binary(BinaryOp.SUB, gy, go, 1, dot, 0, 0, gx, xo, c);
            FloatRows.binary(BinaryOp.MUL, gx, xo, 1, y, yo, 1, gx, xo, c);
        }
    }

    private static void backRowD(double[] y, int yo, double[] gy, int go, double[] gx, int xo, int c, boolean log) {
        if (log) {
            double[] s = {ReduceRows.sum(gy, go, c)};
            DoubleRows.unary(UnaryOp.EXP, y, yo, gx, xo, c);
            DoubleRows.binary(BinaryOp.MUL, gx, xo, 1, s, 0, 0, gx, xo, c);
            DoubleRows.binary(BinaryOp.SUB, gy, go, 1, gx, xo, 1, gx, xo, c);
        } else {
            double[] dot = {ReduceRows.dot(gy, go, y, yo, c)};
            DoubleRows.binary(BinaryOp.SUB, gy, go, 1, dot, 0, 0, gx, xo, c);
            DoubleRows.binary(BinaryOp.MUL, gx, xo, 1, y, yo, 1, gx, xo, c);
        }
    }
}
