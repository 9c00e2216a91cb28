package dev.ember.optim;

import dev.ember.tensor.Tensor;
import java.util.List;
import java.util.OptionalDouble;

/**
 * One parameter group of an {@link Optimizer}: its parameters and its own hyperparameters (PyTorch's
 * {@code optimizer.param_groups[i]} dict). Schedulers change {@link #setLr(double) lr} here between steps; other
 * hyperparameters change through {@link #options()} ({@code group.options().momentum(0.8)}).
 */
public final class ParamGroup<O extends Optimizer.Options<O>> {
    private final List<Tensor> params;
    private O options;
    private double initialLr = Double.NaN;

    ParamGroup(List<Tensor> params, O options) {
        this.params = params;
        this.options = options;
    }

    /** The parameters, in the order given (unmodifiable). */
    public List<Tensor> params() {
        return params;
    }

    /** This group's hyperparameters (live: changes apply from the next step). */
    public O options() {
        return options;
    }

    public double lr() {
        return options.lr();
    }

    public void setLr(double lr) {
        options.lr(lr);
    }

    /**
     * The learning rate a scheduler started from (PyTorch's {@code group['initial_lr']}), set by the first
     * scheduler attached, so a second scheduler on the same optimizer starts from the same base.
     */
    public OptionalDouble initialLr() {
        return Double.isNaN(initialLr) ? OptionalDouble.empty() : OptionalDouble.of(initialLr);
    }

    public void setInitialLr(double initialLr) {
        this.initialLr = initialLr;
    }

    void setOptions(O options) {
        this.options = options;
    }
}
