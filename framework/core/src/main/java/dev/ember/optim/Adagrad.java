package dev.ember.optim;

import dev.ember.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adagrad, PyTorch's {@code torch.optim.Adagrad}: {@code new Adagrad(params)} or
 * {@code new Adagrad(params, Adagrad.options().lr(0.1).lrDecay(1e-4))}.
 *
 * <p>Per parameter θ with gradient ∇, hyperparameters γ (lr), η (lr decay), λ (weight decay), τ (initial
 * accumulator value), ε (eps), and step t counted from 1, as PyTorch computes it:
 * <pre>
 * g ← maximize ? −∇ : ∇
 * if λ ≠ 0:  g ← g + λ θ
 * γ̃ ← γ / (1 + (t − 1) η)
 * s ← s + g²                                   state sum   (s₀ = τ)
 * θ ← θ − γ̃ g / (√s + ε)
 * </pre>
 * Defaults: lr 1e-2, lr decay 0, weight decay 0, initial accumulator value 0, eps 1e-10, maximize false.
 * PyTorch creates every parameter's state in the constructor; Ember creates it at the parameter's first update
 * (same results; a state dict taken before then has no entry for parameters that were never updated).
 */
public class Adagrad extends Optimizer<Adagrad.Options> {

    public Adagrad(Iterable<Tensor> params) {
        this(params, options());
    }

    public Adagrad(Iterable<Tensor> params, Options options) {
        super(params, options);
    }

    /** PyTorch's defaults for Adagrad. */
    public static Options options() {
        return new Options();
    }

    /** Adagrad's hyperparameters; PyTorch's names in camelCase. */
    public static final class Options extends Optimizer.Options<Options> {
        private double lrDecay;
        private double weightDecay;
        private double initialAccumulatorValue;
        private double eps = 1e-10;
        private boolean maximize;

        Options() {
            super(1e-2);
        }

        public double lrDecay() {
            return lrDecay;
        }

        public Options lrDecay(double lrDecay) {
            this.lrDecay = lrDecay;
            return this;
        }

        public double weightDecay() {
            return weightDecay;
        }

        public Options weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public double initialAccumulatorValue() {
            return initialAccumulatorValue;
        }

        public Options initialAccumulatorValue(double initialAccumulatorValue) {
            this.initialAccumulatorValue = initialAccumulatorValue;
            return this;
        }

        public double eps() {
            return eps;
        }

        public Options eps(double eps) {
            this.eps = eps;
            return this;
        }

        public boolean maximize() {
            return maximize;
        }

        public Options maximize(boolean maximize) {
            this.maximize = maximize;
            return this;
        }

        @Override
        public Options copy() {
            return new Options().lr(lr()).lrDecay(lrDecay).weightDecay(weightDecay)
                    .initialAccumulatorValue(initialAccumulatorValue).eps(eps).maximize(maximize);
        }

        @Override
        protected void validate(String optimizer) {
            check(lr() >= 0, optimizer, "Invalid learning rate: " + lr());
            check(lrDecay >= 0, optimizer, "Invalid lr_decay value: " + lrDecay);
            check(weightDecay >= 0, optimizer, "Invalid weight_decay value: " + weightDecay);
            check(initialAccumulatorValue >= 0, optimizer,
                    "Invalid initial_accumulator_value value: " + initialAccumulatorValue);
            check(eps >= 0, optimizer, "Invalid epsilon value: " + eps);
        }

        @Override
        protected Map<String, double[]> toMap() {
            Map<String, double[]> m = new LinkedHashMap<>();
            m.put("lr", of(lr()));
            m.put("lr_decay", of(lrDecay));
            m.put("eps", of(eps));
            m.put("weight_decay", of(weightDecay));
            m.put("initial_accumulator_value", of(initialAccumulatorValue));
            m.put("maximize", of(maximize));
            return m;
        }

        @Override
        protected void fromMap(Map<String, double[]> v) {
            lr(value(v, "lr")).lrDecay(value(v, "lr_decay")).eps(value(v, "eps"))
                    .weightDecay(value(v, "weight_decay"))
                    .initialAccumulatorValue(value(v, "initial_accumulator_value")).maximize(flag(v, "maximize"));
        }
    }

    private static final class AdagradState implements State {
        long step;
        final Tensor sum;

        AdagradState(long step, Tensor sum) {
            this.step = step;
            this.sum = sum;
        }

        @Override
        public Map<String, Tensor> tensors() {
            Map<String, Tensor> m = new LinkedHashMap<>();
            m.put("step", stepTensor(step));
            m.put("sum", sum);
            return m;
        }
    }

    @Override
    protected State update(Tensor param, Tensor grad, Options o, State previous) {
        AdagradState s = previous != null ? (AdagradState) previous
                : new AdagradState(0, Tensor.fullLike(param, o.initialAccumulatorValue));
        if (o.lrDecay != 0) {
            refuseDuringCapture(param, "Adagrad", "a step with lr_decay (its decayed rate is a host number)");
        }
        s.step++;
        Tensor g = o.maximize ? grad.neg() : grad;
        if (o.weightDecay != 0) {
            g = g.add(param.mul(o.weightDecay));
        }
        double clr = o.lr() / (1 + (s.step - 1) * o.lrDecay);
        s.sum.addi(g.mul(g));
        Tensor std = s.sum.sqrt().add(o.eps);
        param.addi(g.mul(-clr).div(std));
        return s;
    }

    @Override
    protected State loadState(Tensor param, Options o, Map<String, Tensor> saved) {
        return new AdagradState(readStep(saved), required(saved, "sum"));
    }
}
