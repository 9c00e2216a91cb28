package dev.ember.tensor;

import dev.ember.backend.Backend;

/**
 * The GRU cell's element-wise part as one graph node ({@code GruCellBackward0}) over the backend's fused kernels
 * ({@link Backend#gruCell}); null when the backend has none, and the caller ({@code F.gruCell}, {@code nn.GRU})
 * runs its composite of tensor ops, the reference.
 */
public final class FusedGru {
    private FusedGru() {
    }

    /**
     * Gate projections xGates = x W_ih^T + b_ih and hGates = h W_hh^T + b_hh (N, 3H, blocks r, z, n) and h (N, H)
     * -> h' = n + z (h - n) (N, H), with r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z), n = tanh(x_n + r h_n).
     */
    public static Tensor gruCell(Tensor xGates, Tensor hGates, Tensor h) {
        if (xGates.dim() != 2 || h.dim() != 2 || !java.util.Arrays.equals(xGates.shape, hGates.shape)
                || xGates.shape[0] != h.shape[0] || xGates.shape[1] != 3 * h.shape[1]
                || xGates.dtype() != hGates.dtype() || xGates.dtype() != h.dtype()
                || !xGates.dtype().isFloatingPoint() || !xGates.device().equals(hGates.device())
                || !xGates.device().equals(h.device())) {
            return null;
        }
        int n = h.shape[0];
        int hs = h.shape[1];
        Tensor out = Creation.output(h.dtype(), new int[] {n, hs}, h);
        Tensor saved = Creation.output(h.dtype(), new int[] {n, 4 * hs}, h);
        Backend be = out.backend();
        if (!be.gruCell(xGates.strided(), hGates.strided(), h.strided(), out.strided(), saved.strided())) {
            return null;
        }
        return Graph.record("GruCellBackward0", out, new Tensor[] {xGates, hGates, h}, new Tensor[] {h, saved}, g -> {
            Tensor gc = Fused.contiguous(g);
            Tensor gx = Creation.output(h.dtype(), new int[] {n, 3 * hs}, h);
            Tensor gg = Creation.output(h.dtype(), new int[] {n, 3 * hs}, h);
            Tensor gh = Creation.output(h.dtype(), new int[] {n, hs}, h);
            if (!be.gruCellBackward(gc.strided(), saved.strided(), h.strided(), gx.strided(), gg.strided(),
                    gh.strided())) {
                Tensor[] t = backward(gc, saved, h);
                gx = t[0];
                gg = t[1];
                gh = t[2];
            }
            return new Tensor[] {xGates.requiresGrad ? gx : null, hGates.requiresGrad ? gg : null,
                h.requiresGrad ? gh : null};
        });
    }

    /** The backward in tensor ops (for a backend with only the forward kernel): {gradXGates, gradHGates, gradH}. */
    private static Tensor[] backward(Tensor g, Tensor saved, Tensor h) {
        java.util.List<Tensor> s = saved.chunk(4, -1);
        Tensor r = s.get(0);
        Tensor z = s.get(1);
        Tensor nn = s.get(2);
        Tensor hn = s.get(3);
        Tensor gn = g.mul(z.neg().add(1)).mul(nn.mul(nn).neg().add(1));
        Tensor gz = g.mul(h.sub(nn)).mul(z.mul(z.neg().add(1)));
        Tensor gr = gn.mul(hn).mul(r.mul(r.neg().add(1)));
        return new Tensor[] {Tensor.cat(java.util.List.of(gr, gz, gn), 1),
            Tensor.cat(java.util.List.of(gr, gz, gn.mul(r)), 1), g.mul(z)};
    }
}
