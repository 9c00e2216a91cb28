package dev.ember.nn.functional;

import static dev.ember.nn.functional.Leaves.check;
import static dev.ember.nn.functional.Leaves.randn;
import static dev.ember.nn.functional.Leaves.uniform;

import dev.ember.Ember;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gradcheck of every loss, each reduction, with respect to the input and (floating-point targets) the target;
 * broadcasting and non-contiguous inputs; class weights, ignored targets, label smoothing, K-dim and probability
 * targets.
 */
class LossesGradcheckTest {
    private static final String[] REDUCTIONS = {"mean", "sum", "none"};

    @BeforeEach
    void seed() {
        Ember.manualSeed(5);
    }

    @Test
    void regression() {
        for (String r : REDUCTIONS) {
            check(in -> Losses.mseLoss(in[0], in[1], r), randn(3, 4), randn(3, 4));
            check(in -> Losses.l1Loss(in[0], in[1], r), randn(3, 4), randn(3, 4));
            check(in -> Losses.smoothL1Loss(in[0], in[1], r, 0.7), randn(3, 4), randn(3, 4));
            check(in -> Losses.huberLoss(in[0], in[1], r, 0.6), randn(3, 4), randn(3, 4));
        }
        // broadcasting target, transposed input
        check(in -> Losses.mseLoss(in[0].t(), in[1]), randn(4, 3), randn(4));
        check(in -> Losses.l1Loss(in[0], in[1].t(), "sum"), randn(3, 4), randn(4, 3));
        check(in -> Losses.smoothL1Loss(in[0], in[1], "mean", 0.0), randn(3, 4), randn(1, 4));
        check(in -> Losses.huberLoss(in[0].t(), in[1], "none", 2.0), randn(4, 3), randn(3, 1));
    }

    @Test
    void binary() {
        Tensor w = uniform(0.5, 2, 4);
        for (String r : REDUCTIONS) {
            check(in -> Losses.binaryCrossEntropy(in[0], in[1], null, r), uniform(0.1, 0.9, 3, 4), uniform(0, 1, 3, 4));
            check(in -> Losses.binaryCrossEntropy(in[0], in[1], in[2], r), uniform(0.1, 0.9, 3, 4), uniform(0, 1, 3, 4), w);
            check(in -> Losses.binaryCrossEntropyWithLogits(in[0], in[1], in[2], in[3], r),
                    randn(3, 4), uniform(0, 1, 3, 4), w, uniform(0.5, 3, 4));
        }
        check(in -> Losses.binaryCrossEntropy(in[0].t(), in[1]), uniform(0.1, 0.9, 4, 3), uniform(0, 1, 3, 4));
        check(in -> Losses.binaryCrossEntropyWithLogits(in[0].t(), in[1]), randn(4, 3).mul(5.0).detach().requiresGrad(true),
                uniform(0, 1, 3, 4));
    }

    @Test
    void klDivergence() {
        for (String r : new String[] {"mean", "sum", "none", "batchmean"}) {
            check(in -> Losses.klDiv(in[0].logSoftmax(1), in[1], r, false), randn(3, 4), uniform(0.05, 1, 3, 4));
            check(in -> Losses.klDiv(in[0], in[1], r, true), randn(3, 4), randn(3, 4));
        }
        check(in -> Losses.klDiv(in[0].t(), in[1]), randn(4, 3), uniform(0.05, 1, 3, 4));
    }

    private static Tensor longs(long[] v, long... shape) {
        return Tensor.of(v, shape);
    }

    @Test
    void crossEntropyIndexTargets() {
        Tensor t = longs(new long[] {0, 3, -100, 1, 2}, 5);
        Tensor w = uniform(0.3, 2, 4).detach();
        for (String r : REDUCTIONS) {
            for (double ls : new double[] {0.0, 0.2}) {
                check(in -> Losses.crossEntropy(in[0], t, null, -100, r, ls), randn(5, 4));
                check(in -> Losses.crossEntropy(in[0], t, w, -100, r, ls), randn(5, 4));
                Tensor clean = longs(new long[] {0, 3, 2, 1, 3}, 5);
                check(in -> Losses.crossEntropy(in[0], clean, in[1], 3, r, ls), randn(5, 4), uniform(0.3, 2, 4));
            }
        }
        check(in -> Losses.crossEntropy(in[0].t(), longs(new long[] {1, 0, 2}, 3)), randn(4, 3));
        check(in -> Losses.crossEntropy(in[0], Tensor.scalar(DType.INT64, 2)), randn(4));
        check(in -> Losses.crossEntropy(in[0], Tensor.scalar(DType.INT64, 2), w, -100, "none", 0.1), randn(4));
    }

    @Test
    void crossEntropyKDimAndProbabilities() {
        Tensor tk = longs(new long[] {0, 2, -100, 1, 2, 2, 0, -100}, 2, 4);
        Tensor wk = uniform(0.3, 2, 3).detach();
        for (String r : REDUCTIONS) {
            check(in -> Losses.crossEntropy(in[0], tk, wk, -100, r, 0.2), randn(2, 3, 4));
            check(in -> Losses.nllLoss(in[0], tk, wk, -100, r), randn(2, 3, 4));
            check(in -> Losses.crossEntropy(in[0], in[1].softmax(1), wk, -100, r, 0.3), randn(5, 3), randn(5, 3));
            check(in -> Losses.crossEntropy(in[0], in[1].softmax(1), null, -100, r, 0.0), randn(2, 3, 4), randn(2, 3, 4));
        }
        check(in -> Losses.crossEntropy(in[0], in[1].softmax(0)), randn(4), randn(4));
        check(in -> Losses.crossEntropy(in[0].permute(0, 2, 1), tk), randn(2, 4, 3));
    }

    @Test
    void nll() {
        Tensor t = longs(new long[] {0, 3, -100, 1, 2}, 5);
        for (String r : REDUCTIONS) {
            check(in -> Losses.nllLoss(in[0], t, null, -100, r), randn(5, 4));
            check(in -> Losses.nllLoss(in[0], t, in[1], -100, r), randn(5, 4), uniform(0.3, 2, 4));
        }
        check(in -> Losses.nllLoss(in[0].t(), longs(new long[] {1, 1, 0}, 3)), randn(4, 3));
        check(in -> Losses.nllLoss(in[0], Tensor.scalar(DType.INT64, 1), null, -100, "none"), randn(4));
    }
}
