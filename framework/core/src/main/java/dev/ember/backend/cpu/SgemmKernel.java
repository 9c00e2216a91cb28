package dev.ember.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 GEMM's inner pieces: packing of A and B blocks into the layouts the micro-kernel streams, and
 * the {@code MR x NR} register-blocked micro-kernel itself ({@link Sgemm} is the driver around them).
 *
 * <p>Layouts: a packed A block is a run of micro-panels of {@code MR} rows, each stored row by row
 * ({@code panel[r * kb + k]}), so packing a row-major A (the common case) is a plain copy and a k step
 * broadcasts one float from each of MR sequential streams (measured 20% faster overall than BLIS's k-major
 * A panels, whose packing is a transpose); a packed B block is a run of micro-panels of {@code NR} columns,
 * each stored k-major ({@code panel[k * NR + j]}), so one k step is two full-width vector loads. Rows and
 * columns past the matrix edge are packed as zeros, so the kernel always computes a whole tile and only the
 * write-back looks at the edge.
 *
 * <p>Vector loads go through {@link MemorySegment#ofArray heap segments}: {@code FloatVector.fromArray} in
 * this loop keeps its bounds checks inside the k loop and runs at a third of the speed (shared/bench/README).
 * The JIT hoists the segment checks only because the loads advance by a constant step: a variant that read
 * a row-major B in place (step = B's row stride, a variable) measured 15% slower than packing B first.
 */
final class SgemmKernel {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    /** Rows of a micro-tile: 6 x 2 vectors = 12 accumulators, leaving registers for 2 B vectors and a broadcast. */
    static final int MR = 6;
    /** Columns of a micro-tile: two vectors (32 floats with AVX-512, 16 with AVX2). */
    static final int NR = 2 * LANES;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final long VBYTES = LANES * 4L;

    private SgemmKernel() {
    }

    /**
     * Packs rows {@code [i0, i0 + mb)} x columns {@code [k0, k0 + kb)} of A (batch {@code p}) into
     * {@code ceil(mb / MR)} micro-panels of {@code MR * kb} floats (row by row) at {@code dst[0..]}.
     */
    static void packA(GemmOperand.F a, int p, int i0, int mb, int k0, int kb, float[] dst) {
        float[] src = a.data();
        int rs = a.rowStride();
        int cs = a.colStride();
        int base = a.offset() + p * a.batchStride() + i0 * rs + k0 * cs;
        // row r of micro-panel q is row q * MR + r of the block, so the packed block is simply the block's
        // rows one after another: dst[i * kb + k] = A[i0 + i][k0 + k]
        if (cs == 1) {
            // row-major A: each packed row is a straight copy
            for (int i = 0; i < mb; i++) {
                System.arraycopy(src, base + i * rs, dst, i * kb, kb);
            }
        } else {
            // transposed (or strided) A: transpose in strips of 16 k steps, so that the strip's source lines
            // (consecutive rows i along one stored row when rs == 1) stay in L1 while every row is written
            for (int k0s = 0; k0s < kb; k0s += 16) {
                int k1s = Math.min(kb, k0s + 16);
                for (int i = 0; i < mb; i++) {
                    for (int k = k0s, s = base + i * rs + k0s * cs, d = i * kb + k0s; k < k1s; k++, s += cs, d++) {
                        dst[d] = src[s];
                    }
                }
            }
        }
        int padded = GemmPlan.ceilDiv(mb, MR) * MR;
        Arrays.fill(dst, mb * kb, padded * kb, 0f);
    }

    /**
     * Packs rows {@code [k0, k0 + kb)} x the micro-panels {@code [q0, q1)} of the column block starting at
     * {@code j0} ({@code nb} columns wide) of B (batch {@code p}) into {@code dst}: panel q at
     * {@code dstOff + q * kb * NR}.
     */
    static void packB(GemmOperand.F b, int p, int k0, int kb, int j0, int nb, float[] dst, int dstOff,
                      int q0, int q1) {
        float[] src = b.data();
        int rs = b.rowStride();
        int cs = b.colStride();
        for (int q = q0; q < q1; q++) {
            int j = q * NR;
            int w = Math.min(NR, nb - j);
            int d0 = dstOff + q * kb * NR;
            int base = b.offset() + p * b.batchStride() + k0 * rs + (j0 + j) * cs;
            if (w == NR && cs == 1) {
                // row-major B: each k step is NR consecutive floats
                for (int k = 0, s = base, d = d0; k < kb; k++, s += rs, d += NR) {
                    System.arraycopy(src, s, dst, d, NR);
                }
            } else if (rs == 1) {
                // transposed B (e.g. weight.t() in linear): columns are contiguous in memory; transpose in
                // strips of 16 k steps so the strip of the panel being written stays in L1
                for (int k0s = 0; k0s < kb; k0s += 16) {
                    int k1s = Math.min(kb, k0s + 16);
                    for (int jj = 0; jj < w; jj++) {
                        int s = base + jj * cs;
                        for (int k = k0s, d = d0 + k0s * NR + jj; k < k1s; k++, d += NR) {
                            dst[d] = src[s + k];
                        }
                    }
                }
                zeroColumns(dst, d0, kb, w);
            } else {
                for (int k = 0; k < kb; k++) {
                    int s = base + k * rs;
                    int d = d0 + k * NR;
                    for (int jj = 0; jj < w; jj++) {
                        dst[d + jj] = src[s + jj * cs];
                    }
                }
                zeroColumns(dst, d0, kb, w);
            }
        }
    }

    private static void zeroColumns(float[] dst, int d0, int kb, int w) {
        if (w < NR) {
            for (int k = 0, d = d0; k < kb; k++, d += NR) {
                Arrays.fill(dst, d + w, d + NR, 0f);
            }
        }
    }

    /** Pass as {@code drop} to overwrite C (the first k block). */
    static final VectorMask<Float> OVERWRITE = SPECIES.maskAll(true);
    /** Pass as {@code drop} to add to C (later k blocks). */
    static final VectorMask<Float> ACCUMULATE = SPECIES.maskAll(false);

    /**
     * One {@code MR x NR} tile: {@code C = A_panel @ B_panel + (drop ? 0 : C)} over {@code kb} steps. A panel
     * at {@code a[ai..]} (row r at {@code ai + r * kb}), B panel at byte {@code bo} of {@code b}, C's tile at
     * byte {@code co} of {@code c} with rows {@code ldc} bytes apart (columns contiguous).
     *
     * <p>{@code drop} is {@link #OVERWRITE} or {@link #ACCUMULATE}: a mask rather than a boolean because the
     * kernel must have no branch that some sizes leave untaken while the JIT profiles it; such a branch
     * compiles to a trap that, when first hit, drops the kernel back to the interpreter, where Vector API code
     * runs a hundred times slower until it is compiled again (seen as 30 ms products in a 0.4 ms benchmark).
     */
    static void kernel(float[] a, int ai, MemorySegment b, long bo, int kb, MemorySegment c, long co, long ldc,
                       VectorMask<Float> drop) {
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
        for (int k = 0; k < kb; k++, bo += 2 * VBYTES) {
            FloatVector b0 = FloatVector.fromMemorySegment(SPECIES, b, bo, ORDER);
            FloatVector b1 = FloatVector.fromMemorySegment(SPECIES, b, bo + VBYTES, ORDER);
            FloatVector x = FloatVector.broadcast(SPECIES, a[ai + k]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, a[a1 + k]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, a[a2 + k]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, a[a3 + k]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SPECIES, a[a4 + k]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(SPECIES, a[a5 + k]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        // C = acc + (drop ? 0 : C), C's old value blended away rather than masked off the load: written out here
        // and kept small. A helper with a masked load compiled on its own to more code than C2 inlines ("already
        // compiled into a big method"), so every call boxed its vector (30 MB a call in the Winograd
        // convolution's products); written out with masked loads, the kernel outgrew C1 ("out of virtual
        // registers") and was left uncompiled
        c00.add(FloatVector.fromMemorySegment(SPECIES, c, co, ORDER).blend(0f, drop)).intoMemorySegment(c, co, ORDER);
        c01.add(FloatVector.fromMemorySegment(SPECIES, c, co + VBYTES, ORDER).blend(0f, drop))
                .intoMemorySegment(c, co + VBYTES, ORDER);
        co += ldc;
        c10.add(FloatVector.fromMemorySegment(SPECIES, c, co, ORDER).blend(0f, drop)).intoMemorySegment(c, co, ORDER);
        c11.add(FloatVector.fromMemorySegment(SPECIES, c, co + VBYTES, ORDER).blend(0f, drop))
                .intoMemorySegment(c, co + VBYTES, ORDER);
        co += ldc;
        c20.add(FloatVector.fromMemorySegment(SPECIES, c, co, ORDER).blend(0f, drop)).intoMemorySegment(c, co, ORDER);
        c21.add(FloatVector.fromMemorySegment(SPECIES, c, co + VBYTES, ORDER).blend(0f, drop))
                .intoMemorySegment(c, co + VBYTES, ORDER);
        co += ldc;
        c30.add(FloatVector.fromMemorySegment(SPECIES, c, co, ORDER).blend(0f, drop)).intoMemorySegment(c, co, ORDER);
        c31.add(FloatVector.fromMemorySegment(SPECIES, c, co + VBYTES, ORDER).blend(0f, drop))
                .intoMemorySegment(c, co + VBYTES, ORDER);
        co += ldc;
        c40.add(FloatVector.fromMemorySegment(SPECIES, c, co, ORDER).blend(0f, drop)).intoMemorySegment(c, co, ORDER);
        c41.add(FloatVector.fromMemorySegment(SPECIES, c, co + VBYTES, ORDER).blend(0f, drop))
                .intoMemorySegment(c, co + VBYTES, ORDER);
        co += ldc;
        c50.add(FloatVector.fromMemorySegment(SPECIES, c, co, ORDER).blend(0f, drop)).intoMemorySegment(c, co, ORDER);
        c51.add(FloatVector.fromMemorySegment(SPECIES, c, co + VBYTES, ORDER).blend(0f, drop))
                .intoMemorySegment(c, co + VBYTES, ORDER);
    }
}
