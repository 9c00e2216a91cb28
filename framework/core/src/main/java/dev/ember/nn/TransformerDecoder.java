package dev.ember.nn;

import dev.ember.tensor.Tensor;

/**
 * A stack of {@code numLayers} copies of a decoder layer, as PyTorch's {@code nn.TransformerDecoder}, with an
 * optional final normalisation. The layers are deep copies ({@code layers.0}, {@code layers.1}, ...) with the
 * prototype's parameters; the prototype itself is not part of the decoder.
 *
 * <p>tgt (T, N, E) and memory (S, N, E) ((N, T, E), (N, S, E) if the layer is batchFirst; unbatched (T, E),
 * (S, E)) -> tgt's shape; masks as in {@link TransformerDecoderLayer}.
 */
public class TransformerDecoder extends Module {
    public final ModuleList layers;
    public final int numLayers;
    /** Null when constructed without one. */
    public final Module norm;

    public TransformerDecoder(TransformerDecoderLayer decoderLayer, int numLayers) {
        this(decoderLayer, numLayers, null);
    }

    /** {@code norm} (a LayerNorm, typically) is applied to the last layer's output; may be null. */
    public <N extends Module & Layer> TransformerDecoder(TransformerDecoderLayer decoderLayer, int numLayers, N norm) {
        if (numLayers < 1) {
            throw new IllegalArgumentException("TransformerDecoder: num_layers must be at least 1, got " + numLayers);
        }
        this.numLayers = numLayers;
        this.layers = registerModule("layers", new ModuleList());
        for (int i = 0; i < numLayers; i++) {
            layers.add(decoderLayer.duplicate());
        }
        this.norm = registerModule("norm", norm);
    }

    public Tensor forward(Tensor tgt, Tensor memory) {
        return forward(tgt, memory, null, null, null, null, false, false);
    }

    public Tensor forward(Tensor tgt, Tensor memory, Tensor tgtMask, Tensor memoryMask, Tensor tgtKeyPaddingMask,
                          Tensor memoryKeyPaddingMask, boolean tgtIsCausal) {
        return forward(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, tgtIsCausal, false);
    }

    public Tensor forward(Tensor tgt, Tensor memory, Tensor tgtMask, Tensor memoryMask, Tensor tgtKeyPaddingMask,
                          Tensor memoryKeyPaddingMask, boolean tgtIsCausal, boolean memoryIsCausal) {
        Tensor x = tgt;
        for (Module layer : layers) {
            x = ((TransformerDecoderLayer) layer).forward(x, memory, tgtMask, memoryMask, tgtKeyPaddingMask,
                    memoryKeyPaddingMask, tgtIsCausal, memoryIsCausal);
        }
        return norm == null ? x : ((Layer) norm).forward(x);
    }
}
