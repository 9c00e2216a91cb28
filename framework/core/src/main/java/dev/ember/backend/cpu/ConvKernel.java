package dev.ember.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two register-blocked micro-kernels of the direct float32 convolution ({@link CpuConv} is the driver).
 *
 * <p>Both read a zero-padded copy of one image, {@code xp[c][r][q]} ({@code Hp x Wp} per channel), in place:
 * for the filter tap {@code k = (c, kh, kw)} the inputs of a run of output positions {@code (oh, ow..ow+L)} are
 * the L consecutive floats at {@code offs[k] + oh*Wp + ow}, with {@code offs[k] = (c*Hp + kh*dH)*Wp + kw*dW}.
 * So a convolution is a GEMM whose B operand is never built (no im2col buffer, no B packing), only addressed
 * through the table {@code offs}. A run is one output row's {@code L = LANES} positions at most (a
 * "segment"); lanes past the row's end read whatever follows in the buffer and are never stored.
 */
final class ConvKernel {
    static final VectorSpecies<Float> SPECIES = SgemmKernel.SPECIES;
    static final int LANES = SPECIES.length();
    /** Filters per forward micro-tile (rows of A); with two segments, 12 accumulators as in {@link SgemmKernel}. */
    static final int MR = 6;
    /** Output channels per weight-gradient micro-tile. */
    static final int WR = 4;
    /** Filter taps per weight-gradient micro-tile: WR x WK = 24 accumulators. */
    static final int WK = 6;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final long VBYTES = LANES * 4L;

    private ConvKernel() {
    }

    /**
     * Forward tile: MR filters (packed row by row at {@code a[ai + r*kb + k]}) times two segments whose first
     * inputs are at bytes {@code x0} and {@code x1} of {@code xp}; row r of the result goes to {@code tile} at
     * floats {@code r*2*LANES} (first segment) and {@code r*2*LANES + LANES} (second). Only full-width stores to a
     * scratch tile here: masked stores to the output inline into so many nodes that C2 stops inlining and boxes
     * the accumulators ({@link #emit} does them, compiled on its own).
     */
    static void forward(float[] a, int ai, int kb, long[] offs, MemorySegment xp, long x0, long x1,
                        MemorySegment tile) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        FloatVector c40 = c00;
        FloatVector c41 = c00;
        FloatVector c50 = c00;
        FloatVector c51 = c00;
        int a1 = ai + kb;
        int a2 = a1 + kb;
        int a3 = a2 + kb;
        int a4 = a3 + kb;
        int a5 = a4 + kb;
        for (int k = 0; k < kb; k++) {
            long o = offs[k];
            FloatVector b0 = FloatVector.fromMemorySegment(SPECIES, xp, x0 + o, ORDER);
            FloatVector b1 = FloatVector.fromMemorySegment(SPECIES, xp, x1 + o, ORDER);
            FloatVector v = FloatVector.broadcast(SPECIES, a[ai + k]);
            c00 = v.fma(b0, c00);
            c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(SPECIES, a[a1 + k]);
            c10 = v.fma(b0, c10);
            c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(SPECIES, a[a2 + k]);
            c20 = v.fma(b0, c20);
            c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(SPECIES, a[a3 + k]);
            c30 = v.fma(b0, c30);
            c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(SPECIES, a[a4 + k]);
            c40 = v.fma(b0, c40);
            c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(SPECIES, a[a5 + k]);
            c50 = v.fma(b0, c50);
            c51 = v.fma(b1, c51);
        }
        c00.intoMemorySegment(tile, 0, ORDER);
        c01.intoMemorySegment(tile, VBYTES, ORDER);
        c10.intoMemorySegment(tile, 2 * VBYTES, ORDER);
        c11.intoMemorySegment(tile, 3 * VBYTES, ORDER);
        c20.intoMemorySegment(tile, 4 * VBYTES, ORDER);
        c21.intoMemorySegment(tile, 5 * VBYTES, ORDER);
        c30.intoMemorySegment(tile, 6 * VBYTES, ORDER);
        c31.intoMemorySegment(tile, 7 * VBYTES, ORDER);
        c40.intoMemorySegment(tile, 8 * VBYTES, ORDER);
        c41.intoMemorySegment(tile, 9 * VBYTES, ORDER);
        c50.intoMemorySegment(tile, 10 * VBYTES, ORDER);
        c51.intoMemorySegment(tile, 11 * VBYTES, ORDER);
    }

    /**
     * Writes the first {@code rows} rows of a forward tile, plus {@code bias[b0 + r]}, to {@code y}: row r's first
     * segment ({@code n0} lanes) at byte {@code y0 + r*ldy}, its second ({@code n1} lanes) at {@code y1 + r*ldy}.
     */
    static void emit(MemorySegment tile, int rows, float[] bias, int b0, MemorySegment y, long y0, long y1, long ldy,
                     int n0, int n1) {
        VectorMask<Float> m0 = SPECIES.indexInRange(0, n0);
        VectorMask<Float> m1 = SPECIES.indexInRange(0, n1);
        for (int r = 0; r < rows; r++) {
            float b = bias[b0 + r];
            FloatVector.fromMemorySegment(SPECIES, tile, 2 * r * VBYTES, ORDER).add(b)
                    .intoMemorySegment(y, y0 + r * ldy, ORDER, m0);
            FloatVector.fromMemorySegment(SPECIES, tile, (2 * r + 1) * VBYTES, ORDER).add(b)
                    .intoMemorySegment(y, y1 + r * ldy, ORDER, m1);
        }
    }

    /** {@code acc[at + i] += tile[i]} for the WR x WK vectors of a weight-gradient tile. */
    static void accumulate(float[] tile, float[] acc, int at) {
        for (int i = 0; i < WR * WK * LANES; i += LANES) {
            FloatVector.fromArray(SPECIES, tile, i).add(FloatVector.fromArray(SPECIES, acc, at + i))
                    .intoArray(acc, at + i);
        }
    }

    /**
     * Weight-gradient tile: for WR output-gradient planes (bytes {@code g[r]} of {@code gy}) and WK taps
     * ({@code offs[t[j]]}), the sums over the segments {@code seg[from..to)} of {@code gy[g_r + s*LANES ..] *
     * xp[offs[t_j] + xOff[s] ..]}, written as WR x WK vectors to {@code out[(r*WK + j) * LANES ..]} (the driver adds
     * them to its running sums with {@link #accumulate}). {@code gy} holds the gradient with each output row widened to whole segments,
     * zeros past the row's end, so its loads need no mask; the inputs' lanes in {@code drop} (past the row's end,
     * none for whole segments) are zeroed, so an inf or NaN read there never reaches a sum. One mask per call, and
     * a blend rather than masked loads, keeps the compiled loop small enough for C2 to inline every vector op.
     */
    static void weight(MemorySegment gy, long[] g, MemorySegment xp, long[] offs, int[] t, long[] xOff, int[] seg,
                       int from, int to, VectorMask<Float> drop, float[] out) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector s00 = z;
        FloatVector s01 = z;
        FloatVector s02 = z;
        FloatVector s03 = z;
        FloatVector s04 = z;
        FloatVector s05 = z;
        FloatVector s10 = z;
        FloatVector s11 = z;
        FloatVector s12 = z;
        FloatVector s13 = z;
        FloatVector s14 = z;
        FloatVector s15 = z;
        FloatVector s20 = z;
        FloatVector s21 = z;
        FloatVector s22 = z;
        FloatVector s23 = z;
        FloatVector s24 = z;
        FloatVector s25 = z;
        FloatVector s30 = z;
        FloatVector s31 = z;
        FloatVector s32 = z;
        FloatVector s33 = z;
        FloatVector s34 = z;
        FloatVector s35 = z;
        long g0 = g[0];
        long g1 = g[1];
        long g2 = g[2];
        long g3 = g[3];
        long o0 = offs[t[0]];
        long o1 = offs[t[1]];
        long o2 = offs[t[2]];
        long o3 = offs[t[3]];
        long o4 = offs[t[4]];
        long o5 = offs[t[5]];
        for (int i = from; i < to; i++) {
            int s = seg[i];
            long go = s * VBYTES;
            long xo = xOff[s];
            FloatVector d0 = FloatVector.fromMemorySegment(SPECIES, gy, g0 + go, ORDER);
            FloatVector d1 = FloatVector.fromMemorySegment(SPECIES, gy, g1 + go, ORDER);
            FloatVector d2 = FloatVector.fromMemorySegment(SPECIES, gy, g2 + go, ORDER);
            FloatVector d3 = FloatVector.fromMemorySegment(SPECIES, gy, g3 + go, ORDER);
            FloatVector x = FloatVector.fromMemorySegment(SPECIES, xp, o0 + xo, ORDER).blend(0f, drop);
            s00 = d0.fma(x, s00);
            s10 = d1.fma(x, s10);
            s20 = d2.fma(x, s20);
            s30 = d3.fma(x, s30);
            x = FloatVector.fromMemorySegment(SPECIES, xp, o1 + xo, ORDER).blend(0f, drop);
            s01 = d0.fma(x, s01);
            s11 = d1.fma(x, s11);
            s21 = d2.fma(x, s21);
            s31 = d3.fma(x, s31);
            x = FloatVector.fromMemorySegment(SPECIES, xp, o2 + xo, ORDER).blend(0f, drop);
            s02 = d0.fma(x, s02);
            s12 = d1.fma(x, s12);
            s22 = d2.fma(x, s22);
            s32 = d3.fma(x, s32);
            x = FloatVector.fromMemorySegment(SPECIES, xp, o3 + xo, ORDER).blend(0f, drop);
            s03 = d0.fma(x, s03);
            s13 = d1.fma(x, s13);
            s23 = d2.fma(x, s23);
            s33 = d3.fma(x, s33);
            x = FloatVector.fromMemorySegment(SPECIES, xp, o4 + xo, ORDER).blend(0f, drop);
            s04 = d0.fma(x, s04);
            s14 = d1.fma(x, s14);
            s24 = d2.fma(x, s24);
            s34 = d3.fma(x, s34);
            x = FloatVector.fromMemorySegment(SPECIES, xp, o5 + xo, ORDER).blend(0f, drop);
            s05 = d0.fma(x, s05);
            s15 = d1.fma(x, s15);
            s25 = d2.fma(x, s25);
            s35 = d3.fma(x, s35);
        }
        s00.intoArray(out, 0 * LANES);
        s01.intoArray(out, 1 * LANES);
        s02.intoArray(out, 2 * LANES);
        s03.intoArray(out, 3 * LANES);
        s04.intoArray(out, 4 * LANES);
        s05.intoArray(out, 5 * LANES);
        s10.intoArray(out, 6 * LANES);
        s11.intoArray(out, 7 * LANES);
        s12.intoArray(out, 8 * LANES);
        s13.intoArray(out, 9 * LANES);
        s14.intoArray(out, 10 * LANES);
        s15.intoArray(out, 11 * LANES);
        s20.intoArray(out, 12 * LANES);
        s21.intoArray(out, 13 * LANES);
        s22.intoArray(out, 14 * LANES);
        s23.intoArray(out, 15 * LANES);
        s24.intoArray(out, 16 * LANES);
        s25.intoArray(out, 17 * LANES);
        s30.intoArray(out, 18 * LANES);
        s31.intoArray(out, 19 * LANES);
        s32.intoArray(out, 20 * LANES);
        s33.intoArray(out, 21 * LANES);
        s34.intoArray(out, 22 * LANES);
        s35.intoArray(out, 23 * LANES);
    }
}
