package dev.ember.optim.lr;

import dev.ember.optim.Optimizer;
import dev.ember.optim.ParamGroup;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Base of the learning-rate schedulers, PyTorch's {@code torch.optim.lr_scheduler.LRScheduler}. Call
 * {@link #step()} once per epoch (or per batch for per-step schedules) after {@code optimizer.step()}; it sets
 * every parameter group's lr. Construction performs PyTorch's initial step (epoch 0), so the optimizer's lr is
 * the schedule's first value right away.
 *
 * <p>The base learning rates are the groups' {@link ParamGroup#initialLr() initial lr}, which the first
 * scheduler attached sets from the current lr (PyTorch's {@code initial_lr}); subclasses compute PyTorch's
 * recursive ("chainable") form from the groups' current lr, so values match PyTorch's to the last bit and
 * schedulers can be combined on one optimizer.
 *
 * <p>A subclass sets its fields before calling {@code super(optimizer)} (the initial step calls
 * {@link #computeLr()}). Not supported: PyTorch's deprecated {@code step(epoch)}, {@code last_epoch} and
 * {@code verbose} arguments (resume with {@link #loadStateDict(Map)}).
 */
public abstract class LRScheduler {
    protected final Optimizer<?> optimizer;
    /** The groups' initial lr when the scheduler was created (PyTorch's {@code base_lrs}). */
    protected final double[] baseLrs;
    /** PyTorch's {@code last_epoch}: the number of {@link #step()} calls, 0 after construction. */
    protected int lastEpoch = -1;
    private int stepCount;
    private double[] lastLr;

    protected LRScheduler(Optimizer<?> optimizer) {
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        List<? extends ParamGroup<?>> groups = optimizer.paramGroups();
        baseLrs = new double[groups.size()];
        for (int i = 0; i < baseLrs.length; i++) {
            ParamGroup<?> g = groups.get(i);
            if (g.initialLr().isEmpty()) {
                g.setInitialLr(g.lr());
            }
            baseLrs[i] = g.initialLr().getAsDouble();
        }
        step();
    }

    /** Advances the schedule by one and sets the groups' lr. */
    public final void step() {
        stepCount++;
        lastEpoch++;
        double[] lrs = computeLr();
        List<? extends ParamGroup<?>> groups = groups();
        for (int i = 0; i < lrs.length; i++) {
            groups.get(i).setLr(lrs[i]);
        }
        lastLr = lrs.clone();
    }

    /** The lr of each group for epoch {@link #lastEpoch} (PyTorch's {@code get_lr}), one per group. */
    protected abstract double[] computeLr();

    /** The lr the last {@link #step()} set, per group (PyTorch's {@code get_last_lr()}). */
    public final double[] getLastLr() {
        return lastLr.clone();
    }

    public final int lastEpoch() {
        return lastEpoch;
    }

    /** The groups' current lr (the recursive forms start from these). */
    protected final double[] currentLrs() {
        List<? extends ParamGroup<?>> groups = groups();
        double[] lrs = new double[groups.size()];
        for (int i = 0; i < lrs.length; i++) {
            lrs[i] = groups.get(i).lr();
        }
        return lrs;
    }

    /** The optimizer's groups, checked against the number the scheduler was made for. */
    protected final List<? extends ParamGroup<?>> groups() {
        List<? extends ParamGroup<?>> groups = optimizer.paramGroups();
        if (groups.size() != baseLrs.length) {
            throw new IllegalStateException(getClass().getSimpleName() + ": the optimizer has " + groups.size()
                    + " parameter groups, but the scheduler was created for " + baseLrs.length);
        }
        return groups;
    }

    /**
     * The schedule's position: {@code last_epoch} and {@code _step_count} (0-dim int64), {@code base_lrs} and
     * {@code _last_lr} (float64, one per group), PyTorch's names. Hyperparameters (gamma, milestones, ...) come
     * from the constructor and are not saved; the groups' lr is in the optimizer's state dict.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("last_epoch", Tensor.scalar(DType.INT64, lastEpoch));
        out.put("_step_count", Tensor.scalar(DType.INT64, stepCount));
        out.put("base_lrs", Tensor.of(DType.FLOAT64, baseLrs.clone(), baseLrs.length));
        out.put("_last_lr", Tensor.of(DType.FLOAT64, lastLr.clone(), lastLr.length));
        return out;
    }

    /** Restores {@link #stateDict()}'s entries (all required, one lr per group). */
    public void loadStateDict(Map<String, Tensor> state) {
        String where = getClass().getSimpleName() + ".loadStateDict";
        int epoch = (int) wholeNumber(where, state, "last_epoch");
        int count = (int) wholeNumber(where, state, "_step_count");
        double[] base = perGroup(where, state, "base_lrs", baseLrs.length);
        double[] last = perGroup(where, state, "_last_lr", baseLrs.length);
        lastEpoch = epoch;
        stepCount = count;
        System.arraycopy(base, 0, baseLrs, 0, base.length);
        lastLr = last;
    }

    static Tensor entry(String where, Map<String, Tensor> state, String key) {
        Tensor t = state == null ? null : state.get(key);
        if (t == null) {
            throw new IllegalArgumentException(where + ": missing '" + key + "'");
        }
        return t;
    }

    static long wholeNumber(String where, Map<String, Tensor> state, String key) {
        Tensor t = entry(where, state, key);
        double v = t.numel() == 1 ? t.item() : Double.NaN;
        if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(where + ": '" + key + "' must be one whole number, got "
                    + (t.numel() == 1 ? String.valueOf(v) : t.numel() + " values"));
        }
        return (long) v;
    }

    static double[] perGroup(String where, Map<String, Tensor> state, String key, int groups) {
        Tensor t = entry(where, state, key);
        if (t.numel() != groups) {
            throw new IllegalArgumentException(where + ": '" + key + "' has " + t.numel() + " values, expected one per "
                    + "parameter group (" + groups + ")");
        }
        return t.toDoubleArray();
    }
}
