package dev.ember.vision.models;

import dev.ember.nn.Dropout;
import dev.ember.nn.Layer;
import dev.ember.nn.LayerNorm;
import dev.ember.nn.Module;
import dev.ember.nn.MultiheadAttention;
import dev.ember.tensor.Tensor;
import java.util.Arrays;

/**
 * A pre-norm transformer encoder block, as torchvision ViT's {@code EncoderBlock}:
 * {@code x = input + dropout(self_attention(ln_1(input)))}, then {@code x + mlp(ln_2(x))}. Children {@code ln_1},
 * {@code self_attention} (MultiheadAttention, batch first: in_proj_weight, in_proj_bias, out_proj), {@code dropout},
 * {@code ln_2}, {@code mlp} ({@link MLPBlock}); layer norms use eps 1e-6.
 * input (N, S, hiddenDim) -> (N, S, hiddenDim).
 */
public class EncoderBlock extends Module implements Layer {
    public final long hiddenDim;
    public final LayerNorm ln1;
    public final MultiheadAttention selfAttention;
    public final Dropout dropout;
    public final LayerNorm ln2;
    public final MLPBlock mlp;

    public EncoderBlock(int numHeads, long hiddenDim, long mlpDim, double dropout, double attentionDropout) {
        this.hiddenDim = hiddenDim;
        this.ln1 = registerModule("ln_1", new LayerNorm(new long[] {hiddenDim}, 1e-6, true));
        this.selfAttention = registerModule("self_attention",
                new MultiheadAttention(hiddenDim, numHeads, attentionDropout, true, true));
        this.dropout = registerModule("dropout", new Dropout(dropout));
        this.ln2 = registerModule("ln_2", new LayerNorm(new long[] {hiddenDim}, 1e-6, true));
        this.mlp = registerModule("mlp", new MLPBlock(hiddenDim, mlpDim, dropout));
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input.dim() != 3 || input.size(2) != hiddenDim) {
            throw new IllegalArgumentException("EncoderBlock: expected (batch_size, seq_length, " + hiddenDim
                    + "), got " + Arrays.toString(input.shape()));
        }
        Tensor x = ln1.forward(input);
        x = selfAttention.forward(x, x, x, null, false, null).output();
        x = dropout.forward(x).add(input);
        Tensor y = mlp.forward(ln2.forward(x));
        return x.add(y);
    }
}
