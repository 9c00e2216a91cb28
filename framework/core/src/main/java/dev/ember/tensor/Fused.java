package dev.ember.tensor;

import dev.ember.backend.AdamUpdate;
import dev.ember.backend.Backend;
import dev.ember.backend.SgdUpdate;
import dev.ember.backend.Strided;
import java.util.ArrayList;
import java.util.List;

/**
 * Fused kernels behind functions of {@code nn.functional} and {@code optim} (DESIGN.md §2): one backend kernel
 * where the composite runs several. Each entry point returns {@code null} or {@code false} when the backend has no
 * fused kernel for the operands; the caller then runs its composite, which stays the reference the fused kernel
 * is tested against. softmax and logSoftmax along the last dim use their fused kernels directly
 * ({@link Tensor#softmax}).
 */
public final class Fused {
    private Fused() {
    }

    /** t as an (R, C) view with C its last dim, for a contiguous t. */
    static Strided rows(Tensor t, int c) {
        int r = c == 0 ? 0 : t.numel() == 0 ? 0 : (int) (t.numel() / c);
        return new Strided(t.storage, new int[] {r, c}, new int[] {c, 1}, t.offset);
    }

    static Tensor contiguous(Tensor t) {
        return t.isContiguous() ? t : Views.copyOf(t, t.dtype());
    }

    private static boolean sameKind(Tensor ref, Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null && (t.dtype() != ref.dtype() || !t.device().equals(ref.device())
                    || !java.util.Arrays.equals(t.shape, ref.shape))) {
                return false;
            }
        }
        return ref.dtype().isFloatingPoint();
    }

    // ---------------------------------------------------------------- optimizers

    /**
     * One Adam / AdamW update of {@code param} and its state in place (see {@link AdamUpdate}); false (nothing
     * changed) when the backend cannot fuse these operands or the graph is being recorded.
     */
    public static boolean adamStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq,
                                   AdamUpdate update) {
        if (!sameKind(param, grad, expAvg, expAvgSq, maxExpAvgSq)
                || Tensor.gradRecording(param, grad, expAvg, expAvgSq)) {
            return false;
        }
        Backend b = param.backend();
        if (!b.adamStep(param.strided(), grad.strided(), expAvg.strided(), expAvgSq.strided(),
                maxExpAvgSq == null ? null : maxExpAvgSq.strided(), update)) {
            return false;
        }
        bumpVersions(param, expAvg, expAvgSq, maxExpAvgSq);
        return true;
    }

    /** Marks the tensors (nulls skipped) as modified in place. */
    private static void bumpVersions(Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null) {
                t.storage.bumpVersion();
            }
        }
    }

    /**
     * {@link #adamStep} with the step count t in the 0-dim float64 tensor {@code step} on the parameter's device
     * (see {@link Backend#adamStepCapturable}); false (nothing changed) when the backend cannot fuse these operands.
     */
    public static boolean adamStepCapturable(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq,
                                             Tensor maxExpAvgSq, Tensor step, AdamUpdate update) {
        if (!sameKind(param, grad, expAvg, expAvgSq, maxExpAvgSq) || step.dtype() != DType.FLOAT64
                || step.numel() != 1 || !step.device().equals(param.device())
                || Tensor.gradRecording(param, grad, expAvg, expAvgSq)) {
            return false;
        }
        if (!param.backend().adamStepCapturable(param.strided(), grad.strided(), expAvg.strided(),
                expAvgSq.strided(), maxExpAvgSq == null ? null : maxExpAvgSq.strided(), step.strided(), update)) {
            return false;
        }
        bumpVersions(param, expAvg, expAvgSq, maxExpAvgSq);
        return true;
    }

    /**
     * {@link #adamStep} (or, with {@code deviceSteps}, {@link #adamStepCapturable} with each entry's step advanced
     * by one first) for many parameters in one go: entry i is {param, grad, expAvg, expAvgSq, maxExpAvgSq or null,
     * step or null}, all on one device. False (nothing changed) when the backend cannot do them together.
     */
    public static boolean adamStepMulti(List<Tensor[]> entries, AdamUpdate update, boolean deviceSteps) {
        if (entries.isEmpty()) {
            return false;
        }
        Tensor first = entries.get(0)[0];
        List<Strided[]> operands = new ArrayList<>(entries.size());
        for (Tensor[] e : entries) {
            Tensor step = e[5];
            if (!sameKind(e[0], e[1], e[2], e[3], e[4]) || !e[0].device().equals(first.device())
                    || e[0].dtype() != first.dtype() || Tensor.gradRecording(e[0], e[1], e[2], e[3])
                    || deviceSteps && (step == null || step.dtype() != DType.FLOAT64 || step.numel() != 1
                            || !step.device().equals(first.device()))) {
                return false;
            }
            operands.add(new Strided[] {e[0].strided(), e[1].strided(), e[2].strided(),
                e[3].strided(), e[4] == null ? null : e[4].strided(), step == null ? null : step.strided()});
        }
        if (!first.backend().adamStepMulti(operands, update, deviceSteps)) {
            return false;
        }
        for (Tensor[] e : entries) {
            bumpVersions(e[0], e[2], e[3], e[4], deviceSteps ? e[5] : null);
        }
        return true;
    }

    /**
     * One SGD update of {@code param} (and its momentum buffer, null without momentum) in place (see
     * {@link SgdUpdate}); false (nothing changed) when the backend cannot fuse these operands.
     */
    public static boolean sgdStep(Tensor param, Tensor grad, Tensor momentumBuffer, SgdUpdate update) {
        if (!sameKind(param, grad, momentumBuffer) || Tensor.gradRecording(param, grad)) {
            return false;
        }
        if (!param.backend().sgdStep(param.strided(), grad.strided(),
                momentumBuffer == null ? null : momentumBuffer.strided(), update)) {
            return false;
        }
        param.storage.bumpVersion();
        if (momentumBuffer != null) {
            momentumBuffer.storage.bumpVersion();
        }
        return true;
    }
    /**
     * {@link #sgdStep} for many parameters in one go: entry i is {param, grad, momentumBuffer or null}, all on one
     * device, none in its first momentum step. False (nothing changed) when the backend cannot do them together.
     */
    public static boolean sgdStepMulti(List<Tensor[]> entries, SgdUpdate update) {
        if (entries.isEmpty() || update.firstStep()) {
            return false;
        }
        Tensor first = entries.get(0)[0];
        List<Strided[]> operands = new ArrayList<>(entries.size());
        for (Tensor[] e : entries) {
            if (!sameKind(e[0], e[1], e[2]) || !e[0].device().equals(first.device()) || e[0].dtype() != first.dtype()
                    || Tensor.gradRecording(e[0], e[1])) {
                return false;
            }
            operands.add(new Strided[] {e[0].strided(), e[1].strided(),
                e[2] == null ? null : e[2].strided()});
        }
        if (!first.backend().sgdStepMulti(operands, update)) {
            return false;
        }
        for (Tensor[] e : entries) {
            bumpVersions(e[0], e[2]);
        }
        return true;
    }


    // ---------------------------------------------------------------- layer norm

    /**
     * Layer normalisation over the last {@code normalizedDims} dims of {@code input} with one fused kernel each
     * way; weight and bias (nullable) must have the normalized shape. Null when the backend has no kernel for
     * these operands: the caller then runs its composite.
     */
    public static Tensor layerNorm(Tensor input, int normalizedDims, Tensor weight, Tensor bias, double eps) {
        if (!input.dtype().isFloatingPoint() || normalizedDims < 1 || normalizedDims > input.dim()) {
            return null;
        }
        int[] normShape = java.util.Arrays.copyOfRange(input.shape, input.dim() - normalizedDims, input.dim());
        for (Tensor t : new Tensor[] {weight, bias}) {
            if (t != null && (t.dtype() != input.dtype() || !t.device().equals(input.device())
                    || !java.util.Arrays.equals(t.shape, normShape))) {
                return null;
            }
        }
        int d = Shapes.numel(normShape);
        Tensor x = contiguous(input);
        Tensor w = weight == null ? null : contiguous(weight);
        Tensor b = bias == null ? null : contiguous(bias);
        int r = d == 0 ? 0 : x.numel() == 0 ? 0 : (int) (x.numel() / d);
        Tensor out = Creation.output(x.dtype(), x.shape.clone(), x);
        Tensor mean = Creation.output(x.dtype(), new int[] {r}, x);
        Tensor rstd = Creation.output(x.dtype(), new int[] {r}, x);
        Backend be = x.backend();
        if (!be.layerNorm(rows(x, d), w == null ? null : w.strided(), b == null ? null : b.strided(), eps,
                rows(out, d), mean.strided(), rstd.strided())) {
            return null;
        }
        Tensor[] saved = w == null ? new Tensor[] {x, mean, rstd} : new Tensor[] {x, w, mean, rstd};
        // new buffers, one per input: the weight and bias keep theirs without a copy
        return Graph.recordFresh("NativeLayerNormBackward0", out, affineInputs(input, weight, bias), saved, g -> {
            Tensor gc = contiguous(g);
            Tensor gi = Creation.output(x.dtype(), x.shape.clone(), x);
            Tensor gw = weight != null && weight.requiresGrad ? Creation.output(x.dtype(), normShape.clone(), x) : null;
            Tensor gb = bias != null && bias.requiresGrad ? Creation.output(x.dtype(), normShape.clone(), x) : null;
            if (!be.layerNormBackward(rows(gc, d), rows(x, d), w == null ? null : w.strided(), mean.strided(),
                    rstd.strided(), rows(gi, d), gw == null ? null : gw.strided(), gb == null ? null : gb.strided())) {
                Tensor[] t = layerNormBackward(gc, x, w, mean, rstd, d);
                gi = t[0];
                gw = gw == null ? null : t[1].reshape(Shapes.toLongs(normShape));
                gb = gb == null ? null : t[2].reshape(Shapes.toLongs(normShape));
            }
            return affineGrads(gi, gw, gb, weight, bias);
        });
    }

    /** A normalisation's node inputs: the input, then weight and bias where given. */
    static Tensor[] affineInputs(Tensor input, Tensor weight, Tensor bias) {
        return affine(weight, bias, input, weight, bias);
    }

    /** The gradients in {@link #affineInputs}' order (gw and gb in the slots of a given weight and bias). */
    static Tensor[] affineGrads(Tensor gi, Tensor gw, Tensor gb, Tensor weight, Tensor bias) {
        return affine(weight, bias, gi, gw, gb);
    }

    private static Tensor[] affine(Tensor weight, Tensor bias, Tensor first, Tensor ofWeight, Tensor ofBias) {
        List<Tensor> list = new ArrayList<>(3);
        list.add(first);
        if (weight != null) {
            list.add(ofWeight);
        }
        if (bias != null) {
            list.add(ofBias);
        }
        return list.toArray(new Tensor[0]);
    }

    /** The backward of layer norm in tensor ops (for backends without the kernel): {gx, gw (D), gb (D)}. */
    private static Tensor[] layerNormBackward(Tensor g, Tensor x, Tensor w, Tensor mean, Tensor rstd, int d) {
        long[] rowsShape = {mean.numel(), d};
        Tensor g2 = g.reshape(rowsShape);
        Tensor m = mean.reshape(-1, 1);
        Tensor rs = rstd.reshape(-1, 1);
        Tensor xhat = x.reshape(rowsShape).sub(m).mul(rs);
        Tensor dy = w == null ? g2 : g2.mul(w.reshape(d));
        Tensor a = dy.mean(-1, true);
        Tensor c = dy.mul(xhat).mean(-1, true);
        Tensor gx = dy.sub(a).sub(xhat.mul(c)).mul(rs).reshape(x.shape());
        return new Tensor[] {gx, g2.mul(xhat).sum(0, false), g2.sum(0, false)};
    }

    // ---------------------------------------------------------------- cross entropy

    /**
     * Cross entropy of logits {@code input} (N, C) against class indices {@code targets} (N values, already
     * validated: in [0, C) or {@code ignoreIndex}), without class weights or label smoothing, as one graph node:
     * the fused logSoftmax kernel, a gather of the targets' log-probabilities, and a backward of
     * {@code (softmax - onehot) * g / count} in three kernels. reduction "mean" divides by the number of targets
     * that are not ignored, "sum" adds, "none" gives (N). Null without the fused softmax kernel.
     */
    public static Tensor crossEntropy(Tensor input, long[] targets, long ignoreIndex, String reduction) {
        if (input.dim() != 2 || input.shape[0] != targets.length || !input.dtype().isFloatingPoint()) {
            return null;
        }
        int n = input.shape[0];
        long[] safe = new long[n];
        double[] keep = new double[n];
        int valid = 0;
        for (int i = 0; i < n; i++) {
            boolean ignored = targets[i] == ignoreIndex;
            safe[i] = ignored ? 0 : targets[i];
            keep[i] = ignored ? 0 : 1;
            valid += ignored ? 0 : 1;
        }
        Backend be = input.backend();
        Tensor index = new Tensor(be.fromHost(safe, input.device()), new int[] {n, 1}, new int[] {1, 1}, 0, null);
        Tensor mask = valid == n ? null : new Tensor(be.fromHost(toDType(keep, input.dtype()), input.device()),
                new int[] {n, 1}, new int[] {1, 1}, 0, null);
        return crossEntropy(input, index, mask, valid, null, reduction);
    }

    /**
     * {@link #crossEntropy(Tensor, long[], long, String)} with the targets (N) left on the device (range-checked
     * by the caller): the ignore mask and the count of targets are computed there too, so nothing waits for the
     * device and the op can be captured in a graph.
     */
    public static Tensor crossEntropy(Tensor input, Tensor target, long ignoreIndex, String reduction) {
        return crossEntropy(input, target, ignoreIndex, reduction, null);
    }

    /**
     * {@link #crossEntropy(Tensor, Tensor, long, String)} with targets not range-checked yet when
     * {@code checkMessage} is not null: they are checked here (in the backend's loss kernel where it has one, else
     * by {@link IndexChecks}), a bad one raising {@code String.format(checkMessage, value)}. Null (nothing checked)
     * for operands of the wrong kind.
     */
    public static Tensor crossEntropy(Tensor input, Tensor target, long ignoreIndex, String reduction,
                                      String checkMessage) {
        if (input.dim() != 2 || target.dim() != 1 || input.shape[0] != target.shape[0]
                || !input.dtype().isFloatingPoint()) {
            return null;
        }
        Tensor fused = crossEntropyKernels(input, target, ignoreIndex, reduction, checkMessage);
        if (fused != null) {
            return fused;
        }
        if (checkMessage != null) {
            IndexChecks.check(target, 0, input.shape[1], ignoreIndex, checkMessage);
        }
        Tensor t = target.reshape(input.shape[0], 1);
        Tensor keep = t.ne((double) ignoreIndex);
        Tensor mask = keep.to(input.dtype());
        return crossEntropy(input, t.mul(keep), mask, 0, mask.sum(), reduction);
    }

    /**
     * The node in the backend's own cross-entropy kernels ({@link Backend#crossEntropy}), when it has them: a
     * couple of launches each way instead of the composite's dozen; null otherwise.
     */
    private static Tensor crossEntropyKernels(Tensor input, Tensor target, long ignoreIndex, String reduction,
                                              String checkMessage) {
        int red = switch (reduction) {
            case "none" -> 0;
            case "mean" -> 1;
            case "sum" -> 2;
            default -> -1;
        };
        if (red < 0 || target.dtype() != DType.INT64) {
            return null;
        }
        int n = input.shape[0];
        Tensor x = contiguous(input);
        Tensor t = contiguous(target);
        Tensor logp = Creation.output(x.dtype(), x.shape.clone(), x);
        Tensor loss = Creation.output(x.dtype(), red == 0 ? new int[] {n} : new int[0], x);
        Tensor count = Creation.output(x.dtype(), new int[0], x);
        Backend be = x.backend();
        if (!be.crossEntropy(x.strided(), t.strided(), ignoreIndex, red, logp.strided(), loss.strided(),
                count.strided(), checkMessage)) {
            return null;
        }
        return Graph.record("NllLossBackward0", loss, input, new Tensor[] {logp, t, count}, g -> {
            Tensor gc = contiguous(g);
            Tensor gx = Creation.output(logp.dtype(), logp.shape.clone(), logp);
            if (!be.crossEntropyBackward(logp.strided(), t.strided(), ignoreIndex, red, gc.strided(),
                    count.strided(), gx.strided())) {
                throw new IllegalStateException("cross_entropy: backend " + be.deviceType()
                        + " computed the loss in its kernels but has no kernel for the gradient");
            }
            return new Tensor[] {gx};
        });
    }

    /**
     * The fused node: index (N, 1) holds each row's class (0 where ignored), mask (N, 1) is 0 at ignored rows (null:
     * none), and the mean divides by {@code countOnDevice} when given, else by {@code count}.
     */
    private static Tensor crossEntropy(Tensor input, Tensor index, Tensor mask, double count, Tensor countOnDevice,
                                       String reduction) {
        int n = input.shape[0];
        int c = input.shape[1];
        Tensor x = contiguous(input);
        Tensor logp = Creation.output(x.dtype(), x.shape.clone(), x);
        Backend be = x.backend();
        if (!be.softmax(rows(x, c), rows(logp, c), true)) {
            return null;
        }
        Tensor loss;
        try (var ignored = dev.ember.autograd.Autograd.noGrad()) {
            Tensor picked = Creation.output(x.dtype(), new int[] {n, 1}, x);
            if (n > 0) {
                be.gather(logp.strided(), 1, index.strided(), picked.strided());
            }
            Tensor perSample = (mask == null ? picked : picked.mul(mask)).neg();
            loss = switch (reduction) {
                case "mean" -> countOnDevice == null ? perSample.sum().div(count) : perSample.sum().div(countOnDevice);
                case "sum" -> perSample.sum();
                default -> perSample.reshape(n);
            };
        }
        return Graph.record("NllLossBackward0", loss, input, new Tensor[] {logp}, g -> {
            Tensor grad = logp.exp();
            Tensor minusOne = grad.newFull(-1, n, 1);
            if (n > 0) {
                grad.backend().scatterAdd(grad.strided(), 1, index.strided(), minusOne.strided());
            }
            // each row scaled by the gradient of its loss: g / count (mean), g (sum) or g_i (none); ignored rows 0
            Tensor scale = switch (reduction) {
                case "mean" -> countOnDevice == null ? g.div(count) : g.div(countOnDevice);
                case "sum" -> g;
                default -> g.reshape(n, 1);
            };
            if (mask != null) {
                scale = scale.mul(mask);
            }
            return new Tensor[] {grad.muli(scale)};
        });
    }

    private static Object toDType(double[] v, DType dtype) {
        if (dtype == DType.FLOAT64) {
            return v;
        }
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    // ---------------------------------------------------------------- LSTM cell

    /**
     * Exact GELU as one graph node, x (any shape) -> {@code x * erfc(-x / sqrt 2) / 2}, with the fused gradient;
     * null when the backend has no kernel (the caller runs its composite, the reference).
     */
    public static Tensor gelu(Tensor input) {
        if (!input.dtype().isFloatingPoint()) {
            return null;
        }
        Tensor x = contiguous(input);
        Tensor out = Creation.output(x.dtype(), x.shape.clone(), x);
        Backend be = out.backend();
        if (!be.gelu(x.strided(), out.strided())) {
            return null;
        }
        return Graph.record("GeluBackward0", out, input, new Tensor[] {x}, g -> {
            Tensor gc = contiguous(g);
            Tensor gi = Creation.output(x.dtype(), x.shape.clone(), x);
            if (be.geluBackward(x.strided(), gc.strided(), gi.strided())) {
                return new Tensor[] {gi};
            }
            // d/dx x Phi(x) = Phi(x) + x phi(x)
            Tensor cdf = x.mul(-Math.sqrt(0.5)).erfc().mul(0.5);
            Tensor pdf = x.mul(x).mul(-0.5).exp().mul(1 / Math.sqrt(2 * Math.PI));
            return new Tensor[] {g.mul(cdf.add(x.mul(pdf)))};
        });
    }

    /**
     * The element-wise part of an LSTM step as one graph node: gate projections xGates and hGates (N, 4H) in
     * PyTorch's order (i, f, g, o) and the cell state cPrev (N, H) -> {h, c'} (N, H) each, {@code c' = sigmoid(f)
     * cPrev + sigmoid(i) tanh(g)}, {@code h = sigmoid(o) tanh(c')}. h and c' are views of one (N, 2H) output.
     * Null when the backend has no kernel for these operands (the caller runs its composite).
     */
    public static Tensor[] lstmCell(Tensor xGates, Tensor hGates, Tensor cPrev) {
        if (xGates.dim() != 2 || cPrev.dim() != 2 || !java.util.Arrays.equals(xGates.shape, hGates.shape)
                || xGates.shape[0] != cPrev.shape[0] || xGates.shape[1] != 4 * cPrev.shape[1]
                || xGates.dtype() != hGates.dtype() || xGates.dtype() != cPrev.dtype()
                || !xGates.dtype().isFloatingPoint() || !xGates.device().equals(hGates.device())
                || !xGates.device().equals(cPrev.device())) {
            return null;
        }
        int n = cPrev.shape[0];
        int h = cPrev.shape[1];
        Tensor hc = Creation.output(xGates.dtype(), new int[] {n, 2 * h}, xGates);
        Tensor gates = Creation.output(xGates.dtype(), new int[] {n, 4 * h}, xGates);
        Backend be = hc.backend();
        if (!be.lstmCell(xGates.strided(), hGates.strided(), cPrev.strided(), hc.strided(), gates.strided())) {
            return null;
        }
        Tensor out = Graph.record("LstmCellBackward0", hc, new Tensor[] {xGates, hGates, cPrev},
                new Tensor[] {cPrev, hc}, g -> {
                    Tensor gc = contiguous(g);
                    Tensor gg = Creation.output(hc.dtype(), new int[] {n, 4 * h}, hc);
                    Tensor gcp = Creation.output(hc.dtype(), new int[] {n, h}, hc);
                    if (!be.lstmCellBackward(gc.strided(), gates.strided(), cPrev.strided(), hc.strided(),
                            gg.strided(), gcp.strided())) {
                        Tensor[] t = lstmCellBackward(gc, gates, cPrev, hc, h);
                        gg = t[0];
                        gcp = t[1];
                    }
                    return new Tensor[] {xGates.requiresGrad ? gg : null, hGates.requiresGrad ? gg : null,
                        cPrev.requiresGrad ? gcp : null};
                });
        return new Tensor[] {out.narrow(1, 0, h), out.narrow(1, h, h)};
    }

    /** The backward of {@link #lstmCell} in tensor ops (for backends without the kernel): {gradGates, gradCPrev}. */
    private static Tensor[] lstmCellBackward(Tensor g, Tensor gates, Tensor cPrev, Tensor hc, int h) {
        Tensor gh = g.narrow(1, 0, h);
        Tensor gcn = g.narrow(1, h, h);
        Tensor i = gates.narrow(1, 0, h);
        Tensor f = gates.narrow(1, h, h);
        Tensor gg = gates.narrow(1, 2 * h, h);
        Tensor o = gates.narrow(1, 3 * h, h);
        Tensor tc = hc.narrow(1, h, h).tanh();
        Tensor gct = gcn.add(gh.mul(o).mul(tc.mul(tc).neg().add(1.0)));
        Tensor di = gct.mul(gg).mul(i.mul(i.neg().add(1.0)));
        Tensor df = gct.mul(cPrev).mul(f.mul(f.neg().add(1.0)));
        Tensor dg = gct.mul(i).mul(gg.mul(gg).neg().add(1.0));
        Tensor dO = gh.mul(tc).mul(o.mul(o.neg().add(1.0)));
        return new Tensor[] {Tensor.cat(java.util.List.of(di, df, dg, dO), 1), gct.mul(f)};
    }
}
