package dev.ember.backend;

/**
 * The scalars of one Adam or AdamW step for {@link Backend#adamStep}: with g the gradient (negated with
 * {@code maximize}), {@code decoupledWeightDecay} (AdamW) shrinks the parameter by {@code 1 - lr * weightDecay}
 * while Adam adds {@code weightDecay * param} to g; then m = beta1 m + (1 - beta1) g, v = beta2 v + (1 - beta2) g²,
 * v̂ = amsgrad ? max(v_max, v) : v, and {@code param += m * (-stepSize) / (sqrt(v̂) / sqrtBiasCorrection2 + eps)}.
 */
public record AdamUpdate(double beta1, double beta2, double eps, double weightDecay, boolean decoupledWeightDecay,
                         boolean maximize, boolean amsgrad, double lr, double stepSize,
                         double sqrtBiasCorrection2) {
}
