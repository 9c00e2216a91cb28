package dev.ember.nn.functional;

import dev.ember.autograd.Autograd;
import dev.ember.tensor.Fused;
import dev.ember.tensor.FusedBatchNorm;
import dev.ember.tensor.Tensor;
import java.util.Arrays;

/** Normalisation functions, composed from tensor ops so their gradients come from autograd. */
public final class Normalization {
    private Normalization() {
    }

    /**
     * Layer normalisation over the trailing {@code normalizedShape} dims: (x - mean) / sqrt(var + eps) * weight +
     * bias, with the biased variance, as {@code F.layer_norm}. input (*, normalizedShape) -> same shape; weight and
     * bias (normalizedShape) may be null.
     */
    public static Tensor layerNorm(Tensor input, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        int k = normalizedShape.length;
        long[] shape = input.shape();
        boolean ok = k > 0 && k <= shape.length;
        for (int i = 0; ok && i < k; i++) {
            ok = shape[shape.length - k + i] == normalizedShape[i];
        }
        if (!ok) {
            throw new IllegalArgumentException("layerNorm: input of shape " + Arrays.toString(shape)
                    + " does not end in normalized_shape " + Arrays.toString(normalizedShape));
        }
        // one fused kernel each way when the backend has it (weight and bias of the normalized shape)
        Tensor fused = Fused.layerNorm(input, k, weight, bias, eps);
        return fused != null ? fused : layerNormComposite(input, normalizedShape, weight, bias, eps);
    }

    /** {@link #layerNorm} from tensor ops: the reference for the fused kernel (arguments already checked). */
    static Tensor layerNormComposite(Tensor input, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        int k = normalizedShape.length;
        long[] shape = input.shape();
        int[] dims = new int[k];
        for (int i = 0; i < k; i++) {
            dims[i] = shape.length - k + i;
        }
        Tensor mean = input.mean(dims, true);
        Tensor centered = input.sub(mean);
        Tensor var = centered.mul(centered).mean(dims, true);
        Tensor y = centered.div(var.add(eps).sqrt());
        if (weight != null) {
            y = y.mul(weight);
        }
        return bias == null ? y : y.add(bias);
    }

    /**
     * Batch normalisation, as {@code F.batch_norm}: input (N, C, *) -> same shape, normalised per channel C.
     * With {@code training}, each channel is normalised with its batch mean and biased variance over N and *, and
     * {@code runningMean} / {@code runningVar} (C), when given, are updated in place: {@code running = (1 -
     * momentum) * running + momentum * batch}, with the unbiased variance for runningVar. Without
     * {@code training}, the running statistics are used (and are required). weight and bias (C) may be null.
     */
    public static Tensor batchNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        if (input.dim() < 2) {
            throw new IllegalArgumentException("batchNorm: expected an input of at least 2 dims (N, C, *), got shape "
                    + Arrays.toString(input.shape()));
        }
        long c = input.size(1);
        for (Tensor t : new Tensor[] {runningMean, runningVar, weight, bias}) {
            if (t != null && (t.dim() != 1 || t.size(0) != c)) {
                throw new IllegalArgumentException("batchNorm: running_mean, running_var, weight and bias must have "
                        + "shape [" + c + "] for input of shape " + Arrays.toString(input.shape()) + ", got "
                        + Arrays.toString(t.shape()));
            }
        }
        long n = input.numel() / Math.max(c, 1);
        if (training && n <= 1) {
            throw new IllegalArgumentException("batchNorm: expected more than 1 value per channel when training, "
                    + "got input size " + Arrays.toString(input.shape()));
        }
        if (!training && (runningMean == null || runningVar == null)) {
            throw new IllegalArgumentException("batchNorm: running_mean and running_var must be defined in "
                    + "evaluation mode (training=false)");
        }
        Tensor fused = FusedBatchNorm.batchNorm(input, runningMean, runningVar, weight, bias, training, momentum, eps);
        if (fused != null) {
            return fused;
        }
        long[] channel = new long[input.dim()]; // (1, C, 1, ...): broadcasts per-channel values over the input
        Arrays.fill(channel, 1);
        channel[1] = c;
        int[] dims = new int[input.dim() - 1];
        for (int i = 0, d = 0; d < input.dim(); d++) {
            if (d != 1) {
                dims[i++] = d;
            }
        }
        Tensor centered;
        Tensor var;
        if (training) {
            Tensor mean = input.mean(dims, true);
            centered = input.sub(mean);
            var = centered.mul(centered).mean(dims, true);
            try (var ignored = Autograd.noGrad()) {
                if (runningMean != null) {
                    runningMean.muli(1 - momentum).addi(mean.detach().reshape(c).mul(momentum));
                }
                if (runningVar != null) {
                    Tensor unbiased = var.detach().reshape(c).mul((double) n / (n - 1));
                    runningVar.muli(1 - momentum).addi(unbiased.mul(momentum));
                }
            }
        } else {
            centered = input.sub(runningMean.reshape(channel));
            var = runningVar.reshape(channel);
        }
        Tensor y = centered.div(var.add(eps).sqrt());
        if (weight != null) {
            y = y.mul(weight.reshape(channel));
        }
        return bias == null ? y : y.add(bias.reshape(channel));
    }

    /**
     * Group normalisation, as {@code F.group_norm}: input (N, C, *) -> same shape; the C channels are split into
     * {@code numGroups} groups of consecutive channels and each (sample, group) is normalised with its own mean
     * and biased variance; weight and bias (C) may be null.
     */
    public static Tensor groupNorm(Tensor input, long numGroups, Tensor weight, Tensor bias, double eps) {
        if (input.dim() < 2) {
            throw new IllegalArgumentException("groupNorm: expected an input of at least 2 dims (N, C, *), got shape "
                    + Arrays.toString(input.shape()));
        }
        long c = input.size(1);
        if (numGroups < 1 || c % numGroups != 0) {
            throw new IllegalArgumentException("groupNorm: expected number of channels in input to be divisible by "
                    + "num_groups, but got input of shape " + Arrays.toString(input.shape()) + " and num_groups="
                    + numGroups);
        }
        for (Tensor t : new Tensor[] {weight, bias}) {
            if (t != null && (t.dim() != 1 || t.size(0) != c)) {
                throw new IllegalArgumentException("groupNorm: expected weight and bias of shape [" + c + "], got "
                        + Arrays.toString(t.shape()));
            }
        }
        long[] shape = input.shape();
        Tensor x = input.reshape(shape[0], numGroups, -1);
        Tensor mean = x.mean(-1, true);
        Tensor centered = x.sub(mean);
        Tensor var = centered.mul(centered).mean(-1, true);
        Tensor y = centered.div(var.add(eps).sqrt()).reshape(shape);
        long[] channel = new long[input.dim()];
        Arrays.fill(channel, 1);
        channel[1] = c;
        if (weight != null) {
            y = y.mul(weight.reshape(channel));
        }
        return bias == null ? y : y.add(bias.reshape(channel));
    }
}
