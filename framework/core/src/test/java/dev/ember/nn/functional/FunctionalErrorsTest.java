package dev.ember.nn.functional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad arguments give an IllegalArgumentException naming the op, the shapes or values, and what was expected. */
class FunctionalErrorsTest {

    private static void fails(String message, Executable call) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    @Test
    void losses() {
        Tensor x = Tensor.randn(3, 4);
        fails("mseLoss: reduction must be \"mean\", \"sum\" or \"none\", got \"avg\"", () -> Losses.mseLoss(x, x, "avg"));
        fails("smoothL1Loss: does not support negative values for beta, got -1.0",
                () -> Losses.smoothL1Loss(x, x, "mean", -1));
        fails("huberLoss: does not support non-positive values for delta, got 0.0", () -> Losses.huberLoss(x, x, "mean", 0));
        fails("binaryCrossEntropy: target size [4] must be the same as the input size [3, 4]",
                () -> Losses.binaryCrossEntropy(x.sigmoid(), Tensor.rand(4)));
        fails("binaryCrossEntropy: all elements of input should be between 0 and 1, got values in [0.5, 1.5]",
                () -> Losses.binaryCrossEntropy(Tensor.of(new double[] {0.5, 1.5}, 2), Tensor.rand(2)));
        fails("klDiv: reduction must be \"mean\", \"sum\" or \"none\", got \"batch\"",
                () -> Losses.klDiv(x, x, "batch", false));
    }

    @Test
    void classification() {
        Tensor x = Tensor.randn(3, 4);
        fails("crossEntropy: target 7 is out of bounds for 4 classes (valid: 0..3 or ignore_index -100)",
                () -> Losses.crossEntropy(x, Tensor.of(new long[] {0, 1, 7}, 3)));
        fails("crossEntropy: expected target of shape [3] for input of shape [3, 4] (class dim 1), got [2]",
                () -> Losses.crossEntropy(x, Tensor.of(new long[] {0, 1}, 2)));
        fails("nllLoss: weight tensor should be defined either for all 4 classes or no classes but got weight tensor "
                + "of shape: [3]", () -> Losses.nllLoss(x, Tensor.of(new long[] {0, 1, 2}, 3), Tensor.ones(3), -100, "mean"));
        fails("crossEntropy: probability targets must have the input's shape [3, 4], got [3, 5]",
                () -> Losses.crossEntropy(x, Tensor.rand(3, 5)));
        fails("crossEntropy: label_smoothing must be between 0.0 and 1.0, got 1.5",
                () -> Losses.crossEntropy(x, Tensor.of(new long[] {0, 1, 2}, 3), null, -100, "mean", 1.5));
        fails("nllLoss: expected target of class indices with dtype torch.int64, got torch.float32",
                () -> Losses.nllLoss(x, Tensor.rand(3)));
        fails("crossEntropy: input must have at least 1 dimension (C) or (N, C, ...), got a 0-dim tensor",
                () -> Losses.crossEntropy(Tensor.scalar(1), Tensor.scalar(DType.INT64, 0)));
    }

    @Test
    void layers() {
        Tensor x = Tensor.randn(2, 3);
        fails("pad: padding length must be even and at most twice the input's dims (2 for shape [2, 3]), got [1]",
                () -> Padding.pad(x, new long[] {1}));
        fails("pad: padding (3, 0) at dim 1 of input [2, 3] is too large for mode \"reflect\" (must be less than the "
                + "dim's size 3)", () -> Padding.pad(x, new long[] {3, 0}, "reflect"));
        fails("pad: mode must be \"constant\", \"reflect\", \"replicate\" or \"circular\", got \"wrap\"",
                () -> Padding.pad(x, new long[] {1, 1}, "wrap"));
        fails("pad: mode \"replicate\" does not accept negative padding, got (-1, 0) for dim 1",
                () -> Padding.pad(x, new long[] {-1, 0}, "replicate"));
        fails("oneHot: class values must be smaller than num_classes (3), got 3",
                () -> Embeddings.oneHot(Tensor.of(new long[] {0, 3}, 2), 3));
        fails("oneHot: class values must be non-negative, got -1", () -> Embeddings.oneHot(Tensor.of(new long[] {-1}, 1)));
        fails("oneHot: can not infer the total number of classes from an empty tensor",
                () -> Embeddings.oneHot(Tensor.zeros(DType.INT64, 0)));
        fails("embedding: expected indices of dtype torch.int64, got torch.float32",
                () -> Embeddings.embedding(Tensor.zeros(2), Tensor.randn(3, 2)));
        fails("cosineSimilarity: shapes [2, 3] and [4] cannot be broadcast (size 3 vs 4 at dim 1)",
                () -> Similarity.cosineSimilarity(x, Tensor.randn(4)));
        fails("cosineSimilarity: dim 2 is out of range for the broadcast shape [2, 3] (expected [-2, 1])",
                () -> Similarity.cosineSimilarity(x, x, 2, 1e-8));
        fails("bilinear: weight must be 3-D (out, in1, in2), got shape [2, 3]",
                () -> Linears.bilinear(x, x, Tensor.randn(2, 3), null));
    }
}
