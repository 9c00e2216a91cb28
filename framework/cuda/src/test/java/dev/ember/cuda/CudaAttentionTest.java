package dev.ember.cuda;

import static dev.ember.cuda.GpuCheck.forwardBackward;
import static dev.ember.cuda.GpuCheck.randn;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.nn.MultiheadAttention;
import dev.ember.nn.functional.Attention;
import dev.ember.tensor.Device;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The fused attention kernels (attention.cu) against the CPU's composite, forward and backward: multi-head
 * attention with and without masks, cross-attention, one query, odd head sizes, float64, and
 * scaledDotProductAttention on strided views; shapes past the kernels' limits fall back to the composite.
 */
@Tag("gpu")
class CudaAttentionTest {

    @BeforeAll
    static void gpu() {
        GpuCheck.requireGpu();
    }

    /** The kernels launched by {@code work}, by name. */
    private static Set<String> kernels(Runnable work) {
        Cuda.startKernelProfile();
        List<Cuda.KernelTime> report;
        try {
            work.run();
        } finally { // a failure must not leave the profile timing later tests' launches
            report = Cuda.stopKernelProfile();
        }
        return report.stream().map(Cuda.KernelTime::name).collect(Collectors.toSet());
    }

    /**
     * Multi-head attention's functional form on (L, N, E) query and (S, N, E) key/value, inputs 0-6: query, key,
     * value, in-projection weight and bias, out-projection weight and bias.
     */
    private static Tensor mha(Tensor[] t, int heads, boolean self, boolean causal, Tensor keyPadding) {
        long l = t[0].size(0);
        long s = t[1].size(0);
        Tensor mask = causal ? Attention.generateSquareSubsequentMask(l, t[0].dtype()).narrow(1, 0, s)
                .to(t[0].device()) : null;
        Tensor k = self ? t[0] : t[1];
        Tensor v = self ? t[0] : t[2];
        return Attention.multiHeadAttentionForward(t[0], k, v, heads, t[3], t[4], t[5], t[6], 0.0, true,
                keyPadding == null ? null : keyPadding.to(t[0].device()), false, mask, true, false)[0];
    }

    private static Tensor[] mhaInputs(DType dtype, long l, long s, long n, long e) {
        return new Tensor[] {randn(1, dtype, l, n, e), randn(2, dtype, s, n, e), randn(3, dtype, s, n, e),
            randn(4, dtype, 3 * e, e).mul(0.3), randn(5, dtype, 3 * e).mul(0.1), randn(6, dtype, e, e).mul(0.3),
            randn(7, dtype, e).mul(0.1)};
    }

    @Test
    void multiHeadAttentionMatchesTheComposite() {
        // {L, S, N, E, heads, self, causal}
        int[][] cases = {{64, 64, 4, 32, 4, 1, 1}, {7, 7, 3, 30, 3, 1, 1}, {1, 1, 2, 8, 2, 1, 0}, {5, 9, 2, 12, 4, 0, 0},
            {33, 33, 1, 16, 1, 1, 1}, {6, 40, 2, 64, 1, 0, 0}};
        // float64 pins the arithmetic; float32 differs from the composite by rounding in other orders (the
        // in-projection's weight gradient sums L x N rows of it)
        for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            double tol = dtype == DType.FLOAT64 ? 1e-10 : 1e-4;
            for (int[] c : cases) {
                forwardBackward("mha " + java.util.Arrays.toString(c) + " " + dtype, tol, tol,
                        t -> mha(t, c[4], c[5] == 1, c[6] == 1, null), mhaInputs(dtype, c[0], c[1], c[2], c[3]));
            }
        }
        // a key padding mask (bool, true = ignore) joins the causal one as a per-batch bias
        Tensor padding = Tensor.of(new boolean[] {false, false, false, false, false, true, false, false, true, true,
            false, false}, 2, 6);
        forwardBackward("mha with key padding", 1e-4, 1e-4, t -> mha(t, 2, true, true, padding),
                mhaInputs(DType.FLOAT32, 6, 6, 2, 8));
    }

    /**
     * The MultiheadAttention module with batch_first and a causal mask, as the char-GPT bench uses it: its inputs
     * are seen sequence-first, the projections run on the batch-first layout and the heads come back in it, with no
     * copy; values and every parameter's gradient against the CPU.
     */
    @Test
    void batchFirstModuleNeedsNoCopies() {
        for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            double tol = dtype == DType.FLOAT64 ? 1e-10 : 1e-4;
            Ember.manualSeed(12);
            MultiheadAttention cpu = new MultiheadAttention(32, 4, 0.0, true, true);
            MultiheadAttention gpu = new MultiheadAttention(32, 4, 0.0, true, true);
            cpu.to(dtype);
            gpu.to(dtype);
            gpu.loadStateDict(cpu.stateDict(), true);
            gpu.to(Device.cuda());
            Tensor x = randn(13, dtype, 3, 10, 32);
            Tensor mask = Attention.generateSquareSubsequentMask(10, dtype);
            Tensor xc = x.detach().requiresGrad(true);
            Tensor xg = x.cuda().requiresGrad(true);
            Tensor yc = cpu.forward(xc, xc, xc, null, false, mask, true, false).output();
            Tensor[] yg = new Tensor[1];
            Set<String> kernels = kernels(() -> {
                yg[0] = gpu.forward(xg, xg, xg, null, false, mask.cuda(), true, false).output();
                yg[0].backward(randn(14, dtype, 3, 10, 32).cuda());
            });
            GpuCheck.assertClose(dtype + " batch-first output", yc, yg[0], tol, tol);
            yc.backward(randn(14, dtype, 3, 10, 32));
            GpuCheck.assertClose(dtype + " batch-first input gradient", xc.grad(), xg.grad(), tol, tol);
            Map<String, Tensor> pc = cpu.namedParameters();
            Map<String, Tensor> pg = gpu.namedParameters();
            for (String name : pc.keySet()) {
                GpuCheck.assertClose(dtype + " batch-first " + name, pc.get(name).grad(), pg.get(name).grad(), tol, tol);
            }
            String copy = "copy_" + CudaStorage.suffix(dtype) + "_" + CudaStorage.suffix(dtype);
            assertTrue(kernels.contains("attention_" + CudaStorage.suffix(dtype)) && !kernels.contains(copy)
                    && !kernels.contains("memcpy device to device"), kernels.toString());
        }
    }

    /** The kernels launched by a self-attention forward and backward, and that past the kernels' limits. */
    @Test
    void theFusedKernelsRunAndTooLongSequencesFallBack() {
        Tensor[] in = mhaInputs(DType.FLOAT32, 16, 16, 2, 16);
        for (int i = 0; i < in.length; i++) {
            in[i] = in[i].cuda().requiresGrad(true);
        }
        Set<String> fused = kernels(() -> mha(in, 2, true, true, null).sum().backward());
        assertTrue(fused.contains("attention_f32") && fused.contains("attention_backward_f32")
                && !fused.contains("softmax_f32"), fused.toString());
        // self-attention: the heads are read from the packed projection and its gradient is written whole, so no
        // copy lays heads out and no addition assembles q's, k's and v's gradients
        assertTrue(!fused.contains("copy_f32_f32") && !fused.contains("binary_f32")
                && !fused.contains("memcpy device to device"), fused.toString());
        // 300 keys: more than the kernels hold; the composite runs (and is what the CPU runs)
        Tensor[] longer = mhaInputs(DType.FLOAT32, 3, 300, 1, 8);
        Set<String> composite = kernels(() -> {
            Tensor[] g = new Tensor[longer.length];
            for (int i = 0; i < g.length; i++) {
                g[i] = longer[i].cuda();
            }
            mha(g, 2, false, false, null);
        });
        assertTrue(!composite.contains("attention_f32") && composite.contains("softmax_f32"), composite.toString());
        forwardBackward("mha with 300 keys", 1e-4, 1e-4, t -> mha(t, 2, false, false, null), longer);
    }

    @Test
    void scaledDotProductAttentionOnStridedViews() {
        Tensor mask = randn(9, DType.FLOAT32, 7, 11);
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double tol = dtype == DType.FLOAT64 ? 1e-10 : 1e-4;
            // q, k and v as views of one (B, S, 3, D) buffer: batch stride 3 S D, row stride 3 D; q keeps 7 of 11 rows
            forwardBackward("sdpa on views " + dtype, tol, tol, t -> {
                Tensor qkv = t[0].reshape(5, 11, 3, 6);
                Tensor q = qkv.select(2, 0).narrow(1, 0, 7);
                Tensor k = qkv.select(2, 1);
                Tensor v = qkv.select(2, 2);
                return Attention.scaledDotProductAttention(q, k, v, mask.to(dtype).to(q.device()), 0, false, 0.25);
            }, randn(10, dtype, 5, 11, 18));
        }
        // 4-D (N, H, L, D) without a mask
        forwardBackward("sdpa 4-D", 1e-4, 1e-4, t -> Attention.scaledDotProductAttention(t[0], t[1], t[1]),
                randn(11, DType.FLOAT32, 2, 3, 5, 4), randn(12, DType.FLOAT32, 2, 3, 9, 4));
    }
}
