package dev.ember.nn;

import java.util.Map;
import java.util.Set;

/** Modules by name, in insertion order; the names become state-dict prefixes. */
public class ModuleDict extends Module {

    public ModuleDict() {
    }

    public ModuleDict(Map<String, ? extends Module> modules) {
        modules.forEach(this::put);
    }

    public final ModuleDict put(String name, Module module) {
        registerModule(name, module);
        return this;
    }

    public final Module get(String name) {
        Module m = namedChildren().get(name);
        if (m == null) {
            throw new IllegalArgumentException("ModuleDict: no module named '" + name + "' (have " + keySet() + ")");
        }
        return m;
    }

    public final boolean containsKey(String name) {
        return namedChildren().containsKey(name);
    }

    public final Set<String> keySet() {
        return namedChildren().keySet();
    }

    public final int size() {
        return namedChildren().size();
    }
}
