package dev.ember.cuda;

import static dev.ember.cuda.CudaBackend.at;
import static dev.ember.cuda.CudaBackend.k;
import static dev.ember.cuda.CudaBackend.sfx;
import static dev.ember.cuda.CudaFused.THREADS;
import static dev.ember.cuda.CudaFused.grid;

import dev.ember.backend.Strided;
import dev.ember.tensor.DType;

/**
 * Cross entropy in three launches, two forward (softmax_T's log-softmax, then loss.cu's nll_loss_T, one block
 * that sums in a fixed order and range-checks the targets) and one backward (nll_loss_backward_T), where the
 * composite takes about twenty small element-wise and reduction launches. Targets stay on the device; the count of rows not ignored is kept
 * there for the backward.
 */
final class CudaLoss {
    private CudaLoss() {
    }

    static boolean crossEntropy(Strided input, Strided target, long ignoreIndex, int reduction, Strided logp,
                                Strided loss, Strided count, String checkMessage) {
        if (target.dtype() != DType.INT64 || !target.isContiguous() || count.dtype() != input.dtype()
                || loss.dtype() != input.dtype() || !CudaFused.softmax(input, logp, true)) {
            return false;
        }
        int n = input.shape()[0];
        int c = input.shape()[1];
        // the targets' range check rides along in the loss kernel (no check_index launch of its own)
        Object[] report = checkMessage == null ? new Object[] {0, null, null, null}
                : CudaRuntime.get().indexCheck.reportArguments(checkMessage);
        k().launch("nll_loss_" + sfx(input), 1, 1, 1, THREADS, 0, n, c, at(logp), at(target), ignoreIndex, reduction,
                at(loss), at(count), report[0], report[1], report[2], report[3]);
        return true;
    }

    static boolean crossEntropyBackward(Strided logp, Strided target, long ignoreIndex, int reduction, Strided grad,
                                        Strided count, Strided gradInput) {
        if (target.dtype() != DType.INT64 || !target.isContiguous() || !grad.isContiguous()
                || !gradInput.isContiguous() || grad.dtype() != logp.dtype()) {
            return false;
        }
        long total = (long) logp.numel();
        if (total > 0) {
            k().launch("nll_loss_backward_" + sfx(logp), grid(total), 1, 1, THREADS, 0, logp.shape()[0], logp.shape()[1],
                    at(logp), at(target), ignoreIndex, reduction, at(grad), at(count), at(gradInput));
        }
        return true;
    }
}
