package dev.ember.nn;

import dev.ember.nn.functional.Losses;
import dev.ember.tensor.Tensor;

/**
 * KL divergence of log-probabilities {@code input} from {@code target} (probabilities, or log-probabilities with
 * {@code logTarget}); reduction "mean" (PyTorch's default, per element), "batchmean" (the true KL divergence),
 * "sum" or "none". See {@link Losses#klDiv(Tensor, Tensor, String, boolean)}.
 */
public class KLDivLoss extends Loss {
    public final boolean logTarget;

    public KLDivLoss() {
        this("mean", false);
    }

    public KLDivLoss(String reduction, boolean logTarget) {
        super(reduction);
        this.logTarget = logTarget;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Losses.klDiv(input, target, reduction, logTarget);
    }
}
