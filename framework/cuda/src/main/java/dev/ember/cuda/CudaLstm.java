package dev.ember.cuda;

import static dev.ember.cuda.CudaBackend.at;
import static dev.ember.cuda.CudaBackend.sfx;

import dev.ember.backend.Strided;
import dev.ember.tensor.DType;
import dev.ember.tensor.Device;

/**
 * A whole LSTM layer's recurrence in one launch each way (lstm.cu): blocks of 256 threads that each own HB hidden
 * units and meet at a grid-wide barrier once per time step; the backward adds a scratch buffer for the partial
 * gradients of h that the blocks exchange. The grid must be resident all at once, so it is kept to at most one
 * block per multiprocessor (and to 32 blocks by default, enough for the per-step work), and the shared memory a
 * block needs must fit; otherwise the methods return false and the tensor layer runs the steps one by one.
 */
final class CudaLstm {
    private static final int THREADS = 256;
    /**
     * At most this many blocks (and no more than the multiprocessors): 32 unless {@code -Dember.cuda.lstm.blocks}
     * says, so that one GPU run can time other grids (tools/gpu_check.sh): more blocks share a step's work finer but
     * add arrivals at every step's barrier.
     */
    private static final int MAX_BLOCKS = Math.max(1, Integer.getInteger("ember.cuda.lstm.blocks", 32));
    /** At most this much shared memory per block, and no more than the GPU grants (99 KB on sm_86/89). */
    private static final long MAX_SHARED = 160 * 1024;

    private CudaLstm() {
    }

    /**
     * The launch shape of one layer: L steps, batch N, H units, HB units per block, and the shared memory a block
     * of each kernel needs (lstm.cu). A layer is taken only if both kernels fit, so that a forward taken here
     * always gets its backward here too.
     */
    private record Layer(int steps, int n, int h, int hb, long forwardShared, long backwardShared, long limit) {
        static Layer of(CudaRuntime r, int steps, int n, int h, DType dtype) {
            int blocks = Math.min(MAX_BLOCKS, r.driver.multiprocessors());
            int hb = (h + blocks - 1) / blocks;
            int size = CudaStorage.elementSize(dtype);
            int blocksUsed = (h + hb - 1) / hb;
            long forward = (whole(h, size) * padded(4 * hb, size) + n * padded(h, size) + 5L * n * hb) * size;
            long backward = (4L * hb * padded(h, size) + n * padded(4 * hb, size)
                    + (long) blocksUsed * n * padded(hb, size) + 2L * n * hb) * size;
            return new Layer(steps, n, h, hb, forward, backward, Math.min(MAX_SHARED, r.driver.maxSharedPerBlock()));
        }

        /** lstm.cu's padded: a shared-memory row of len elements, rounded up to an odd number of 16-byte chunks. */
        static long padded(int len, int size) {
            int chunk = 16 / size;
            int chunks = (len + chunk - 1) / chunk;
            return (long) chunk * (chunks | 1);
        }

        /** lstm.cu's whole: len rounded up to whole 16-byte chunks. */
        static long whole(int len, int size) {
            int chunk = 16 / size;
            return (long) (len + chunk - 1) / chunk * chunk;
        }

        int blocks() {
            return (h + hb - 1) / hb;
        }

        /** The backward's scratch: two steps' partial gradients of h, (N, H) per block. */
        long partialElements() {
            return 2L * blocks() * n * h;
        }

        boolean fits() {
            return steps > 0 && forwardShared <= limit && backwardShared <= limit
                    && partialElements() <= Integer.MAX_VALUE;
        }

        /**
         * Launches {@code name} over ceil(H / HB) blocks with (L, N, H, HB), {@code args}, and the grid barrier's
         * count, zeroed on the stream (so also inside a captured graph).
         */
        void launch(CudaRuntime r, Strided like, String name, long shared, Object... args) {
            CudaStorage bar = (CudaStorage) like.storage().backend().allocateUninitialized(DType.INT64, 1,
                    Device.cuda());
            r.driver.memsetD8Async(bar.ptr(), (byte) 0, 8);
            Object[] all = new Object[args.length + 5];
            all[0] = steps;
            all[1] = n;
            all[2] = h;
            all[3] = hb;
            System.arraycopy(args, 0, all, 4, args.length);
            all[all.length - 1] = bar.ptr();
            try {
                r.kernels.launch(name, blocks(), 1, 1, THREADS, (int) shared, all);
            } finally {
                bar.close();  // back to the caching allocator: safe, as the stream runs in order
            }
        }
    }

    static boolean forward(Strided xg, Strided h0, Strided c0, Strided w, boolean reverse, Strided out,
                           Strided gates) {
        if (!Strided.contiguousFloating(xg, h0, c0, w, out, gates)) {
            return false;
        }
        CudaRuntime r = CudaRuntime.get();
        int[] s = xg.shape();
        Layer l = Layer.of(r, s[0], s[1], s[2] / 4, xg.dtype());
        if (!l.fits()) {
            return false;
        }
        l.launch(r, xg, "lstm_seq_" + sfx(xg), l.forwardShared(), at(xg), at(h0), at(c0), at(w), reverse ? 1 : 0,
                at(out), at(gates));
        return true;
    }

    static boolean backward(Strided gout, Strided out, Strided gates, Strided c0, Strided w, boolean reverse,
                            Strided gg, Strided gh0, Strided gc0) {
        if (!Strided.contiguousFloating(gout, out, gates, c0, w, gg, gh0, gc0)) {
            return false;
        }
        CudaRuntime r = CudaRuntime.get();
        int[] s = out.shape();
        Layer l = Layer.of(r, s[0], s[1], s[2] / 2, out.dtype());
        if (!l.fits()) {
            return false;
        }
        // two steps' partial gradients of h, one (N, H) slab per block (lstm.cu); freed right after the launch, which
        // is safe in stream order
        CudaStorage part = (CudaStorage) out.storage().backend().allocateUninitialized(out.dtype(),
                (int) l.partialElements(), Device.cuda());
        try {
            l.launch(r, out, "lstm_seq_backward_" + sfx(out), l.backwardShared(), at(gout), at(out), at(gates),
                    at(c0), at(w), reverse ? 1 : 0, at(gg), at(gh0), at(gc0), part.ptr());
        } finally {
            part.close();
        }
        return true;
    }
}
