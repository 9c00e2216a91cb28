package dev.ember.tensor;

import dev.ember.backend.Backend;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.Strided;

/**
 * matmul with PyTorch's rules, reduced to one primitive: the batched product {@link #bmm} of 3-D tensors.
 * 1-D operands get a dim added and removed again; batch dims broadcast; the expand/reshape views carry the
 * gradient back to the original shapes.
 */
final class MatMul {
    private MatMul() {
    }

    private static void check(String op, Tensor a, Tensor b) {
        Elementwise.sameDevice(op, a, b);
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(op + ": expected both operands to have the same dtype, but got "
                    + a.dtype().torchName() + " and " + b.dtype().torchName() + " (shapes " + Shapes.str(a.shape)
                    + " and " + Shapes.str(b.shape) + ")");
        }
        if (a.dtype() == DType.BOOL) {
            throw new IllegalArgumentException(op + ": not supported for bool tensors");
        }
    }

    static Tensor matmul(Tensor a, Tensor b) {
        if (a.dim() == 0 || b.dim() == 0) {
            throw new IllegalArgumentException("matmul: both arguments need at least 1 dimension, but they have "
                    + a.dim() + " and " + b.dim() + " (shapes " + Shapes.str(a.shape) + " and " + Shapes.str(b.shape) + ")");
        }
        check("matmul", a, b);
        int ka = a.shape[a.dim() - 1];
        int kb = b.dim() == 1 ? b.shape[0] : b.shape[b.dim() - 2];
        if (ka != kb) {
            throw new IllegalArgumentException("matmul: shapes " + Shapes.str(a.shape) + " and " + Shapes.str(b.shape)
                    + " cannot be multiplied (" + ka + " != " + kb + ")");
        }
        if (a.dim() >= 3 && b.dim() == 2) {
            // a stack of matrices times one matrix: fold the batch into the rows, one (B*N, K) @ (K, M) product
            // as PyTorch does, instead of a batch of small products and a batch-sum of b's gradient
            long[] outShape = a.shape();
            outShape[outShape.length - 1] = b.shape[1];
            return bmm(a.reshape(1, -1, ka), b.unsqueeze(0)).reshape(outShape);
        }
        Tensor a2 = a.dim() == 1 ? a.unsqueeze(0) : a;
        Tensor b2 = b.dim() == 1 ? b.unsqueeze(1) : b;
        int[] batchA = java.util.Arrays.copyOf(a2.shape, a2.dim() - 2);
        int[] batchB = java.util.Arrays.copyOf(b2.shape, b2.dim() - 2);
        int[] batch;
        try {
            batch = Shapes.broadcast("matmul", batchA, batchB);
        } catch (IllegalArgumentException e) {
            // name the operands' full shapes: the batch-only shapes alone would not match what the caller passed
            throw new IllegalArgumentException("matmul: shapes " + Shapes.str(a.shape) + " and " + Shapes.str(b.shape)
                    + " cannot be multiplied: batch dimensions " + Shapes.str(batchA) + " and " + Shapes.str(batchB)
                    + " cannot be broadcast", e);
        }
        int n = a2.shape[a2.dim() - 2];
        int m = b2.shape[b2.dim() - 1];
        long batchSize = Shapes.numel(batch);
        Tensor a3 = a2.expand(concat(batch, n, ka)).reshape(batchSize, n, ka);
        Tensor b3 = b2.expand(concat(batch, ka, m)).reshape(batchSize, ka, m);
        Tensor out = bmm(a3, b3).reshape(concat(batch, n, m));
        if (a.dim() == 1) {
            out = out.squeeze(-2);
        }
        if (b.dim() == 1) {
            out = out.squeeze(-1);
        }
        return out;
    }

    private static long[] concat(int[] batch, int r, int c) {
        long[] s = new long[batch.length + 2];
        for (int i = 0; i < batch.length; i++) {
            s[i] = batch[i];
        }
        s[batch.length] = r;
        s[batch.length + 1] = c;
        return s;
    }

    static Tensor mm(Tensor a, Tensor b) {
        if (a.dim() != 2 || b.dim() != 2) {
            throw new IllegalArgumentException("mm: expected 2-D tensors, got shapes " + Shapes.str(a.shape) + " and "
                    + Shapes.str(b.shape));
        }
        return matmul(a, b);
    }

    /** (B, N, K) @ (B, K, M) -> (B, N, M); the gradients are two more bmm's with transposed views. */
    static Tensor bmm(Tensor a, Tensor b) {
        return bmm(a, b, null, "BmmBackward0");
    }

    /**
     * {@code bias + mat1 @ mat2} (torch.addmm with beta = alpha = 1): mat1 (n, k), mat2 (k, m), bias broadcastable
     * to (n, m). A bias of shape (m) and the operands' dtype and device is added in the product's epilogue (one
     * kernel, F.linear's case); any other bias is added after the product.
     */
    static Tensor addmm(Tensor bias, Tensor mat1, Tensor mat2) {
        if (mat1.dim() != 2 || mat2.dim() != 2) {
            throw new IllegalArgumentException("addmm: expected 2-D matrices, got shapes " + Shapes.str(mat1.shape)
                    + " and " + Shapes.str(mat2.shape));
        }
        check("addmm", mat1, mat2);
        if (mat1.shape[1] != mat2.shape[0]) {
            throw new IllegalArgumentException("addmm: shapes " + Shapes.str(mat1.shape) + " and "
                    + Shapes.str(mat2.shape) + " cannot be multiplied (" + mat1.shape[1] + " != " + mat2.shape[0] + ")");
        }
        int[] outShape = {mat1.shape[0], mat2.shape[1]};
        if (!java.util.Arrays.equals(Shapes.broadcast("addmm", bias.shape, outShape), outShape)) {
            throw new IllegalArgumentException("addmm: the input of shape " + Shapes.str(bias.shape)
                    + " does not broadcast to the product's shape " + Shapes.str(outShape));
        }
        if (bias.dim() == 1 && bias.dtype() == mat1.dtype() && bias.device().equals(mat1.device())) {
            return bmm(mat1.unsqueeze(0), mat2.unsqueeze(0), bias, "AddmmBackward0").squeeze(0);
        }
        return bias.add(mat1.mm(mat2));
    }

    /**
     * {@code input + batch1 @ batch2} (torch.baddbmm with beta = alpha = 1): batch1 (B, N, K), batch2 (B, K, M),
     * input broadcastable to (B, N, M). An input of the operands' dtype and device is added in the product's
     * epilogue (a convolution's bias per row, an attention mask per matrix); any other after it.
     */
    static Tensor baddbmm(Tensor input, Tensor batch1, Tensor batch2) {
        check("baddbmm", batch1, batch2);
        if (batch1.dim() != 3 || batch2.dim() != 3 || batch1.shape[0] != batch2.shape[0]
                || batch1.shape[2] != batch2.shape[1]) {
            throw new IllegalArgumentException("baddbmm: expected (B, N, K) and (B, K, M) tensors, got shapes "
                    + Shapes.str(batch1.shape) + " and " + Shapes.str(batch2.shape));
        }
        int[] outShape = {batch1.shape[0], batch1.shape[1], batch2.shape[2]};
        if (!java.util.Arrays.equals(Shapes.broadcast("baddbmm", input.shape, outShape), outShape)) {
            throw new IllegalArgumentException("baddbmm: the input of shape " + Shapes.str(input.shape)
                    + " does not broadcast to the product's shape " + Shapes.str(outShape));
        }
        if (input.dtype() == batch1.dtype() && input.device().equals(batch1.device())) {
            return bmm(batch1, batch2, input, "BaddbmmBackward0");
        }
        return input.add(batch1.bmm(batch2));
    }

    /**
     * {@link #bmm}, plus {@code input} (nullable; broadcastable to the product's shape, of its dtype and device), as
     * the node {@code name}. An input that the product's shape repeats is added in the backend's GEMM epilogue
     * where it can; one as large as the product is added after it (its gradient would be the product's own).
     */
    private static Tensor bmm(Tensor a, Tensor b, Tensor input, String name) {
        check("bmm", a, b);
        if (a.dim() != 3 || b.dim() != 3 || a.shape[0] != b.shape[0] || a.shape[2] != b.shape[1]) {
            throw new IllegalArgumentException("bmm: expected (B, N, K) and (B, K, M) tensors, got shapes "
                    + Shapes.str(a.shape) + " and " + Shapes.str(b.shape));
        }
        int[] outShape = {a.shape[0], a.shape[1], b.shape[2]};
        if (input != null && input.numel() >= Shapes.numel(outShape)) {
            return input.add(bmm(a, b));
        }
        Tensor out = Creation.output(a.dtype(), outShape, a);
        if (out.numel() > 0) {
            Backend be = out.backend();
            if (input == null) {
                be.bmm(a.strided(), b.strided(), out.strided());
            } else {
                Strided addend = Elementwise.prepare(input, out.dtype(), out.shape).strided(); // stride 0 repeats
                if (!be.bmmAdd(a.strided(), b.strided(), addend, out.strided())) {
                    be.bmm(a.strided(), b.strided(), out.strided());
                    be.binary(BinaryOp.ADD, out.strided(), addend, out.strided());
                }
            }
        }
        // only the gradients that are needed (an input batch needs none); when an operand is a transposed view
        // (a weight in F.linear), its gradient is computed transposed, so it comes out in the operand's own layout
        // and needs no strided copy later; all are new buffers, so a weight (a leaf) keeps its gradient as it is
        Tensor[] inputs = input == null ? new Tensor[] {a, b} : new Tensor[] {a, b, input};
        return Graph.recordFresh(name, out, inputs, new Tensor[] {a, b}, g -> {
            Tensor ga = null;
            Tensor gb = null;
            if (a.requiresGrad) {
                ga = columnMajor(a) ? b.bmm(g.transpose(1, 2)).transpose(1, 2) : g.bmm(b.transpose(1, 2));
            }
            if (b.requiresGrad) {
                gb = columnMajor(b) ? g.transpose(1, 2).bmm(a).transpose(1, 2) : a.transpose(1, 2).bmm(g);
            }
            if (input == null) {
                return new Tensor[] {ga, gb};
            }
            // smaller than g, so summing to its size makes a new buffer (fresh, as the node declares)
            return new Tensor[] {ga, gb, input.requiresGrad ? g.sumToSize(input.shape()) : null};
        });
    }

    /** A (B, R, C) view whose columns are contiguous: the transpose of a row-major tensor. */
    private static boolean columnMajor(Tensor t) {
        return t.strides[1] == 1 && t.shape[1] > 1 && t.strides[2] != 1;
    }
}
