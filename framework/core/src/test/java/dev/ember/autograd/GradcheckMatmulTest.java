package dev.ember.autograd;

import static dev.ember.autograd.Gradchecks.check;
import static dev.ember.autograd.Gradchecks.randn;

import dev.ember.Ember;
import dev.ember.nn.functional.F;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** gradcheck of matmul (every rank combination PyTorch defines), bmm and mm, on contiguous and strided operands. */
class GradcheckMatmulTest {

    @BeforeEach
    void seed() {
        Ember.manualSeed(2024);
    }

    @Test
    void vectorVector() {
        check(in -> in[0].matmul(in[1]), randn(4), randn(4));
        check(in -> in[0].slice(0, 0, 7, 2).matmul(in[1].expand(4)), randn(7), randn(1));
    }

    @Test
    void matrixVector() {
        check(in -> in[0].matmul(in[1]), randn(2, 3), randn(3));
        check(in -> in[0].t().matmul(in[1]), randn(3, 2), randn(3));
    }

    @Test
    void vectorMatrix() {
        check(in -> in[0].matmul(in[1]), randn(3), randn(3, 2));
        check(in -> in[0].matmul(in[1].t()), randn(3), randn(2, 3));
    }

    @Test
    void matrixMatrix() {
        check(in -> in[0].matmul(in[1]), randn(2, 3), randn(3, 4));
        check(in -> in[0].t().matmul(in[1].t()), randn(3, 2), randn(4, 3));
        check(in -> in[0].narrow(0, 1, 2).matmul(in[1].slice(1, 0, 5, 2)), randn(4, 3), randn(3, 5));
        // the same leaf on both sides
        check(in -> in[0].matmul(in[0]), randn(3, 3));
        check(in -> in[0].matmul(in[0].t()), randn(2, 3));
    }

    @Test
    void batchedWithBroadcasting() {
        check(in -> in[0].matmul(in[1]), randn(2, 1, 3, 4), randn(3, 4, 5));
        check(in -> in[0].matmul(in[1]), randn(2, 3, 4), randn(4, 2));
        check(in -> in[0].matmul(in[1]), randn(3, 2), randn(2, 2, 3));
        check(in -> in[0].matmul(in[1]), randn(2, 2, 3), randn(3));
        check(in -> in[0].matmul(in[1]), randn(3), randn(2, 3, 2));
        // strided batched operands: a permuted batch, an expanded batch
        check(in -> in[0].permute(1, 0, 2).matmul(in[1].expand(2, 3, 2)), randn(2, 2, 3), randn(3, 2));
        check(in -> in[0].transpose(-1, -2).matmul(in[1]), randn(2, 3, 2), randn(1, 3, 2));
    }

    @Test
    void bmm() {
        check(in -> in[0].bmm(in[1]), randn(2, 2, 3), randn(2, 3, 2));
        check(in -> in[0].transpose(1, 2).bmm(in[1].permute(0, 2, 1)), randn(2, 3, 2), randn(2, 4, 3));
        check(in -> in[0].expand(2, 2, 3).bmm(in[1]), randn(1, 2, 3), randn(2, 3, 2));
    }

    @Test
    void mm() {
        check(in -> in[0].mm(in[1]), randn(2, 3), randn(3, 2));
        check(in -> in[0].t().mm(in[1].t()), randn(3, 2), randn(4, 3));
        check(in -> in[0].expand(3, 3).mm(in[1]), randn(1, 3), randn(3, 2));
    }

    /** A 1-D bias takes the fused bmmBias path (AddmmBackward0), any other bias the composite. */
    @Test
    void addmm() {
        check(in -> in[0].addmm(in[1], in[2]), randn(4), randn(3, 5), randn(5, 4));
        check(in -> in[0].addmm(in[1].t(), in[2].t()), randn(4), randn(5, 3), randn(4, 5));
        check(in -> in[0].addmm(in[1], in[2]), randn(3, 4), randn(3, 5), randn(5, 4));
        check(in -> in[0].expand(4).addmm(in[1], in[2]), randn(1), randn(3, 5), randn(5, 4));
    }

    /** An input the product repeats (per row, per column, per matrix) takes the fused path (BaddbmmBackward0). */
    @Test
    void baddbmm() {
        check(in -> in[0].baddbmm(in[1], in[2]), randn(3, 1), randn(2, 3, 4), randn(2, 4, 5));
        check(in -> in[0].baddbmm(in[1], in[2]), randn(5), randn(2, 3, 4), randn(2, 4, 5));
        check(in -> in[0].baddbmm(in[1].expand(2, 3, 4), in[2]), randn(1, 3, 1), randn(3, 4), randn(2, 4, 5));
        check(in -> in[0].baddbmm(in[1], in[2]), randn(2, 3, 5), randn(2, 3, 4), randn(2, 4, 5));
        check(in -> in[0].baddbmm(in[1], in[2]), randn(1, 3, 5), randn(2, 3, 4), randn(2, 4, 5)); // a mask
    }

    @Test
    void linear() {
        check(in -> F.linear(in[0], in[1], in[2]), randn(2, 3, 5), randn(4, 5), randn(4));
        check(in -> F.linear(in[0], in[1], in[2]), randn(5), randn(4, 5), randn(4));
        // the same weight twice: its gradient arrives as two products
        check(in -> F.linear(in[0], in[1], in[2]).add(F.linear(in[0].mul(2.0), in[1], null)), randn(3, 5),
                randn(4, 5), randn(4));
    }

    @Test
    void composedLayer() {
        // a tiny linear layer with bias and a non-linearity: x @ W^T + b
        check(in -> in[0].matmul(in[1].t()).add(in[2]).tanh(), randn(3, 4), randn(2, 4), randn(2));
    }
}
