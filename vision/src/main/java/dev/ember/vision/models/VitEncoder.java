package dev.ember.vision.models;

import dev.ember.nn.Dropout;
import dev.ember.nn.Init;
import dev.ember.nn.Layer;
import dev.ember.nn.LayerNorm;
import dev.ember.nn.Module;
import dev.ember.tensor.Tensor;
import dev.ember.vision.layers.NamedSequential;
import java.util.Arrays;

/**
 * The encoder of torchvision's ViT ({@code Encoder}): adds the learned {@code pos_embedding} (1, seqLength,
 * hiddenDim) (initialised normal(0, 0.02)), applies {@code dropout}, the blocks {@code layers.encoder_layer_0..}
 * ({@link EncoderBlock}) and the final layer norm {@code ln} (eps 1e-6).
 * input (N, seqLength, hiddenDim) -> (N, seqLength, hiddenDim).
 */
public class VitEncoder extends Module implements Layer {
    public final long seqLength;
    public final long hiddenDim;
    public final Tensor posEmbedding;
    public final Dropout dropout;
    public final NamedSequential layers;
    public final LayerNorm ln;

    public VitEncoder(long seqLength, int numLayers, int numHeads, long hiddenDim, long mlpDim, double dropout,
                      double attentionDropout) {
        this.seqLength = seqLength;
        this.hiddenDim = hiddenDim;
        this.posEmbedding = registerParameter("pos_embedding", Tensor.zeros(1, seqLength, hiddenDim));
        Init.normal(posEmbedding, 0, 0.02);
        this.dropout = registerModule("dropout", new Dropout(dropout));
        this.layers = registerModule("layers", new NamedSequential());
        for (int i = 0; i < numLayers; i++) {
            layers.add("encoder_layer_" + i, new EncoderBlock(numHeads, hiddenDim, mlpDim, dropout, attentionDropout));
        }
        this.ln = registerModule("ln", new LayerNorm(new long[] {hiddenDim}, 1e-6, true));
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input.dim() != 3 || input.size(1) != seqLength || input.size(2) != hiddenDim) {
            throw new IllegalArgumentException("VitEncoder: expected (batch_size, " + seqLength + ", " + hiddenDim
                    + "), got " + Arrays.toString(input.shape()));
        }
        return ln.forward(layers.forward(dropout.forward(input.add(posEmbedding))));
    }
}
