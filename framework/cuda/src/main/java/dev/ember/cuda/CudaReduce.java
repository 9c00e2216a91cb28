package dev.ember.cuda;

import static dev.ember.cuda.CudaBackend.base;
import static dev.ember.cuda.CudaBackend.cpu;
import static dev.ember.cuda.CudaBackend.k;
import static dev.ember.cuda.CudaBackend.sfx;

import dev.ember.backend.ReduceOp;
import dev.ember.backend.Strided;

/**
 * Reductions (reduce.cu): the input is split into the kept dims (walked together with the output, merged where
 * both are contiguous) and the reduced dims (merged on their own; merging keeps the row-major order that ARGMAX
 * positions count in). One launch; the kernel picks its strategy from the sizes (see reduce.cu).
 */
final class CudaReduce {
    private CudaReduce() {
    }

    static void reduce(CudaBackend cuda, ReduceOp op, Strided in, int[] dims, Strided out) {
        int[] shape = in.shape();
        int[] strides = in.strides();
        boolean[] reduced = new boolean[shape.length];
        for (int d : dims) {
            reduced[d] = true;
        }
        int nKept = shape.length - countTrue(reduced);
        int[] keptShape = new int[nKept];
        int[] keptIn = new int[nKept];
        int[] keptOut = new int[nKept];
        int[] redShape = new int[shape.length - nKept];
        int[] redIn = new int[shape.length - nKept];
        for (int d = 0, i = 0, j = 0; d < shape.length; d++) {
            if (reduced[d]) {
                redShape[j] = shape[d];
                redIn[j++] = strides[d];
            } else {
                keptShape[i] = shape[d];
                keptIn[i] = strides[d];
                keptOut[i++] = out.strides()[d];
            }
        }
        long nOut = product(keptShape);
        long nRed = product(redShape);
        if (nOut == 0) {
            return;
        }
        int[][] kept = Desc.coalesce(keptShape, keptIn, keptOut);
        int[][] red = Desc.coalesce(redShape, redIn);
        int[] dKept = Desc.encode(kept[0], kept[1], in.offset());
        int[] dOut = Desc.encode(kept[0], kept[2], out.offset());
        int[] dRed = Desc.encode(red[0], red[1], 0);
        if (dKept == null || dOut == null || dRed == null) {
            HostFallback.run(cuda, 0b10, h -> cpu().reduce(op, h[0], dims, h[1]), in, out);
            return;
        }
        // about 2048 input elements per block, at most one full wave of 6 blocks per SM (reduce.cu's launch rule)
        long wave = 6L * CudaRuntime.get().driver.multiprocessors();
        int grid = (int) Math.max(1, Math.min(wave, (nOut * Math.max(1, nRed) + 2047) / 2048));
        k().launch("reduce_" + sfx(in), grid, 1, 1, 256, 0, op.ordinal(), (int) nOut, dKept, (int) nRed, dRed, dOut,
                base(in), base(out));
    }

    private static int countTrue(boolean[] b) {
        int n = 0;
        for (boolean x : b) {
            n += x ? 1 : 0;
        }
        return n;
    }

    private static long product(int[] shape) {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }
}
