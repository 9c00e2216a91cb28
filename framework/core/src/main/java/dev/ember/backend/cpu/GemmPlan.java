package dev.ember.backend.cpu;

/**
 * The decisions the float32 and float64 GEMM drivers share: how many threads a product is worth, whether
 * to spread a batch over the threads or each product inside itself, how to cut a product into tasks for
 * the threads, and whether to swap the operands' roles. Pure integer arithmetic, no kernels.
 */
final class GemmPlan {
    /**
     * A thread's share below this many flops (about 40 us of one core) costs more in hand-off and in
     * duplicated packing than it saves.
     */
    static final long MIN_FLOPS_PER_THREAD = 1L << 22;

    private GemmPlan() {
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** Start of part {@code i} of {@code parts} of {@code [0, total)}: part sizes differ by at most 1. */
    static int split(int total, int parts, int i) {
        return (int) ((long) total * i / parts);
    }

    /** How many threads one product of {@code flops} flops should use. */
    static int threadsFor(long flops) {
        return (int) Math.max(1, Math.min(Parallel.numThreads(), flops / MIN_FLOPS_PER_THREAD));
    }

    /**
     * Whether to give each thread whole products of the batch (no synchronisation inside a product) rather
     * than splitting every product among the threads: yes when one product is too small to split, or when
     * the batch divides evenly among the threads (or is long enough that the remainder does not matter).
     */
    static boolean overBatch(int batch, long flopsPerItem) {
        int t = Parallel.numThreads();
        if (batch < 2 || t < 2 || Parallel.inParallelRegion()) {
            return false;
        }
        if (threadsFor(flopsPerItem) < t) {
            return true;
        }
        return batch % t == 0 || batch >= 4 * t;
    }

    /** The size of each of the evenly sized blocks, none larger than {@code max}, that {@code k} is cut into. */
    static int blockSize(int k, int max) {
        return ceilDiv(k, ceilDiv(k, max));
    }

    /**
     * Work is cut into about this many tasks per thread, which threads take from a shared counter: on a
     * machine shared with other processes a thread that gets less CPU then simply takes fewer tasks.
     */
    static final int TASKS_PER_THREAD = 4;

    /**
     * How many row tasks to cut {@code mp} row panels into: enough that no task is taller than the cache-sized
     * A block ({@code mcPanels}) and that each thread gets several, rounded up to a multiple of the threads,
     * so that tasks of equal size ({@link #split}) come out even on a quiet machine.
     */
    static int rowTasks(int mp, int mcPanels, int threads) {
        int tasks = Math.max(ceilDiv(mp, mcPanels), TASKS_PER_THREAD * threads);
        return Math.min(mp, ceilDiv(tasks, threads) * threads);
    }

    /** Column groups per row task: 1 when the rows alone make enough tasks, more for short, wide products. */
    static int columnTasks(int rowTasks, int np, int threads) {
        return Math.clamp(ceilDiv(TASKS_PER_THREAD * threads, rowTasks), 1, np);
    }

    /**
     * Whether computing {@code C^T = B^T A^T} (an n x m product) should be faster than {@code C = A B}, by a
     * cost model in units of one packed float copied (about 0.3 ns; a flop is about 1/30 of that): the
     * flops, inflated by the tiles' waste past the matrix edges; packing A (m x k) and B (k x n), where an
     * operand that must be transposed into its packed layout costs 2.5x a straight copy; and writing C
     * through a strided view (each k block, tile by tile with scalar stores) when C's columns are not
     * contiguous. Swapping pays for a product with few columns (a matrix-vector product: the wide tile
     * dimension then runs along m) and for {@code X @ W^T} with few rows in X (a linear layer on a small
     * batch: W^T is transposed to pack as B, while W packs as A with straight copies).
     *
     * <p>{@code a}, {@code b} and {@code c} are each operand's {row stride, column stride}.
     */
    static boolean swap(int m, int n, int k, int mr, int nr, int kc, int[] a, int[] b, int[] c) {
        double direct = cost(m, n, k, mr, nr, kc, a[1] == 1, b[1] == 1, c[1] == 1);
        // swapped, A' = B^T has contiguous columns when B has contiguous rows (B is a transposed view), etc.
        double swapped = cost(n, m, k, mr, nr, kc, b[0] == 1, a[0] == 1, c[0] == 1);
        return swapped < 0.9 * direct;
    }

    private static double cost(int m, int n, int k, int mr, int nr, int kc, boolean aRowMajor, boolean bRowMajor,
                               boolean cRowMajor) {
        double waste = (double) ceilDiv(m, mr) * mr / m * ceilDiv(n, nr) * nr / n;
        double flops = 2.0 * m * n * k * waste / 30;
        double packA = (double) m * k * (aRowMajor ? 1 : 2.5);
        double packB = (double) k * n * (bRowMajor ? 1 : 2.5);
        double writeC = cRowMajor ? 0 : 1.5 * m * n * ceilDiv(k, kc);
        return flops + packA + packB + writeC;
    }
}
