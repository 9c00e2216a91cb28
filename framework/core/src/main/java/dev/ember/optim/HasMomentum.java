package dev.ember.optim;

/**
 * Hyperparameters with a {@code momentum} term ({@link SGD}, {@link RMSprop}), which schedulers such as
 * {@code OneCycleLR} cycle, as PyTorch's schedulers do with {@code group['momentum']}.
 */
public interface HasMomentum {
    double momentum();

    HasMomentum momentum(double momentum);
}
