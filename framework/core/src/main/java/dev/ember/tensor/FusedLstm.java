package dev.ember.tensor;

import dev.ember.autograd.Autograd;
import dev.ember.backend.Backend;
import java.util.List;

/**
 * A whole LSTM layer (one direction) as one graph node, {@code LstmLayerBackward0}, over the backend's sequence
 * kernels ({@link Backend#lstmSequence}, {@link Backend#lstmSequenceBackward}: the CPU's loop of product and fused
 * cell on views, CUDA's persistent kernels). The per-step composite records a matmul, a cell and a view per time
 * step, and its backward accumulates W_hh's gradient one step at a time; here W_hh's gradient and the bias's are
 * one product and one sum over every step. Null when the backend has no sequence kernel for these operands: the
 * caller then runs the per-step path, the reference this node is tested against.
 */
public final class FusedLstm {
    private FusedLstm() {
    }

    /**
     * @param xp      (L, N, 4H) input projections {@code x W_ih^T + b_ih}, time-major, gates (i, f, g, o)
     * @param h0      (N, H) initial hidden state
     * @param c0      (N, H) initial cell state
     * @param wHh     (4H, H) hidden-to-hidden weight
     * @param bHh     (4H) its bias, or null
     * @param reverse run the steps from t = L-1 down to 0 (the backward direction of a bidirectional LSTM)
     * @return (L, N, 2H): {@code [h_t, c_t]} of every step t, so h_t is the output and the last step's entries the
     *         final state; null when the backend has no sequence kernel for these operands (or L is 0)
     */
    public static Tensor layer(Tensor xp, Tensor h0, Tensor c0, Tensor wHh, Tensor bHh, boolean reverse) {
        if (xp.dim() != 3 || h0.dim() != 2 || c0.dim() != 2 || xp.shape[0] == 0 || !xp.dtype().isFloatingPoint()
                || xp.shape[2] != 4 * h0.shape[1] || !java.util.Arrays.equals(h0.shape, c0.shape)
                || xp.shape[1] != h0.shape[0] || wHh.dim() != 2 || wHh.shape[0] != xp.shape[2]
                || wHh.shape[1] != h0.shape[1]) {
            return null;
        }
        for (Tensor t : new Tensor[] {h0, c0, wHh, bHh}) {
            if (t != null && (t.dtype() != xp.dtype() || !t.device().equals(xp.device()))) {
                return null;
            }
        }
        int steps = xp.shape[0];
        int n = xp.shape[1];
        int h = h0.shape[1];
        Tensor out = Creation.output(xp.dtype(), new int[] {steps, n, 2 * h}, xp);
        Tensor gates = Creation.output(xp.dtype(), new int[] {steps, n, 4 * h}, xp);
        try (var ignored = Autograd.noGrad()) {
            Tensor xg = Fused.contiguous(bHh == null ? xp : xp.add(bHh)); // b_hh folded into every step's once
            if (!out.backend().lstmSequence(xg.strided(), Fused.contiguous(h0).strided(),
                    Fused.contiguous(c0).strided(), Fused.contiguous(wHh).strided(), reverse, out.strided(),
                    gates.strided())) {
                return null;
            }
        }
        Tensor[] inputs = bHh == null ? new Tensor[] {xp, h0, c0, wHh} : new Tensor[] {xp, h0, c0, wHh, bHh};
        // new buffers, one per input (the weights' are products and sums): leaves keep them without a copy
        return Graph.recordFresh("LstmLayerBackward0", out, inputs, new Tensor[] {h0, c0, wHh, out},
                g -> backward(Fused.contiguous(g), out, gates, h0, c0, wHh, bHh, reverse));
    }

    /** Gradients of {xp, h0, c0, wHh[, bHh]} from the gradient g (L, N, 2H) of every step's [h, c]. */
    private static Tensor[] backward(Tensor g, Tensor out, Tensor gates, Tensor h0, Tensor c0, Tensor wHh, Tensor bHh,
                                     boolean reverse) {
        int steps = out.shape[0];
        int n = out.shape[1];
        int h = h0.shape[1];
        Tensor gGates = Creation.output(out.dtype(), new int[] {steps, n, 4 * h}, out);
        Tensor gh = Creation.output(out.dtype(), new int[] {n, h}, out);
        Tensor gc = Creation.output(out.dtype(), new int[] {n, h}, out);
        try (var ignored = Autograd.noGrad()) {
            Backend be = out.backend();
            if (!be.lstmSequenceBackward(g.strided(), out.strided(), gates.strided(), Fused.contiguous(c0).strided(),
                    Fused.contiguous(wHh).strided(), reverse, gGates.strided(), gh.strided(), gc.strided())) {
                throw new IllegalStateException("LstmLayerBackward0: the " + be.name() + " backend ran the LSTM "
                        + "sequence forward but declined its backward (" + out.dtype().torchName() + ", "
                        + java.util.Arrays.toString(out.shape) + ")");
            }
            Tensor gW = null;
            if (wHh.requiresGrad()) {
                // h_{t-1} of every step, in step order: (L, N, H)
                Tensor hs = out.narrow(2, 0, h);
                Tensor hPrev = steps == 1 ? h0.unsqueeze(0) : reverse
                        ? Tensor.cat(List.of(hs.narrow(0, 1, steps - 1), h0.unsqueeze(0)), 0)
                        : Tensor.cat(List.of(h0.unsqueeze(0), hs.narrow(0, 0, steps - 1)), 0);
                gW = gGates.reshape(steps * n, 4 * h).t().matmul(hPrev.reshape(steps * n, h));
            }
            Tensor[] grads = {gGates, h0.requiresGrad() ? gh : null, c0.requiresGrad() ? gc : null, gW, null};
            if (bHh == null) {
                return java.util.Arrays.copyOf(grads, 4);
            }
            grads[4] = bHh.requiresGrad() ? gGates.sum(new int[] {0, 1}, false) : null;
            return grads;
        }
    }
}
