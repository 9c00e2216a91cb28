package dev.ember.nn.functional;

import dev.ember.tensor.Tensor;
import java.util.Arrays;

/** Similarity between vectors, as {@code F.cosine_similarity}. */
public final class Similarity {
    private Similarity() {
    }

    /** Cosine similarity along dim 1 with eps 1e-8. */
    public static Tensor cosineSimilarity(Tensor x1, Tensor x2) {
        return cosineSimilarity(x1, x2, 1, 1e-8);
    }

    /**
     * sum(x1 / max(||x1||, eps) * x2 / max(||x2||, eps)) along {@code dim}, x1 and x2 broadcast to a common shape
     * first; the result has that shape without {@code dim}. As in PyTorch 1.13, the norms are clamped outside the
     * graph: below eps the gradient still flows through the norm, as d||x||/dx = x / max(||x||, eps).
     */
    public static Tensor cosineSimilarity(Tensor x1, Tensor x2, int dim, double eps) {
        Activations.requireFloat("cosineSimilarity", x1);
        Activations.requireFloat("cosineSimilarity", x2);
        long[] shape = broadcastShapes("cosineSimilarity", x1.shape(), x2.shape());
        if (dim < -shape.length || dim >= shape.length) {
            throw new IllegalArgumentException("cosineSimilarity: dim " + dim + " is out of range for the broadcast shape "
                    + Arrays.toString(shape) + " (expected [" + -shape.length + ", " + (shape.length - 1) + "])");
        }
        Tensor a = x1.expand(shape);
        Tensor b = x2.expand(shape);
        return a.div(clampedNorm(a, dim, eps)).mul(b.div(clampedNorm(b, dim, eps))).sum(dim, false);
    }

    /** max(||x||, eps) along dim (kept), whose gradient is x / max(||x||, eps) even where the clamp is active. */
    private static Tensor clampedNorm(Tensor x, int dim, double eps) {
        Tensor squares = x.mul(x).sum(dim, true);
        Tensor norm = squares.detach().sqrt().clampMin(eps);
        // squares - squares.detach() is exactly 0 but carries d(squares) = 2x dx, so the value is the clamped norm
        return norm.add(squares.sub(squares.detach()).div(norm.mul(2.0)));
    }

    /** PyTorch's broadcast of two shapes (aligned at the last dim, size 1 stretches). */
    static long[] broadcastShapes(String op, long[] a, long[] b) {
        int n = Math.max(a.length, b.length);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long da = i < n - a.length ? 1 : a[i - (n - a.length)];
            long db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " cannot be broadcast (size " + da + " vs " + db + " at dim " + i + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }
}
