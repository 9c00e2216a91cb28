package dev.ember.nn;

import dev.ember.autograd.Autograd;
import dev.ember.tensor.DType;
import dev.ember.tensor.Device;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A container of parameters, buffers and sub-modules, as PyTorch's {@code nn.Module}. Parameters are leaf
 * tensors that require grad; buffers are tensors that are saved with the model but not trained (running
 * statistics). Names are PyTorch's: a parameter {@code weight} of the child registered as {@code 0} is
 * {@code 0.weight} in {@link #namedParameters()} and {@link #stateDict()}, so state dicts move between Ember
 * and PyTorch unchanged.
 *
 * <p>The maths lives in static functions ({@code dev.ember.nn.functional}); a module holds state and calls
 * them. Modules with one input and one output implement {@link Layer}, so {@link Sequential} can chain them.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Set<String> nonPersistent = new java.util.HashSet<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Registers a parameter (null allowed, like {@code bias=None}); it is made to require grad. */
    protected final Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        if (value != null) {
            if (!value.isLeaf()) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": parameter '" + name
                        + "' must be a leaf tensor (detach() it first)");
            }
            value.requiresGrad(true);
        }
        parameters.put(name, value);
        return value;
    }

    /** Registers a buffer, saved in the state dict unless {@code persistent} is false. */
    protected final Tensor registerBuffer(String name, Tensor value, boolean persistent) {
        checkName(name);
        buffers.put(name, value);
        if (!persistent) {
            nonPersistent.add(name);
        }
        return value;
    }

    protected final Tensor registerBuffer(String name, Tensor value) {
        return registerBuffer(name, value, true);
    }

    /** Replaces a buffer's tensor (e.g. a new running mean), keeping its name and persistence. */
    protected final void setBuffer(String name, Tensor value) {
        if (!buffers.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": no buffer named '" + name + "'");
        }
        buffers.put(name, value);
    }

    protected final Tensor buffer(String name) {
        return buffers.get(name);
    }

    /** Registers a child module under {@code name} (a dotted-name segment: no dots). */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": invalid name '" + name
                    + "' (non-empty, without dots)");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": attribute '" + name
                    + "' already exists");
        }
    }

    // ---------------------------------------------------------------- traversal

    /** Parameters of this module and all descendants, each once, in registration order. */
    public final List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Dotted names to parameters ({@code features.0.weight}); shared parameters appear once. */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Set<Tensor> seen = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        collect("", out, seen, true);
        return out;
    }

    public final List<Tensor> buffers() {
        return new ArrayList<>(namedBuffers().values());
    }

    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Set<Tensor> seen = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        collect("", out, seen, false);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out, Set<Tensor> seen, boolean params) {
        for (Map.Entry<String, Tensor> e : (params ? parameters : buffers).entrySet()) {
            if (e.getValue() != null && seen.add(e.getValue())) {
                out.put(prefix + e.getKey(), e.getValue());
            }
        }
        for (Map.Entry<String, Module> c : children.entrySet()) {
            if (c.getValue() != null) {
                c.getValue().collect(prefix + c.getKey() + ".", out, seen, params);
            }
        }
    }

    /** Direct sub-modules. */
    public final List<Module> children() {
        return new ArrayList<>(namedChildren().values());
    }

    public final Map<String, Module> namedChildren() {
        Map<String, Module> out = new LinkedHashMap<>();
        children.forEach((k, v) -> {
            if (v != null) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** This module and all descendants, depth first (this one first, under the name ""). */
    public final Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        walk("", out, Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
        return out;
    }

    public final List<Module> modules() {
        return new ArrayList<>(namedModules().values());
    }

    private void walk(String name, Map<String, Module> out, Set<Module> seen) {
        if (!seen.add(this)) {
            return; // a module shared in two places is listed once
        }
        out.put(name, this);
        children.forEach((k, v) -> {
            if (v != null) {
                v.walk(name.isEmpty() ? k : name + "." + k, out, seen);
            }
        });
    }

    /** Calls {@code fn} on every descendant and then on this module, as PyTorch's {@code apply}. */
    public final Module apply(Consumer<Module> fn) {
        for (Module c : children()) {
            c.apply(fn);
        }
        fn.accept(this);
        return this;
    }

    // ---------------------------------------------------------------- modes and state

    public final Module train() {
        return train(true);
    }

    /** Sets training mode here and in every descendant (affects Dropout, BatchNorm). */
    public Module train(boolean mode) {
        training = mode;
        for (Module c : children()) {
            c.train(mode);
        }
        return this;
    }

    public final Module eval() {
        return train(false);
    }

    public final boolean isTraining() {
        return training;
    }

    /** Clears every parameter's gradient (sets it to null, PyTorch's default {@code set_to_none=True}). */
    public final void zeroGrad() {
        for (Tensor p : parameters()) {
            p.setGrad(null);
        }
    }

    /** Converts floating-point parameters and buffers to {@code dtype}, keeping the parameter objects. */
    public final Module to(DType dtype) {
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("Module.to: only floating point dtypes are accepted, got "
                    + dtype.torchName());
        }
        try (var ignored = Autograd.noGrad()) {
            for (Module m : modules()) {
                for (Tensor p : m.parameters.values()) {
                    if (p != null && p.isFloatingPoint()) {
                        p.setData(p.detach().to(dtype));
                    }
                }
                for (Map.Entry<String, Tensor> b : m.buffers.entrySet()) {
                    Tensor t = b.getValue();
                    if (t != null && t.isFloatingPoint()) {
                        // in place for leaves, so a subclass that kept the buffer in a field sees the new dtype
                        if (t.isLeaf()) {
                            t.setData(t.detach().to(dtype));
                        } else {
                            b.setValue(t.to(dtype));
                        }
                    }
                }
            }
        }
        return this;
    }

    /**
     * Moves every parameter (with its gradient) and buffer to {@code device}, keeping the parameter objects, so an
     * optimizer built before the move still updates them ({@code module.to(device)}).
     */
    public final Module to(Device device) {
        try (var ignored = Autograd.noGrad()) {
            for (Module m : modules()) {
                for (Tensor p : m.parameters.values()) {
                    if (p != null && !p.device().equals(device)) {
                        Tensor grad = p.grad();
                        p.setData(p.detach().to(device));
                        p.setGrad(grad == null ? null : grad.to(device));
                    }
                }
                for (Map.Entry<String, Tensor> b : m.buffers.entrySet()) {
                    Tensor t = b.getValue();
                    if (t != null && !t.device().equals(device)) {
                        if (t.isLeaf()) {
                            t.setData(t.detach().to(device));
                        } else {
                            b.setValue(t.to(device));
                        }
                    }
                }
            }
        }
        return this;
    }

    /** Number of elements in all parameters. */
    public final long numParameters() {
        long n = 0;
        for (Tensor p : parameters()) {
            n += p.numel();
        }
        return n;
    }

    /** Parameters and persistent buffers by dotted name (detached views of the live tensors). */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        stateInto("", out);
        return out;
    }

    private void stateInto(String prefix, Map<String, Tensor> out) {
        parameters.forEach((k, v) -> {
            if (v != null) {
                out.put(prefix + k, v.detach());
            }
        });
        buffers.forEach((k, v) -> {
            if (v != null && !nonPersistent.contains(k)) {
                out.put(prefix + k, v.detach());
            }
        });
        children.forEach((k, v) -> {
            if (v != null) {
                v.stateInto(prefix + k + ".", out);
            }
        });
    }

    /** What {@link #loadStateDict(Map, boolean)} did not match. */
    public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {
    }

    /**
     * Copies values from {@code state} into this model's parameters and buffers (converted to their dtypes).
     * Shapes must match. With {@code strict}, missing or unexpected keys are an error listing them all;
     * otherwise they are returned.
     */
    public final LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = new LinkedHashMap<>();
        Map<String, Module> owners = new LinkedHashMap<>();
        Map<String, String> localNames = new LinkedHashMap<>();
        namedModules().forEach((prefix, m) -> {
            String p = prefix.isEmpty() ? "" : prefix + ".";
            m.parameters.forEach((k, v) -> {
                if (v != null) {
                    own.put(p + k, v);
                    owners.put(p + k, m);
                    localNames.put(p + k, k);
                }
            });
            m.buffers.forEach((k, v) -> {
                if (v != null && !m.nonPersistent.contains(k)) {
                    own.put(p + k, v);
                    owners.put(p + k, m);
                    localNames.put(p + k, k);
                }
            });
        });
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (String k : own.keySet()) {
            if (!state.containsKey(k)) {
                missing.add(k);
            } else if (!Arrays.equals(own.get(k).shape(), state.get(k).shape())) {
                mismatched.add("size mismatch for " + k + ": copying a param with shape "
                        + Arrays.toString(state.get(k).shape()) + " from checkpoint, the shape in current model is "
                        + Arrays.toString(own.get(k).shape()));
            }
        }
        for (String k : state.keySet()) {
            if (!own.containsKey(k)) {
                unexpected.add(k);
            }
        }
        if (!mismatched.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty()))) {
            StringBuilder sb = new StringBuilder("Error(s) in loading state_dict for " + getClass().getSimpleName() + ":");
            if (!missing.isEmpty() && strict) {
                sb.append("\n\tMissing key(s) in state_dict: ").append(String.join(", ", missing)).append('.');
            }
            if (!unexpected.isEmpty() && strict) {
                sb.append("\n\tUnexpected key(s) in state_dict: ").append(String.join(", ", unexpected)).append('.');
            }
            for (String m : mismatched) {
                sb.append("\n\t").append(m).append('.');
            }
            throw new IllegalArgumentException(sb.toString());
        }
        try (var ignored = Autograd.noGrad()) {
            for (Map.Entry<String, Tensor> e : own.entrySet()) {
                Tensor src = state.get(e.getKey());
                if (src != null) {
                    e.getValue().copyi(src.detach());
                }
            }
        }
        return new LoadResult(missing, unexpected);
    }

    // ---------------------------------------------------------------- printing

    /** The part inside the parentheses of this module's line, e.g. {@code in_features=10, out_features=5, bias=True}. */
    protected String extraRepr() {
        return "";
    }

    /**
     * The module tree as PyTorch prints it: {@code Name(extra)} for a leaf with a one-line extra repr, otherwise the
     * extra repr's lines and then {@code (name): child} lines, each indented by two spaces.
     */
    @Override
    public String toString() {
        List<String> lines = new ArrayList<>();
        String extra = extraRepr();
        List<String> extraLines = extra.isEmpty() ? List.of() : List.of(extra.split("\n", -1));
        lines.addAll(extraLines);
        Map<String, Module> kids = namedChildren();
        for (Map.Entry<String, Module> e : kids.entrySet()) {
            lines.add("(" + e.getKey() + "): " + e.getValue().toString().replace("\n", "\n  "));
        }
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('(');
        if (extraLines.size() == 1 && kids.isEmpty()) {
            sb.append(extraLines.get(0));
        } else if (!lines.isEmpty()) {
            sb.append("\n  ").append(String.join("\n  ", lines)).append('\n');
        }
        return sb.append(')').toString();
    }

    /** PyTorch prints Python booleans. */
    protected static String bool(boolean b) {
        return b ? "True" : "False";
    }
}
