package dev.ember.cuda;

import static dev.ember.cuda.CudaBackend.at;
import static dev.ember.cuda.CudaBackend.k;
import static dev.ember.cuda.CudaBackend.sfx;
import static dev.ember.cuda.CudaFused.THREADS;
import static dev.ember.cuda.CudaFused.grid;

import dev.ember.backend.Strided;
import dev.ember.backend.Window2d;
import dev.ember.tensor.DType;

/**
 * 2-D max pooling in one launch each way (pool.cu): the forward reads x in place (any strides) and writes the
 * maxima and their int64 input positions; the backward gathers, per input element, the gradients of the windows
 * that chose it, in window order, so it gives the CPU's sums bit for bit. Declines (the composite runs) for other
 * dtypes or non-contiguous outputs.
 */
final class CudaPool {
    private CudaPool() {
    }

    private static int[] window(Window2d w) {
        return new int[] {w.kH(), w.kW(), w.dH(), w.dW(), w.pH(), w.pW(), w.sH(), w.sW(), w.oH(), w.oW()};
    }

    static boolean maxPool2d(Strided x, Window2d w, Strided out, Strided indices) {
        if (!x.dtype().isFloatingPoint() || out.dtype() != x.dtype() || indices.dtype() != DType.INT64
                || x.shape().length != 4 || !out.isContiguous() || !indices.isContiguous()) {
            return false;
        }
        int total = out.numel();
        if (total > 0) {
            int[] s = x.strides();
            int[] sh = x.shape();
            int[] input = {x.offset(), s[0], s[1], s[2], s[3], sh[1], sh[2], sh[3]};
            k().launch("max_pool2d_" + sfx(x), grid(total), 1, 1, THREADS, 0, total, input, window(w),
                    CudaBackend.base(x), at(out), at(indices));
        }
        return true;
    }

    static boolean maxPool2dBackward(Strided gradOut, Strided indices, Window2d w, Strided gradIn) {
        if (!gradIn.dtype().isFloatingPoint() || gradOut.dtype() != gradIn.dtype()
                || indices.dtype() != DType.INT64 || gradIn.shape().length != 4 || !gradOut.isContiguous()
                || !indices.isContiguous() || !gradIn.isContiguous()) {
            return false;
        }
        int total = gradIn.numel();
        if (total > 0) {
            int[] sh = gradIn.shape();
            k().launch("max_pool2d_backward_" + sfx(gradIn), grid(total), 1, 1, THREADS, 0, total, sh[2], sh[3],
                    window(w), at(gradOut), at(indices), at(gradIn));
        }
        return true;
    }
}
