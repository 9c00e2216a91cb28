package dev.ember.cuda;

import static dev.ember.cuda.CudaBackend.at;
import static dev.ember.cuda.CudaBackend.k;
import static dev.ember.cuda.CudaBackend.sfx;

import dev.ember.backend.AdamUpdate;
import dev.ember.backend.SgdUpdate;
import dev.ember.backend.Strided;
import dev.ember.backend.Window2d;
import dev.ember.tensor.DType;
import java.util.ArrayList;
import java.util.List;

/**
 * The fused kernels of fused.cu (and gru.cu's GRU cell), one launch each, or one per 24 tensors for the
 * multi-tensor optimizer steps. The kernels take contiguous operands: a non-contiguous input is packed first
 * ({@link #dense}); outputs must be contiguous and every operand floating and of one dtype, else
 * the method returns false and the tensor layer runs its composite (the reference they are tested against). Launch
 * configurations mirror the comments in fused.cu: 256 threads; row kernels use one warp per row (8 rows a
 * block) up to 1024 columns and one block per row beyond.
 */
final class CudaFused {
    /** Threads per block of the fused, loss and pooling kernels (their .cu comments). */
    static final int THREADS = 256;
    private static final int WARP_ROW_MAX = 1024;

    private CudaFused() {
    }

    /**
     * Every non-null operand floating and of the first one's dtype, and the written ones (the arguments after
     * {@code inputs}) contiguous; inputs may have any layout ({@link #dense} packs them).
     */
    private static boolean ok(int inputs, Strided... ts) {
        Strided first = null;
        for (int i = 0; i < ts.length; i++) {
            Strided t = ts[i];
            if (t == null) {
                continue;
            }
            if (first == null) {
                first = t;
            }
            if (!t.dtype().isFloatingPoint() || t.dtype() != first.dtype() || i >= inputs && !t.isContiguous()) {
                return false;
            }
        }
        return true;
    }

    /**
     * A contiguous operand: itself, or a packed copy (one copy kernel, far cheaper than the composite a fused
     * kernel replaces; an LSTM's cell state, for one, is a column slice of the previous step's [h, c]).
     */
    static Strided dense(Strided s) {
        if (s == null || s.isContiguous()) {
            return s;
        }
        CudaBackend cuda = (CudaBackend) s.storage().backend();
        int[] shape = s.shape();
        int[] strides = new int[shape.length];
        int acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = acc;
            acc *= shape[d];
        }
        Strided out = new Strided(cuda.allocateUninitialized(s.dtype(), acc, s.storage().device()), shape, strides, 0);
        cuda.copy(s, out);
        return out;
    }

    private static boolean rows(Strided t) {
        return t.shape().length == 2;
    }

    private static int rowGrid(int r, int c) {
        return Math.max(1, c <= WARP_ROW_MAX ? (r + 7) / 8 : r);
    }

    /** Blocks for a grid-stride kernel over n elements (at most 65535). */
    static int grid(long n) {
        return (int) Math.max(1, Math.min(65535, (n + THREADS - 1) / THREADS));
    }

    static boolean softmax(Strided in, Strided out, boolean log) {
        if (!ok(1, in, out) || !rows(in)) {
            return false;
        }
        in = dense(in);
        int r = in.shape()[0];
        int c = in.shape()[1];
        if (r * (long) c > 0) {
            k().launch("softmax_" + sfx(in), rowGrid(r, c), 1, 1, THREADS, 0, r, c, at(in), at(out), log ? 1 : 0);
        }
        return true;
    }

    static boolean softmaxBackward(Strided out, Strided gradOut, Strided gradIn, boolean log) {
        if (!ok(2, out, gradOut, gradIn) || !rows(out)) {
            return false;
        }
        out = dense(out);
        gradOut = dense(gradOut);
        int r = out.shape()[0];
        int c = out.shape()[1];
        if (r * (long) c > 0) {
            k().launch("softmax_backward_" + sfx(out), rowGrid(r, c), 1, 1, THREADS, 0, r, c, at(out), at(gradOut),
                    at(gradIn), log ? 1 : 0);
        }
        return true;
    }

    static boolean layerNorm(Strided in, Strided weight, Strided bias, double eps, Strided out, Strided mean,
                             Strided rstd) {
        if (!ok(3, in, weight, bias, out, mean, rstd) || !rows(in)) {
            return false;
        }
        in = dense(in);
        weight = dense(weight);
        bias = dense(bias);
        int r = in.shape()[0];
        int d = in.shape()[1];
        if (r * (long) d > 0) {
            k().launch("layer_norm_" + sfx(in), rowGrid(r, d), 1, 1, THREADS, 0, r, d, at(in), at(weight), at(bias),
                    eps, at(out), at(mean), at(rstd));
        }
        return true;
    }

    static boolean layerNormBackward(Strided gradOut, Strided in, Strided weight, Strided mean, Strided rstd,
                                     Strided gradIn, Strided gradWeight, Strided gradBias) {
        if (!ok(5, gradOut, in, weight, mean, rstd, gradIn, gradWeight, gradBias) || !rows(in)) {
            return false;
        }
        gradOut = dense(gradOut);
        in = dense(in);
        weight = dense(weight);
        mean = dense(mean);
        rstd = dense(rstd);
        int r = in.shape()[0];
        int d = in.shape()[1];
        if (r * (long) d == 0) {
            return false; // empty: the composite writes the (zero) gradients
        }
        String s = sfx(in);
        k().launch("layer_norm_backward_" + s, rowGrid(r, d), 1, 1, THREADS, 0, r, d, at(gradOut), at(in), at(weight),
                at(mean), at(rstd), at(gradIn));
        if (gradWeight != null || gradBias != null) {
            k().launch("layer_norm_backward_wb_" + s, (d + 7) / 8, 1, 1, THREADS, 0, r, d, at(gradOut), at(in),
                    at(mean), at(rstd), at(gradWeight), at(gradBias));
        }
        return true;
    }

    static boolean adamStep(Strided p, Strided g, Strided m, Strided v, Strided vmax, AdamUpdate u) {
        if (!ok(1, g, p, m, v, vmax)) {
            return false;
        }
        g = dense(g);
        int n = p.numel();
        if (n > 0) {
            k().launch("adam_step_" + sfx(p), grid(n), 1, 1, THREADS, 0, n, at(p), at(g), at(m), at(v), at(vmax),
                    u.beta1(), u.beta2(), u.eps(), u.weightDecay(), u.decoupledWeightDecay() ? 1 : 0,
                    u.maximize() ? 1 : 0, u.amsgrad() ? 1 : 0, u.lr(), u.stepSize(), u.sqrtBiasCorrection2());
        }
        return true;
    }

    /** adam_step_dev: the step count t read from {@code step} (a 0-dim float64 on the device). */
    static boolean adamStepCapturable(Strided p, Strided g, Strided m, Strided v, Strided vmax, Strided step,
                                      AdamUpdate u) {
        if (!ok(1, g, p, m, v, vmax) || step.dtype() != DType.FLOAT64) {
            return false;
        }
        g = dense(g);
        int n = p.numel();
        if (n > 0) {
            k().launch("adam_step_dev_" + sfx(p), grid(n), 1, 1, THREADS, 0, n, at(p), at(g), at(m), at(v), at(vmax),
                    u.beta1(), u.beta2(), u.eps(), u.weightDecay(), u.decoupledWeightDecay() ? 1 : 0,
                    u.maximize() ? 1 : 0, u.amsgrad() ? 1 : 0, u.lr(), at(step));
        }
        return true;
    }

    /** fused.cu's MULTI_MAX: tensors per multi-tensor launch (TensorList stays within the kernel-argument limit). */
    static final int MULTI_MAX = 24;
    /** Blocks a multi-tensor launch may use (gridDim.x has 65535; tensors start on a block of their own). */
    private static final int MULTI_BLOCKS = 60_000;

    /**
     * Adam over many tensors, at most {@value #MULTI_MAX} per launch (adam_multi; with device step counts
     * step_increment_multi first). Entries as Backend.adamStepMulti; grads may have any layout.
     */
    static boolean adamStepMulti(List<Strided[]> entries, AdamUpdate u, boolean deviceSteps) {
        for (Strided[] e : entries) {
            if (!ok(1, e[1], e[0], e[2], e[3], e[4]) || e[0].dtype() != entries.get(0)[0].dtype()
                    || deviceSteps && (e[5] == null || e[5].dtype() != DType.FLOAT64)) {
                return false;
            }
        }
        String kernel = "adam_multi_" + sfx(entries.get(0)[0]);
        for (int from = 0; from < entries.size(); from += MULTI_MAX) {
            int[] list = tensorList(entries.subList(from, Math.min(entries.size(), from + MULTI_MAX)));
            if (deviceSteps) {
                k().launch("step_increment_multi", 1, 1, 1, 32, 0, (Object) list);
            }
            launchMulti(kernel, list, u.beta1(), u.beta2(), u.eps(), u.weightDecay(),
                    u.decoupledWeightDecay() ? 1 : 0, u.maximize() ? 1 : 0, u.amsgrad() ? 1 : 0, u.lr(), u.stepSize(),
                    u.sqrtBiasCorrection2(), deviceSteps ? 1 : 0);
        }
        return true;
    }

    /** SGD over many tensors (sgd_multi): entries {p, g, momentum buffer or null}, never a first momentum step. */
    static boolean sgdStepMulti(List<Strided[]> entries, SgdUpdate u) {
        for (Strided[] e : entries) {
            if (!ok(1, e[1], e[0], e[2]) || e[0].dtype() != entries.get(0)[0].dtype()) {
                return false;
            }
        }
        String kernel = "sgd_multi_" + sfx(entries.get(0)[0]);
        for (int from = 0; from < entries.size(); from += MULTI_MAX) {
            List<Strided[]> chunk = new ArrayList<>();
            for (Strided[] e : entries.subList(from, Math.min(entries.size(), from + MULTI_MAX))) {
                chunk.add(new Strided[] {e[0], e[1], e[2], null, null, null});
            }
            launchMulti(kernel, tensorList(chunk), u.lr(), u.momentum(), u.dampening(), u.weightDecay(),
                    u.nesterov() ? 1 : 0, u.maximize() ? 1 : 0);
        }
        return true;
    }

    /** A multi-tensor kernel over the blocks of {@code list}, which is its first argument (none when empty). */
    private static void launchMulti(String kernel, int[] list, Object... scalars) {
        int blocks = list[TL_FIRST + list[TL_COUNT]];
        if (blocks > 0) {
            Object[] args = new Object[scalars.length + 1];
            args[0] = list;
            System.arraycopy(scalars, 0, args, 1, scalars.length);
            k().launch(kernel, blocks, 1, 1, THREADS, 0, args);
        }
    }

    // fused.cu's TensorList as ints: six arrays of MULTI_MAX 64-bit addresses (low word first), n[MULTI_MAX],
    // firstBlock[MULTI_MAX + 1], count, perBlock, and one int of padding to its 8-byte alignment (1360 bytes).
    private static final int TL_N = 12 * MULTI_MAX;
    private static final int TL_FIRST = TL_N + MULTI_MAX;
    private static final int TL_COUNT = TL_FIRST + MULTI_MAX + 1;
    private static final int TL_INTS = TL_COUNT + 3;

    /** The TensorList of up to MULTI_MAX entries {p, g, m, v, vmax, step} (grads packed if need be). */
    private static int[] tensorList(List<Strided[]> chunk) {
        int[] list = new int[TL_INTS];
        long total = 0;
        for (Strided[] e : chunk) {
            total += e[0].numel();
        }
        int perBlock = (int) Math.max(2048, (total / MULTI_BLOCKS + 256) / 256 * 256);
        int block = 0;
        for (int i = 0; i < chunk.size(); i++) {
            Strided[] e = chunk.get(i);
            Strided[] operands = {e[0], dense(e[1]), e[2], e[3], e[4], e[5]};
            for (int a = 0; a < 6; a++) {
                long address = operands[a] == null ? 0 : DeviceAddress.of(at(operands[a]));
                list[2 * (a * MULTI_MAX + i)] = (int) address;
                list[2 * (a * MULTI_MAX + i) + 1] = (int) (address >>> 32);
            }
            int n = e[0].numel();
            list[TL_N + i] = n;
            list[TL_FIRST + i] = block;
            block += (n + perBlock - 1) / perBlock;
        }
        list[TL_FIRST + chunk.size()] = block;
        list[TL_COUNT] = chunk.size();
        list[TL_COUNT + 1] = perBlock;
        return list;
    }

    /**
     * An element-wise kernel {@code kernel_T(n, operands...)} over contiguous operands of one floating dtype, the
     * first {@code inputs} packed if need be, the rest written.
     */
    private static boolean elementwise(String kernel, int inputs, Strided... operands) {
        if (!ok(inputs, operands)) {
            return false;
        }
        int n = operands[0].numel();
        Object[] args = new Object[operands.length + 1];
        args[0] = n;
        for (int i = 0; i < operands.length; i++) {
            args[i + 1] = at(i < inputs ? dense(operands[i]) : operands[i]);
        }
        if (n > 0) {
            k().launch(kernel + "_" + sfx(operands[0]), grid(n), 1, 1, THREADS, 0, args);
        }
        return true;
    }

    /** ReLU's gradient (relu_backward): gradIn = out > 0 ? grad : 0, one pass. */
    static boolean reluBackward(Strided out, Strided grad, Strided gradIn) {
        return elementwise("relu_backward", 2, out, grad, gradIn);
    }

    /** Exact GELU. */
    static boolean gelu(Strided x, Strided y) {
        return elementwise("gelu", 1, x, y);
    }

    static boolean geluBackward(Strided x, Strided g, Strided gx) {
        return elementwise("gelu_backward", 2, x, g, gx);
    }

    static boolean sgdStep(Strided p, Strided g, Strided buf, SgdUpdate u) {
        if (!ok(1, g, p, buf)) {
            return false;
        }
        g = dense(g);
        int n = p.numel();
        if (n > 0) {
            k().launch("sgd_step_" + sfx(p), grid(n), 1, 1, THREADS, 0, n, at(p), at(g), at(buf), u.lr(), u.momentum(),
                    u.dampening(), u.weightDecay(), u.nesterov() ? 1 : 0, u.maximize() ? 1 : 0, u.firstStep() ? 1 : 0);
        }
        return true;
    }

    /**
     * A cell kernel over the (N, H) elements of {@code like} (2-d): {@code kernel_T(N, H, operands...)}, the first
     * {@code inputs} operands packed if need be.
     */
    private static boolean cell(String kernel, Strided like, int inputs, Strided... operands) {
        if (!ok(inputs, operands) || !rows(like)) {
            return false;
        }
        int n = like.shape()[0];
        int h = like.shape()[1];
        Object[] args = new Object[operands.length + 2];
        args[0] = n;
        args[1] = h;
        for (int i = 0; i < operands.length; i++) {
            args[i + 2] = at(i < inputs ? dense(operands[i]) : operands[i]);
        }
        if (n * (long) h > 0) {
            k().launch(kernel + "_" + sfx(like), grid((long) n * h), 1, 1, THREADS, 0, args);
        }
        return true;
    }

    static boolean lstmCell(Strided xGates, Strided hGates, Strided cPrev, Strided hc, Strided gates) {
        return cell("lstm_cell", cPrev, 3, xGates, hGates, cPrev, hc, gates);
    }

    static boolean lstmCellBackward(Strided gradHc, Strided gates, Strided cPrev, Strided hc, Strided gradGates,
                                    Strided gradCPrev) {
        return cell("lstm_cell_backward", cPrev, 4, gradHc, gates, cPrev, hc, gradGates, gradCPrev);
    }

    /** gru.cu: xGates, hGates (N, 3H), h (N, H) -> hNew (N, H), saved (r, z, n, h_n) (N, 4H). */
    static boolean gruCell(Strided xGates, Strided hGates, Strided h, Strided hNew, Strided saved) {
        return cell("gru_cell", h, 3, xGates, hGates, h, hNew, saved);
    }

    static boolean gruCellBackward(Strided gradHNew, Strided saved, Strided h, Strided gradXGates,
                                   Strided gradHGates, Strided gradH) {
        return cell("gru_cell_backward", h, 3, gradHNew, saved, h, gradXGates, gradHGates, gradH);
    }

    /** The 15 int arguments shared by im2col and col2im, after N, C, H, W. */
    private static Object[] window(int[] nchw, Window2d w, Strided from, Strided to) {
        return new Object[] {nchw[0], nchw[1], nchw[2], nchw[3], w.kH(), w.kW(), w.dH(), w.dW(), w.pH(), w.pW(),
            w.sH(), w.sW(), w.oH(), w.oW(), at(from), at(to)};
    }

    static boolean im2col(Strided x, Window2d w, Strided cols) {
        if (!ok(1, x, cols) || x.shape().length != 4) {
            return false;
        }
        x = dense(x);
        long n = (long) cols.numel();
        k().launch("im2col_" + sfx(x), grid(n), 1, 1, THREADS, 0, window(x.shape(), w, x, cols));
        return true;
    }

    static boolean col2im(Strided cols, Window2d w, Strided x) {
        if (!ok(1, cols, x) || x.shape().length != 4) {
            return false;
        }
        cols = dense(cols);
        long n = (long) x.numel();
        k().launch("col2im_" + sfx(x), grid(n), 1, 1, THREADS, 0, window(x.shape(), w, cols, x));
        return true;
    }
}
