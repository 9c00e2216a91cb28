package dev.ember.backend;

/**
 * The scalars of one SGD step for {@link Backend#sgdStep}: g is the gradient (negated with {@code maximize})
 * plus {@code weightDecay * param}; with momentum, b = firstStep ? g : momentum b + (1 - dampening) g and
 * g = nesterov ? g + momentum b : b; then {@code param += -lr * g}.
 */
public record SgdUpdate(double lr, double momentum, double dampening, double weightDecay, boolean nesterov,
                        boolean maximize, boolean firstStep) {
}
