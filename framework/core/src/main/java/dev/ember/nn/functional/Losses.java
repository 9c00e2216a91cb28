package dev.ember.nn.functional;

import dev.ember.autograd.Autograd;
import dev.ember.tensor.Tensor;
import java.util.Arrays;

/**
 * Loss functions of {@code torch.nn.functional} with PyTorch's semantics and defaults. {@code reduction} is
 * "mean" (the default), "sum" or "none" (the per-element losses, in the input's shape). Inputs broadcast where
 * PyTorch's do; gradients reach the input and, for floating-point targets, the target. Deviation: class weights
 * that require grad get their gradient too, where PyTorch refuses such weights.
 * Classification losses ({@link #crossEntropy}, {@link #nllLoss}) are implemented in {@link ClassLosses}.
 */
public final class Losses {
    private Losses() {
    }

    /** PyTorch's lower bound on input (1 - input) in the BCE gradient: the float literal 1e-12f, widened. */
    private static final double BCE_EPSILON = 1e-12f;

    // ---------------------------------------------------------------- regression

    /** (input - target)^2, reduced; input and target broadcast. */
    public static Tensor mseLoss(Tensor input, Tensor target) {
        return mseLoss(input, target, "mean");
    }

    public static Tensor mseLoss(Tensor input, Tensor target, String reduction) {
        checkReduction("mseLoss", reduction);
        Tensor d = input.sub(target);
        return reduce(d.mul(d), reduction);
    }

    /** |input - target|, reduced. */
    public static Tensor l1Loss(Tensor input, Tensor target) {
        return l1Loss(input, target, "mean");
    }

    public static Tensor l1Loss(Tensor input, Tensor target, String reduction) {
        checkReduction("l1Loss", reduction);
        return reduce(input.sub(target).abs(), reduction);
    }

    /** Smooth L1 with beta = 1. */
    public static Tensor smoothL1Loss(Tensor input, Tensor target) {
        return smoothL1Loss(input, target, "mean", 1.0);
    }

    /**
     * 0.5 z^2 / beta where z = |input - target| &lt; beta, z - 0.5 beta elsewhere; beta = 0 is the L1 loss.
     */
    public static Tensor smoothL1Loss(Tensor input, Tensor target, String reduction, double beta) {
        checkReduction("smoothL1Loss", reduction);
        if (beta < 0) {
            throw new IllegalArgumentException("smoothL1Loss: does not support negative values for beta, got " + beta);
        }
        if (beta == 0) {
            return l1Loss(input, target, reduction);
        }
        Tensor z = input.sub(target).abs();
        return reduce(Tensor.where(z.lt(beta), z.mul(z).mul(0.5 / beta), z.sub(0.5 * beta)), reduction);
    }

    /** Huber loss with delta = 1. */
    public static Tensor huberLoss(Tensor input, Tensor target) {
        return huberLoss(input, target, "mean", 1.0);
    }

    /** 0.5 z^2 where z = |input - target| &lt; delta, delta (z - 0.5 delta) elsewhere (delta &gt; 0). */
    public static Tensor huberLoss(Tensor input, Tensor target, String reduction, double delta) {
        checkReduction("huberLoss", reduction);
        if (!(delta > 0)) {
            throw new IllegalArgumentException("huberLoss: does not support non-positive values for delta, got " + delta);
        }
        Tensor z = input.sub(target).abs();
        return reduce(Tensor.where(z.lt(delta), z.mul(z).mul(0.5), z.sub(0.5 * delta).mul(delta)), reduction);
    }

    // ---------------------------------------------------------------- binary classification

    /** Binary cross entropy of probabilities, no weight, mean. */
    public static Tensor binaryCrossEntropy(Tensor input, Tensor target) {
        return binaryCrossEntropy(input, target, null, "mean");
    }

    /**
     * -weight * (target log(input) + (1 - target) log(1 - input)), each log clamped at -100 as in PyTorch so that
     * inputs of exactly 0 or 1 give a finite loss. input and target have the same shape, input in [0, 1];
     * weight (nullable) broadcasts to it. The input gradient is PyTorch's
     * weight * (input - target) / max(input (1 - input), 1e-12), finite at 0 and 1; the target's is PyTorch's
     * -weight * logit(input) (infinite at 0 and 1, where it becomes the largest finite value instead).
     */
    public static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, String reduction) {
        checkReduction("binaryCrossEntropy", reduction);
        sameShape("binaryCrossEntropy", input, target);
        Activations.requireFloat("binaryCrossEntropy", input);
        if (input.numel() > 0) {
            double lo = input.detach().min().item();
            double hi = input.detach().max().item();
            if (!(lo >= 0 && hi <= 1)) {
                throw new IllegalArgumentException("binaryCrossEntropy: all elements of input should be between 0 and 1, "
                        + "got values in [" + lo + ", " + hi + "]");
            }
        }
        Tensor value;
        Tensor dInput;
        Tensor dTarget;
        try (var ignored = Autograd.noGrad()) {
            Tensor x = input.detach();
            Tensor t = target.detach();
            Tensor logX = x.log();
            Tensor log1mX = Composites.log1p(x.neg());
            value = t.sub(1.0).mul(log1mX.clampMin(-100)).sub(t.mul(logX.clampMin(-100)));
            dInput = x.sub(t).div(x.neg().add(1.0).mul(x).clampMin(BCE_EPSILON));
            dTarget = log1mX.sub(logX); // -logit(x), unclamped as in PyTorch
        }
        Tensor loss = Composites.withDerivative(value, input, dInput);
        loss = Composites.withDerivative(loss, target, dTarget);
        if (weight != null) {
            loss = loss.mul(weight);
        }
        return reduce(loss, reduction);
    }

    /** BCE on logits, no weights, mean. */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target) {
        return binaryCrossEntropyWithLogits(input, target, null, null, "mean");
    }

    /**
     * Sigmoid and binary cross entropy in one stable formula (PyTorch's): with m = max(-x, 0),
     * loss = (1 - t) x + l (log(exp(-m) + exp(-x - m)) + m), l = 1 + (posWeight - 1) t. input and target have the
     * same shape; weight broadcasts to it, posWeight (one per class, nullable) broadcasts along the last dim.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor weight, Tensor posWeight,
                                                      String reduction) {
        checkReduction("binaryCrossEntropyWithLogits", reduction);
        sameShape("binaryCrossEntropyWithLogits", input, target);
        Activations.requireFloat("binaryCrossEntropyWithLogits", input);
        Tensor maxVal = input.neg().clampMin(0);
        Tensor logTerm = maxVal.neg().exp().add(input.neg().sub(maxVal).exp()).log().add(maxVal);
        Tensor loss = target.neg().add(1.0).mul(input);
        if (posWeight != null) {
            Tensor logWeight = posWeight.sub(1.0).mul(target).add(1.0);
            loss = loss.add(logWeight.mul(logTerm));
        } else {
            loss = loss.add(logTerm);
        }
        if (weight != null) {
            loss = loss.mul(weight);
        }
        return reduce(loss, reduction);
    }

    // ---------------------------------------------------------------- distributions

    /** KL divergence with PyTorch's default reduction "mean" (per element; prefer "batchmean"). */
    public static Tensor klDiv(Tensor input, Tensor target) {
        return klDiv(input, target, "mean", false);
    }

    /** KL divergence of log-probabilities from probabilities with the given reduction (e.g. "batchmean"). */
    public static Tensor klDiv(Tensor input, Tensor target, String reduction) {
        return klDiv(input, target, reduction, false);
    }

    /**
     * Pointwise KL divergence target * (log(target) - input), where input holds log-probabilities and target
     * probabilities (or log-probabilities with {@code logTarget}: exp(target) * (target - input)). Terms with
     * target 0 are 0. {@code reduction}: "mean" (over all elements, PyTorch's default), "batchmean" (sum / batch
     * size, the true KL divergence), "sum" or "none".
     */
    public static Tensor klDiv(Tensor input, Tensor target, String reduction, boolean logTarget) {
        if (!"batchmean".equals(reduction)) {
            checkReduction("klDiv", reduction);
        }
        Tensor loss = logTarget
                ? target.exp().mul(target.sub(input))
                : Composites.xlogy(target, target).sub(target.mul(input));
        if ("batchmean".equals(reduction)) {
            return input.dim() == 0 ? loss.sum() : loss.sum().div((double) input.size(0));
        }
        return reduce(loss, reduction);
    }

    // ---------------------------------------------------------------- multi-class (see ClassLosses)

    /** Cross entropy of logits with PyTorch's defaults (see {@link CrossEntropyOptions#DEFAULTS}). */
    public static Tensor crossEntropy(Tensor input, Tensor target) {
        return ClassLosses.crossEntropy(input, target, CrossEntropyOptions.DEFAULTS);
    }

    /**
     * Cross entropy between logits and a target, as {@code F.cross_entropy}. input (N, C), (N, C, d1, ...) or (C)
     * holds unnormalised scores. target is either class indices (int64, shape (N), (N, d1, ...) or () for a 1-D
     * input; values in [0, C) or {@code ignoreIndex}) or class probabilities (floating point, the input's shape;
     * {@code ignoreIndex} does not apply). With class weights, "mean" divides by the summed weights of the
     * non-ignored targets (index targets) or by the number of samples N * d1 * ... (probability targets).
     * Returns a scalar, or with "none" the per-sample losses (N, d1, ...).
     */
    public static Tensor crossEntropy(Tensor input, Tensor target, Tensor weight, long ignoreIndex, String reduction,
                                      double labelSmoothing) {
        return ClassLosses.crossEntropy(input, target,
                new CrossEntropyOptions(weight, ignoreIndex, reduction, labelSmoothing));
    }

    public static Tensor crossEntropy(Tensor input, Tensor target, CrossEntropyOptions options) {
        return ClassLosses.crossEntropy(input, target, options);
    }

    /** Negative log likelihood with PyTorch's defaults: no weights, ignoreIndex -100, mean. */
    public static Tensor nllLoss(Tensor input, Tensor target) {
        return nllLoss(input, target, null, -100, "mean");
    }

    /**
     * -weight[target] * input[target] per sample, as {@code F.nll_loss}: input (N, C), (N, C, d1, ...) or (C) holds
     * log-probabilities, target int64 class indices (N), (N, d1, ...) or (). Samples whose target is
     * {@code ignoreIndex} contribute nothing; "mean" divides by the summed weights of the others (NaN if all are
     * ignored, as in PyTorch).
     */
    public static Tensor nllLoss(Tensor input, Tensor target, Tensor weight, long ignoreIndex, String reduction) {
        return ClassLosses.nllLoss(input, target, weight, ignoreIndex, reduction);
    }

    // ---------------------------------------------------------------- helpers

    static void checkReduction(String op, String reduction) {
        if (!"mean".equals(reduction) && !"sum".equals(reduction) && !"none".equals(reduction)) {
            throw new IllegalArgumentException(op + ": reduction must be \"mean\", \"sum\" or \"none\", got \""
                    + reduction + "\"");
        }
    }

    static Tensor reduce(Tensor loss, String reduction) {
        return switch (reduction) {
            case "mean" -> loss.mean();
            case "sum" -> loss.sum();
            default -> loss;
        };
    }

    private static void sameShape(String op, Tensor input, Tensor target) {
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException(op + ": target size " + Arrays.toString(target.shape())
                    + " must be the same as the input size " + Arrays.toString(input.shape()));
        }
    }
}
