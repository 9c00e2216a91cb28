package dev.ember.optim;

import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Writing {@link Optimizer#stateDict()}'s flat form, and parsing and checking it before anything is loaded. */
final class StateDicts {
    private StateDicts() {
    }

    static <O extends Optimizer.Options<O>> Map<String, Tensor> write(List<ParamGroup<O>> groups,
                                                                       Map<Tensor, Optimizer.State> state) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        int index = 0;
        for (ParamGroup<O> group : groups) {
            for (Tensor p : group.params()) {
                Optimizer.State s = state.get(p);
                if (s != null) {
                    for (Map.Entry<String, Tensor> e : s.tensors().entrySet()) {
                        out.put("state." + index + "." + e.getKey(), e.getValue().detach());
                    }
                }
                index++;
            }
        }
        index = 0;
        for (int g = 0; g < groups.size(); g++) {
            ParamGroup<O> group = groups.get(g);
            String prefix = "param_groups." + g + ".";
            for (Map.Entry<String, double[]> e : group.options().toMap().entrySet()) {
                double[] v = e.getValue();
                out.put(prefix + e.getKey(), v.length == 1 ? Tensor.scalar(DType.FLOAT64, v[0])
                        : Tensor.of(DType.FLOAT64, v, v.length));
            }
            if (group.initialLr().isPresent()) {
                out.put(prefix + "initial_lr", Tensor.scalar(DType.FLOAT64, group.initialLr().getAsDouble()));
            }
            long[] indices = new long[group.params().size()];
            for (int k = 0; k < indices.length; k++) {
                indices[k] = index++;
            }
            out.put(prefix + "params", Tensor.of(indices, indices.length));
        }
        return out;
    }

    /** The saved {@code initial_lr} of group {@code g}, or NaN when none was saved. */
    static double initialLr(String where, int g, Map<String, Tensor> saved) {
        Tensor t = saved.get("initial_lr");
        if (t == null) {
            return Double.NaN;
        }
        if (t.numel() != 1) {
            throw new IllegalArgumentException(where + ": param_groups." + g + ".initial_lr must be one value, got "
                    + t.numel());
        }
        return t.item();
    }

    /** New (validated) hyperparameters for group {@code g} from its saved entries; checks its size. */
    static <O extends Optimizer.Options<O>> O readGroup(String where, int g, ParamGroup<O> group,
                                                         Map<String, Tensor> saved) {
        String at = where + ": param_groups." + g;
        Tensor params = saved.get("params");
        if (params == null) {
            throw new IllegalArgumentException(at + ".params is missing");
        }
        if (params.numel() != group.params().size()) {
            throw new IllegalArgumentException(where + ": loaded state dict contains a parameter group that doesn't "
                    + "match the size of optimizer's group (group " + g + ": " + params.numel() + " saved parameters, "
                    + group.params().size() + " in the optimizer)");
        }
        Map<String, double[]> values = new LinkedHashMap<>();
        saved.forEach((k, t) -> values.put(k, t.toDoubleArray()));
        O options = group.options().copy();
        try {
            options.fromMap(values);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(at + ": " + e.getMessage(), e);
        }
        options.validate(at);
        return options;
    }

    /** Saved entries by parameter index and by group index. */
    record Parsed(Map<Integer, Map<String, Tensor>> state, Map<Integer, Map<String, Tensor>> groups) {
    }

    static Parsed parse(String where, Map<String, Tensor> stateDict, int groupCount, int paramCount) {
        if (stateDict == null) {
            throw new IllegalArgumentException(where + ": state dict must not be null");
        }
        TreeMap<Integer, Map<String, Tensor>> state = new TreeMap<>();
        TreeMap<Integer, Map<String, Tensor>> groups = new TreeMap<>();
        for (Map.Entry<String, Tensor> e : stateDict.entrySet()) {
            String key = e.getKey();
            if (e.getValue() == null) {
                throw new IllegalArgumentException(where + ": entry '" + key + "' is null");
            }
            TreeMap<Integer, Map<String, Tensor>> target;
            String rest;
            if (key.startsWith("state.")) {
                target = state;
                rest = key.substring("state.".length());
            } else if (key.startsWith("param_groups.")) {
                target = groups;
                rest = key.substring("param_groups.".length());
            } else {
                throw new IllegalArgumentException(where + ": unexpected key '" + key
                        + "' (expected state.<i>.<name> or param_groups.<g>.<name>)");
            }
            int dot = rest.indexOf('.');
            int index = dot > 0 ? parseIndex(rest.substring(0, dot)) : -1;
            if (index < 0 || dot == rest.length() - 1) {
                throw new IllegalArgumentException(where + ": malformed key '" + key
                        + "' (expected state.<i>.<name> or param_groups.<g>.<name>)");
            }
            if (target == state && index >= paramCount) {
                throw new IllegalArgumentException(where + ": key '" + key + "' refers to parameter " + index
                        + ", but the optimizer has " + paramCount + " parameters");
            }
            target.computeIfAbsent(index, k -> new LinkedHashMap<>()).put(rest.substring(dot + 1), e.getValue());
        }
        int saved = groups.isEmpty() ? 0 : groups.lastKey() + 1;
        if (saved != groupCount || groups.size() != saved) {
            throw new IllegalArgumentException(where + ": loaded state dict has a different number of parameter "
                    + "groups (saved: " + (groups.size() == saved ? String.valueOf(saved) : "indices " + groups.keySet())
                    + ", the optimizer has " + groupCount + ")");
        }
        return new Parsed(state, groups);
    }

    /** Checks shapes against the parameter and converts to its dtype (copies; {@code step} stays as saved). */
    static Map<String, Tensor> convert(String where, Tensor param, Map<String, Tensor> saved) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : saved.entrySet()) {
            Tensor t = e.getValue();
            if (e.getKey().equals("step")) {
                out.put("step", t);
                continue;
            }
            if (!Arrays.equals(t.shape(), param.shape())) {
                throw new IllegalArgumentException(where + "." + e.getKey() + " has shape " + Arrays.toString(t.shape())
                        + " but parameter has shape " + Arrays.toString(param.shape()));
            }
            if (!t.dtype().isFloatingPoint()) {
                throw new IllegalArgumentException(where + "." + e.getKey() + " has dtype " + t.dtype().torchName()
                        + ", expected a floating point tensor");
            }
            // like PyTorch, state follows its parameter's dtype and device (a CPU checkpoint resumes on a GPU)
            out.put(e.getKey(), t.detach().to(param.dtype()).to(param.device()).clone());
        }
        return out;
    }

    private static int parseIndex(String s) {
        if (s.isEmpty() || s.length() > 9 || !s.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Integer.parseInt(s);
    }
}
