package dev.ember.cuda;

import static dev.ember.cuda.CudaBackend.at;
import static dev.ember.cuda.CudaBackend.k;
import static dev.ember.cuda.CudaBackend.sfx;
import static dev.ember.cuda.CudaFused.THREADS;

import dev.ember.backend.Strided;

/**
 * Batch normalisation in one launch each way (norm.cu): one block per channel reduces the channel's statistics
 * (in double, in a fixed order) and writes its outputs. The tensor layer hands over contiguous (N, C, L) operands
 * of one dtype.
 */
final class CudaNorm {
    private CudaNorm() {
    }

    static boolean batchNorm(Strided x, Strided weight, Strided bias, Strided runningMean, Strided runningVar,
                             boolean training, double momentum, double eps, Strided y, Strided mean,
                             Strided invstd) {
        int[] s = x.shape();
        k().launch("batch_norm_" + sfx(x), blocks(s[1]), 1, 1, THREADS, 0, s[0], s[1], s[2], at(x), at(weight),
                at(bias), at(runningMean), at(runningVar), training ? 1 : 0, momentum, eps, at(y), at(mean),
                at(invstd));
        return true;
    }

    static boolean batchNormBackward(Strided gradOut, Strided x, Strided weight, Strided mean, Strided invstd,
                                     boolean training, Strided gradIn, Strided gradWeight, Strided gradBias) {
        int[] s = x.shape();
        k().launch("batch_norm_backward_" + sfx(x), blocks(s[1]), 1, 1, THREADS, 0, s[0], s[1], s[2], at(gradOut),
                at(x), at(weight), at(mean), at(invstd), training ? 1 : 0, at(gradIn), at(gradWeight), at(gradBias));
        return true;
    }

    /** One block per channel, at most 65535 (the kernels loop over the channels beyond). */
    private static int blocks(int channels) {
        return Math.max(1, Math.min(channels, 65535));
    }
}
