package dev.ember.nn;

import java.util.Iterator;
import java.util.List;

/** A list of modules whose parameters belong to the parent; children are named {@code 0}, {@code 1}, ... */
public class ModuleList extends Module implements Iterable<Module> {
    private int size;

    public ModuleList(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    public ModuleList(List<? extends Module> modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    public final ModuleList add(Module module) {
        registerModule(Integer.toString(size++), module);
        return this;
    }

    public final Module get(int index) {
        int i = index < 0 ? index + size : index;
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("ModuleList: index " + index + " is out of range for " + size + " modules");
        }
        return namedChildren().get(Integer.toString(i));
    }

    public final int size() {
        return size;
    }

    @Override
    public Iterator<Module> iterator() {
        return children().iterator();
    }
}
