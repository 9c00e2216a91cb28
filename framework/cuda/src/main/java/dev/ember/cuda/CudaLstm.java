package dev.ember.cuda;

import static dev.ember.cuda.CudaBackend.at;
import static dev.ember.cuda.CudaBackend.sfx;
import static jcuda.driver.JCudaDriver.cuMemsetD8Async;

import dev.ember.backend.Strided;
import dev.ember.tensor.DType;
import dev.ember.tensor.Device;

/**
 * A whole LSTM layer's recurrence in one launch each way (lstm.cu): blocks of 256 threads that each own HB hidden
 * units and meet at a grid-wide barrier once per time step. The grid must be resident all at once, so it is kept
 * to at most one block per multiprocessor (and to 32 blocks, enough for the per-step work), and the shared memory
 * a block needs must fit; otherwise the methods return false and the tensor layer runs the steps one by one.
 */
final class CudaLstm {
    private static final int THREADS = 256;
    private static final int MAX_BLOCKS = 32;
    /** At most this much shared memory per block, and no more than the GPU grants (99 KB on sm_86/89). */
    private static final long MAX_SHARED = 160 * 1024;

    private CudaLstm() {
    }

    /** Hidden units per block for H units: as few as keep the grid within 32 blocks and the multiprocessors. */
    private static int unitsPerBlock(int h, CudaRuntime r) {
        int blocks = Math.min(MAX_BLOCKS, r.smCount);
        return (h + blocks - 1) / blocks;
    }

    private static boolean ok(Strided... ts) {
        for (Strided t : ts) {
            if (!t.isContiguous() || !t.dtype().isFloatingPoint() || t.dtype() != ts[0].dtype()) {
                return false;
            }
        }
        return true;
    }

    /** Two zeroed words for the grid barrier, on the stream (so also inside a captured graph). */
    private static CudaStorage barrier(CudaRuntime r, Strided like) {
        CudaStorage bar = (CudaStorage) like.storage().backend().allocateUninitialized(DType.INT64, 1, Device.cuda());
        cuMemsetD8Async(bar.ptr(), (byte) 0, 8, r.stream);
        return bar;
    }

    /** Bytes of shared memory a block of the backward kernel needs (lstm.cu). */
    private static long backwardShared(int n, int h, int hb, Strided like) {
        return ((long) hb * (4 * h + 1) + (long) n * (4 * h + 1) + 2L * n * hb) * CudaStorage.elementSize(like.dtype());
    }

    static boolean forward(Strided xg, Strided h0, Strided c0, Strided w, boolean reverse, Strided out,
                           Strided gates) {
        if (!ok(xg, h0, c0, w, out, gates)) {
            return false;
        }
        CudaRuntime r = CudaRuntime.get();
        int[] s = xg.shape();
        int steps = s[0];
        int n = s[1];
        int h = s[2] / 4;
        int hb = unitsPerBlock(h, r);
        long shared = ((long) 4 * hb * (h + 1) + (long) n * h + 5L * n * hb) * CudaStorage.elementSize(xg.dtype());
        // the backward needs more shared memory: take the layer only if it will take the backward too
        long limit = Math.min(MAX_SHARED, r.maxSharedPerBlock);
        if (shared > limit || backwardShared(n, h, hb, xg) > limit || steps == 0) {
            return false;
        }
        CudaStorage bar = barrier(r, xg);
        r.kernels.launch("lstm_seq_" + sfx(xg), (h + hb - 1) / hb, 1, 1, THREADS, (int) shared, steps, n, h, hb,
                at(xg), at(h0), at(c0), at(w), reverse ? 1 : 0, at(out), at(gates), bar.ptr());
        return true;
    }

    static boolean backward(Strided gout, Strided out, Strided gates, Strided c0, Strided w, boolean reverse,
                            Strided gg, Strided gh0, Strided gc0) {
        if (!ok(gout, out, gates, c0, w, gg, gh0, gc0)) {
            return false;
        }
        CudaRuntime r = CudaRuntime.get();
        int[] s = out.shape();
        int steps = s[0];
        int n = s[1];
        int h = s[2] / 2;
        int hb = unitsPerBlock(h, r);
        long shared = backwardShared(n, h, hb, out);
        if (shared > Math.min(MAX_SHARED, r.maxSharedPerBlock) || steps == 0) {
            return false;
        }
        CudaStorage bar = barrier(r, out);
        r.kernels.launch("lstm_seq_backward_" + sfx(out), (h + hb - 1) / hb, 1, 1, THREADS, (int) shared, steps, n,
                h, hb, at(gout), at(out), at(gates), at(c0), at(w), reverse ? 1 : 0, at(gg), at(gh0), at(gc0),
                bar.ptr());
        return true;
    }
}
