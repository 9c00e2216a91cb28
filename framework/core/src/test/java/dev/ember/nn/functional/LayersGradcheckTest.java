package dev.ember.nn.functional;

import static dev.ember.nn.functional.Leaves.check;
import static dev.ember.nn.functional.Leaves.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ember.Ember;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** gradcheck of cosineSimilarity, pad (every mode), embedding and bilinear, with broadcasting and views. */
class LayersGradcheckTest {

    @BeforeEach
    void seed() {
        Ember.manualSeed(3);
    }

    @Test
    void cosineSimilarity() {
        check(in -> Similarity.cosineSimilarity(in[0], in[1]), randn(3, 5), randn(3, 5));
        check(in -> Similarity.cosineSimilarity(in[0], in[1], 0, 1e-8), randn(3, 5), randn(3, 5));
        check(in -> Similarity.cosineSimilarity(in[0], in[1], 1, 1e-8), randn(1, 5), randn(3, 5));
        check(in -> Similarity.cosineSimilarity(in[0], in[1], -1, 1e-8), randn(2, 3, 4), randn(4));
        check(in -> Similarity.cosineSimilarity(in[0].t(), in[1], 1, 1e-8), randn(5, 3), randn(3, 5));
    }

    @Test
    void padEveryMode() {
        check(in -> Padding.pad(in[0], new long[] {1, 2}), randn(2, 3, 4));
        check(in -> Padding.pad(in[0], new long[] {1, 1, 2, 0}, "constant", 0.5), randn(2, 3, 4));
        check(in -> Padding.pad(in[0], new long[] {-1, 2, 1, -2}, "constant", 0), randn(2, 3, 4));
        check(in -> Padding.pad(in[0], new long[] {2, 3}, "reflect"), randn(2, 3, 4));
        check(in -> Padding.pad(in[0], new long[] {1, 2, 2, 1}, "reflect"), randn(2, 3, 4));
        check(in -> Padding.pad(in[0], new long[] {3, 1, 1, 2}, "replicate"), randn(2, 3, 4));
        check(in -> Padding.pad(in[0], new long[] {2, 1, 0, 3}, "circular"), randn(2, 3, 4));
        check(in -> Padding.pad(in[0].transpose(1, 2), new long[] {1, 2, 1, 1}, "reflect"), randn(2, 4, 3));
    }

    @Test
    void embedding() {
        Tensor idx = Tensor.of(new long[] {0, 2, 4, 2, 2, 1}, 2, 3);
        check(in -> Embeddings.embedding(idx, in[0]), randn(5, 3));
        check(in -> Embeddings.embedding(idx, in[0].t()), randn(3, 5));
        // with a padding index the padding row's gradient is zero (gradcheck would see its true derivative)
        Tensor w = randn(5, 3);
        Embeddings.embedding(idx, w, 2L).sum().backward();
        assertArrayEquals(new double[] {0, 0, 0}, w.grad().select(0, 2).toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {1, 1, 1}, w.grad().select(0, 1).toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {1, 1, 1}, w.grad().select(0, 0).toDoubleArray(), 0.0);
    }

    @Test
    void bilinear() {
        check(in -> Linears.bilinear(in[0], in[1], in[2], in[3]), randn(4, 2), randn(4, 3), randn(5, 2, 3), randn(5));
        check(in -> Linears.bilinear(in[0], in[1], in[2], null), randn(2, 3, 2), randn(2, 3, 3), randn(2, 2, 3));
        check(in -> Linears.bilinear(in[0].t(), in[1], in[2].transpose(1, 2), in[3]), randn(2, 4), randn(4, 3),
                randn(5, 3, 2), randn(5));
    }

    @Test
    void oneHot() {
        Tensor y = Embeddings.oneHot(Tensor.of(new long[] {2, 0}, 2), 3);
        assertEquals(DType.INT64, y.dtype());
        assertArrayEquals(new long[] {0, 0, 1, 1, 0, 0}, y.toLongArray());
        assertArrayEquals(new long[] {2, 3}, y.shape());
    }
}
