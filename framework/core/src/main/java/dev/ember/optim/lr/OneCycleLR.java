package dev.ember.optim.lr;

import dev.ember.optim.HasBetas;
import dev.ember.optim.HasMomentum;
import dev.ember.optim.Optimizer;
import dev.ember.optim.ParamGroup;
import java.util.Arrays;
import java.util.List;

/**
 * The 1cycle policy (Smith and Topin), PyTorch's {@code OneCycleLR}; step it after every batch. The lr rises
 * from {@code initial_lr = max_lr / divFactor} to {@code max_lr} over the first {@code pctStart} of
 * {@code totalSteps}, then anneals to {@code min_lr = initial_lr / finalDivFactor}; with {@code threePhase} it
 * first comes back to initial_lr symmetrically and only then anneals to min_lr. Annealing is cosine
 * ({@code (end + (start − end)/2 · (1 + cos(π pct)))}) or linear. With {@code cycleMomentum} the momentum moves
 * inversely between {@code maxMomentum} and {@code baseMomentum}: {@code momentum} for optimizers with
 * {@link HasMomentum} (SGD, RMSprop), beta1 for those with {@link HasBetas} (Adam, AdamW); an optimizer with
 * neither (Adagrad) needs {@code cycleMomentum(false)}.
 *
 * <pre>{@code
 * new OneCycleLR(optimizer, 0.1, epochs * batchesPerEpoch);
 * new OneCycleLR(optimizer, 0.1, total, OneCycleLR.options().pctStart(0.25).annealStrategy(AnnealStrategy.LINEAR));
 * }</pre>
 * Defaults: pctStart 0.3, cos, cycleMomentum true, baseMomentum 0.85, maxMomentum 0.95, divFactor 25,
 * finalDivFactor 1e4, threePhase false. PyTorch's {@code epochs}/{@code steps_per_epoch} form is
 * {@code totalSteps = epochs * stepsPerEpoch} here. Stepping more than {@code totalSteps} times is an error.
 */
public class OneCycleLR extends LRScheduler {
    /** How the lr moves within a phase (PyTorch's {@code anneal_strategy} "cos" or "linear"). */
    public enum AnnealStrategy { COS, LINEAR }

    /** The optional hyperparameters. */
    public static final class Options {
        private double pctStart = 0.3;
        private AnnealStrategy annealStrategy = AnnealStrategy.COS;
        private boolean cycleMomentum = true;
        private double baseMomentum = 0.85;
        private double maxMomentum = 0.95;
        private double divFactor = 25;
        private double finalDivFactor = 1e4;
        private boolean threePhase;

        public Options pctStart(double v) {
            pctStart = v;
            return this;
        }

        public Options annealStrategy(AnnealStrategy v) {
            annealStrategy = v;
            return this;
        }

        public Options cycleMomentum(boolean v) {
            cycleMomentum = v;
            return this;
        }

        public Options baseMomentum(double v) {
            baseMomentum = v;
            return this;
        }

        public Options maxMomentum(double v) {
            maxMomentum = v;
            return this;
        }

        public Options divFactor(double v) {
            divFactor = v;
            return this;
        }

        public Options finalDivFactor(double v) {
            finalDivFactor = v;
            return this;
        }

        public Options threePhase(boolean v) {
            threePhase = v;
            return this;
        }
    }

    /** A phase ends at {@code endStep}, moving the lr from one anchor to another and the momentum likewise. */
    private record Phase(double endStep, int startLr, int endLr, boolean startMomentumMax, boolean endMomentumMax) {
    }

    private static final int INITIAL = 0;
    private static final int MAX = 1;
    private static final int MIN = 2;

    private final int totalSteps;
    private final Options options;
    private final List<Phase> phases;
    /** Per group: initial, max and min lr (PyTorch keeps these in the param groups). */
    private final double[][] anchors;

    public static Options options() {
        return new Options();
    }

    public OneCycleLR(Optimizer<?> optimizer, double maxLr, int totalSteps) {
        this(optimizer, maxLr, totalSteps, options());
    }

    public OneCycleLR(Optimizer<?> optimizer, double maxLr, int totalSteps, Options options) {
        this(optimizer, filled(optimizer, maxLr), totalSteps, options);
    }

    /** One max lr per parameter group. */
    public OneCycleLR(Optimizer<?> optimizer, double[] maxLrs, int totalSteps, Options options) {
        if (totalSteps <= 0) {
            throw new IllegalArgumentException("OneCycleLR: Expected positive integer total_steps, but got "
                    + totalSteps);
        }
        if (!(options.pctStart >= 0 && options.pctStart <= 1)) {
            throw new IllegalArgumentException("OneCycleLR: Expected float between 0 and 1 pct_start, but got "
                    + options.pctStart);
        }
        List<? extends ParamGroup<?>> groups = optimizer.paramGroups();
        if (maxLrs.length != groups.size()) {
            throw new IllegalArgumentException("OneCycleLR: expected " + groups.size() + " values for max_lr, got "
                    + maxLrs.length);
        }
        double pct = options.pctStart;
        phases = options.threePhase
                ? List.of(new Phase(pct * totalSteps - 1, INITIAL, MAX, true, false),
                        new Phase(2 * pct * totalSteps - 2, MAX, INITIAL, false, true),
                        new Phase(totalSteps - 1, INITIAL, MIN, true, true))
                : List.of(new Phase(pct * totalSteps - 1, INITIAL, MAX, true, false),
                        new Phase(totalSteps - 1, MAX, MIN, false, true));
        double[][] a = new double[groups.size()][];
        for (int i = 0; i < a.length; i++) {
            double initial = maxLrs[i] / options.divFactor;
            a[i] = new double[] {initial, maxLrs[i], initial / options.finalDivFactor};
            groups.get(i).setInitialLr(initial);
        }
        if (options.cycleMomentum) {
            for (ParamGroup<?> g : groups) {
                if (!(g.options() instanceof HasBetas) && !(g.options() instanceof HasMomentum)) {
                    throw new IllegalArgumentException("OneCycleLR: optimizer must support momentum with "
                            + "`cycle_momentum` option enabled (" + optimizer.getClass().getSimpleName()
                            + " has neither momentum nor betas); use options().cycleMomentum(false)");
                }
                setMomentum(g, options.maxMomentum);
            }
        }
        this.totalSteps = totalSteps;
        this.options = options;
        this.anchors = a;
        super(optimizer);
    }

    private static double[] filled(Optimizer<?> optimizer, double maxLr) {
        double[] v = new double[optimizer.paramGroups().size()];
        Arrays.fill(v, maxLr);
        return v;
    }

    private static void setMomentum(ParamGroup<?> g, double momentum) {
        if (g.options() instanceof HasBetas b) {
            b.betas(momentum, b.beta2());
        } else if (g.options() instanceof HasMomentum m) {
            m.momentum(momentum);
        }
    }

    private double anneal(double start, double end, double pct) {
        return options.annealStrategy == AnnealStrategy.COS
                ? end + (start - end) / 2.0 * (Math.cos(Math.PI * pct) + 1)
                : (end - start) * pct + start;
    }

    @Override
    protected double[] computeLr() {
        int stepNum = lastEpoch;
        if (stepNum > totalSteps) {
            throw new IllegalStateException("OneCycleLR: Tried to step " + (stepNum + 1) + " times. The specified "
                    + "number of total steps is " + totalSteps);
        }
        List<? extends ParamGroup<?>> groups = groups();
        double[] lrs = new double[groups.size()];
        for (int i = 0; i < lrs.length; i++) {
            double start = 0;
            for (int k = 0; k < phases.size(); k++) {
                Phase phase = phases.get(k);
                if (stepNum <= phase.endStep() || k == phases.size() - 1) {
                    double pct = (stepNum - start) / (phase.endStep() - start);
                    lrs[i] = anneal(anchors[i][phase.startLr()], anchors[i][phase.endLr()], pct);
                    if (options.cycleMomentum) {
                        double from = phase.startMomentumMax() ? options.maxMomentum : options.baseMomentum;
                        double to = phase.endMomentumMax() ? options.maxMomentum : options.baseMomentum;
                        setMomentum(groups.get(i), anneal(from, to, pct));
                    }
                    break;
                }
                start = phase.endStep();
            }
        }
        return lrs;
    }
}
