package dev.ember.backend.cpu;

import dev.ember.backend.Storage;
import dev.ember.backend.Strided;

/**
 * A whole LSTM layer's recurrence on the CPU ({@link dev.ember.backend.Backend#lstmSequence}): each step is one
 * product {@code h W_hh^T} into a buffer reused across steps and the fused cell ({@link CpuLstm}), on views of the
 * sequence's buffers, with no tensors or graph nodes in between. The backward carries the gradients of h and c
 * from step to step in the outputs gradH0 and gradC0 themselves, which hold h0's and c0's when the loop ends.
 */
final class CpuLstmSequence {
    private CpuLstmSequence() {
    }


    /** A view of {@code s}'s storage: rows of {@code cols} elements {@code stride} apart, from {@code offset}. */
    private static Strided rows(Storage s, int offset, int n, int cols, int stride) {
        return new Strided(s, new int[] {n, cols}, new int[] {stride, 1}, offset);
    }

    /** The same as a batch of one, for the products. */
    private static Strided batch(Storage s, int offset, int n, int cols, int stride) {
        return new Strided(s, new int[] {1, n, cols}, new int[] {0, stride, 1}, offset);
    }

    static boolean forward(Strided xg, Strided h0, Strided c0, Strided w, boolean reverse, Strided out,
                           Strided gates) {
        if (!Strided.contiguousFloating(xg, h0, c0, w, out, gates)) {
            return false;
        }
        int steps = xg.shape()[0];
        int n = xg.shape()[1];
        int g = xg.shape()[2];
        int h = g / 4;
        CpuBackend cpu = (CpuBackend) xg.storage().backend();
        Storage hp = cpu.allocate(xg.dtype(), n * g, xg.storage().device());
        Strided wT = new Strided(w.storage(), new int[] {1, h, g}, new int[] {0, 1, h}, w.offset());
        for (int i = 0; i < steps; i++) {
            int t = reverse ? steps - 1 - i : i;
            int prev = out.offset() + (reverse ? t + 1 : t - 1) * n * 2 * h; // the state this step starts from
            CpuMatmul.bmm(i == 0 ? batch(h0.storage(), h0.offset(), n, h, h)
                    : batch(out.storage(), prev, n, h, 2 * h), wT, batch(hp, 0, n, g, g));
            CpuLstm.forward(rows(xg.storage(), xg.offset() + t * n * g, n, g, g), rows(hp, 0, n, g, g),
                    i == 0 ? rows(c0.storage(), c0.offset(), n, h, h) : rows(out.storage(), prev + h, n, h, 2 * h),
                    rows(out.storage(), out.offset() + t * n * 2 * h, n, 2 * h, 2 * h),
                    rows(gates.storage(), gates.offset() + t * n * g, n, g, g));
        }
        return true;
    }

    static boolean backward(Strided gout, Strided out, Strided gates, Strided c0, Strided w, boolean reverse,
                            Strided gg, Strided gh0, Strided gc0) {
        if (!Strided.contiguousFloating(gout, out, gates, c0, w, gg, gh0, gc0)) {
            return false;
        }
        int steps = out.shape()[0];
        int n = out.shape()[1];
        int h = out.shape()[2] / 2;
        int g = 4 * h;
        CpuBackend cpu = (CpuBackend) out.storage().backend();
        cpu.fill(gh0, 0);
        cpu.fill(gc0, 0);
        Storage ghc = cpu.allocate(out.dtype(), n * 2 * h, out.storage().device());
        Strided wB = new Strided(w.storage(), new int[] {1, g, h}, new int[] {0, h, 1}, w.offset());
        for (int i = steps - 1; i >= 0; i--) {
            int t = reverse ? steps - 1 - i : i;
            int prev = out.offset() + (reverse ? t + 1 : t - 1) * n * 2 * h;
            addCarry((CpuStorage) gout.storage(), gout.offset() + t * n * 2 * h, (CpuStorage) gh0.storage(),
                    gh0.offset(), (CpuStorage) gc0.storage(), gc0.offset(), (CpuStorage) ghc, n, h);
            CpuLstm.backward(rows(ghc, 0, n, 2 * h, 2 * h), rows(gates.storage(), gates.offset() + t * n * g, n, g, g),
                    i == 0 ? rows(c0.storage(), c0.offset(), n, h, h) : rows(out.storage(), prev + h, n, h, 2 * h),
                    rows(out.storage(), out.offset() + t * n * 2 * h, n, 2 * h, 2 * h),
                    rows(gg.storage(), gg.offset() + t * n * g, n, g, g), rows(gc0.storage(), gc0.offset(), n, h, h));
            CpuMatmul.bmm(batch(gg.storage(), gg.offset() + t * n * g, n, g, g), wB,
                    batch(gh0.storage(), gh0.offset(), n, h, h));
        }
        return true;
    }

    /** ghc = the step's own [gh, gc] (N, 2H) plus the carried dh and dc (N, H) each, as the per-step path adds. */
    private static void addCarry(CpuStorage gout, int go, CpuStorage dh, int dho, CpuStorage dc, int dco, CpuStorage ghc,
                                 int n, int h) {
        for (int r = 0; r < n; r++) {
            int o = go + r * 2 * h;
            int y = r * 2 * h;
            int c = r * h;
            if (ghc.f != null) {
                for (int j = 0; j < h; j++) {
                    ghc.f[y + j] = gout.f[o + j] + dh.f[dho + c + j];
                    ghc.f[y + h + j] = gout.f[o + h + j] + dc.f[dco + c + j];
                }
            } else {
                for (int j = 0; j < h; j++) {
                    ghc.d[y + j] = gout.d[o + j] + dh.d[dho + c + j];
                    ghc.d[y + h + j] = gout.d[o + h + j] + dc.d[dco + c + j];
                }
            }
        }
    }
}
