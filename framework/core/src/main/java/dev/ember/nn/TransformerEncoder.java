package dev.ember.nn;

import dev.ember.tensor.Tensor;

/**
 * A stack of {@code numLayers} copies of an encoder layer, as PyTorch's {@code nn.TransformerEncoder}, with an
 * optional final normalisation. The layers are deep copies ({@code layers.0}, {@code layers.1}, ...) with the
 * prototype's parameters; the prototype itself is not part of the encoder.
 *
 * <p>src (S, N, E) ((N, S, E) if the layer is batchFirst, (S, E) unbatched) -> same shape; masks as in
 * {@link TransformerEncoderLayer}. Not implemented: PyTorch's nested-tensor fast path (which returns zeros at
 * padded positions in eval mode); Ember always computes every position.
 */
public class TransformerEncoder extends Module implements Layer {
    public final ModuleList layers;
    public final int numLayers;
    /** Null when constructed without one. */
    public final Module norm;

    public TransformerEncoder(TransformerEncoderLayer encoderLayer, int numLayers) {
        this(encoderLayer, numLayers, null);
    }

    /** {@code norm} (a LayerNorm, typically) is applied to the last layer's output; may be null. */
    public <N extends Module & Layer> TransformerEncoder(TransformerEncoderLayer encoderLayer, int numLayers, N norm) {
        if (numLayers < 1) {
            throw new IllegalArgumentException("TransformerEncoder: num_layers must be at least 1, got " + numLayers);
        }
        this.numLayers = numLayers;
        this.layers = registerModule("layers", new ModuleList());
        for (int i = 0; i < numLayers; i++) {
            layers.add(encoderLayer.duplicate());
        }
        this.norm = registerModule("norm", norm);
    }

    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null, false);
    }

    public Tensor forward(Tensor src, Tensor mask, Tensor srcKeyPaddingMask) {
        return forward(src, mask, srcKeyPaddingMask, false);
    }

    public Tensor forward(Tensor src, Tensor mask, Tensor srcKeyPaddingMask, boolean isCausal) {
        Tensor x = src;
        for (Module layer : layers) {
            x = ((TransformerEncoderLayer) layer).forward(x, mask, srcKeyPaddingMask, isCausal);
        }
        return norm == null ? x : ((Layer) norm).forward(x);
    }
}
