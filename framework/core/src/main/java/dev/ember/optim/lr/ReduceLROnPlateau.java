package dev.ember.optim.lr;

import dev.ember.optim.Optimizer;
import dev.ember.optim.ParamGroup;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts the lr by {@code factor} when a metric has stopped improving for {@code patience} epochs, PyTorch's
 * {@code ReduceLROnPlateau}; call {@link #step(double)} with the validation metric each epoch.
 *
 * <p>A metric is better than the best so far when (mode, thresholdMode): min/rel {@code a < best (1 − threshold)},
 * min/abs {@code a < best − threshold}, max/rel {@code a > best (1 + threshold)}, max/abs
 * {@code a > best + threshold}. After more than {@code patience} bad epochs in a row each group's lr becomes
 * {@code max(lr · factor, min_lr)} (unless that changes it by no more than {@code eps}), then {@code cooldown}
 * epochs pass in which bad epochs are not counted.
 *
 * <pre>{@code
 * var plateau = new ReduceLROnPlateau(optimizer, ReduceLROnPlateau.options().mode(Mode.MAX).patience(3));
 * plateau.step(validationAccuracy);
 * }</pre>
 * Defaults: mode MIN, factor 0.1, patience 10, threshold 1e-4, REL, cooldown 0, min lr 0, eps 1e-8. Unlike the
 * other schedulers it does not extend {@link LRScheduler} (as in PyTorch 1.13): its step takes a metric.
 */
public class ReduceLROnPlateau {
    public enum Mode { MIN, MAX }

    public enum ThresholdMode { REL, ABS }

    /** The hyperparameters. */
    public static final class Options {
        private Mode mode = Mode.MIN;
        private double factor = 0.1;
        private int patience = 10;
        private double threshold = 1e-4;
        private ThresholdMode thresholdMode = ThresholdMode.REL;
        private int cooldown;
        private double[] minLr = {0};
        private double eps = 1e-8;

        public Options mode(Mode v) {
            mode = v;
            return this;
        }

        public Options factor(double v) {
            factor = v;
            return this;
        }

        public Options patience(int v) {
            patience = v;
            return this;
        }

        public Options threshold(double v) {
            threshold = v;
            return this;
        }

        public Options thresholdMode(ThresholdMode v) {
            thresholdMode = v;
            return this;
        }

        public Options cooldown(int v) {
            cooldown = v;
            return this;
        }

        /** One lower bound for all groups, or one per group. */
        public Options minLr(double... v) {
            minLr = v.clone();
            return this;
        }

        public Options eps(double v) {
            eps = v;
            return this;
        }
    }

    private final Optimizer<?> optimizer;
    private final Options o;
    private final double[] minLrs;
    private double best;
    private int numBadEpochs;
    private int cooldownCounter;
    private int lastEpoch;
    private double[] lastLr;

    public static Options options() {
        return new Options();
    }

    public ReduceLROnPlateau(Optimizer<?> optimizer) {
        this(optimizer, options());
    }

    public ReduceLROnPlateau(Optimizer<?> optimizer, Options options) {
        if (!(options.factor < 1.0)) {
            throw new IllegalArgumentException("ReduceLROnPlateau: Factor should be < 1.0. (got " + options.factor + ")");
        }
        if (options.mode == null || options.thresholdMode == null) {
            throw new IllegalArgumentException("ReduceLROnPlateau: mode and thresholdMode must not be null");
        }
        if (options.patience < 0 || options.cooldown < 0) {
            throw new IllegalArgumentException("ReduceLROnPlateau: patience and cooldown must be >= 0, got "
                    + options.patience + " and " + options.cooldown);
        }
        int groups = optimizer.paramGroups().size();
        if (options.minLr.length == 1) {
            minLrs = new double[groups];
            Arrays.fill(minLrs, options.minLr[0]);
        } else if (options.minLr.length == groups) {
            minLrs = options.minLr.clone();
        } else {
            throw new IllegalArgumentException("ReduceLROnPlateau: expected " + groups + " min_lrs, got "
                    + options.minLr.length);
        }
        this.optimizer = optimizer;
        this.o = options;
        this.best = worst();
        this.lastLr = currentLrs();
    }

    private double worst() {
        return o.mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    /** One epoch with validation {@code metric} (a loss for MIN, an accuracy for MAX). */
    public void step(double metric) {
        lastEpoch++;
        if (isBetter(metric, best)) {
            best = metric;
            numBadEpochs = 0;
        } else {
            numBadEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            numBadEpochs = 0; // bad epochs during cooldown don't count
        }
        if (numBadEpochs > o.patience) {
            reduceLr();
            cooldownCounter = o.cooldown;
            numBadEpochs = 0;
        }
        lastLr = currentLrs();
    }

    /** {@link #step(double)} with a one-element tensor's value. */
    public void step(Tensor metric) {
        step(metric.item());
    }

    private void reduceLr() {
        List<? extends ParamGroup<?>> groups = optimizer.paramGroups();
        for (int i = 0; i < groups.size(); i++) {
            double old = groups.get(i).lr();
            double lr = Math.max(old * o.factor, minLrs[i]);
            if (old - lr > o.eps) {
                groups.get(i).setLr(lr);
            }
        }
    }

    private boolean isBetter(double a, double best) {
        return switch (o.mode) {
            case MIN -> o.thresholdMode == ThresholdMode.REL ? a < best * (1.0 - o.threshold) : a < best - o.threshold;
            case MAX -> o.thresholdMode == ThresholdMode.REL ? a > best * (o.threshold + 1.0) : a > best + o.threshold;
        };
    }

    private double[] currentLrs() {
        List<? extends ParamGroup<?>> groups = optimizer.paramGroups();
        if (groups.size() != minLrs.length) {
            throw new IllegalStateException("ReduceLROnPlateau: the optimizer has " + groups.size()
                    + " parameter groups, but the scheduler was created for " + minLrs.length);
        }
        double[] lrs = new double[groups.size()];
        for (int i = 0; i < lrs.length; i++) {
            lrs[i] = groups.get(i).lr();
        }
        return lrs;
    }

    /** The groups' lr after the last step (their lr at construction before the first). */
    public double[] getLastLr() {
        return lastLr.clone();
    }

    /** The best metric so far (+inf or -inf before the first step). */
    public double best() {
        return best;
    }

    /**
     * {@code best} (float64), {@code num_bad_epochs}, {@code cooldown_counter}, {@code last_epoch} (int64) and
     * {@code _last_lr} (float64, one per group), PyTorch's names; hyperparameters come from the constructor.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("best", Tensor.scalar(DType.FLOAT64, best));
        out.put("num_bad_epochs", Tensor.scalar(DType.INT64, numBadEpochs));
        out.put("cooldown_counter", Tensor.scalar(DType.INT64, cooldownCounter));
        out.put("last_epoch", Tensor.scalar(DType.INT64, lastEpoch));
        out.put("_last_lr", Tensor.of(DType.FLOAT64, lastLr.clone(), lastLr.length));
        return out;
    }

    public void loadStateDict(Map<String, Tensor> state) {
        String where = "ReduceLROnPlateau.loadStateDict";
        Tensor b = LRScheduler.entry(where, state, "best");
        if (b.numel() != 1) {
            throw new IllegalArgumentException(where + ": 'best' must be one value, got " + b.numel());
        }
        int bad = (int) LRScheduler.wholeNumber(where, state, "num_bad_epochs");
        int cool = (int) LRScheduler.wholeNumber(where, state, "cooldown_counter");
        int epoch = (int) LRScheduler.wholeNumber(where, state, "last_epoch");
        double[] last = LRScheduler.perGroup(where, state, "_last_lr", minLrs.length);
        best = b.item();
        numBadEpochs = bad;
        cooldownCounter = cool;
        lastEpoch = epoch;
        lastLr = last;
    }
}
