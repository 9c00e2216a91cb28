package dev.ember.optim;

/**
 * Hyperparameters with Adam's {@code betas}; schedulers that cycle momentum cycle {@code beta1}, as PyTorch's
 * do ({@code use_beta1}).
 */
public interface HasBetas {
    double beta1();

    double beta2();

    HasBetas betas(double beta1, double beta2);
}
