package dev.ember.cuda;

import static dev.ember.cuda.GpuCheck.assertClose;
import static dev.ember.cuda.GpuCheck.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ember.Ember;
import dev.ember.nn.functional.F;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Both families of tensor-core kernels (TensorCoreGemm: gemm_tc.cu's mma.sync kernels, and gemm_sm90.cu's wgmma
 * kernels where the driver has them: a compute capability 9.0 GPU or the emulator) with their operand packing,
 * reached with small odd shapes by lowering CudaGemm's size threshold. The reference is the CPU's float64 product
 * of the inputs rounded the way the kernels round them (BF16: to nearest even; TF32: to nearest, ties away from
 * zero in gemm_tc.cu, toward zero in the wgmma kernels, whose tensor cores drop the low bits), so the only
 * difference left is the kernel's FP32 accumulation: the tolerance is far below what a missing or wrong rounding, a
 * wrong layout or a wrong edge costs.
 */
@Tag("gpu")
class CudaTensorCoreTest {
    /**
     * (M, N, K): edges in every dimension, K below one tile and not a whole chunk, 17 row tiles (the raster's
     * groups), and enough k-tiles in a grid of two blocks for every pipeline stage to be refilled (for both formats).
     */
    static final int[][] SIZES = {{1, 1, 1}, {7, 33, 5}, {127, 129, 65}, {300, 17, 129}, {129, 257, 40},
        {2100, 3, 9}, {64, 520, 33}, {130, 40, 300}};

    @BeforeAll
    static void gpu() {
        GpuCheck.requireGpu();
    }

    @BeforeEach
    void everyProductOnTensorCores() {
        CudaGemm.tensorCoreMinFlops = 0;
    }

    @AfterEach
    void restore() {
        CudaGemm.tensorCoreMinFlops = CudaGemm.TENSOR_CORE_MIN_FLOPS;
        Ember.setFloat32MatmulPrecision("highest");
        TensorCoreGemm.override = null;
    }

    /** Every family this driver can run, each set as the one products take while {@code test} runs. */
    private static void forEachFamily(Runnable test) {
        for (TensorCoreGemm.Family f : new TensorCoreGemm.Family[] {TensorCoreGemm.MMA_SYNC, TensorCoreGemm.WGMMA,
            TensorCoreGemm.WGMMA_128}) {
            if (CudaRuntime.get().driver.hasKernel(f.bf16())) {
                TensorCoreGemm.override = f;
                test.run();
            }
        }
    }

    /** x as the current family's TF32 product reads it. */
    static float tf32(float x) {
        if (!Float.isFinite(x)) {
            return x;
        }
        int u = Float.floatToRawIntBits(x);
        return Float.intBitsToFloat((TensorCoreGemm.family() == TensorCoreGemm.MMA_SYNC ? u + 0x1000 : u) & 0xffffe000);
    }

    static float bf16(float x) {
        if (Float.isNaN(x)) {
            return x;
        }
        int u = Float.floatToRawIntBits(x);
        return Float.intBitsToFloat((u + 0x7fff + ((u >>> 16) & 1)) & 0xffff0000);
    }

    private static Tensor rounded(Tensor x, boolean bf16) {
        float[] v = x.toFloatArray();
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = bf16 ? bf16(v[i]) : tf32(v[i]);
        }
        return Tensor.of(DType.FLOAT64, r, x.shape());
    }

    /** f on the CUDA inputs in both reduced precisions against f on the rounded inputs in float64 on the CPU. */
    private static void check(String what, int k, Function<Tensor[], Tensor> f, Tensor... inputs) {
        checkRounding(what, k, f, inputs.length, inputs);
    }

    /** {@link #check} where only the first {@code rounded} inputs are product operands (a bias is added exactly). */
    private static void checkRounding(String what, int k, Function<Tensor[], Tensor> f, int rounded, Tensor... inputs) {
        for (boolean bf16 : new boolean[] {false, true}) {
            Tensor[] ref = new Tensor[inputs.length];
            Tensor[] gpu = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                ref[i] = i < rounded ? rounded(inputs[i], bf16) : inputs[i].to(DType.FLOAT64);
                gpu[i] = inputs[i].cuda();
            }
            Ember.setFloat32MatmulPrecision(bf16 ? "medium" : "high");
            Tensor got = f.apply(gpu);
            Ember.setFloat32MatmulPrecision("highest");
            // FP32 accumulation of K products of unit-size terms: a few ulp per term at most
            String kernel = bf16 ? TensorCoreGemm.family().bf16() : TensorCoreGemm.family().tf32();
            assertClose(kernel + " " + what, f.apply(ref).to(DType.FLOAT32), got, 1e-5, 4e-6 * k);
        }
    }

    @Test
    void allLayoutsAndEdges() {
        forEachFamily(CudaTensorCoreTest::allLayoutsAndEdgesOfFamily);
    }

    private static void allLayoutsAndEdgesOfFamily() {
        for (int[] s : SIZES) {
            String what = s[0] + "x" + s[1] + "x" + s[2];
            Tensor a = randn(1, DType.FLOAT32, s[0], s[1]);
            Tensor b = randn(2, DType.FLOAT32, s[1], s[2]);
            Tensor at = randn(3, DType.FLOAT32, s[1], s[0]);
            Tensor bt = randn(4, DType.FLOAT32, s[2], s[1]);
            check(what + " nn", s[1], t -> t[0].matmul(t[1]), a, b);
            check(what + " tn", s[1], t -> t[0].t().matmul(t[1]), at, b);
            check(what + " nt", s[1], t -> t[0].matmul(t[1].t()), a, bt);
            check(what + " tt", s[1], t -> t[0].t().matmul(t[1].t()), at, bt);
        }
    }

    @Test
    void batchesStridesAndOffsets() {
        forEachFamily(CudaTensorCoreTest::batchesStridesAndOffsetsOfFamily);
    }

    private static void batchesStridesAndOffsetsOfFamily() {
        check("bmm", 17, t -> t[0].matmul(t[1]), randn(1, DType.FLOAT32, 3, 33, 17), randn(2, DType.FLOAT32, 3, 17, 29));
        check("attention-like", 32, t -> t[0].matmul(t[1].transpose(-2, -1)), randn(3, DType.FLOAT32, 6, 64, 32),
                randn(4, DType.FLOAT32, 6, 64, 32));
        // B's batch stride is 0: packed once, read by every batch
        check("broadcast batch", 7, t -> t[0].matmul(t[1]), randn(5, DType.FLOAT32, 2, 3, 5, 7),
                randn(6, DType.FLOAT32, 7, 4));
        // K-major with aligned rows (the TF32 kernel reads A in place) next to rows 4 floats apart plus one
        check("aligned rows", 64, t -> t[0].matmul(t[1]), randn(7, DType.FLOAT32, 130, 64),
                randn(8, DType.FLOAT32, 64, 70));
        check("offset 1", 63, t -> t[0].slice(1, 1, 64, 1).matmul(t[1]), randn(9, DType.FLOAT32, 130, 64),
                randn(10, DType.FLOAT32, 63, 70));
        // F.linear: the bias in the epilogue, over rows of all leading dims
        checkRounding("linear", 33, t -> F.linear(t[0], t[1], t[2]), 2, randn(13, DType.FLOAT32, 2, 65, 33),
                randn(14, DType.FLOAT32, 70, 33), randn(15, DType.FLOAT32, 70));
        // a convolution's product: the weight broadcast over the batch, the bias per row
        checkRounding("baddbmm rows", 75, t -> t[2].baddbmm(t[0].expand(3, 6, 75), t[1]), 2,
                randn(16, DType.FLOAT32, 6, 75), randn(17, DType.FLOAT32, 3, 75, 130), randn(18, DType.FLOAT32, 6, 1));
        // attention scores: a mask per matrix, added in the epilogue
        checkRounding("baddbmm mask", 40, t -> t[2].baddbmm(t[0], t[1]), 2, randn(19, DType.FLOAT32, 4, 70, 40),
                randn(20, DType.FLOAT32, 4, 40, 90), randn(21, DType.FLOAT32, 1, 70, 90));
        // every second column of a wider matrix: no unit stride at all
        check("strided", 17, t -> t[0].slice(1, 0, 34, 2).matmul(t[1].slice(0, 1, 34, 2)),
                randn(11, DType.FLOAT32, 90, 34), randn(12, DType.FLOAT32, 34, 300));
    }

    /**
     * The runtime takes the wgmma kernels where it has them and they pass their start-up self-test, and that test
     * sees a kernel that leaves out the last element of k.
     */
    @Test
    void wgmmaSelfTest() {
        Driver d = CudaRuntime.get().driver;
        assumeTrue(d.hasKernel(TensorCoreGemm.WGMMA.bf16()), "no wgmma kernels on this GPU");
        assertNull(TensorCoreGemm.selfTest(d, TensorCoreGemm.WGMMA));
        assertNull(TensorCoreGemm.selfTest(d, TensorCoreGemm.WGMMA_128));
        if (System.getProperty("ember.cuda.gemm.tc") == null) {
            assertEquals(TensorCoreGemm.WGMMA, CudaRuntime.get().tensorCores);
        }
        Driver shortK = (Driver) Proxy.newProxyInstance(Driver.class.getClassLoader(), new Class<?>[] {Driver.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("launch")) {
                        Object[] kernelArgs = (Object[]) args[6];
                        kernelArgs[3] = (Integer) kernelArgs[3] - 1;
                    }
                    try {
                        return method.invoke(d, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        String failure = TensorCoreGemm.selfTest(shortK, TensorCoreGemm.WGMMA);
        assertNotNull(failure);
        assertTrue(failure.startsWith("gemm_wgmma_tf32: C[0][0]"), failure);
    }

    /** The diagnostic tools/gpu_check.sh runs if the self-test fails: every probe right on a working kernel. */
    @Test
    void wgmmaProbeFindsNothingWrong() {
        Driver d = CudaRuntime.get().driver;
        assumeTrue(d.hasKernel(TensorCoreGemm.WGMMA.bf16()), "no wgmma kernels on this GPU");
        String report = WgmmaProbe.report(d);
        assertEquals(12, report.lines().filter(l -> l.contains(" probe: 0 of ")).count(), report);
    }

    /**
     * Halfway cases show the rounding mode: BF16 ties go to the even neighbour; TF32 ties go away from zero in
     * gemm_tc.cu and toward zero in the wgmma kernels.
     */
    @Test
    void roundingModesAndNaN() {
        forEachFamily(CudaTensorCoreTest::roundingModesAndNaNOfFamily);
    }

    private static void roundingModesAndNaNOfFamily() {
        float tie11 = 1 + 0x1p-11f; // halfway between TF32 neighbours 1 and 1 + 2^-10
        float tie8 = 1 + 0x1p-8f; // halfway between BF16 neighbours 1 and 1 + 2^-7 (1 is even)
        float tie8odd = 1 + 3 * 0x1p-8f; // halfway between 1 + 2^-7 (odd) and 1 + 2^-6
        Tensor a = Tensor.of(new float[] {tie11, tie8, tie8odd, -tie11, Float.NaN, 2}, 3, 2).cuda();
        Tensor b = Tensor.of(new float[] {1, 0, 0, 1}, 2, 2).cuda(); // identity: C = A rounded
        Ember.setFloat32MatmulPrecision("high");
        float[] tf = a.matmul(b).cpu().toFloatArray();
        Ember.setFloat32MatmulPrecision("medium");
        float[] bf = a.matmul(b).cpu().toFloatArray();
        float nan = Float.NaN; // a NaN operand makes its whole row NaN (NaN * 0 is NaN)
        float tied = TensorCoreGemm.family() == TensorCoreGemm.MMA_SYNC ? 1 + 0x1p-10f : 1;
        String family = TensorCoreGemm.family().tf32();
        assertArrayEquals(new float[] {tied, tie8, tie8odd, -tied, nan, nan}, tf, family);
        assertArrayEquals(new float[] {1, 1, 1 + 0x1p-6f, -1, nan, nan}, bf, family);
    }
}
