package dev.ember.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.nn.functional.Activations;
import dev.ember.nn.functional.Losses;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The activation, shape and loss modules: they call the functional ops with their stored arguments. */
class LayersAndLossModulesTest {

    @BeforeEach
    void seed() {
        Ember.manualSeed(8);
    }

    private static void same(Tensor want, Tensor got) {
        assertArrayEquals(want.shape(), got.shape());
        assertArrayEquals(want.toDoubleArray(), got.toDoubleArray(), 0.0);
    }

    @Test
    void activationModulesUseTheirArguments() {
        Tensor x = Tensor.randn(DType.FLOAT64, 2, 3, 4);
        same(Activations.leakyRelu(x, 0.2), new LeakyReLU(0.2).forward(x));
        same(Activations.elu(x, 0.5), new ELU(0.5).forward(x));
        same(Activations.gelu(x, "tanh"), new GELU("tanh").forward(x));
        same(Activations.softplus(x, 2, 1), new Softplus(2, 1).forward(x));
        same(x.softmax(-1), new Softmax(-1).forward(x));
        same(x.logSoftmax(0), new LogSoftmax(0).forward(x));
        // dim=None: PyTorch picks 0 for 0-, 1- and 3-D inputs, 1 otherwise
        same(x.softmax(0), new Softmax().forward(x));
        Tensor m = Tensor.randn(DType.FLOAT64, 2, 5);
        same(m.softmax(1), new Softmax().forward(m));
        same(m.logSoftmax(1), new LogSoftmax().forward(m));
        assertSame(x, new Identity().forward(x));
        assertArrayEquals(new long[] {2, 12}, new Flatten().forward(x).shape());
        assertArrayEquals(new long[] {6, 4}, new Flatten(0, 1).forward(x).shape());
        assertThrows(IllegalArgumentException.class, () -> new GELU("fast"));
    }

    @Test
    void lossModulesUseTheirArguments() {
        Tensor x = Tensor.randn(DType.FLOAT64, 4, 3);
        Tensor y = Tensor.randn(DType.FLOAT64, 4, 3);
        same(Losses.mseLoss(x, y, "sum"), new MSELoss("sum").forward(x, y));
        same(Losses.l1Loss(x, y), new L1Loss().forward(x, y));
        same(Losses.smoothL1Loss(x, y, "none", 0.3), new SmoothL1Loss("none", 0.3).forward(x, y));
        same(Losses.huberLoss(x, y, "mean", 0.4), new HuberLoss("mean", 0.4).forward(x, y));
        Tensor p = x.sigmoid();
        Tensor t = y.sigmoid();
        Tensor w = Tensor.rand(DType.FLOAT64, 3);
        same(Losses.binaryCrossEntropy(p, t, w, "sum"), new BCELoss(w, "sum").forward(p, t));
        same(Losses.binaryCrossEntropyWithLogits(x, t, w, w.add(1.0), "none"),
                new BCEWithLogitsLoss(w, "none", w.add(1.0)).forward(x, t));
        same(Losses.klDiv(x.logSoftmax(1), t, "batchmean", false),
                new KLDivLoss("batchmean", false).forward(x.logSoftmax(1), t));
        Tensor idx = Tensor.of(new long[] {0, 2, 1, 1}, 4);
        same(Losses.crossEntropy(x, idx, w, 1, "mean", 0.1), new CrossEntropyLoss(w, 1, "mean", 0.1).forward(x, idx));
        same(Losses.nllLoss(x, idx, w, 2, "sum"), new NLLLoss(w, 2, "sum").forward(x, idx));
        same(dev.ember.nn.functional.Similarity.cosineSimilarity(x, y, 0, 1e-6),
                new CosineSimilarity(0, 1e-6).forward(x, y));
    }

    @Test
    void lossWeightsAreBuffersThatFollowTheDtype() {
        CrossEntropyLoss ce = new CrossEntropyLoss(Tensor.ones(3), -100, "mean", 0);
        assertEquals(List.of("weight"), List.copyOf(ce.stateDict().keySet()));
        ce.to(DType.FLOAT64);
        assertEquals(DType.FLOAT64, ce.weight().dtype());
        assertTrue(new CrossEntropyLoss().stateDict().isEmpty());
        var e = assertThrows(IllegalArgumentException.class, () -> new MSELoss("avg"));
        assertEquals("MSELoss: reduction must be \"mean\", \"sum\" or \"none\", got \"avg\"", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new L1Loss("batchmean"));
        assertEquals("batchmean", new KLDivLoss("batchmean", false).reduction);
        assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss(null, -100, "mean", 1.5));
    }

    @Test
    void embeddingFromPretrained() {
        Tensor table = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Embedding frozen = Embedding.fromPretrained(table, true, null);
        assertFalse(frozen.weight.requiresGrad());
        same(table, frozen.weight);
        Tensor out = frozen.forward(Tensor.of(new long[] {2, 0}, 2));
        assertArrayEquals(new double[] {5, 6, 1, 2}, out.toDoubleArray(), 0);
        Embedding trainable = Embedding.fromPretrained(table, false, 1L);
        assertTrue(trainable.weight.requiresGrad());
        assertArrayEquals(new double[] {3, 4}, trainable.weight.select(0, 1).toDoubleArray(), 0); // kept, not zeroed
        var e = assertThrows(IllegalArgumentException.class, () -> new Embedding(4, 2, 4L));
        assertTrue(e.getMessage().contains("padding_idx 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> frozen.forward(Tensor.of(new long[] {3}, 1)));
        assertEquals("embedding: index 3 is out of range for 3 embeddings (weight shape [3, 2])", e.getMessage());
    }

    @Test
    void bilinearShapes() {
        Bilinear b = new Bilinear(2, 3, 4);
        assertArrayEquals(new long[] {5, 4}, b.forward(Tensor.randn(5, 2), Tensor.randn(5, 3)).shape());
        assertArrayEquals(new long[] {2, 5, 4}, b.forward(Tensor.randn(2, 5, 2), Tensor.randn(2, 5, 3)).shape());
        var e = assertThrows(IllegalArgumentException.class, () -> b.forward(Tensor.randn(5, 2), Tensor.randn(4, 3)));
        assertTrue(e.getMessage().startsWith("bilinear: inputs of shapes [5, 2] and [4, 3] do not match weight [4, 2, 3]"),
                e.getMessage());
        assertEquals(List.of("weight", "bias"), List.copyOf(b.stateDict().keySet()));
    }
}
