package dev.ember.autograd;

import static dev.ember.autograd.Gradchecks.check;
import static dev.ember.autograd.Gradchecks.randn;

import dev.ember.Ember;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gradcheck of views and joins. Each view is followed by a non-linear op (mul by itself or by weights) so the
 * gradient that flows back is not all ones, and each is applied to contiguous and strided inputs.
 */
class GradcheckShapeTest {

    @BeforeEach
    void seed() {
        Ember.manualSeed(4242);
    }

    /**
     * Distinct, deterministic weights sin(0.7 k) of the given shape: they make the gradient of a view position
     * dependent. Deterministic so that calling this inside the checked function gives the same function each time.
     */
    private static Tensor weights(long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return Tensor.arange(DType.FLOAT64, 1, n + 1, 1).mul(0.7).sin().reshape(shape);
    }

    @Test
    void reshapeAndView() {
        Tensor x = randn(2, 3, 2);
        Tensor w = weights(3, 4);
        check(in -> in[0].reshape(3, 4).mul(w), x);
        check(in -> in[0].reshape(-1, 4).mul(w), x);
        check(in -> in[0].view(3, -1).mul(w), x);
        check(in -> in[0].view(12).mul(w.reshape(12)), x);
        // reshape of a non-viewable (transposed) tensor copies; the gradient still maps back
        check(in -> in[0].transpose(0, 2).reshape(4, 3).mul(w.t()), x);
        check(in -> in[0].expand(2, 2, 3).reshape(4, 3).mul(w.t()), randn(2, 1, 3));
        // view of a viewable strided tensor (merging dims that are contiguous with each other)
        check(in -> in[0].permute(1, 0, 2).view(3, 4).mul(w), randn(1, 3, 4));
    }

    @Test
    void transposeAndT() {
        Tensor x = randn(2, 3, 4);
        Tensor w = weights(4, 3, 2);
        check(in -> in[0].transpose(0, 2).mul(w), x);
        check(in -> in[0].transpose(-1, -3).mul(w), x);
        check(in -> in[0].transpose(1, 1).mul(in[0]), randn(2, 3));
        check(in -> in[0].t().mul(weights(3, 2)), randn(2, 3));
        check(in -> in[0].t().mul(in[0].t()), randn(3));
        check(in -> in[0].narrow(0, 1, 2).t().mul(weights(3, 2)), randn(4, 3));
    }

    @Test
    void permute() {
        Tensor x = randn(2, 3, 4);
        check(in -> in[0].permute(2, 0, 1).mul(weights(4, 2, 3)), x);
        check(in -> in[0].permute(-1, -3, -2).mul(weights(4, 2, 3)), x);
        check(in -> in[0].transpose(0, 1).permute(1, 2, 0).mul(weights(2, 4, 3)), x);
    }

    @Test
    void expandAndExpandAs() {
        check(in -> in[0].expand(2, 3).mul(weights(2, 3)), randn(3));
        check(in -> in[0].expand(4, -1, 3).mul(weights(4, 2, 3)), randn(2, 1));
        check(in -> in[0].expand(2, 2, 3).mul(weights(2, 2, 3)), randn(1, 3));
        Tensor target = Tensor.zeros(3, 2, 4);
        check(in -> in[0].expandAs(target).mul(weights(3, 2, 4)), randn(2, 1));
        // expanding a non-contiguous view
        check(in -> in[0].t().expand(2, 3, 2).mul(weights(2, 3, 2)), randn(2, 3));
    }

    @Test
    void squeezeAndUnsqueeze() {
        Tensor x = randn(2, 1, 3, 1);
        check(in -> in[0].squeeze().mul(weights(2, 3)), x);
        check(in -> in[0].squeeze(1).mul(weights(2, 3, 1)), x);
        check(in -> in[0].squeeze(-1).mul(weights(2, 1, 3)), x);
        check(in -> in[0].squeeze(0).mul(weights(2, 1, 3, 1)), x); // size 2: no-op view
        check(in -> in[0].unsqueeze(0).mul(weights(1, 2, 3)), randn(2, 3));
        check(in -> in[0].unsqueeze(-1).mul(weights(2, 3, 1)), randn(2, 3));
        check(in -> in[0].unsqueeze(1).mul(weights(2, 4, 3)), randn(2, 3));
        check(in -> in[0].t().unsqueeze(-2).mul(weights(3, 1, 2)), randn(2, 3));
    }

    @Test
    void narrowSliceSelect() {
        Tensor x = randn(4, 5);
        check(in -> in[0].narrow(0, 1, 2).mul(weights(2, 5)), x);
        check(in -> in[0].narrow(-1, 2, 3).mul(weights(4, 3)), x);
        check(in -> in[0].slice(1, 0, 5, 2).mul(weights(4, 3)), x);
        check(in -> in[0].slice(-2, 1, 4, 2).mul(weights(2, 5)), x);
        check(in -> in[0].slice(0, -3, 4, 2).mul(weights(2, 5)), x);
        check(in -> in[0].select(0, -1).mul(weights(5)), x);
        check(in -> in[0].select(-1, 2).mul(weights(4)), x);
        check(in -> in[0].select(1, -5).mul(weights(4)), x);
        // on strided inputs: a slice of a transpose, a select of an expand
        check(in -> in[0].t().slice(0, 1, 5, 2).mul(weights(2, 4)), x);
        check(in -> in[0].expand(3, 5).select(0, 1).mul(weights(5)), randn(5));
        check(in -> in[0].permute(1, 0).narrow(0, 1, 3).select(-1, -2).mul(weights(3)), x);
    }

    @Test
    void flatten() {
        Tensor x = randn(2, 3, 2);
        check(in -> in[0].flatten().mul(weights(12)), x);
        check(in -> in[0].flatten(1, -1).mul(weights(2, 6)), x);
        check(in -> in[0].flatten(0, 1).mul(weights(6, 2)), x);
        check(in -> in[0].transpose(0, 2).flatten().mul(weights(12)), x);
    }

    @Test
    void contiguousAndClone() {
        Tensor x = randn(2, 3);
        check(in -> in[0].contiguous().mul(in[0]), x);
        check(in -> in[0].t().contiguous().mul(weights(3, 2)), x);
        check(in -> in[0].clone().mul(in[0]), x);
        check(in -> in[0].expand(2, 2, 3).clone().mul(weights(2, 2, 3)), x);
    }

    @Test
    void cat() {
        check(in -> Tensor.cat(List.of(in[0], in[1]), 0).mul(weights(5, 3)), randn(2, 3), randn(3, 3));
        check(in -> Tensor.cat(List.of(in[0], in[1], in[0]), -1).mul(weights(2, 5)), randn(2, 2), randn(2, 1));
        // strided pieces: a transpose, an expand, a slice
        check(in -> Tensor.cat(List.of(in[0].t(), in[1].expand(2, 3), in[0].slice(-1, 1, 2, 2).t()), 0)
                .mul(weights(5, 3)), randn(3, 2), randn(3));
        // a constant float32 piece promotes to float64 and takes no gradient
        Tensor constant = Tensor.ones(1, 3);
        check(in -> Tensor.cat(List.of(constant, in[0]), 0).mul(weights(3, 3)), randn(2, 3));
    }

    @Test
    void stack() {
        check(in -> Tensor.stack(List.of(in[0], in[1]), 0).mul(weights(2, 2, 3)), randn(2, 3), randn(2, 3));
        check(in -> Tensor.stack(List.of(in[0], in[1]), -1).mul(weights(2, 3, 2)), randn(2, 3), randn(2, 3));
        check(in -> Tensor.stack(List.of(in[0].t(), in[1].expand(3, 2), in[0].t()), 1).mul(weights(3, 3, 2)),
                randn(2, 3), randn(2));
    }

    @Test
    void splitAndChunk() {
        Tensor x = randn(5, 2);
        check(in -> in[0].split(2, 0).get(1).mul(weights(2, 2)), x);
        check(in -> in[0].split(2, 0).get(2).mul(weights(1, 2)), x);
        check(in -> in[0].split(new long[] {1, 3, 1}, 0).get(1).mul(weights(3, 2)), x);
        check(in -> in[0].split(1, -1).get(0).mul(weights(5, 1)), x);
        check(in -> in[0].chunk(3, 0).get(0).mul(weights(2, 2)), x);
        check(in -> in[0].chunk(2, -1).get(1).mul(weights(5, 1)), x);
        check(in -> in[0].t().chunk(2, -1).get(1).mul(weights(2, 2)), x);
        // two pieces of one tensor recombined: both paths accumulate into the same leaf
        check(in -> {
            List<Tensor> parts = in[0].chunk(2, 1);
            return parts.get(0).mul(parts.get(1));
        }, randn(3, 4));
    }
}
