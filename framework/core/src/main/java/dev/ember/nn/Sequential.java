package dev.ember.nn;

import dev.ember.tensor.Tensor;

/** Layers applied in order; children are named {@code 0}, {@code 1}, ... as in PyTorch. */
public class Sequential extends Module implements Layer {
    private int size;

    public Sequential(Layer... layers) {
        for (Layer l : layers) {
            add(l);
        }
    }

    /** Appends a layer (which must be a {@link Module}); returns this. */
    public final Sequential add(Layer layer) {
        if (!(layer instanceof Module m)) {
            throw new IllegalArgumentException("Sequential: " + layer.getClass().getName() + " is not a Module");
        }
        registerModule(Integer.toString(size++), m);
        return this;
    }

    /** The i-th layer (negative counts from the end). */
    public final Layer get(int index) {
        int i = index < 0 ? index + size : index;
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("Sequential: index " + index + " is out of range for " + size + " layers");
        }
        return (Layer) namedChildren().get(Integer.toString(i));
    }

    public final int size() {
        return size;
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (Module m : children()) {
            x = ((Layer) m).forward(x);
        }
        return x;
    }
}
