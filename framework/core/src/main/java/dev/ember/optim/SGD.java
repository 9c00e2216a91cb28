package dev.ember.optim;

import dev.ember.backend.SgdUpdate;
import dev.ember.tensor.Fused;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent, optionally with momentum, PyTorch's {@code torch.optim.SGD}. There is no default
 * learning rate (PyTorch requires it too): {@code new SGD(params, 0.1)} or
 * {@code new SGD(params, SGD.options().lr(0.1).momentum(0.9))}.
 *
 * <p>Per parameter θ with gradient ∇ and hyperparameters γ (lr), λ (weight decay), μ (momentum),
 * τ (dampening), as PyTorch computes it:
 * <pre>
 * g ← maximize ? −∇ : ∇
 * if λ ≠ 0:  g ← g + λ θ
 * if μ ≠ 0:
 *     b ← (first step) ? g : μ b + (1 − τ) g          state momentum_buffer
 *     g ← nesterov ? g + μ b : b
 * θ ← θ − γ g
 * </pre>
 * Defaults: momentum 0, dampening 0, weight decay 0, nesterov false, maximize false. Nesterov needs a positive
 * momentum and zero dampening.
 */
public class SGD extends Optimizer<SGD.Options> {
    /** Whether the fused kernel may be used (tests switch it off to run the composite twin). */
    boolean fused = true;

    public SGD(Iterable<Tensor> params, double lr) {
        this(params, options().lr(lr));
    }

    public SGD(Iterable<Tensor> params, Options options) {
        super(params, options);
    }

    /** Defaults (lr unset: give it). */
    public static Options options() {
        return new Options();
    }

    /** SGD's hyperparameters; PyTorch's names in camelCase. */
    public static final class Options extends Optimizer.Options<Options> implements HasMomentum {
        private double momentum;
        private double dampening;
        private double weightDecay;
        private boolean nesterov;
        private boolean maximize;

        Options() {
            super(Double.NaN);
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

        public double dampening() {
            return dampening;
        }

        public Options dampening(double dampening) {
            this.dampening = dampening;
            return this;
        }

        public double weightDecay() {
            return weightDecay;
        }

        public Options weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public boolean nesterov() {
            return nesterov;
        }

        public Options nesterov(boolean nesterov) {
            this.nesterov = nesterov;
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
            return new Options().lr(lr()).momentum(momentum).dampening(dampening).weightDecay(weightDecay)
                    .nesterov(nesterov).maximize(maximize);
        }

        @Override
        protected void validate(String optimizer) {
            check(!Double.isNaN(lr()), optimizer, "lr is required (PyTorch's SGD has no default learning rate): "
                    + "new SGD(params, lr) or SGD.options().lr(...)");
            check(lr() >= 0, optimizer, "Invalid learning rate: " + lr());
            check(momentum >= 0, optimizer, "Invalid momentum value: " + momentum);
            check(weightDecay >= 0, optimizer, "Invalid weight_decay value: " + weightDecay);
            check(!nesterov || (momentum > 0 && dampening == 0), optimizer,
                    "Nesterov momentum requires a momentum and zero dampening (momentum " + momentum
                            + ", dampening " + dampening + ")");
        }

        @Override
        protected Map<String, double[]> toMap() {
            Map<String, double[]> m = new LinkedHashMap<>();
            m.put("lr", of(lr()));
            m.put("momentum", of(momentum));
            m.put("dampening", of(dampening));
            m.put("weight_decay", of(weightDecay));
            m.put("nesterov", of(nesterov));
            m.put("maximize", of(maximize));
            return m;
        }

        @Override
        protected void fromMap(Map<String, double[]> v) {
            lr(value(v, "lr")).momentum(value(v, "momentum")).dampening(value(v, "dampening"))
                    .weightDecay(value(v, "weight_decay")).nesterov(flag(v, "nesterov")).maximize(flag(v, "maximize"));
        }
    }

    /** The momentum buffer; null until the first step with momentum. */
    private static final class SgdState implements State {
        Tensor momentumBuffer;

        @Override
        public Map<String, Tensor> tensors() {
            return momentumBuffer == null ? Map.of() : Map.of("momentum_buffer", momentumBuffer);
        }
    }

    /**
     * Every parameter of a group in one multi-tensor kernel, where the backend has one: the arithmetic of
     * {@link #update} per parameter. Left to {@link #update} (false) while a momentum buffer is still missing.
     */
    @Override
    protected boolean updateAll(List<Tensor> params, List<Tensor> grads, Options o, List<State> states) {
        if (!fused) {
            return false;
        }
        List<Tensor[]> entries = new ArrayList<>(params.size());
        for (int i = 0; i < params.size(); i++) {
            Tensor buf = ((SgdState) states.get(i)).momentumBuffer;
            if (o.momentum != 0 && buf == null) {
                return false;
            }
            entries.add(new Tensor[] {params.get(i), grads.get(i), o.momentum == 0 ? null : buf});
        }
        return Fused.sgdStepMulti(entries, new SgdUpdate(o.lr(), o.momentum, o.dampening, o.weightDecay, o.nesterov,
                o.maximize, false));
    }

    @Override
    protected State update(Tensor param, Tensor grad, Options o, State previous) {
        SgdState s = previous == null ? new SgdState() : (SgdState) previous;
        if (o.momentum != 0 && s.momentumBuffer == null) {
            refuseDuringCapture(param, "SGD", "the first step with momentum (it creates the momentum buffer)");
        }
        if (fused) {
            // one fused kernel when the backend has it; the same arithmetic as the composite below, in one pass
            boolean first = o.momentum != 0 && s.momentumBuffer == null;
            Tensor buf = o.momentum == 0 ? null : first ? Tensor.zerosLike(param) : s.momentumBuffer;
            if (Fused.sgdStep(param, grad, buf, new SgdUpdate(o.lr(), o.momentum, o.dampening, o.weightDecay,
                    o.nesterov, o.maximize, first))) {
                if (buf != null) {
                    s.momentumBuffer = buf;
                }
                return s;
            }
        }
        Tensor g = o.maximize ? grad.neg() : grad;
        if (o.weightDecay != 0) {
            g = g.add(param.mul(o.weightDecay));
        }
        if (o.momentum != 0) {
            if (s.momentumBuffer == null) {
                s.momentumBuffer = g.clone();
            } else {
                s.momentumBuffer.muli(o.momentum).addi(g.mul(1 - o.dampening));
            }
            g = o.nesterov ? g.add(s.momentumBuffer.mul(o.momentum)) : s.momentumBuffer;
        }
        param.addi(g.mul(-o.lr()));
        return s;
    }

    @Override
    protected State loadState(Tensor param, Options o, Map<String, Tensor> saved) {
        SgdState s = new SgdState();
        s.momentumBuffer = saved.get("momentum_buffer");
        return s;
    }
}
