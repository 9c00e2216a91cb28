package dev.ember.tensor;

import dev.ember.backend.Backend;
import dev.ember.backend.Strided;

/**
 * Batch normalisation as one graph node (PyTorch's {@code NativeBatchNormBackward0}) over the backend's kernels
 * ({@link Backend#batchNorm}): one launch each way on a GPU, where {@code F.batchNorm}'s composite (means,
 * differences, products, a square root, running-statistic updates) takes about fifteen. Null when the backend has
 * no kernel for the operands: the caller then runs its composite, which stays the reference.
 */
public final class FusedBatchNorm {
    private FusedBatchNorm() {
    }

    /**
     * input (N, C, *), the running statistics, weight and bias (C; nullable, checked by the caller) -> input's
     * shape; in training the running statistics (when given) are updated in place. Null (nothing changed) when the
     * backend cannot fuse these operands.
     */
    public static Tensor batchNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        if (!input.dtype().isFloatingPoint() || input.dim() < 2 || input.numel() == 0
                || (!training && (runningMean == null || runningVar == null))) {
            return null;
        }
        for (Tensor t : new Tensor[] {runningMean, runningVar, weight, bias}) {
            if (t != null && (t.dtype() != input.dtype() || !t.device().equals(input.device()) || !t.isContiguous())) {
                return null;
            }
        }
        Tensor x = Fused.contiguous(input);
        int c = x.shape[1];
        Tensor y = Creation.output(x.dtype(), x.shape.clone(), x);
        Tensor mean = Creation.output(x.dtype(), new int[] {c}, x);
        Tensor invstd = Creation.output(x.dtype(), new int[] {c}, x);
        Backend be = x.backend();
        if (!be.batchNorm(channels(x), strided(weight), strided(bias), strided(runningMean), strided(runningVar),
                training, momentum, eps, channels(y), mean.strided(), invstd.strided())) {
            return null;
        }
        if (training) {
            for (Tensor t : new Tensor[] {runningMean, runningVar}) {
                if (t != null) {
                    t.storage.bumpVersion();
                }
            }
        }
        Tensor[] saved = weight == null ? new Tensor[] {x, mean, invstd} : new Tensor[] {x, weight, mean, invstd};
        // every gradient is a new buffer: the leaves (weight, bias, often the input) keep them without a copy
        return Graph.recordFresh("NativeBatchNormBackward0", y, Fused.affineInputs(input, weight, bias), saved, g -> {
            Tensor gc = Fused.contiguous(g);
            Tensor gi = input.requiresGrad ? Creation.output(x.dtype(), x.shape.clone(), x) : null;
            Tensor gw = weight != null && weight.requiresGrad ? Creation.output(x.dtype(), new int[] {c}, x) : null;
            Tensor gb = bias != null && bias.requiresGrad ? Creation.output(x.dtype(), new int[] {c}, x) : null;
            if (!be.batchNormBackward(channels(gc), channels(x), strided(weight), mean.strided(), invstd.strided(),
                    training, gi == null ? null : channels(gi), strided(gw), strided(gb))) {
                throw new IllegalStateException("batchNorm: the backend fused the forward but not the backward");
            }
            return Fused.affineGrads(gi, gw, gb, weight, bias);
        });
    }

    /** A contiguous (N, C, ...) tensor as (N, C, L), L the product of the dims after the channel. */
    private static Strided channels(Tensor t) {
        int n = t.shape[0];
        int c = t.shape[1];
        int l = (int) (t.numel() / ((long) n * c));
        return new Strided(t.storage, new int[] {n, c, l}, new int[] {c * l, l, 1}, t.offset);
    }

    private static Strided strided(Tensor t) {
        return t == null ? null : t.strided();
    }
}
