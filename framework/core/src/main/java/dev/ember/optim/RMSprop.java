package dev.ember.optim;

import dev.ember.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * RMSprop, PyTorch's {@code torch.optim.RMSprop}: {@code new RMSprop(params)} or
 * {@code new RMSprop(params, RMSprop.options().lr(1e-3).momentum(0.9).centered(true))}.
 *
 * <p>Per parameter θ with gradient ∇ and hyperparameters γ (lr), α (alpha), ε (eps), λ (weight decay),
 * μ (momentum), as PyTorch computes it:
 * <pre>
 * g ← maximize ? −∇ : ∇
 * if λ ≠ 0:  g ← g + λ θ
 * v ← α v + (1 − α) g²                         state square_avg     (v₀ = 0)
 * if centered:
 *     ḡ ← α ḡ + (1 − α) g                      state grad_avg       (ḡ₀ = 0)
 *     d ← √(v − ḡ²) + ε
 * else:
 *     d ← √v + ε
 * if μ > 0:
 *     b ← μ b + g / d;   θ ← θ − γ b          state momentum_buffer (b₀ = 0)
 * else:
 *     θ ← θ − γ g / d
 * </pre>
 * Defaults: lr 1e-2, alpha 0.99, eps 1e-8, weight decay 0, momentum 0, centered false, maximize false. State
 * {@code step} counts the updates (not used by the maths, kept for PyTorch's state dict).
 */
public class RMSprop extends Optimizer<RMSprop.Options> {

    public RMSprop(Iterable<Tensor> params) {
        this(params, options());
    }

    public RMSprop(Iterable<Tensor> params, Options options) {
        super(params, options);
    }

    /** PyTorch's defaults for RMSprop. */
    public static Options options() {
        return new Options();
    }

    /** RMSprop's hyperparameters; PyTorch's names in camelCase. */
    public static final class Options extends Optimizer.Options<Options> implements HasMomentum {
        private double alpha = 0.99;
        private double eps = 1e-8;
        private double weightDecay;
        private double momentum;
        private boolean centered;
        private boolean maximize;

        Options() {
            super(1e-2);
        }

        public double alpha() {
            return alpha;
        }

        public Options alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        public double eps() {
            return eps;
        }

        public Options eps(double eps) {
            this.eps = eps;
            return this;
        }

        public double weightDecay() {
            return weightDecay;
        }

        public Options weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        @Override
        public double momentum() {
            return momentum;
        }

        @Override
        public Options momentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        public boolean centered() {
            return centered;
        }

        public Options centered(boolean centered) {
            this.centered = centered;
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
            return new Options().lr(lr()).alpha(alpha).eps(eps).weightDecay(weightDecay).momentum(momentum)
                    .centered(centered).maximize(maximize);
        }

        @Override
        protected void validate(String optimizer) {
            check(lr() >= 0, optimizer, "Invalid learning rate: " + lr());
            check(eps >= 0, optimizer, "Invalid epsilon value: " + eps);
            check(momentum >= 0, optimizer, "Invalid momentum value: " + momentum);
            check(weightDecay >= 0, optimizer, "Invalid weight_decay value: " + weightDecay);
            check(alpha >= 0, optimizer, "Invalid alpha value: " + alpha);
        }

        @Override
        protected Map<String, double[]> toMap() {
            Map<String, double[]> m = new LinkedHashMap<>();
            m.put("lr", of(lr()));
            m.put("momentum", of(momentum));
            m.put("alpha", of(alpha));
            m.put("eps", of(eps));
            m.put("centered", of(centered));
            m.put("weight_decay", of(weightDecay));
            m.put("maximize", of(maximize));
            return m;
        }

        @Override
        protected void fromMap(Map<String, double[]> v) {
            lr(value(v, "lr")).momentum(value(v, "momentum")).alpha(value(v, "alpha")).eps(value(v, "eps"))
                    .centered(flag(v, "centered")).weightDecay(value(v, "weight_decay")).maximize(flag(v, "maximize"));
        }
    }

    private static final class RmsState implements State {
        long step;
        final Tensor squareAvg;
        Tensor momentumBuffer;
        Tensor gradAvg;

        RmsState(long step, Tensor squareAvg, Tensor momentumBuffer, Tensor gradAvg) {
            this.step = step;
            this.squareAvg = squareAvg;
            this.momentumBuffer = momentumBuffer;
            this.gradAvg = gradAvg;
        }

        @Override
        public Map<String, Tensor> tensors() {
            Map<String, Tensor> m = new LinkedHashMap<>();
            m.put("step", stepTensor(step));
            m.put("square_avg", squareAvg);
            if (momentumBuffer != null) {
                m.put("momentum_buffer", momentumBuffer);
            }
            if (gradAvg != null) {
                m.put("grad_avg", gradAvg);
            }
            return m;
        }
    }

    @Override
    protected State update(Tensor param, Tensor grad, Options o, State previous) {
        RmsState s = previous != null ? (RmsState) previous : new RmsState(0, Tensor.zerosLike(param), null, null);
        // created when first needed, so a scheduler that turns momentum on later (OneCycleLR) works
        if (o.momentum > 0 && s.momentumBuffer == null) {
            s.momentumBuffer = Tensor.zerosLike(param);
        }
        if (o.centered && s.gradAvg == null) {
            s.gradAvg = Tensor.zerosLike(param);
        }
        s.step++;
        Tensor g = o.maximize ? grad.neg() : grad;
        if (o.weightDecay != 0) {
            g = g.add(param.mul(o.weightDecay));
        }
        s.squareAvg.muli(o.alpha).addi(g.mul(1 - o.alpha).mul(g));
        Tensor avg;
        if (o.centered) {
            s.gradAvg.muli(o.alpha).addi(g.mul(1 - o.alpha));
            avg = s.squareAvg.sub(s.gradAvg.mul(s.gradAvg)).sqrt();
        } else {
            avg = s.squareAvg.sqrt();
        }
        avg = avg.add(o.eps);
        if (o.momentum > 0) {
            s.momentumBuffer.muli(o.momentum).addi(g.div(avg));
            param.addi(s.momentumBuffer.mul(-o.lr()));
        } else {
            param.addi(g.mul(-o.lr()).div(avg));
        }
        return s;
    }

    @Override
    protected State loadState(Tensor param, Options o, Map<String, Tensor> saved) {
        return new RmsState(readStep(saved), required(saved, "square_avg"),
                o.momentum > 0 ? required(saved, "momentum_buffer") : null,
                o.centered ? required(saved, "grad_avg") : null);
    }
}
