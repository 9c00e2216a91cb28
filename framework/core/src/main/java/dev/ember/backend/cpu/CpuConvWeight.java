package dev.ember.backend.cpu;

import dev.ember.backend.Strided;
import dev.ember.backend.Window2d;
import dev.ember.tensor.DType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.VectorMask;

/**
 * The weight and bias gradients of {@link CpuConv}'s direct float32 convolution: for each filter tap, the sum over
 * images and output positions of the output gradient times the input the tap saw, with {@link ConvKernel#weight}
 * (4 filters x 6 taps of vector sums over one padded image at a time). Work splits over fixed chunks of images
 * and blocks of output channels; each task carries its vector sums across its chunk's images, and the chunks'
 * partial sums are added in chunk order, so every result is the same on any number of threads.
 */
final class CpuConvWeight {
    private static final int LANES = ConvKernel.LANES;
    private static final int WR = ConvKernel.WR;
    private static final int WK = ConvKernel.WK;
    /** Most floats of weight-gradient partial sums (one per image chunk) held at once. */
    private static final long MAX_PARTIAL_FLOATS = 1 << 22;
    /** Most image chunks of the weight gradient (the chunking depends on shapes only, never on threads). */
    private static final int MAX_CHUNKS = 16;

    private CpuConvWeight() {
    }

    /**
     * gradW (Cout, Cin, kH, kW) contiguous = sum over images and output positions of gradY (N, Cout, oH, oW,
     * contiguous) times the inputs each filter tap saw in x (N, Cin, H, W); gradB (Cout, or null) = the sums of
     * gradY's planes, taken while they are copied for the kernel.
     */
    static boolean backwardWeight(Strided x, Strided gradY, Window2d win, Strided gradW, Strided gradB) {
        int[] ws = gradW.shape();
        if (!CpuConv.supports(x, gradW, win) || gradY.dtype() != DType.FLOAT32 || !gradY.isContiguous()
                || !gradW.isContiguous() || (gradB != null && gradB.dtype() != DType.FLOAT32)) {
            return false;
        }
        int[] xs = x.shape();
        CpuConv.Geometry g = new CpuConv.Geometry(xs[1], xs[2], xs[3], ws[2], ws[3], win.dH(), win.dW(), win.pH(),
                win.pW(), win.oH(), win.oW());
        int n = xs[0];
        int cout = ws[0];
        int taps = g.taps();
        long size = (long) cout * taps;
        if (n == 0 || size == 0) {
            fill(gradW, cout * taps, i -> 0f);
            if (gradB != null) {
                fill(gradB, cout, i -> 0f);
            }
            return true;
        }
        int rowBlocks = Math.ceilDiv(cout, WR);
        int tapBlocks = Math.ceilDiv(taps, WK);
        long tileFloats = (long) WR * WK * LANES;
        // images split into chunks fixed by the shapes; each chunk's sums are kept apart and added in chunk order
        int chunks = (int) Math.clamp(MAX_PARTIAL_FLOATS / size, 1, Math.min(n, MAX_CHUNKS));
        // output channels split into groups: enough tasks for the threads, and vector sums of a bounded size
        int groups = (int) Math.clamp(Math.max(4L * Parallel.numThreads() / chunks,
                Math.ceilDiv(rowBlocks * tapBlocks * tileFloats, MAX_PARTIAL_FLOATS)), 1, rowBlocks);
        float[] partial = new float[Math.toIntExact(chunks * size)];
        double[] biasPartial = new double[chunks * cout];
        long[] offs = g.offsets();
        int per = g.segmentsPerRow();
        int segs = g.oH() * per;
        long[] xOff = new long[segs];
        // whole segments first, then the partial last segment of every row (all of one width)
        int[] order = new int[segs];
        int at = 0;
        for (int s = 0; s < segs; s++) {
            xOff[s] = 4L * CpuConv.position(g, s, g.wp());
            if (CpuConv.valid(g, s) == LANES) {
                order[at++] = s;
            }
        }
        int whole = at;
        for (int s = 0; s < segs; s++) {
            if (CpuConv.valid(g, s) < LANES) {
                order[at++] = s;
            }
        }
        int tail = g.oW() - (per - 1) * LANES;
        VectorMask<Float> none = ConvKernel.SPECIES.maskAll(false);
        VectorMask<Float> pastRow = ConvKernel.SPECIES.indexInRange(0, tail).not();
        int wg = per * LANES;
        Parallel.forEachTask(chunks * groups, Parallel.numThreads(), task -> {
            int chunk = task / groups;
            int group = task % groups;
            CpuConv.Scratch sc = CpuConv.SCRATCH.get();
            long[] rowsAt = new long[WR];
            int[] tapIdx = new int[WK];
            int rb0 = (int) ((long) rowBlocks * group / groups);
            int rb1 = (int) ((long) rowBlocks * (group + 1) / groups);
            int co0 = rb0 * WR;
            int co1 = Math.min(cout, rb1 * WR);
            // one WR x WK tile of vector sums per (row block, tap block), carried across the chunk's images
            float[] acc = sc.acc((rb1 - rb0) * tapBlocks * (int) tileFloats);
            for (int img = (int) ((long) n * chunk / chunks), end = (int) ((long) n * (chunk + 1) / chunks);
                    img < end; img++) {
                MemorySegment xp = sc.pad(x, img, g);
                MemorySegment gyp = sc.widen(gradY, img, co0, co1, g.oH(), g.oW(), wg, biasPartial, chunk * cout);
                for (int rb = rb0; rb < rb1; rb++) {
                    for (int r = 0; r < WR; r++) {
                        int co = Math.min(rb * WR + r, cout - 1); // rows past the end repeat the last one
                        rowsAt[r] = 4L * (co - co0) * g.oH() * wg;
                    }
                    for (int kb = 0; kb < tapBlocks; kb++) {
                        for (int j = 0; j < WK; j++) {
                            tapIdx[j] = Math.min(kb * WK + j, taps - 1);
                        }
                        int tile = ((rb - rb0) * tapBlocks + kb) * (int) tileFloats;
                        if (whole > 0) {
                            ConvKernel.weight(gyp, rowsAt, xp, offs, tapIdx, xOff, order, 0, whole, none, sc.tile);
                            ConvKernel.accumulate(sc.tile, acc, tile);
                        }
                        if (whole < segs) {
                            ConvKernel.weight(gyp, rowsAt, xp, offs, tapIdx, xOff, order, whole, segs, pastRow,
                                    sc.tile);
                            ConvKernel.accumulate(sc.tile, acc, tile);
                        }
                    }
                }
            }
            long base = (long) chunk * size;
            for (int rb = rb0; rb < rb1; rb++) {
                for (int kb = 0; kb < tapBlocks; kb++) {
                    int tile = ((rb - rb0) * tapBlocks + kb) * (int) tileFloats;
                    for (int r = 0; r < WR && rb * WR + r < cout; r++) {
                        for (int j = 0; j < WK && kb * WK + j < taps; j++) {
                            partial[(int) (base + (long) (rb * WR + r) * taps + kb * WK + j)] =
                                    sum(acc, tile + (r * WK + j) * LANES);
                        }
                    }
                }
            }
        });
        fill(gradW, (int) size, i -> {
            float v = 0;
            for (int c = 0; c < chunks; c++) {
                v += partial[(int) (c * size) + i];
            }
            return v;
        });
        if (gradB != null) {
            fill(gradB, cout, i -> {
                double v = 0;
                for (int c = 0; c < chunks; c++) {
                    v += biasPartial[c * cout + i];
                }
                return (float) v;
            });
        }
        return true;
    }

    private interface FloatAt {
        float at(int i);
    }

    /** out[i] = f(i) for the {@code count} elements of a 1-D-contiguous or contiguous out. */
    private static void fill(Strided out, int count, FloatAt f) {
        float[] d = ((CpuStorage) out.storage()).f;
        int step = out.shape().length == 1 ? out.strides()[0] : 1;
        for (int i = 0; i < count; i++) {
            d[out.offset() + i * step] = f.at(i);
        }
    }

    /** The lanes of one accumulator, added left to right. */
    private static float sum(float[] acc, int at) {
        float s = 0;
        for (int i = at; i < at + LANES; i++) {
            s += acc[i];
        }
        return s;
    }
}
