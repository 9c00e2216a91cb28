package dev.ember.tensor;

import dev.ember.backend.Backend;
import dev.ember.backend.Window2d;

/**
 * Convolution and max pooling as one graph node each, over the backend's kernels. A convolution is one node
 * (PyTorch's {@code ConvolutionBackward0}) over the backend's convolution kernels ({@link Backend#conv2d}), for
 * {@code F.conv2d} with one group. The gradient of the input is computed only when the input requires one (the
 * images fed to a first layer do not), the bias's is a sum. Null when the backend has no kernel for the operands:
 * {@code F.conv2d} then runs its composite, im2col and a matrix product, which stays the reference.
 */
public final class FusedConv {
    private FusedConv() {
    }

    /**
     * x (N, Cin, H, W), weight (Cout, Cin, kH, kW), bias (Cout) or null, all validated by the caller, of one
     * floating dtype and device -> (N, Cout, oH, oW) over {@code window}; or null (see the class comment).
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, Window2d window) {
        if (x.dim() != 4 || weight.dim() != 4 || !x.dtype().isFloatingPoint()) {
            return null;
        }
        int n = x.shape[0];
        int cout = weight.shape[0];
        Tensor y = Creation.output(x.dtype(), new int[] {n, cout, window.oH(), window.oW()}, x);
        Backend be = y.backend();
        if (!be.conv2d(x.strided(), weight.strided(), bias == null ? null : bias.strided(), window, y.strided())) {
            return null;
        }
        Tensor[] inputs = bias == null ? new Tensor[] {x, weight} : new Tensor[] {x, weight, bias};
        // new buffers, one per input: the weight and bias keep theirs without a copy
        return Graph.recordFresh("ConvolutionBackward0", y, inputs, new Tensor[] {x, weight}, g -> {
            Tensor gc = Fused.contiguous(g);
            Tensor[] grads = new Tensor[inputs.length];
            if (x.requiresGrad) {
                Tensor gx = Creation.output(x.dtype(), x.shape.clone(), x);
                grads[0] = be.conv2dBackwardInput(gc.strided(), weight.strided(), window, gx.strided()) ? gx
                        : inputGrad(gc, weight, window, x.shape);
            }
            boolean wantBias = bias != null && bias.requiresGrad;
            if (weight.requiresGrad) {
                Tensor gw = Creation.output(x.dtype(), weight.shape.clone(), x);
                Tensor gb = wantBias ? Creation.output(x.dtype(), new int[] {cout}, x) : null;
                if (be.conv2dBackwardWeight(x.strided(), gc.strided(), window, gw.strided(),
                        gb == null ? null : gb.strided())) {
                    grads[1] = gw;
                    if (wantBias) {
                        grads[2] = gb;
                    }
                } else {
                    grads[1] = weightGrad(gc, x, weight.shape, window);
                }
            }
            if (wantBias && grads[2] == null) {
                grads[2] = gc.sum(new int[] {0, 2, 3}, false);
            }
            return grads;
        });
    }

    /**
     * Max pooling, x (N, C, H, W) validated by the caller -> (N, C, oH, oW) over {@code window} (positions outside
     * the input skipped), as one node ({@code MaxPool2DWithIndicesBackward0}) whose backward adds each gradient at
     * its window's maximum; null without a backend kernel (the caller runs its composite).
     */
    public static Tensor maxPool2d(Tensor x, Window2d window) {
        if (x.dim() != 4 || !x.dtype().isFloatingPoint()) {
            return null;
        }
        int[] outShape = {x.shape[0], x.shape[1], window.oH(), window.oW()};
        Tensor y = Creation.output(x.dtype(), outShape, x);
        Tensor indices = Creation.output(DType.INT64, outShape.clone(), x);
        Backend be = y.backend();
        if (!be.maxPool2d(x.strided(), window, y.strided(), indices.strided())) {
            return null;
        }
        return Graph.record("MaxPool2DWithIndicesBackward0", y, x, new Tensor[] {indices}, g -> {
            Tensor gc = Fused.contiguous(g);
            Tensor gi = Creation.output(x.dtype(), x.shape.clone(), x);
            if (be.maxPool2dBackward(gc.strided(), indices.strided(), window, gi.strided())) {
                return new Tensor[] {gi};
            }
            // each gradient added at its window's maximum: a scatter-add over the flattened planes
            Tensor flat = x.newZeros(x.shape[0], x.shape[1], (long) x.shape[2] * x.shape[3]);
            return new Tensor[] {flat.scatterAdd(2, indices.reshape(x.shape[0], x.shape[1], -1),
                    gc.reshape(x.shape[0], x.shape[1], -1)).reshape(Shapes.toLongs(x.shape))};
        });
    }

    private static long[][] window(Window2d w) {
        return new long[][] {{w.kH(), w.kW()}, {w.dH(), w.dW()}, {w.pH(), w.pW()}, {w.sH(), w.sW()}};
    }

    /** The composite input gradient: col2im(weight^T @ g). */
    private static Tensor inputGrad(Tensor g, Tensor weight, Window2d w, int[] xShape) {
        long[][] p = window(w);
        Tensor cols = weight.reshape(weight.shape[0], -1).t().matmul(g.reshape(g.shape[0], g.shape[1], -1));
        return cols.col2im(new long[] {xShape[2], xShape[3]}, p[0], p[1], p[2], p[3]);
    }

    /** The composite weight gradient: sum over the batch of g @ im2col(x)^T. */
    private static Tensor weightGrad(Tensor g, Tensor x, int[] wShape, Window2d w) {
        long[][] p = window(w);
        Tensor cols = x.im2col(p[0], p[1], p[2], p[3]);
        Tensor gw = g.reshape(g.shape[0], g.shape[1], -1).matmul(cols.transpose(1, 2)).sum(0, false);
        return gw.reshape(Shapes.toLongs(wShape));
    }
}
