package dev.ember.nn.functional;

import dev.ember.tensor.Tensor;

/**
 * The functional API, PyTorch's {@code torch.nn.functional} (imported there as {@code F}): the maths that the
 * layers in {@code dev.ember.nn} call, as static functions on tensors. Each function's shapes are given in its
 * Javadoc; the implementations live in topic classes of this package ({@link Activations}, {@link Losses},
 * {@link Convolutions}, {@link Pooling}, {@link Normalization}, {@link Padding}, {@link Dropouts},
 * {@link Embeddings}, {@link Linears}, {@link Similarity}, {@link Attention}, {@link Recurrent}); this class only
 * gathers them under the name PyTorch users know, {@code F.relu(x)}, {@code F.crossEntropy(logits, target)}.
 */
public final class F {
    private F() {
    }

    // ---------------------------------------------------------------- activations

    /** See {@link Activations#relu}. */
    public static Tensor relu(Tensor input) {
        return Activations.relu(input);
    }

    /** See {@link Activations#leakyRelu}. */
    public static Tensor leakyRelu(Tensor input) {
        return Activations.leakyRelu(input);
    }

    /** See {@link Activations#leakyRelu}. */
    public static Tensor leakyRelu(Tensor input, double negativeSlope) {
        return Activations.leakyRelu(input, negativeSlope);
    }

    /** See {@link Activations#elu}. */
    public static Tensor elu(Tensor input) {
        return Activations.elu(input);
    }

    /** See {@link Activations#elu}. */
    public static Tensor elu(Tensor input, double alpha) {
        return Activations.elu(input, alpha);
    }

    /** See {@link Activations#gelu}. */
    public static Tensor gelu(Tensor input) {
        return Activations.gelu(input);
    }

    /** See {@link Activations#gelu}. */
    public static Tensor gelu(Tensor input, String approximate) {
        return Activations.gelu(input, approximate);
    }

    /** See {@link Activations#silu}. */
    public static Tensor silu(Tensor input) {
        return Activations.silu(input);
    }

    /** See {@link Activations#sigmoid}. */
    public static Tensor sigmoid(Tensor input) {
        return Activations.sigmoid(input);
    }

    /** See {@link Activations#tanh}. */
    public static Tensor tanh(Tensor input) {
        return Activations.tanh(input);
    }

    /** See {@link Activations#softmax}. */
    public static Tensor softmax(Tensor input, int dim) {
        return Activations.softmax(input, dim);
    }

    /** See {@link Activations#logSoftmax}. */
    public static Tensor logSoftmax(Tensor input, int dim) {
        return Activations.logSoftmax(input, dim);
    }

    /** See {@link Activations#softplus}. */
    public static Tensor softplus(Tensor input) {
        return Activations.softplus(input);
    }

    /** See {@link Activations#softplus}. */
    public static Tensor softplus(Tensor input, double beta, double threshold) {
        return Activations.softplus(input, beta, threshold);
    }
    // ---------------------------------------------------------------- losses

    /** See {@link Losses#mseLoss}. */
    public static Tensor mseLoss(Tensor input, Tensor target) {
        return Losses.mseLoss(input, target);
    }

    /** See {@link Losses#mseLoss}. */
    public static Tensor mseLoss(Tensor input, Tensor target, String reduction) {
        return Losses.mseLoss(input, target, reduction);
    }

    /** See {@link Losses#l1Loss}. */
    public static Tensor l1Loss(Tensor input, Tensor target) {
        return Losses.l1Loss(input, target);
    }

    /** See {@link Losses#l1Loss}. */
    public static Tensor l1Loss(Tensor input, Tensor target, String reduction) {
        return Losses.l1Loss(input, target, reduction);
    }

    /** See {@link Losses#smoothL1Loss}. */
    public static Tensor smoothL1Loss(Tensor input, Tensor target) {
        return Losses.smoothL1Loss(input, target);
    }

    /** See {@link Losses#smoothL1Loss}. */
    public static Tensor smoothL1Loss(Tensor input, Tensor target, String reduction, double beta) {
        return Losses.smoothL1Loss(input, target, reduction, beta);
    }

    /** See {@link Losses#huberLoss}. */
    public static Tensor huberLoss(Tensor input, Tensor target) {
        return Losses.huberLoss(input, target);
    }

    /** See {@link Losses#huberLoss}. */
    public static Tensor huberLoss(Tensor input, Tensor target, String reduction, double delta) {
        return Losses.huberLoss(input, target, reduction, delta);
    }

    /** See {@link Losses#binaryCrossEntropy}. */
    public static Tensor binaryCrossEntropy(Tensor input, Tensor target) {
        return Losses.binaryCrossEntropy(input, target);
    }

    /** See {@link Losses#binaryCrossEntropy}. */
    public static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, String reduction) {
        return Losses.binaryCrossEntropy(input, target, weight, reduction);
    }

    /** See {@link Losses#binaryCrossEntropyWithLogits}. */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target) {
        return Losses.binaryCrossEntropyWithLogits(input, target);
    }

    /** See {@link Losses#binaryCrossEntropyWithLogits}. */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target,
            Tensor weight, Tensor posWeight, String reduction) {
        return Losses.binaryCrossEntropyWithLogits(input, target, weight, posWeight, reduction);
    }

    /** See {@link Losses#klDiv}. */
    public static Tensor klDiv(Tensor input, Tensor target) {
        return Losses.klDiv(input, target);
    }

    /** See {@link Losses#klDiv}. */
    public static Tensor klDiv(Tensor input, Tensor target, String reduction) {
        return Losses.klDiv(input, target, reduction);
    }

    /** See {@link Losses#klDiv}. */
    public static Tensor klDiv(Tensor input, Tensor target, String reduction, boolean logTarget) {
        return Losses.klDiv(input, target, reduction, logTarget);
    }

    /** See {@link Losses#crossEntropy}. */
    public static Tensor crossEntropy(Tensor input, Tensor target) {
        return Losses.crossEntropy(input, target);
    }

    /** See {@link Losses#crossEntropy}. */
    public static Tensor crossEntropy(Tensor input, Tensor target, Tensor weight,
            long ignoreIndex, String reduction, double labelSmoothing) {
        return Losses.crossEntropy(input, target, weight, ignoreIndex, reduction, labelSmoothing);
    }

    /** See {@link Losses#crossEntropy}. */
    public static Tensor crossEntropy(Tensor input, Tensor target, CrossEntropyOptions options) {
        return Losses.crossEntropy(input, target, options);
    }

    /** See {@link Losses#nllLoss}. */
    public static Tensor nllLoss(Tensor input, Tensor target) {
        return Losses.nllLoss(input, target);
    }

    /** See {@link Losses#nllLoss}. */
    public static Tensor nllLoss(Tensor input, Tensor target, Tensor weight, long ignoreIndex, String reduction) {
        return Losses.nllLoss(input, target, weight, ignoreIndex, reduction);
    }
    // ---------------------------------------------------------------- convolutions

    /** See {@link Convolutions#conv1d}. */
    public static Tensor conv1d(Tensor input, Tensor weight) {
        return Convolutions.conv1d(input, weight);
    }

    /** See {@link Convolutions#conv1d}. */
    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias) {
        return Convolutions.conv1d(input, weight, bias);
    }

    /** See {@link Convolutions#conv1d}. */
    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias,
            long stride, long padding, long dilation, long groups) {
        return Convolutions.conv1d(input, weight, bias, stride, padding, dilation, groups);
    }

    /** See {@link Convolutions#conv1d}. */
    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias,
            long stride, String padding, long dilation, long groups) {
        return Convolutions.conv1d(input, weight, bias, stride, padding, dilation, groups);
    }

    /** See {@link Convolutions#conv2d}. */
    public static Tensor conv2d(Tensor input, Tensor weight) {
        return Convolutions.conv2d(input, weight);
    }

    /** See {@link Convolutions#conv2d}. */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias) {
        return Convolutions.conv2d(input, weight, bias);
    }

    /** See {@link Convolutions#conv2d}. */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias,
            long[] stride, long[] padding, long[] dilation, long groups) {
        return Convolutions.conv2d(input, weight, bias, stride, padding, dilation, groups);
    }

    /** See {@link Convolutions#conv2d}. */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias,
            long[] stride, String padding, long[] dilation, long groups) {
        return Convolutions.conv2d(input, weight, bias, stride, padding, dilation, groups);
    }

    /** See {@link Convolutions#convTranspose2d}. */
    public static Tensor convTranspose2d(Tensor input, Tensor weight) {
        return Convolutions.convTranspose2d(input, weight);
    }

    /** See {@link Convolutions#convTranspose2d}. */
    public static Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias) {
        return Convolutions.convTranspose2d(input, weight, bias);
    }

    /** See {@link Convolutions#convTranspose2d}. */
    public static Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias, long[] stride,
            long[] padding, long[] outputPadding, long groups, long[] dilation) {
        return Convolutions.convTranspose2d(input, weight, bias, stride, padding, outputPadding, groups, dilation);
    }

    /** See {@link Convolutions#unfold}. */
    public static Tensor unfold(Tensor input, long[] kernelSize, long[] dilation, long[] padding, long[] stride) {
        return Convolutions.unfold(input, kernelSize, dilation, padding, stride);
    }

    /** See {@link Convolutions#fold}. */
    public static Tensor fold(Tensor input, long[] outputSize, long[] kernelSize,
            long[] dilation, long[] padding, long[] stride) {
        return Convolutions.fold(input, outputSize, kernelSize, dilation, padding, stride);
    }
    // ---------------------------------------------------------------- pooling

    /** See {@link Pooling#maxPool1d}. */
    public static Tensor maxPool1d(Tensor input, long kernelSize) {
        return Pooling.maxPool1d(input, kernelSize);
    }

    /** See {@link Pooling#maxPool1d}. */
    public static Tensor maxPool1d(Tensor input, long kernelSize, long stride,
            long padding, long dilation, boolean ceilMode) {
        return Pooling.maxPool1d(input, kernelSize, stride, padding, dilation, ceilMode);
    }

    /** See {@link Pooling#maxPool2d}. */
    public static Tensor maxPool2d(Tensor input, long kernelSize) {
        return Pooling.maxPool2d(input, kernelSize);
    }

    /** See {@link Pooling#maxPool2d}. */
    public static Tensor maxPool2d(Tensor input, long[] kernelSize, long[] stride,
            long[] padding, long[] dilation, boolean ceilMode) {
        return Pooling.maxPool2d(input, kernelSize, stride, padding, dilation, ceilMode);
    }

    /** See {@link Pooling#avgPool2d}. */
    public static Tensor avgPool2d(Tensor input, long kernelSize) {
        return Pooling.avgPool2d(input, kernelSize);
    }

    /** See {@link Pooling#avgPool2d}. */
    public static Tensor avgPool2d(Tensor input, long[] kernelSize, long[] stride,
            long[] padding, boolean ceilMode, boolean countIncludePad, Long divisorOverride) {
        return Pooling.avgPool2d(input, kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride);
    }

    /** See {@link Pooling#adaptiveAvgPool2d}. */
    public static Tensor adaptiveAvgPool2d(Tensor input, long outputSize) {
        return Pooling.adaptiveAvgPool2d(input, outputSize);
    }

    /** See {@link Pooling#adaptiveAvgPool2d}. */
    public static Tensor adaptiveAvgPool2d(Tensor input, long[] outputSize) {
        return Pooling.adaptiveAvgPool2d(input, outputSize);
    }
    // ---------------------------------------------------------------- normalization

    /** See {@link Normalization#layerNorm}. */
    public static Tensor layerNorm(Tensor input, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        return Normalization.layerNorm(input, normalizedShape, weight, bias, eps);
    }

    /** See {@link Normalization#batchNorm}. */
    public static Tensor batchNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight,
            Tensor bias, boolean training, double momentum, double eps) {
        return Normalization.batchNorm(input, runningMean, runningVar, weight, bias, training, momentum, eps);
    }

    /** See {@link Normalization#groupNorm}. */
    public static Tensor groupNorm(Tensor input, long numGroups, Tensor weight, Tensor bias, double eps) {
        return Normalization.groupNorm(input, numGroups, weight, bias, eps);
    }
    // ---------------------------------------------------------------- padding

    /** See {@link Padding#pad}. */
    public static Tensor pad(Tensor input, long[] pad) {
        return Padding.pad(input, pad);
    }

    /** See {@link Padding#pad}. */
    public static Tensor pad(Tensor input, long[] pad, String mode) {
        return Padding.pad(input, pad, mode);
    }

    /** See {@link Padding#pad}. */
    public static Tensor pad(Tensor input, long[] pad, String mode, double value) {
        return Padding.pad(input, pad, mode, value);
    }
    // ---------------------------------------------------------------- dropouts

    /** See {@link Dropouts#dropout}. */
    public static Tensor dropout(Tensor input, double p, boolean training) {
        return Dropouts.dropout(input, p, training);
    }
    // ---------------------------------------------------------------- embeddings

    /** See {@link Embeddings#embedding}. */
    public static Tensor embedding(Tensor input, Tensor weight) {
        return Embeddings.embedding(input, weight);
    }

    /** See {@link Embeddings#embedding}. */
    public static Tensor embedding(Tensor input, Tensor weight, Long paddingIdx) {
        return Embeddings.embedding(input, weight, paddingIdx);
    }

    /** See {@link Embeddings#oneHot}. */
    public static Tensor oneHot(Tensor indices) {
        return Embeddings.oneHot(indices);
    }

    /** See {@link Embeddings#oneHot}. */
    public static Tensor oneHot(Tensor indices, long numClasses) {
        return Embeddings.oneHot(indices, numClasses);
    }
    // ---------------------------------------------------------------- linears

    /** See {@link Linears#linear}. */
    public static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        return Linears.linear(input, weight, bias);
    }

    /** See {@link Linears#bilinear}. */
    public static Tensor bilinear(Tensor input1, Tensor input2, Tensor weight, Tensor bias) {
        return Linears.bilinear(input1, input2, weight, bias);
    }
    // ---------------------------------------------------------------- similarity

    /** See {@link Similarity#cosineSimilarity}. */
    public static Tensor cosineSimilarity(Tensor x1, Tensor x2) {
        return Similarity.cosineSimilarity(x1, x2);
    }

    /** See {@link Similarity#cosineSimilarity}. */
    public static Tensor cosineSimilarity(Tensor x1, Tensor x2, int dim, double eps) {
        return Similarity.cosineSimilarity(x1, x2, dim, eps);
    }
    // ---------------------------------------------------------------- attention

    /** See {@link Attention#scaledDotProductAttention}. */
    public static Tensor scaledDotProductAttention(Tensor query, Tensor key, Tensor value) {
        return Attention.scaledDotProductAttention(query, key, value);
    }

    /** See {@link Attention#scaledDotProductAttention}. */
    public static Tensor scaledDotProductAttention(Tensor query, Tensor key, Tensor value,
            Tensor attnMask, double dropoutP, boolean isCausal, Double scale) {
        return Attention.scaledDotProductAttention(query, key, value, attnMask, dropoutP, isCausal, scale);
    }

    /** See {@link Attention#multiHeadAttentionForward}. */
    public static Tensor[] multiHeadAttentionForward(Tensor query, Tensor key, Tensor value, int numHeads, Tensor inProjWeight, Tensor inProjBias, Tensor outProjWeight,
            Tensor outProjBias, double dropoutP, boolean training, Tensor keyPaddingMask, boolean needWeights, Tensor attnMask, boolean averageAttnWeights, boolean isCausal) {
        return Attention.multiHeadAttentionForward(query, key, value, numHeads, inProjWeight, inProjBias, outProjWeight, outProjBias, dropoutP, training, keyPaddingMask, needWeights, attnMask, averageAttnWeights, isCausal);
    }
    // ---------------------------------------------------------------- recurrent

    /** See {@link Recurrent#rnnTanhCell}. */
    public static Tensor rnnTanhCell(Tensor input, Tensor hx, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        return Recurrent.rnnTanhCell(input, hx, wIh, wHh, bIh, bHh);
    }

    /** See {@link Recurrent#rnnReluCell}. */
    public static Tensor rnnReluCell(Tensor input, Tensor hx, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        return Recurrent.rnnReluCell(input, hx, wIh, wHh, bIh, bHh);
    }

    /** See {@link Recurrent#lstmCell}. */
    public static Tensor[] lstmCell(Tensor input, Tensor hx, Tensor cx,
            Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        return Recurrent.lstmCell(input, hx, cx, wIh, wHh, bIh, bHh);
    }

    /** See {@link Recurrent#gruCell}. */
    public static Tensor gruCell(Tensor input, Tensor hx, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        return Recurrent.gruCell(input, hx, wIh, wHh, bIh, bHh);
    }
}
