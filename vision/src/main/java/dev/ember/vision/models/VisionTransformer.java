package dev.ember.vision.models;

import dev.ember.nn.Conv2d;
import dev.ember.nn.Init;
import dev.ember.nn.Layer;
import dev.ember.nn.Linear;
import dev.ember.nn.Module;
import dev.ember.tensor.Tensor;
import dev.ember.vision.layers.NamedSequential;
import java.util.Arrays;

/**
 * Vision Transformer (Dosovitskiy et al., 2020), as torchvision's {@code models.VisionTransformer}: the image is
 * cut into patchSize x patchSize patches by {@code conv_proj} (Conv2d with kernel = stride = patchSize), the
 * learned {@code class_token} (1, 1, hiddenDim) is prepended, the {@link VitEncoder} {@code encoder} runs, and
 * {@code heads.head} (Linear(hiddenDim, numClasses)) classifies the class token's output. State-dict keys equal
 * torchvision's ({@code conv_proj.weight}, {@code class_token}, {@code encoder.pos_embedding},
 * {@code encoder.layers.encoder_layer_0.self_attention.in_proj_weight}, ..., {@code heads.head.bias}).
 *
 * <p>input (N, inChannels, imageSize, imageSize) -> logits (N, numClasses); the image size is fixed by the
 * position embedding ((imageSize / patchSize)^2 + 1 positions). Factories: {@link Models#vitB16},
 * {@link Models#vitSmall}, {@link Models#vitTiny}. Deviation: torchvision fixes 3 input channels.
 *
 * <p>Initialisation as torchvision: conv_proj trunc_normal(std = sqrt(1 / fan_in)) with zero bias, class_token
 * zeros, pos_embedding normal(0, 0.02), MLP linears xavier_uniform, attention as MultiheadAttention, and the head
 * all zeros (so an untrained model outputs zero logits).
 */
public class VisionTransformer extends Module implements Layer {
    public final long imageSize;
    public final long patchSize;
    public final long hiddenDim;
    public final long mlpDim;
    public final long numClasses;
    public final long inChannels;
    public final long seqLength;
    public final Conv2d convProj;
    public final Tensor classToken;
    public final VitEncoder encoder;
    public final NamedSequential heads;
    public final Linear head;

    /** torchvision's arguments, 3 input channels. */
    public VisionTransformer(long imageSize, long patchSize, int numLayers, int numHeads, long hiddenDim, long mlpDim,
                             double dropout, double attentionDropout, long numClasses) {
        this(imageSize, patchSize, numLayers, numHeads, hiddenDim, mlpDim, dropout, attentionDropout, numClasses, 3);
    }

    public VisionTransformer(long imageSize, long patchSize, int numLayers, int numHeads, long hiddenDim, long mlpDim,
                             double dropout, double attentionDropout, long numClasses, long inChannels) {
        if (patchSize < 1 || imageSize < 1 || imageSize % patchSize != 0) {
            throw new IllegalArgumentException("VisionTransformer: imageSize must be a positive multiple of "
                    + "patchSize, got imageSize " + imageSize + " and patchSize " + patchSize);
        }
        if (numLayers < 1 || numHeads < 1 || hiddenDim < 1 || mlpDim < 1 || numClasses < 1 || inChannels < 1) {
            throw new IllegalArgumentException("VisionTransformer: numLayers, numHeads, hiddenDim, mlpDim, numClasses "
                    + "and inChannels must be >= 1, got " + numLayers + ", " + numHeads + ", " + hiddenDim + ", "
                    + mlpDim + ", " + numClasses + ", " + inChannels);
        }
        if (hiddenDim % numHeads != 0) {
            throw new IllegalArgumentException("VisionTransformer: hiddenDim must be divisible by numHeads, got "
                    + hiddenDim + " and " + numHeads);
        }
        this.imageSize = imageSize;
        this.patchSize = patchSize;
        this.hiddenDim = hiddenDim;
        this.mlpDim = mlpDim;
        this.numClasses = numClasses;
        this.inChannels = inChannels;
        this.convProj = registerModule("conv_proj", new Conv2d(inChannels, hiddenDim, patchSize, patchSize));
        long patchesPerSide = imageSize / patchSize;
        this.seqLength = patchesPerSide * patchesPerSide + 1;
        this.classToken = registerParameter("class_token", Tensor.zeros(1, 1, hiddenDim));
        this.encoder = registerModule("encoder",
                new VitEncoder(seqLength, numLayers, numHeads, hiddenDim, mlpDim, dropout, attentionDropout));
        this.head = new Linear(hiddenDim, numClasses);
        this.heads = registerModule("heads", new NamedSequential().add("head", head));

        long fanIn = inChannels * patchSize * patchSize;
        TorchvisionInit.truncNormal(convProj.weight, 0, Math.sqrt(1.0 / fanIn), -2, 2);
        Init.zeros(convProj.bias);
        Init.zeros(head.weight);
        Init.zeros(head.bias);
    }

    /** input (N, inChannels, imageSize, imageSize) -> logits (N, numClasses). */
    @Override
    public Tensor forward(Tensor input) {
        ModelChecks.checkImage("VisionTransformer", input, inChannels);
        long n = input.size(0);
        if (input.size(2) != imageSize || input.size(3) != imageSize) {
            throw new IllegalArgumentException("VisionTransformer: expected " + imageSize + "x" + imageSize
                    + " images, got input of shape " + Arrays.toString(input.shape()));
        }
        // (N, hidden, n_h, n_w) -> (N, n_h * n_w, hidden): one token per patch, row-major
        Tensor x = convProj.forward(input).reshape(n, hiddenDim, seqLength - 1).permute(0, 2, 1);
        x = Tensor.cat(java.util.List.of(classToken.expand(n, -1, -1), x), 1);
        x = encoder.forward(x);
        return heads.forward(x.select(1, 0));
    }
}
