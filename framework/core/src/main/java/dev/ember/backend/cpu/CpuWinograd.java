package dev.ember.backend.cpu;

import dev.ember.backend.Strided;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * 3x3 stride-1 float32 convolution by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms
 * for Convolutional Neural Networks", 2016): each 2x2 block of outputs comes from a 4x4 block of inputs with 16
 * multiplications per (filter, channel) pair instead of 36. In matrix form, per 2x2 output tile
 * {@code Y = A^T [sum over channels (G g G^T) * (B^T d B)] A}, so a convolution becomes 16 independent matrix
 * products, (filters x channels) by (channels x tiles), between an input transform and an output transform:
 * 2.25 times fewer flops than the direct kernels, which is what lets a 64-channel 3x3 layer run faster than the
 * core's peak for direct convolution. The transforms only add and halve, so results differ from the direct sum
 * by a few float32 roundings (tested against the plain loops like the direct kernels).
 *
 * <p>Work goes in tasks of one image's consecutive tile rows (about {@link #TILES} tiles), sized so that the
 * transformed inputs (16 x channels x tiles) and the products stay in L2; each task transforms its inputs, runs
 * the 16 products on its own thread, and writes its outputs. Tiles are vectorised along a tile row: the input
 * rows are split into even and odd columns first, so that the four columns a tile reads are four plain vector
 * loads, and the output transform's even and odd columns are interleaved again with two-vector shuffles.
 */
final class CpuWinograd {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Tiles per packed B panel of the products (a whole number of vectors). */
    private static final int NR = SgemmKernel.NR;
    /** About how many tiles a task transforms at once. */
    private static final int TILES = 256;
    /** Below this many (filter, channel) pairs the transforms cost more than the 2.25x fewer products save. */
    private static final int MIN_PAIRS = 256;
    /** Output columns 2j and 2j+1 from the even (lane j of this) and odd (lane j of the other) results. */
    private static final VectorShuffle<Float> ZIP_LO = zip(0);
    private static final VectorShuffle<Float> ZIP_HI = zip(LANES / 2);
    /** The even and the odd lanes of two vectors (the first's, then the second's). */
    private static final VectorShuffle<Float> EVEN = unzip(0);
    private static final VectorShuffle<Float> ODD = unzip(1);
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[5][0]);

    private CpuWinograd() {
    }

    private static VectorShuffle<Float> zip(int from) {
        int[] idx = new int[LANES];
        for (int i = 0; i < LANES; i++) {
            // indexes from LANES on (exceptional, wrapped below zero) take the second vector's lanes
            idx[i] = from + i / 2 + (i % 2 == 0 ? 0 : LANES);
        }
        return VectorShuffle.fromValues(SPECIES, idx);
    }

    private static VectorShuffle<Float> unzip(int parity) {
        int[] idx = new int[LANES];
        for (int i = 0; i < LANES; i++) {
            idx[i] = 2 * i + parity; // from LANES on: the second vector's lanes
        }
        return VectorShuffle.fromValues(SPECIES, idx);
    }

    /** Whether a 3x3 correlation with this padding and these channel counts goes through Winograd. */
    static boolean supports(int kH, int kW, int dH, int dW, int padH, int padW, int channels, int filters) {
        return kH == 3 && kW == 3 && dH == 1 && dW == 1 && padH >= 0 && padH <= 2 && padW >= 0 && padW <= 2
                && (long) channels * filters >= MIN_PAIRS && channels <= Sgemm.KC && LANES >= 4 && NR % LANES == 0;
    }

    /**
     * out (N, m, oH, oW) contiguous = bias + src (N, c, H, W) correlated with the 3x3 filters {@code f} (row r of
     * filter block: {@code f[r * c * 9 + ci * 9 + kh * 3 + kw]}), zero-padded by (padH, padW).
     */
    static void correlate(Strided src, float[] f, int m, float[] bias, int padH, int padW, int oH, int oW,
                          Strided out) {
        int n = src.shape()[0];
        int c = src.shape()[1];
        int tH = Math.ceilDiv(oH, 2);
        int tW = Math.ceilDiv(oW, 2);
        float[] u = filterTransform(f, m, c);
        // a tile row padded to whole vectors: a vector of tiles then never straddles two packed B panels
        int tWp = roundUp(tW);
        int rowsPerTask = Math.clamp(TILES / tWp, 1, tH);
        int blocks = Math.ceilDiv(tH, rowsPerTask);
        float[] y = ((CpuStorage) out.storage()).f;
        GemmOperand.F uOp = new GemmOperand.F(u, java.lang.foreign.MemorySegment.ofArray(u), 0, m * c, c, 1);
        Parallel.forEachTask(n * blocks, Parallel.numThreads(), task -> {
            int img = task / blocks;
            int th0 = task % blocks * rowsPerTask;
            int th1 = Math.min(tH, th0 + rowsPerTask);
            int tiles = (th1 - th0) * tWp;
            int plane = Math.ceilDiv(tiles, NR) * NR * c; // one packed B: ceil(tiles / NR) panels of c x NR
            float[][] s = SCRATCH.get();
            int half = roundUp(tW + 1) + LANES; // an even/odd row, with room for loads past its end
            int rows = 2 * (th1 - th0) + 2;
            float[] eo = grow(s, 0, c * rows * 2 * half);
            float[] v = grow(s, 1, 16 * plane);
            float[] prod = grow(s, 2, 16 * m * tiles + LANES);
            float[] line = grow(s, 3, 2 * half + src.shape()[3] + padW + LANES);
            float[] t = grow(s, 4, 16 * LANES);
            split(src, img, padH, padW, 2 * th0, rows, c, half, eo, line);
            inputTransform(eo, c, rows, half, th1 - th0, tWp, plane, v, t);
            // the 16 products, (m x c) @ (c x tiles) each, on this thread, B written packed by the transform
            Sgemm.bmmPacked(16, m, tiles, c, uOp, v, plane,
                    new GemmOperand.F(prod, java.lang.foreign.MemorySegment.ofArray(prod), 0, m * tiles, tiles, 1));
            outputTransform(prod, m, tiles, th0, th1, tW, tWp, bias, y, out.offset() + img * m * oH * oW, oH, oW, t);
        });
    }

    private static int roundUp(int x) {
        return Math.ceilDiv(x, LANES) * LANES;
    }

    private static float[] grow(float[][] s, int i, int size) {
        if (s[i].length < size) {
            s[i] = new float[size];
        }
        return s[i];
    }

    /** U[xi][r][ci] = (G g G^T)[xi] for filter r, channel ci: G = [[1,0,0],[.5,.5,.5],[.5,-.5,.5],[0,0,1]]. */
    private static float[] filterTransform(float[] f, int m, int c) {
        float[] u = new float[16 * m * c];
        // split over the filters: on the calling thread alone this was 2-3% of a 64-channel layer on two cores
        Parallel.parallelFor(0, m, Math.max(1, 4096 / Math.max(1, c)), (from, to) -> filterTransform(f, m, c, u,
                from, to));
        return u;
    }

    private static void filterTransform(float[] f, int m, int c, float[] u, int from, int to) {
        float[] t = new float[12];
        for (int r = from; r < to; r++) {
            for (int ci = 0; ci < c; ci++) {
                int g = (r * c + ci) * 9;
                for (int j = 0; j < 3; j++) { // G g: rows of the 4x3 result, column j
                    float g0 = f[g + j];
                    float g1 = f[g + 3 + j];
                    float g2 = f[g + 6 + j];
                    t[j] = g0;
                    t[3 + j] = 0.5f * (g0 + g1 + g2);
                    t[6 + j] = 0.5f * (g0 - g1 + g2);
                    t[9 + j] = g2;
                }
                for (int a = 0; a < 4; a++) { // (G g) G^T
                    float t0 = t[3 * a];
                    float t1 = t[3 * a + 1];
                    float t2 = t[3 * a + 2];
                    int at = (4 * a) * m * c + r * c + ci;
                    u[at] = t0;
                    u[at + m * c] = 0.5f * (t0 + t1 + t2);
                    u[at + 2 * m * c] = 0.5f * (t0 - t1 + t2);
                    u[at + 3 * m * c] = t2;
                }
            }
        }
    }

    /**
     * Rows {@code [r0, r0 + rows)} of image img's zero-padded grid, each split into even columns (first half) and
     * odd columns (second half, {@code half} floats apart): eo[(ci * rows + r) * 2 * half + {0, half} + j].
     */
    private static void split(Strided src, int img, int padH, int padW, int r0, int rows, int c, int half,
                              float[] eo, float[] line) {
        float[] x = ((CpuStorage) src.storage()).f;
        int[] st = src.strides();
        int h = src.shape()[2];
        int w = src.shape()[3];
        Arrays.fill(line, 0f); // the per-thread row buffer: zero but for [padW, padW + w), rewritten row by row
        for (int ci = 0; ci < c; ci++) {
            for (int r = 0; r < rows; r++) {
                int d = (ci * rows + r) * 2 * half;
                int sr = r0 + r - padH;
                if (sr < 0 || sr >= h) {
                    Arrays.fill(eo, d, d + 2 * half, 0f);
                    continue;
                }
                // grid column q holds source column q - padW (zero outside [0, w))
                int s = src.offset() + img * st[0] + ci * st[1] + sr * st[2];
                if (st[3] == 1) {
                    // the row with its zero padding in line, then grid columns 2j .. 2j + 2*LANES as two plain
                    // vector loads, unzipped into even and odd columns
                    System.arraycopy(x, s, line, padW, w);
                    for (int j = 0; j < half; j += LANES) {
                        FloatVector a = FloatVector.fromArray(SPECIES, line, 2 * j);
                        FloatVector b = FloatVector.fromArray(SPECIES, line, 2 * j + LANES);
                        a.rearrange(EVEN, b).intoArray(eo, d + j);
                        a.rearrange(ODD, b).intoArray(eo, d + half + j);
                    }
                } else {
                    Arrays.fill(eo, d, d + 2 * half, 0f);
                    for (int sc = 0; sc < w; sc++) {
                        int q = sc + padW;
                        if ((q >> 1) < half) {
                            eo[d + (q & 1) * half + (q >> 1)] = x[s + sc * st[3]];
                        }
                    }
                }
            }
        }
    }

    /**
     * V[xi] = (B^T d B)[xi] for the task's tiles, each V[xi] (channels x tiles, tile t = row * tWp + column) written
     * in the layout the SGEMM kernel streams ({@link SgemmKernel#packB}): panels of NR tiles, channel by channel,
     * panel q of V[xi] at {@code xi * plane + q * c * NR}. Tiles past a row's end get values that are never used.
     */
    private static void inputTransform(float[] eo, int c, int rows, int half, int tileRows, int tWp, int plane,
                                       float[] v, float[] t) {
        for (int ci = 0; ci < c; ci++) {
            for (int tr = 0; tr < tileRows; tr++) {
                int row0 = (ci * rows + 2 * tr) * 2 * half;
                for (int j = 0; j < tWp; j += LANES) {
                    // rows 0..3 of the block: columns 2j, 2j+1, 2j+2, 2j+3 = even j, odd j, even j+1, odd j+1;
                    // d B (columns combined as B^T combines rows) goes through t, 16 vectors in L1
                    for (int i = 0; i < 4; i++) {
                        int e = row0 + i * 2 * half + j;
                        FloatVector e0 = FloatVector.fromArray(SPECIES, eo, e);
                        FloatVector e1 = FloatVector.fromArray(SPECIES, eo, e + half);
                        FloatVector e2 = FloatVector.fromArray(SPECIES, eo, e + 1);
                        FloatVector e3 = FloatVector.fromArray(SPECIES, eo, e + half + 1);
                        e0.sub(e2).intoArray(t, (4 * i) * LANES);
                        e1.add(e2).intoArray(t, (4 * i + 1) * LANES);
                        e2.sub(e1).intoArray(t, (4 * i + 2) * LANES);
                        e1.sub(e3).intoArray(t, (4 * i + 3) * LANES);
                    }
                    int tile = tr * tWp + j;
                    int at = tile / NR * c * NR + ci * NR + tile % NR;
                    for (int b = 0; b < 4; b++) { // B^T (d B): rows combined
                        FloatVector d0 = FloatVector.fromArray(SPECIES, t, b * LANES);
                        FloatVector d1 = FloatVector.fromArray(SPECIES, t, (4 + b) * LANES);
                        FloatVector d2 = FloatVector.fromArray(SPECIES, t, (8 + b) * LANES);
                        FloatVector d3 = FloatVector.fromArray(SPECIES, t, (12 + b) * LANES);
                        d0.sub(d2).intoArray(v, b * plane + at);
                        d1.add(d2).intoArray(v, (4 + b) * plane + at);
                        d2.sub(d1).intoArray(v, (8 + b) * plane + at);
                        d1.sub(d3).intoArray(v, (12 + b) * plane + at);
                    }
                }
            }
        }
    }

    /** y = bias + A^T M A per tile, A^T = [[1,1,1,0],[0,1,-1,-1]], for output rows 2*th0 .. of filters 0..m-1. */
    private static void outputTransform(float[] prod, int m, int tiles, int th0, int th1, int tW, int tWp,
                                        float[] bias, float[] y, int yImg, int oH, int oW, float[] t) {
        int plane = m * tiles;
        for (int r = 0; r < m; r++) {
            float b = bias[r];
            for (int th = th0; th < th1; th++) {
                int oh = 2 * th;
                for (int j = 0; j < tW; j += LANES) {
                    int at = r * tiles + (th - th0) * tWp + j;
                    // A^T M: rows combined into s (sums) and d (differences), 8 vectors through t in L1
                    for (int col = 0; col < 4; col++) {
                        FloatVector m0 = FloatVector.fromArray(SPECIES, prod, col * plane + at);
                        FloatVector m1 = FloatVector.fromArray(SPECIES, prod, (4 + col) * plane + at);
                        FloatVector m2 = FloatVector.fromArray(SPECIES, prod, (8 + col) * plane + at);
                        FloatVector m3 = FloatVector.fromArray(SPECIES, prod, (12 + col) * plane + at);
                        m0.add(m1).add(m2).intoArray(t, col * LANES);
                        m1.sub(m2).sub(m3).intoArray(t, (4 + col) * LANES);
                    }
                    FloatVector s0 = FloatVector.fromArray(SPECIES, t, 0);
                    FloatVector s1 = FloatVector.fromArray(SPECIES, t, LANES);
                    FloatVector s2 = FloatVector.fromArray(SPECIES, t, 2 * LANES);
                    FloatVector s3 = FloatVector.fromArray(SPECIES, t, 3 * LANES);
                    FloatVector d0 = FloatVector.fromArray(SPECIES, t, 4 * LANES);
                    FloatVector d1 = FloatVector.fromArray(SPECIES, t, 5 * LANES);
                    FloatVector d2 = FloatVector.fromArray(SPECIES, t, 6 * LANES);
                    FloatVector d3 = FloatVector.fromArray(SPECIES, t, 7 * LANES);
                    // (A^T M) A
                    FloatVector y00 = s0.add(s1).add(s2).add(b);
                    FloatVector y01 = s1.sub(s2).sub(s3).add(b);
                    FloatVector y10 = d0.add(d1).add(d2).add(b);
                    FloatVector y11 = d1.sub(d2).sub(d3).add(b);
                    int o = yImg + r * oH * oW + oh * oW + 2 * j;
                    store(y00, y01, y, o, 2 * j, oW);
                    if (oh + 1 < oH) {
                        store(y10, y11, y, o + oW, 2 * j, oW);
                    }
                }
            }
        }
    }

    /** Output columns col0.. of one row: even from {@code even}, odd from {@code odd}, those below oW. */
    private static void store(FloatVector even, FloatVector odd, float[] y, int o, int col0, int oW) {
        even.rearrange(ZIP_LO, odd).intoArray(y, o, SPECIES.indexInRange(col0, oW));
        even.rearrange(ZIP_HI, odd).intoArray(y, o + LANES, SPECIES.indexInRange(col0 + LANES, oW));
    }
}
