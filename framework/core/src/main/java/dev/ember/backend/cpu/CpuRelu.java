package dev.ember.backend.cpu;

import dev.ember.backend.Strided;

/**
 * ReLU's gradient in one pass (PyTorch's threshold_backward): {@code gradIn = out > 0 ? grad : 0}, what the
 * composite {@code where(out > 0, grad, 0)} gives, bit for bit (NaN in out gives 0, NaN in grad passes where out
 * is positive), without its boolean mask tensor.
 */
final class CpuRelu {
    private static final int GRAIN = 16384;

    private CpuRelu() {
    }

    static boolean backward(Strided out, Strided grad, Strided gradIn) {
        if (!Strided.contiguousFloating(out, grad, gradIn)) {
            return false;
        }
        CpuStorage o = (CpuStorage) out.storage();
        CpuStorage g = (CpuStorage) grad.storage();
        CpuStorage gi = (CpuStorage) gradIn.storage();
        int oo = out.offset();
        int go = grad.offset();
        int io = gradIn.offset();
        Parallel.parallelFor(0, out.numel(), GRAIN, (from, to) -> {
            if (o.f != null) {
                for (int i = from; i < to; i++) {
                    gi.f[io + i] = o.f[oo + i] > 0 ? g.f[go + i] : 0f;
                }
            } else {
                for (int i = from; i < to; i++) {
                    gi.d[io + i] = o.d[oo + i] > 0 ? g.d[go + i] : 0.0;
                }
            }
        });
        return true;
    }
}
