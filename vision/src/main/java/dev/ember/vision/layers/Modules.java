package dev.ember.vision.layers;

import dev.ember.nn.Layer;
import dev.ember.nn.Module;

/** Small helpers for building containers out of {@link Layer}s. */
final class Modules {
    private Modules() {
    }

    /** A layer registered as a child must be a Module (it carries the parameters). */
    static Module asModule(String owner, Layer layer) {
        if (!(layer instanceof Module m)) {
            throw new IllegalArgumentException(owner + ": " + layer.getClass().getName() + " is not a Module");
        }
        return m;
    }
}
