package dev.ember.optim;

import dev.ember.autograd.Autograd;
import dev.ember.backend.Backends;
import dev.ember.tensor.DType;
import dev.ember.tensor.Device;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Base of the optimizers, PyTorch's {@code torch.optim.Optimizer}: parameter groups (each with its own
 * hyperparameters, copied from the defaults and overridden per group), per-parameter state, and an update
 * function that a subclass supplies. {@link #step()} runs the update under {@link Autograd#noGrad()} with
 * in-place tensor ops, so the parameter tensors keep their identity (a model and its optimizer share them);
 * parameters whose gradient is null are skipped, as in PyTorch. State tensors live in the parameter's dtype.
 *
 * <pre>{@code
 * var optimizer = new Adam(model.parameters(), Adam.options().lr(3e-4).weightDecay(0.01));
 * optimizer.addParamGroup(head.parameters(), o -> o.lr(1e-3));   // PyTorch's {'params': ..., 'lr': 1e-3}
 * for (...) { optimizer.zeroGrad(); loss.backward(); optimizer.step(); }
 * }</pre>
 *
 * <h2>State dict</h2>
 * {@link #stateDict()} is flat, so a checkpoint stores it as named tensors (safetensors):
 * <ul>
 * <li>{@code state.<i>.<name>}: state {@code name} (PyTorch's: {@code exp_avg}, {@code momentum_buffer},
 *     {@code step}, ...) of parameter {@code i}, the parameters being numbered in order across the groups as
 *     PyTorch does (group 0's first). Parameters that have no state yet have no keys. {@code step} is a
 *     0-dim float32 tensor, as PyTorch stores it; the others have the parameter's shape and dtype.</li>
 * <li>{@code param_groups.<g>.<name>}: hyperparameter {@code name} of group {@code g} under PyTorch's name
 *     ({@code lr}, {@code weight_decay}, ...), a 0-dim float64 tensor; booleans are 0 or 1, {@code betas} a
 *     float64 tensor of shape [2]. {@code param_groups.<g>.params} is an int64 tensor of the group's
 *     parameter indices and {@code param_groups.<g>.initial_lr} is present once a scheduler has set it.</li>
 * </ul>
 * The tensors returned are the live state (detached views, like {@code Module.stateDict}); clone them to keep a
 * snapshot. {@link #loadStateDict(Map)} validates everything (group count and sizes, shapes, missing or
 * unknown entries) before changing anything; it ignores group hyperparameters Ember does not have (PyTorch's
 * {@code foreach}, {@code capturable}, ...).
 *
 * <p>Not supported: sparse gradients, complex parameters, {@code foreach}/{@code fused}/{@code capturable}/
 * {@code differentiable} (the update is plain tensor code; fused kernels are a later performance step).
 *
 * @param <O> the optimizer's hyperparameters
 */
public abstract class Optimizer<O extends Optimizer.Options<O>> {
    private final String name;
    private final O defaults;
    private final List<ParamGroup<O>> groups = new ArrayList<>();
    private final Map<Tensor, State> state = new IdentityHashMap<>();

    /** One group of {@code params} with hyperparameters {@code defaults} (validated and copied). */
    protected Optimizer(Iterable<Tensor> params, O defaults) {
        this.name = getClass().getSimpleName();
        if (defaults == null) {
            throw new IllegalArgumentException(name + ": options must not be null");
        }
        defaults.validate(name);
        this.defaults = defaults.copy();
        List<Tensor> list = toList(params);
        if (list.isEmpty()) {
            throw new IllegalArgumentException(name + ": optimizer got an empty parameter list");
        }
        addParamGroup(list);
    }

    // ---------------------------------------------------------------- hyperparameters of one optimizer

    /**
     * Hyperparameters with fluent setters ({@code Adam.options().lr(3e-4).weightDecay(0.01)}). An optimizer
     * keeps a copy per parameter group, so changing an options object after passing it changes nothing; change
     * a group's through {@link ParamGroup#options()}.
     */
    public abstract static class Options<O extends Options<O>> {
        private double lr;

        protected Options(double lr) {
            this.lr = lr;
        }

        public final double lr() {
            return lr;
        }

        public final O lr(double lr) {
            this.lr = lr;
            return self();
        }

        @SuppressWarnings("unchecked")
        protected final O self() {
            return (O) this;
        }

        /** An independent copy. */
        public abstract O copy();

        /** Throws IllegalArgumentException with PyTorch's message ({@code Invalid learning rate: -1.0}). */
        protected abstract void validate(String optimizer);

        /** The hyperparameters under PyTorch's names, in PyTorch's order; one or two values each. */
        protected abstract Map<String, double[]> toMap();

        /** Sets the hyperparameters from {@link #toMap()}'s form; a missing key is an error. */
        protected abstract void fromMap(Map<String, double[]> values);

        protected static void check(boolean ok, String optimizer, String message) {
            if (!ok) {
                throw new IllegalArgumentException(optimizer + ": " + message);
            }
        }

        protected static double value(Map<String, double[]> values, String key) {
            double[] v = values.get(key);
            if (v == null || v.length != 1) {
                throw new IllegalArgumentException("missing hyperparameter '" + key + "'"
                        + (v == null ? "" : " (expected one value, got " + v.length + ")"));
            }
            return v[0];
        }

        protected static boolean flag(Map<String, double[]> values, String key) {
            return value(values, key) != 0;
        }

        protected static double[] pair(Map<String, double[]> values, String key) {
            double[] v = values.get(key);
            if (v == null || v.length != 2) {
                throw new IllegalArgumentException("missing hyperparameter '" + key + "'"
                        + (v == null ? "" : " (expected two values, got " + v.length + ")"));
            }
            return v.clone();
        }

        protected static double[] of(double v) {
            return new double[] {v};
        }

        protected static double[] of(boolean v) {
            return new double[] {v ? 1 : 0};
        }
    }

    /** One parameter's state; {@link #tensors()} names it as PyTorch's state_dict does. */
    protected interface State {
        Map<String, Tensor> tensors();
    }

    /**
     * Updates {@code param} in place from {@code grad} (never null), with the group's hyperparameters. Runs
     * under no-grad. {@code state} is null the first time; returns the state to keep.
     */
    protected abstract State update(Tensor param, Tensor grad, O options, State state);

    /**
     * Rebuilds a parameter's state from {@code saved} (tensors already checked against the parameter's shape
     * and converted to its dtype, except {@code step}); throws IllegalArgumentException for a missing entry.
     */
    protected abstract State loadState(Tensor param, O options, Map<String, Tensor> saved);

    // ---------------------------------------------------------------- groups

    /** Adds {@code params} as a new group with the optimizer's default hyperparameters. */
    public final void addParamGroup(Iterable<Tensor> params) {
        addParamGroup(params, o -> { });
    }

    /**
     * Adds {@code params} as a new group whose hyperparameters are the defaults changed by {@code overrides}
     * ({@code o -> o.lr(1e-3)}), like PyTorch's {@code add_param_group({'params': ..., 'lr': 1e-3})}.
     */
    public final void addParamGroup(Iterable<Tensor> params, Consumer<O> overrides) {
        List<Tensor> list = toList(params);
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Tensor p : list) {
            if (p == null) {
                throw new IllegalArgumentException(name + ": a parameter is null");
            }
            if (!p.isLeaf()) {
                throw new IllegalArgumentException(name + ": can't optimize a non-leaf Tensor (shape "
                        + java.util.Arrays.toString(p.shape()) + "); detach() it and set requiresGrad(true)");
            }
            if (!p.dtype().isFloatingPoint()) {
                throw new IllegalArgumentException(name + ": can only optimize floating point tensors, got "
                        + p.dtype().torchName());
            }
            if (!seen.add(p)) {
                throw new IllegalArgumentException(name + ": a parameter appears twice in one parameter group");
            }
        }
        for (ParamGroup<O> g : groups) {
            for (Tensor p : g.params()) {
                if (seen.contains(p)) {
                    throw new IllegalArgumentException(name + ": some parameters appear in more than one "
                            + "parameter group");
                }
            }
        }
        O options = defaults.copy();
        overrides.accept(options);
        options.validate(name);
        groups.add(new ParamGroup<>(List.copyOf(list), options));
    }

    /** The parameter groups; a group's hyperparameters (its lr, for schedulers) can be changed in place. */
    public final List<ParamGroup<O>> paramGroups() {
        return Collections.unmodifiableList(groups);
    }

    /** A copy of the default hyperparameters new groups start from (PyTorch's {@code defaults}). */
    public final O defaults() {
        return defaults.copy();
    }

    // ---------------------------------------------------------------- stepping

    /** One update of every parameter that has a gradient. */
    public void step() {
        try (var ignored = Autograd.noGrad()) {
            for (ParamGroup<O> group : groups) {
                // the parameters with a gradient, their gradients and states (null before a first step)
                List<Tensor> params = new ArrayList<>();
                List<Tensor> grads = new ArrayList<>();
                List<State> states = new ArrayList<>();
                for (Tensor p : group.params()) {
                    if (p.grad() != null) {
                        params.add(p);
                        grads.add(p.grad());
                        states.add(state.get(p));
                    }
                }
                if (params.size() > 1 && !states.contains(null)
                        && updateAll(params, grads, group.options(), states)) {
                    continue;
                }
                for (int i = 0; i < params.size(); i++) {
                    Tensor p = params.get(i);
                    if (states.get(i) == null) {
                        refuseDuringCapture(p, name, "the first step (it creates the optimizer's state)");
                    }
                    State s = update(p, grads.get(i), group.options(), states.get(i));
                    if (s != null) {
                        state.put(p, s);
                    }
                }
            }
        }
    }

    /**
     * Updates all of a group's parameters that have a gradient at once (one multi-tensor kernel instead of one
     * per parameter), each with its state, which every one already has. False, with nothing changed, to have
     * them updated one by one through {@link #update}; the default.
     */
    protected boolean updateAll(List<Tensor> params, List<Tensor> grads, O options, List<State> states) {
        return false;
    }

    /** Re-evaluates the loss with {@code closure} (grad enabled), steps, and returns the loss. */
    public final Tensor step(Supplier<Tensor> closure) {
        Tensor loss;
        try (var ignored = Autograd.enableGrad()) {
            loss = closure.get();
        }
        step();
        return loss;
    }

    /** Sets every parameter's gradient to null (PyTorch's {@code zero_grad(set_to_none=True)}). */
    public final void zeroGrad() {
        zeroGrad(true);
    }

    /** Sets the gradients to null, or with {@code setToNone == false} fills them with zeros. */
    public final void zeroGrad(boolean setToNone) {
        try (var ignored = Autograd.noGrad()) {
            for (ParamGroup<O> g : groups) {
                for (Tensor p : g.params()) {
                    if (setToNone) {
                        p.setGrad(null);
                    } else if (p.grad() != null) {
                        p.grad().zeroi();
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- state dict

    /** The optimizer's state and hyperparameters, flat (key scheme in the class documentation). */
    public final Map<String, Tensor> stateDict() {
        return StateDicts.write(groups, state);
    }

    /**
     * Restores state and hyperparameters saved by {@link #stateDict()} (by this optimizer or one built over
     * parameters of the same shapes in the same groups). All-or-nothing: on any error nothing is changed.
     */
    public final void loadStateDict(Map<String, Tensor> stateDict) {
        String where = name + ".loadStateDict";
        StateDicts.Parsed parsed = StateDicts.parse(where, stateDict, groups.size(), allParams().size());
        List<O> newOptions = new ArrayList<>();
        double[] initialLrs = new double[groups.size()];
        for (int g = 0; g < groups.size(); g++) {
            newOptions.add(StateDicts.readGroup(where, g, groups.get(g), parsed.groups().get(g)));
            initialLrs[g] = StateDicts.initialLr(where, g, parsed.groups().get(g));
        }
        List<Tensor> all = allParams();
        Map<Tensor, State> newState = new IdentityHashMap<>();
        try (var ignored = Autograd.noGrad()) {
            for (Map.Entry<Integer, Map<String, Tensor>> e : parsed.state().entrySet()) {
                int i = e.getKey();
                Tensor p = all.get(i);
                String at = where + ": state." + i;
                Map<String, Tensor> converted = StateDicts.convert(at, p, e.getValue());
                State s;
                try {
                    s = loadState(p, newOptions.get(groupOf(i)), converted);
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException(at + ": " + ex.getMessage(), ex);
                }
                for (String key : converted.keySet()) {
                    if (!s.tensors().containsKey(key)) {
                        throw new IllegalArgumentException(at + "." + key + " is not state of " + name
                                + " with these hyperparameters (expected " + s.tensors().keySet() + ")");
                    }
                }
                newState.put(p, s);
            }
        }
        for (int g = 0; g < groups.size(); g++) {
            groups.get(g).setOptions(newOptions.get(g));
            if (!Double.isNaN(initialLrs[g])) {
                groups.get(g).setInitialLr(initialLrs[g]);
            }
        }
        state.clear();
        state.putAll(newState);
    }

    // ---------------------------------------------------------------- helpers for subclasses

    /**
     * Refuses work that a graph capture of {@code param}'s device would get wrong: {@code what} would be recorded
     * once and redone (or frozen) at every replay.
     */
    protected static void refuseDuringCapture(Tensor param, String optimizer, String what) {
        if (!param.device().equals(Device.CPU) && Backends.forDevice(param.device()).isCapturing()) {
            throw new IllegalStateException(optimizer + ".step: " + what + " cannot be captured in a graph (device "
                    + param.device() + "); run a few eager steps before capturing");
        }
    }

    /** PyTorch's form of a step counter: a 0-dim float32 tensor. */
    protected static Tensor stepTensor(long step) {
        return Tensor.scalar(DType.FLOAT32, step);
    }

    /** The step counter saved as {@code step}: a non-negative whole number. */
    protected static long readStep(Map<String, Tensor> saved) {
        Tensor t = required(saved, "step");
        double v = t.numel() == 1 ? t.item() : Double.NaN;
        if (!(v >= 0) || v != Math.rint(v)) {
            throw new IllegalArgumentException("step must be one non-negative whole number, got "
                    + (t.numel() == 1 ? String.valueOf(v) : "shape " + java.util.Arrays.toString(t.shape())));
        }
        return (long) v;
    }

    /** The saved state tensor {@code key}, or an error naming it. */
    protected static Tensor required(Map<String, Tensor> saved, String key) {
        Tensor t = saved.get(key);
        if (t == null) {
            throw new IllegalArgumentException("missing state '" + key + "' (saved: " + saved.keySet() + ")");
        }
        return t;
    }

    private List<Tensor> allParams() {
        List<Tensor> all = new ArrayList<>();
        for (ParamGroup<O> g : groups) {
            all.addAll(g.params());
        }
        return all;
    }

    private int groupOf(int paramIndex) {
        int start = 0;
        for (int g = 0; g < groups.size(); g++) {
            start += groups.get(g).params().size();
            if (paramIndex < start) {
                return g;
            }
        }
        throw new IllegalStateException("parameter index " + paramIndex + " out of range");
    }

    private static List<Tensor> toList(Iterable<Tensor> params) {
        if (params == null) {
            throw new IllegalArgumentException("optimizer: params must not be null");
        }
        List<Tensor> list = new ArrayList<>();
        params.forEach(list::add);
        return list;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name).append(" (");
        for (int g = 0; g < groups.size(); g++) {
            sb.append("\nParameter Group ").append(g);
            groups.get(g).options().toMap().forEach((k, v) -> sb.append("\n    ").append(k).append(": ")
                    .append(v.length == 1 ? String.valueOf(v[0]) : java.util.Arrays.toString(v)));
        }
        return sb.append("\n)").toString();
    }
}
