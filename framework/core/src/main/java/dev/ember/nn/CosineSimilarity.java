package dev.ember.nn;

import dev.ember.nn.functional.Similarity;
import dev.ember.tensor.Tensor;

/** Cosine similarity of x1 and x2 along {@code dim} (default 1, eps 1e-8): (*, D, *) -> (*, *) after broadcasting. */
public class CosineSimilarity extends Module {
    public final int dim;
    public final double eps;

    public CosineSimilarity() {
        this(1, 1e-8);
    }

    public CosineSimilarity(int dim, double eps) {
        this.dim = dim;
        this.eps = eps;
    }

    public Tensor forward(Tensor x1, Tensor x2) {
        return Similarity.cosineSimilarity(x1, x2, dim, eps);
    }
}
