package dev.ember.nn.functional;

import dev.ember.tensor.DType;
import dev.ember.tensor.Device;
import dev.ember.tensor.Fused;
import dev.ember.tensor.IndexChecks;
import dev.ember.tensor.Tensor;
import java.util.Arrays;

/**
 * Cross entropy and negative log likelihood over a class dimension (dim 1, or dim 0 for a 1-D input), following
 * ATen's {@code cross_entropy_loss}, {@code cross_entropy_loss_label_smoothing},
 * {@code cross_entropy_loss_prob_target} and {@code nll_loss_nd} step by step so that the weighted means and
 * ignored targets come out exactly as PyTorch's. Public entry points are in {@link Losses}.
 */
final class ClassLosses {
    private ClassLosses() {
    }

    static Tensor crossEntropy(Tensor input, Tensor target, CrossEntropyOptions o) {
        String op = "crossEntropy";
        Losses.checkReduction(op, o.reduction());
        Activations.requireFloat(op, input);
        double ls = o.labelSmoothing();
        if (!(ls >= 0 && ls <= 1)) {
            throw new IllegalArgumentException(op + ": label_smoothing must be between 0.0 and 1.0, got " + ls);
        }
        if (input.dim() == 0) {
            throw new IllegalArgumentException(op + ": input must have at least 1 dimension (C) or (N, C, ...), got a 0-dim tensor");
        }
        int classDim = input.dim() == 1 ? 0 : 1;
        long classes = input.size(classDim);
        Tensor weight = checkWeight(op, o.weight(), classes, input.dtype());
        if (target.isFloatingPoint()) {
            if (!Arrays.equals(input.shape(), target.shape())) {
                throw new IllegalArgumentException(op + ": probability targets must have the input's shape "
                        + Arrays.toString(input.shape()) + ", got " + Arrays.toString(target.shape()));
            }
            return probTarget(input, target, weight, o.reduction(), ls, classDim);
        }
        if (weight == null && ls == 0 && input.dim() == 2) {
            // logits (N, C) and class indices: one fused node instead of logSoftmax and about ten nll ops
            Tensor fused;
            if (input.device().equals(Device.CPU)) {
                long[] t = checkIndexTarget(op, input, target, classDim, classes, o.ignoreIndex());
                fused = Fused.crossEntropy(input, t, o.ignoreIndex(), o.reduction());
            } else {
                // a device keeps the targets: their range is checked there (in the loss kernel, where the backend
                // can), and nothing waits for it; the composite below checks them itself
                checkIndexTargetType(op, input, target, classDim);
                fused = Fused.crossEntropy(input, target, o.ignoreIndex(), o.reduction(),
                        targetMessage(op, classes, o.ignoreIndex()));
            }
            if (fused != null) {
                return fused;
            }
        }
        return crossEntropyComposite(input, target, weight, o, classDim, classes);
    }

    /** Cross entropy with index targets as logSoftmax and nll: the reference for {@link Fused#crossEntropy}. */
    static Tensor crossEntropyComposite(Tensor input, Tensor target, Tensor weight, CrossEntropyOptions o,
                                        int classDim, long classes) {
        String op = "crossEntropy";
        double ls = o.labelSmoothing();
        Tensor logp = input.logSoftmax(classDim);
        Tensor nll = nll(op, logp, target, weight, o.ignoreIndex(), o.reduction());
        if (ls == 0) {
            return nll;
        }
        // label smoothing: the uniform part of the target, -sum_c w_c log p_c, normalised as nll_loss is
        Tensor ignored = target.eq((double) o.ignoreIndex());
        Tensor weighted = weight == null ? logp : logp.mul(weight.reshape(classShape(input.dim(), classes, classDim)));
        Tensor smooth = weighted.sum(classDim, false).neg().maskedFill(ignored, 0);
        Tensor ret = switch (o.reduction()) {
            case "mean" -> smooth.sum().div(weight == null
                    ? ignored.eq(0.0).sum().to(input.dtype())
                    : targetWeights(weight, safeTarget(target, ignored), ignored).sum());
            case "sum" -> smooth.sum();
            default -> smooth;
        };
        return nll.mul(1 - ls).add(ret.mul(ls / classes));
    }

    private static Tensor probTarget(Tensor input, Tensor target, Tensor weight, String reduction, double ls,
                                     int classDim) {
        long classes = input.size(classDim);
        Tensor logp = input.logSoftmax(classDim);
        Tensor t = ls > 0 ? target.mul(1 - ls).add(ls / classes) : target;
        Tensor terms = logp.mul(t);
        if (weight != null) {
            terms = terms.mul(weight.reshape(classShape(input.dim(), classes, classDim)));
        }
        return switch (reduction) {
            // divided by the number of samples N * d1 * ..., not by the weights
            case "mean" -> terms.sum().neg().div((double) (input.numel() / Math.max(classes, 1)));
            case "sum" -> terms.sum().neg();
            default -> terms.sum(classDim, false).neg();
        };
    }

    static Tensor nllLoss(Tensor input, Tensor target, Tensor weight, long ignoreIndex, String reduction) {
        return nll("nllLoss", input, target, weight, ignoreIndex, reduction);
    }

    private static Tensor nll(String op, Tensor input, Tensor target, Tensor weight, long ignoreIndex,
                              String reduction) {
        Losses.checkReduction(op, reduction);
        Activations.requireFloat(op, input);
        if (input.dim() == 0) {
            throw new IllegalArgumentException(op + ": input must have at least 1 dimension (C) or (N, C, ...), got a 0-dim tensor");
        }
        if (target.dtype() != DType.INT64) {
            throw new IllegalArgumentException(op + ": expected target of class indices with dtype torch.int64, got "
                    + target.dtype().torchName());
        }
        int classDim = input.dim() == 1 ? 0 : 1;
        long classes = input.size(classDim);
        weight = checkWeight(op, weight, classes, input.dtype());
        checkTargetShape(op, input, target, classDim);
        checkTargetValues(op, target, classes, ignoreIndex);
        boolean unbatched = input.dim() == 1;
        Tensor x = unbatched ? input.unsqueeze(0) : input;
        Tensor tgt = unbatched ? target.reshape(1) : target;

        Tensor ignored = tgt.eq((double) ignoreIndex);
        Tensor safe = safeTarget(tgt, ignored);
        Tensor picked = x.gather(1, safe.unsqueeze(1)).squeeze(1);
        Tensor w = weight == null
                ? ignored.eq(0.0).to(input.dtype())
                : targetWeights(weight, safe, ignored);
        Tensor loss = picked.mul(w).neg();
        return switch (reduction) {
            case "mean" -> loss.sum().div(w.sum());
            case "sum" -> loss.sum();
            default -> unbatched ? loss.reshape() : loss;
        };
    }

    /** Ignored targets replaced by class 0 so they can index (their weight is zeroed separately). */
    private static Tensor safeTarget(Tensor target, Tensor ignored) {
        return Tensor.where(ignored, Tensor.scalar(DType.INT64, 0), target);
    }

    /** weight[target] in the target's shape, 0 where the target is ignored. */
    private static Tensor targetWeights(Tensor weight, Tensor safe, Tensor ignored) {
        return weight.indexSelect(0, safe.reshape(-1)).reshape(safe.shape()).maskedFill(ignored, 0);
    }

    /** (1, C, 1, ...) to broadcast a per-class weight against the input (C alone for 1-D input). */
    private static long[] classShape(int dims, long classes, int classDim) {
        long[] shape = new long[dims];
        Arrays.fill(shape, 1);
        shape[classDim] = classes;
        return shape;
    }

    private static Tensor checkWeight(String op, Tensor weight, long classes, DType dtype) {
        if (weight == null) {
            return null;
        }
        if (weight.dim() != 1 || weight.size(0) != classes) {
            throw new IllegalArgumentException(op + ": weight tensor should be defined either for all " + classes
                    + " classes or no classes but got weight tensor of shape: " + Arrays.toString(weight.shape()));
        }
        return weight.dtype() == dtype ? weight : weight.to(dtype);
    }

    private static void checkTargetShape(String op, Tensor input, Tensor target, int classDim) {
        long[] in = input.shape();
        long[] expected = new long[in.length - 1];
        for (int i = 0, j = 0; i < in.length; i++) {
            if (i != classDim) {
                expected[j++] = in[i];
            }
        }
        if (!Arrays.equals(expected, target.shape())) {
            throw new IllegalArgumentException(op + ": expected target of shape " + Arrays.toString(expected)
                    + " for input of shape " + Arrays.toString(in) + " (class dim " + classDim + "), got "
                    + Arrays.toString(target.shape()));
        }
    }

    /**
     * Each target value checked to be a class or the ignore index; returns the values on the CPU, null on a device
     * (which checks without waiting: see {@link IndexChecks}).
     */
    private static long[] checkTargetValues(String op, Tensor target, long classes, long ignoreIndex) {
        String message = targetMessage(op, classes, ignoreIndex);
        if (!target.device().equals(Device.CPU)) {
            IndexChecks.check(target, 0, classes, ignoreIndex, message);
            return null;
        }
        long[] values = target.toLongArray();
        for (long v : values) {
            if (v != ignoreIndex && (v < 0 || v >= classes)) {
                throw new IllegalArgumentException(String.format(message, v));
            }
        }
        return values;
    }

    /** The message of a target out of range (a format with the bad value's %d). */
    private static String targetMessage(String op, long classes, long ignoreIndex) {
        return op + ": target %d is out of bounds for " + classes + " classes (valid: 0.." + (classes - 1)
                + " or ignore_index " + ignoreIndex + ")";
    }

    /** The checks nll makes of an index target, in its order; returns the target's values. */
    private static long[] checkIndexTarget(String op, Tensor input, Tensor target, int classDim, long classes,
                                           long ignoreIndex) {
        checkIndexTargetType(op, input, target, classDim);
        return checkTargetValues(op, target, classes, ignoreIndex);
    }

    /** nll's checks of an index target's dtype and shape (its values are checked apart). */
    private static void checkIndexTargetType(String op, Tensor input, Tensor target, int classDim) {
        if (target.dtype() != DType.INT64) {
            throw new IllegalArgumentException(op + ": expected target of class indices with dtype torch.int64, got "
                    + target.dtype().torchName());
        }
        checkTargetShape(op, input, target, classDim);
    }
}
