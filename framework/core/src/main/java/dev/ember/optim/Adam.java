package dev.ember.optim;

import dev.ember.backend.AdamUpdate;
import dev.ember.tensor.DType;
import dev.ember.tensor.Fused;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam, PyTorch's {@code torch.optim.Adam}: {@code new Adam(model.parameters())} or
 * {@code new Adam(params, Adam.options().lr(3e-4).weightDecay(0.01))}.
 *
 * <p>Per parameter θ with gradient ∇, hyperparameters γ (lr), β1, β2 (betas), ε (eps), λ (weight decay), and
 * step t counted from 1, as PyTorch computes it:
 * <pre>
 * g ← maximize ? −∇ : ∇
 * if λ ≠ 0:  g ← g + λ θ                     (AdamW instead: θ ← θ (1 − γ λ), see {@link AdamW})
 * m ← β1 m + (1 − β1) g                       state exp_avg     (m₀ = 0)
 * v ← β2 v + (1 − β2) g²                      state exp_avg_sq  (v₀ = 0)
 * if amsgrad:  v_max ← max(v_max, v);  v̂ ← v_max   state max_exp_avg_sq
 * else:        v̂ ← v
 * θ ← θ − (γ / (1 − β1ᵗ)) · m / (√v̂ / √(1 − β2ᵗ) + ε)
 * </pre>
 * Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0, amsgrad false, maximize false. The step
 * counter is state {@code step}.
 */
public class Adam extends Optimizer<Adam.Options> {
    private final boolean decoupledWeightDecay;
    /** Whether the fused kernel may be used (tests switch it off to run the composite twin). */
    boolean fused = true;

    public Adam(Iterable<Tensor> params) {
        this(params, options());
    }

    public Adam(Iterable<Tensor> params, Options options) {
        this(params, options, false);
    }

    /** With {@code decoupledWeightDecay}, weight decay shrinks θ directly (AdamW) instead of adding to g. */
    protected Adam(Iterable<Tensor> params, Options options, boolean decoupledWeightDecay) {
        super(params, options);
        this.decoupledWeightDecay = decoupledWeightDecay;
    }

    /** PyTorch's defaults for Adam. */
    public static Options options() {
        return new Options();
    }

    /** Adam's and AdamW's hyperparameters; PyTorch's names in camelCase. */
    public static final class Options extends Optimizer.Options<Options> implements HasBetas {
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double eps = 1e-8;
        private double weightDecay;
        private boolean amsgrad;
        private boolean maximize;
        private boolean capturable;

        Options() {
            super(1e-3);
        }

        @Override
        public double beta1() {
            return beta1;
        }

        @Override
        public double beta2() {
            return beta2;
        }

        @Override
        public Options betas(double beta1, double beta2) {
            this.beta1 = beta1;
            this.beta2 = beta2;
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

        public boolean amsgrad() {
            return amsgrad;
        }

        public Options amsgrad(boolean amsgrad) {
            this.amsgrad = amsgrad;
            return this;
        }

        public boolean maximize() {
            return maximize;
        }

        public Options maximize(boolean maximize) {
            this.maximize = maximize;
            return this;
        }

        public boolean capturable() {
            return capturable;
        }

        /**
         * PyTorch's {@code capturable}: the step count lives on the parameter's device and the kernel derives the
         * bias corrections from it, so a step captured in a {@link dev.ember.backend.DeviceGraph} is right at
         * every replay. Off by default: the count then stays a host number and nothing reads the device.
         */
        public Options capturable(boolean capturable) {
            this.capturable = capturable;
            return this;
        }

        @Override
        public Options copy() {
            return new Options().lr(lr()).betas(beta1, beta2).eps(eps).weightDecay(weightDecay).amsgrad(amsgrad)
                    .maximize(maximize).capturable(capturable);
        }

        @Override
        protected void validate(String optimizer) {
            check(lr() >= 0, optimizer, "Invalid learning rate: " + lr());
            check(eps >= 0, optimizer, "Invalid epsilon value: " + eps);
            check(beta1 >= 0 && beta1 < 1, optimizer, "Invalid beta parameter at index 0: " + beta1
                    + " (expected 0 <= beta1 < 1)");
            check(beta2 >= 0 && beta2 < 1, optimizer, "Invalid beta parameter at index 1: " + beta2
                    + " (expected 0 <= beta2 < 1)");
            check(weightDecay >= 0, optimizer, "Invalid weight_decay value: " + weightDecay);
        }

        @Override
        protected Map<String, double[]> toMap() {
            Map<String, double[]> m = new LinkedHashMap<>();
            m.put("lr", of(lr()));
            m.put("betas", new double[] {beta1, beta2});
            m.put("eps", of(eps));
            m.put("weight_decay", of(weightDecay));
            m.put("amsgrad", of(amsgrad));
            m.put("maximize", of(maximize));
            m.put("capturable", of(capturable));
            return m;
        }

        @Override
        protected void fromMap(Map<String, double[]> v) {
            double[] betas = pair(v, "betas");
            lr(value(v, "lr")).betas(betas[0], betas[1]).eps(value(v, "eps")).weightDecay(value(v, "weight_decay"))
                    .amsgrad(flag(v, "amsgrad")).maximize(flag(v, "maximize"))
                    .capturable(v.containsKey("capturable") && flag(v, "capturable")); // absent before 2026-11-26
        }
    }

    private static final class AdamState implements State {
        long step;
        /** With capturable: the step count t on the parameter's device (0-dim float64), else null. */
        Tensor deviceStep;
        final Tensor expAvg;
        final Tensor expAvgSq;
        Tensor maxExpAvgSq;

        AdamState(long step, Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq) {
            this.step = step;
            this.expAvg = expAvg;
            this.expAvgSq = expAvgSq;
            this.maxExpAvgSq = maxExpAvgSq;
        }

        @Override
        public Map<String, Tensor> tensors() {
            Map<String, Tensor> m = new LinkedHashMap<>();
            m.put("step", deviceStep == null ? stepTensor(step) : stepTensor((long) deviceStep.item()));
            m.put("exp_avg", expAvg);
            m.put("exp_avg_sq", expAvgSq);
            if (maxExpAvgSq != null) {
                m.put("max_exp_avg_sq", maxExpAvgSq);
            }
            return m;
        }
    }

    @Override
    protected State update(Tensor param, Tensor grad, Options o, State previous) {
        String name = decoupledWeightDecay ? "AdamW" : "Adam";
        if (previous != null && o.amsgrad && ((AdamState) previous).maxExpAvgSq == null) {
            refuseDuringCapture(param, name, "the first step with amsgrad (it creates max_exp_avg_sq)");
        }
        AdamState s = previous != null ? (AdamState) previous : new AdamState(0, Tensor.zerosLike(param),
                Tensor.zerosLike(param), o.amsgrad ? Tensor.zerosLike(param) : null);
        if (o.capturable) {
            return capturableUpdate(param, grad, o, s);
        }
        refuseDuringCapture(param, name, "a step with capturable(false) (its step count is a host number)");
        if (s.deviceStep != null) { // capturable switched off: the count comes back to the host
            s.step = (long) s.deviceStep.item();
            s.deviceStep = null;
        }
        s.step++;
        double biasCorrection1 = 1 - Math.pow(o.beta1, s.step);
        double biasCorrection2 = 1 - Math.pow(o.beta2, s.step);
        double stepSize = o.lr() / biasCorrection1;
        if (o.amsgrad && s.maxExpAvgSq == null) { // amsgrad switched on after the first step
            s.maxExpAvgSq = Tensor.zerosLike(param);
        }
        // one fused kernel when the backend has it; the same arithmetic as the composite below, in one pass
        if (fused && Fused.adamStep(param, grad, s.expAvg, s.expAvgSq, o.amsgrad ? s.maxExpAvgSq : null,
                new AdamUpdate(o.beta1, o.beta2, o.eps, o.weightDecay, decoupledWeightDecay, o.maximize, o.amsgrad,
                        o.lr(), stepSize, Math.sqrt(biasCorrection2)))) {
            return s;
        }
        Tensor denom = moments(param, grad, o, s).sqrt().div(Math.sqrt(biasCorrection2)).add(o.eps);
        param.addi(s.expAvg.mul(-stepSize).div(denom));
        return s;
    }

    /**
     * Every parameter of a group in one multi-tensor kernel (PyTorch's fused Adam), where the backend has one:
     * the same arithmetic as {@link #update} per parameter. Left to {@link #update} (false) for whatever that
     * would still have to set up: a first capturable step, amsgrad switched on late, step counts that differ.
     */
    @Override
    protected boolean updateAll(List<Tensor> params, List<Tensor> grads, Options o, List<State> states) {
        if (!fused) {
            return false;
        }
        List<Tensor[]> entries = new ArrayList<>(params.size());
        long step = ((AdamState) states.get(0)).step;
        for (int i = 0; i < params.size(); i++) {
            AdamState s = (AdamState) states.get(i);
            if (o.amsgrad && s.maxExpAvgSq == null || o.capturable != (s.deviceStep != null)
                    || !o.capturable && s.step != step) {
                return false;
            }
            entries.add(new Tensor[] {params.get(i), grads.get(i), s.expAvg, s.expAvgSq,
                o.amsgrad ? s.maxExpAvgSq : null, s.deviceStep});
        }
        AdamUpdate u;
        if (o.capturable) {
            u = new AdamUpdate(o.beta1, o.beta2, o.eps, o.weightDecay, decoupledWeightDecay, o.maximize, o.amsgrad,
                    o.lr(), Double.NaN, Double.NaN);
        } else {
            refuseDuringCapture(params.get(0), decoupledWeightDecay ? "AdamW" : "Adam",
                    "a step with capturable(false) (its step count is a host number)");
            double biasCorrection1 = 1 - Math.pow(o.beta1, step + 1);
            double biasCorrection2 = 1 - Math.pow(o.beta2, step + 1);
            u = new AdamUpdate(o.beta1, o.beta2, o.eps, o.weightDecay, decoupledWeightDecay, o.maximize, o.amsgrad,
                    o.lr(), o.lr() / biasCorrection1, Math.sqrt(biasCorrection2));
        }
        if (!Fused.adamStepMulti(entries, u, o.capturable)) {
            return false;
        }
        if (!o.capturable) {
            for (State s : states) {
                ((AdamState) s).step++;
            }
        }
        return true;
    }

    /** The composite's weight decay and moment updates, in place; returns v̂ (v, or v_max with amsgrad). */
    private Tensor moments(Tensor param, Tensor grad, Options o, AdamState s) {
        Tensor g = o.maximize ? grad.neg() : grad;
        if (decoupledWeightDecay) {
            if (o.weightDecay != 0) {
                param.muli(1 - o.lr() * o.weightDecay);
            }
        } else if (o.weightDecay != 0) {
            g = g.add(param.mul(o.weightDecay));
        }
        s.expAvg.muli(o.beta1).addi(g.mul(1 - o.beta1));
        s.expAvgSq.muli(o.beta2).addi(g.mul(1 - o.beta2).mul(g));
        return o.amsgrad ? s.maxExpAvgSq.copyi(s.maxExpAvgSq.maximum(s.expAvgSq)) : s.expAvgSq;
    }

    /**
     * The update with t on the device: advanced there, and the bias corrections computed from it by the fused
     * kernel or, where there is none, by 0-dim tensor ops in the order of the host composite above.
     */
    private State capturableUpdate(Tensor param, Tensor grad, Options o, AdamState s) {
        if (s.deviceStep == null) {
            refuseDuringCapture(param, decoupledWeightDecay ? "AdamW" : "Adam", "the first capturable step");
            s.deviceStep = Tensor.full(DType.FLOAT64, param.device(), (double) s.step);
        }
        if (o.amsgrad && s.maxExpAvgSq == null) {
            s.maxExpAvgSq = Tensor.zerosLike(param);
        }
        Tensor t = s.deviceStep.addi(1.0);
        if (fused && Fused.adamStepCapturable(param, grad, s.expAvg, s.expAvgSq, o.amsgrad ? s.maxExpAvgSq : null, t,
                new AdamUpdate(o.beta1, o.beta2, o.eps, o.weightDecay, decoupledWeightDecay, o.maximize, o.amsgrad,
                        o.lr(), Double.NaN, Double.NaN))) {
            return s;
        }
        Tensor biasCorrection1 = t.newFull(o.beta1).pow(t).neg().add(1.0);
        Tensor biasCorrection2 = t.newFull(o.beta2).pow(t).neg().add(1.0);
        Tensor stepSize = t.newFull(o.lr()).div(biasCorrection1);
        Tensor denom = moments(param, grad, o, s).sqrt().div(biasCorrection2.sqrt()).add(o.eps);
        param.addi(s.expAvg.mul(stepSize.neg()).div(denom));
        return s;
    }

    @Override
    protected State loadState(Tensor param, Options o, Map<String, Tensor> saved) {
        return new AdamState(readStep(saved), required(saved, "exp_avg"), required(saved, "exp_avg_sq"),
                o.amsgrad ? required(saved, "max_exp_avg_sq") : null);
    }
}
