package dev.ember.backend.cpu;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.VectorMask;

/**
 * float32 batched GEMM, {@code C[p] = A[p] @ B[p]}, blocked for the caches and run on {@link Parallel}'s
 * threads; the micro-kernel and the packing are in {@link SgemmKernel}, the plain-loop twin it is tested
 * against is {@link CpuMatmul#reference}.
 *
 * <p>The loop nest (BLIS's, with the k loop moved inside the row blocks): for each block of at most
 * {@code NC} columns, all of B's rows for those columns are packed first, in {@code KC}-deep blocks (the
 * threads split the micro-panels). Then the block's C is cut into tasks of a few A blocks' rows (times all
 * or some of the columns) that the threads take from a shared counter; a task, for each k block, packs its
 * rows of A ({@code MC x KC} at most, kept in L2) and runs the micro-kernel over every B micro-panel (kept in
 * L1) and every A micro-panel. The first k block writes C, later ones add to it, so C needs no zeroing; a
 * task's C rows ({@link #C_BLOCK_BYTES}) stay in L2 between its k blocks, so C is read from memory once.
 *
 * <p>A batch is spread over the threads item by item when that balances ({@link GemmPlan#overBatch}),
 * otherwise every item is split among all threads. Packing buffers are per thread and grow to the largest
 * size seen ({@code MC * KC} floats for A, {@link #B_BUFFER} at most for B), so steady-state calls allocate
 * nothing. Measured on 2 cores of an AMD EPYC (Zen 4): 95-103 GFLOPS on one core from n = 256 up, about as
 * much as OpenBLAS; on both cores 0.86-0.99x of PyTorch/OpenBLAS from n = 512 up, 0.7-0.8x at n = 256, where
 * the two hand-offs to the pool and the shared B pack weigh most (benchmarks/README.md).
 */
final class Sgemm {
    private static final int MR = SgemmKernel.MR;
    private static final int NR = SgemmKernel.NR;
    /**
     * Depth of a packed block. Long, because each micro-kernel call pays for loading and storing its C tile;
     * 512 measured best (256 cost about 10%), although a B micro-panel (KC x NR floats) then lives in L2.
     */
    static final int KC = 512;
    /** Most rows of a packed A block (a multiple of MR): MC x KC floats (288 KB) stay in L2. */
    static final int MC = 144;
    /** Widest column block (a multiple of NR). */
    static final int NC = 4096;
    /** Most floats of packed B (the whole k range of a column block) kept per thread: 8 MB. */
    static final int B_BUFFER = 1 << 21;
    /**
     * Below this many flops a multithreaded product splits its columns once among the threads (one hand-off to the
     * pool, B packed by the thread that uses it) rather than packing B together first (two hand-offs).
     */
    static final long ONE_HANDOFF_FLOPS = 1L << 27;
    /** Bytes of C rows that one A block updates: kept in L2 between k blocks, so C is not re-read from memory. */
    static final long C_BLOCK_BYTES = 384 << 10;

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private Sgemm() {
    }

    /** {@code c[p] = a[p] @ b[p]} for {@code p < batch}: a (batch, m, k), b (batch, k, n), c (batch, m, n). */
    static void bmm(int batch, int m, int n, int k, GemmOperand.F a, GemmOperand.F b, GemmOperand.F c) {
        if (batch == 0 || m == 0 || n == 0) {
            return;
        }
        if (GemmPlan.swap(m, n, k, MR, NR, KC, a.strides(), b.strides(), c.strides())) {
            bmm(batch, n, m, k, b.t(), a.t(), c.t());
            return;
        }
        if (k == 0) {
            zero(batch, m, n, c);
            return;
        }
        long flops = 2L * m * n * k;
        if (GemmPlan.overBatch(batch, flops)) {
            // whole products per task, several when they are small
            int perTask = (int) Math.max(1, Math.min(batch, GemmPlan.MIN_FLOPS_PER_THREAD / flops));
            Parallel.forEachTask(GemmPlan.ceilDiv(batch, perTask), GemmPlan.threadsFor(flops * batch), t -> {
                for (int p = t * perTask, end = Math.min(batch, p + perTask); p < end; p++) {
                    gemm(p, m, n, k, a, b, c, 1);
                }
            });
        } else {
            int threads = GemmPlan.threadsFor(flops);
            for (int p = 0; p < batch; p++) {
                gemm(p, m, n, k, a, b, c, threads);
            }
        }
    }

    /**
     * {@code c[p] = a[p] @ B[p]} for {@code p < batch} on the calling thread, with every B already packed by the
     * caller in {@link SgemmKernel#packB}'s layout for one k block ({@code k <= KC}): panel q (NR columns, k-major)
     * of B[p] at float {@code p * bStride + q * k * NR} of {@code b}; columns past n may hold anything (they are
     * computed, never stored). For callers that produce B themselves (the Winograd convolution's input transform).
     */
    static void bmmPacked(int batch, int m, int n, int k, GemmOperand.F a, float[] b, int bStride, GemmOperand.F c) {
        if (k > KC || k < 1) {
            throw new IllegalArgumentException("bmmPacked: k must be in [1, " + KC + "], got " + k);
        }
        MemorySegment all = MemorySegment.ofArray(b);
        int mcPanels = Math.clamp(C_BLOCK_BYTES / (4L * n) / MR, 1, MC / MR);
        for (int p = 0; p < batch; p++) {
            block(p, m, k, k, a, c, 0, n, all.asSlice(4L * p * bStride), mcPanels, 0, GemmPlan.ceilDiv(m, MR), 0,
                    GemmPlan.ceilDiv(n, NR));
        }
    }

    /** One product of the batch on up to {@code threads} threads. */
    private static void gemm(int p, int m, int n, int k, GemmOperand.F a, GemmOperand.F b, GemmOperand.F c,
                             int threads) {
        Buffers own = BUFFERS.get();
        int kc = GemmPlan.blockSize(k, KC);
        int mp = GemmPlan.ceilDiv(m, MR);
        // the whole k range of a column block is packed at once, so bound its width by the buffer size
        int ncMax = Math.max(NR, Math.min(NC, B_BUFFER / k / NR * NR));
        for (int jc = 0; jc < n; jc += ncMax) {
            int nb = Math.min(ncMax, n - jc);
            int np = GemmPlan.ceilDiv(nb, NR);
            float[] bp = own.packB(np * NR * k);
            MemorySegment bSeg = own.bSeg;
            int j0 = jc;
            // rows of C per A block: the block's C (mc x nb) stays in L2 from one k block to the next
            int mcPanels = Math.clamp(C_BLOCK_BYTES / (4L * nb) / MR, 1, MC / MR);
            if (threads == 1) {
                packB(b, p, k, kc, j0, nb, bp, 0, np);
                block(p, m, k, kc, a, c, j0, nb, bSeg, mcPanels, 0, mp, 0, np);
                continue;
            }
            if (2L * m * nb * k < ONE_HANDOFF_FLOPS && np >= threads) {
                // a small product: one hand-off instead of two; each task packs its own columns of B into its
                // thread's buffer (same layout, its panels only) and runs all rows over them
                Parallel.forEachTask(threads, threads, t -> {
                    int q0 = GemmPlan.split(np, threads, t);
                    int q1 = GemmPlan.split(np, threads, t + 1);
                    Buffers mine = BUFFERS.get();
                    packB(b, p, k, kc, j0, nb, mine.packB(np * NR * k), q0, q1);
                    block(p, m, k, kc, a, c, j0, nb, mine.bSeg, mcPanels, 0, mp, q0, q1);
                });
                continue;
            }
            // both phases take tasks from a counter, so a thread that gets less CPU does less of the work
            int packTasks = Math.min(np, GemmPlan.TASKS_PER_THREAD * threads);
            Parallel.forEachTask(packTasks, threads, t -> packB(b, p, k, kc, j0, nb, bp,
                    GemmPlan.split(np, packTasks, t), GemmPlan.split(np, packTasks, t + 1)));
            int rowTasks = GemmPlan.rowTasks(mp, mcPanels, threads);
            int colTasks = GemmPlan.columnTasks(rowTasks, np, threads);
            Parallel.forEachTask(rowTasks * colTasks, threads, task -> {
                int ti = task / colTasks;
                int tj = task % colTasks;
                block(p, m, k, kc, a, c, j0, nb, bSeg, mcPanels,
                        GemmPlan.split(mp, rowTasks, ti), GemmPlan.split(mp, rowTasks, ti + 1),
                        GemmPlan.split(np, colTasks, tj), GemmPlan.split(np, colTasks, tj + 1));
            });
        }
    }

    /** Packs micro-panels {@code [q0, q1)} of every k block of the column block (block pc at {@code pc * np * NR}). */
    private static void packB(GemmOperand.F b, int p, int k, int kc, int j0, int nb, float[] bp, int q0,
                              int q1) {
        int np = GemmPlan.ceilDiv(nb, NR);
        for (int pc = 0; pc < k; pc += kc) {
            SgemmKernel.packB(b, p, pc, Math.min(kc, k - pc), j0, nb, bp, pc * np * NR, q0, q1);
        }
    }

    /**
     * Row panels {@code [r0, r1)} x column panels {@code [q0, q1)} of the column block: for each block of
     * {@code mcPanels} row panels, for each k block, packs that A block (into this thread's buffer) and runs
     * the micro-kernel over every tile, B micro-panel by B micro-panel.
     */
    private static void block(int p, int m, int k, int kc, GemmOperand.F a, GemmOperand.F c, int j0, int nb,
                              MemorySegment bSeg, int mcPanels, int r0, int r1, int q0, int q1) {
        if (r0 >= r1 || q0 >= q1) {
            return;
        }
        Buffers mine = BUFFERS.get();
        int np = GemmPlan.ceilDiv(nb, NR);
        int cBase = c.offset() + p * c.batchStride();
        int crs = c.rowStride();
        int ccs = c.colStride();
        for (int ip = r0; ip < r1; ip += mcPanels) {
            int panels = Math.min(r1 - ip, mcPanels);
            int i0 = ip * MR;
            int mb = Math.min(i0 + panels * MR, m) - i0;
            for (int pc = 0; pc < k; pc += kc) {
                int kb = Math.min(kc, k - pc);
                VectorMask<Float> mode = pc == 0 ? SgemmKernel.OVERWRITE : SgemmKernel.ACCUMULATE;
                float[] ap = mine.packA(panels * MR * kb);
                SgemmKernel.packA(a, p, i0, mb, pc, kb, ap);
                long bBlock = (long) pc * np * NR * 4;
                for (int q = q0; q < q1; q++) {
                    int j = q * NR;
                    int w = Math.min(NR, nb - j);
                    long bo = bBlock + (long) q * kb * NR * 4;
                    for (int ir = 0; ir < panels; ir++) {
                        int i = i0 + ir * MR;
                        tile(ap, ir * MR * kb, bSeg, bo, kb, c, cBase + i * crs + (j0 + j) * ccs,
                                Math.min(MR, m - i), w, mode, mine);
                    }
                }
            }
        }
    }

    private static void tile(float[] ap, int ai, MemorySegment bSeg, long bo, int kb, GemmOperand.F c, int ci, int h,
                             int w, VectorMask<Float> mode, Buffers mine) {
        if (h == MR && w == NR && c.colStride() == 1) {
            SgemmKernel.kernel(ap, ai, bSeg, bo, kb, c.segment(), ci * 4L, c.rowStride() * 4L, mode);
        } else {
            // edge tile or strided C: compute the whole tile aside, then write the valid part
            SgemmKernel.kernel(ap, ai, bSeg, bo, kb, mine.tileSeg, 0, NR * 4L, SgemmKernel.OVERWRITE);
            merge(mine.tile, c.data(), ci, c.rowStride(), c.colStride(), h, w, mode == SgemmKernel.OVERWRITE);
        }
    }

    private static void merge(float[] tile, float[] c, int ci, int rs, int cs, int h, int w, boolean overwrite) {
        if (rs == 1 && cs != 1) {
            // C written through a transposed view (swapped operands): its columns are contiguous
            for (int j = 0; j < w; j++) {
                for (int r = 0, o = ci + j * cs; r < h; r++, o++) {
                    c[o] = overwrite ? tile[r * NR + j] : c[o] + tile[r * NR + j];
                }
            }
            return;
        }
        for (int r = 0; r < h; r++) {
            for (int j = 0, o = ci + r * rs; j < w; j++, o += cs) {
                c[o] = overwrite ? tile[r * NR + j] : c[o] + tile[r * NR + j];
            }
        }
    }

    private static void zero(int batch, int m, int n, GemmOperand.F c) {
        for (int p = 0; p < batch; p++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    c.data()[c.offset() + p * c.batchStride() + i * c.rowStride() + j * c.colStride()] = 0f;
                }
            }
        }
    }

    /** One thread's packing buffers, grown on demand and kept for the thread's lifetime. */
    private static final class Buffers {
        private float[] a = new float[0];
        private float[] b = new float[0];
        private MemorySegment bSeg = MemorySegment.ofArray(b);
        final float[] tile = new float[MR * NR];
        final MemorySegment tileSeg = MemorySegment.ofArray(tile);

        float[] packA(int size) {
            if (a.length < size) {
                a = new float[size];
            }
            return a;
        }

        float[] packB(int size) {
            if (b.length < size) {
                b = new float[size];
                bSeg = MemorySegment.ofArray(b);
            }
            return b;
        }
    }
}
