package dev.ember.cuda;

import static dev.ember.cuda.GpuCheck.assertClose;
import static dev.ember.cuda.GpuCheck.forwardBackward;
import static dev.ember.cuda.GpuCheck.randn;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.nn.functional.F;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** GEMM kernels against the CPU backend: odd sizes, batches, transposed and strided operands, all precisions. */
@Tag("gpu")
class CudaMatmulTest {
    static final int[][] SIZES = {{1, 1, 1}, {7, 33, 5}, {127, 129, 65}, {300, 17, 129}, {64, 784, 256},
        {32, 128, 512}, {129, 1, 3}, {5, 300, 2}};

    @BeforeAll
    static void gpu() {
        GpuCheck.requireGpu();
    }

    @AfterEach
    void restore() {
        Ember.setFloat32MatmulPrecision("highest");
    }

    @Test
    void float32AndFloat64OddSizesAllLayouts() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double tol = dtype == DType.FLOAT64 ? 1e-10 : 1e-4;
            for (int[] s : SIZES) {
                String what = dtype + " " + s[0] + "x" + s[1] + "x" + s[2];
                Tensor a = randn(1, dtype, s[0], s[1]);
                Tensor b = randn(2, dtype, s[1], s[2]);
                Tensor at = randn(3, dtype, s[1], s[0]);
                Tensor bt = randn(4, dtype, s[2], s[1]);
                forwardBackward(what + " nn", tol, tol, t -> t[0].matmul(t[1]), a, b);
                forwardBackward(what + " tn", tol, tol, t -> t[0].t().matmul(t[1]), at, b);
                forwardBackward(what + " nt", tol, tol, t -> t[0].matmul(t[1].t()), a, bt);
                forwardBackward(what + " tt", tol, tol, t -> t[0].t().matmul(t[1].t()), at, bt);
            }
            // every second column of a wider matrix: neither stride is 1
            forwardBackward(dtype + " strided", tol, tol,
                    t -> t[0].slice(1, 0, 34, 2).matmul(t[1].slice(0, 1, 34, 2)), randn(5, dtype, 9, 34),
                    randn(6, dtype, 34, 11));
        }
    }

    @Test
    void batchedAndBroadcastBatches() {
        forwardBackward("bmm", 1e-4, 1e-4, t -> t[0].matmul(t[1]), randn(1, DType.FLOAT32, 3, 33, 17),
                randn(2, DType.FLOAT32, 3, 17, 29));
        forwardBackward("attention-like", 1e-4, 1e-4, t -> t[0].matmul(t[1].transpose(-2, -1)),
                randn(3, DType.FLOAT32, 128, 64, 32), randn(4, DType.FLOAT32, 128, 64, 32));
        forwardBackward("broadcast batch", 1e-4, 1e-4, t -> t[0].matmul(t[1]), randn(5, DType.FLOAT32, 2, 1, 5, 7),
                randn(6, DType.FLOAT32, 3, 7, 4));
        forwardBackward("matrix-vector", 1e-4, 1e-4, t -> t[0].matmul(t[1]), randn(7, DType.FLOAT32, 65, 33),
                randn(8, DType.FLOAT32, 33));
    }

    /**
     * F.linear with a bias: the bias is added in each FP32/FP64 kernel's epilogue (shapes that pick gemm_f32,
     * gemm_f32_small and gemm_f32_small16; an empty K takes the composite); gradients of input, weight and bias.
     */
    @Test
    void linearWithBiasInTheEpilogue() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double tol = dtype == DType.FLOAT64 ? 1e-10 : 1e-4;
            for (int[] s : new int[][] {{2048, 300, 129}, {300, 129, 65}, {64, 10, 256}, {3, 5, 7}, {4, 3, 0}}) {
                forwardBackward(dtype + " linear " + s[0] + "x" + s[1] + "x" + s[2], tol, tol,
                        t -> F.linear(t[0], t[1], t[2]), randn(1, dtype, s[0], s[2]), randn(2, dtype, s[1], s[2]),
                        randn(3, dtype, s[1]));
            }
            forwardBackward(dtype + " linear 3-D, strided bias", tol, tol,
                    t -> F.linear(t[0], t[1], t[2].slice(0, 0, 10, 2)), randn(4, dtype, 2, 7, 9),
                    randn(5, dtype, 5, 9), randn(6, dtype, 10));
        }
    }

    /** baddbmm's addend in the epilogue: a mask per matrix, a bias per row, per column; with grid chunks too. */
    @Test
    void baddbmmAddendsInTheEpilogue() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double tol = dtype == DType.FLOAT64 ? 1e-10 : 1e-4;
            Tensor b1 = randn(1, dtype, 6, 33, 17);
            Tensor b2 = randn(2, dtype, 6, 17, 29);
            forwardBackward(dtype + " mask", tol, tol, t -> t[0].baddbmm(t[1], t[2]), randn(3, dtype, 1, 33, 29), b1,
                    b2);
            forwardBackward(dtype + " rows", tol, tol, t -> t[0].baddbmm(t[1], t[2]), randn(4, dtype, 33, 1), b1, b2);
            forwardBackward(dtype + " columns", tol, tol, t -> t[0].baddbmm(t[1], t[2]), randn(5, dtype, 29), b1, b2);
            forwardBackward(dtype + " transposed mask", tol, tol, t -> t[0].t().baddbmm(t[1], t[2]),
                    randn(6, dtype, 29, 33), b1, b2);
        }
        // more batches than one grid holds: launched in chunks, each with its own part of the addend (forward only:
        // the emulator takes long over 70000 blocks)
        Tensor d = randn(7, DType.FLOAT32, 70000, 2, 1);
        Tensor x = randn(8, DType.FLOAT32, 70000, 2, 3);
        Tensor y = randn(9, DType.FLOAT32, 70000, 3, 2);
        assertClose("70000 batches, a bias per row", d.baddbmm(x, y), d.cuda().baddbmm(x.cuda(), y.cuda()), 1e-4,
                1e-4);
    }

    /**
     * gemm_f32_k16, the 16-deep candidate for the big FP32 kernel (-Dember.cuda.gemm.f32=k16), on products big enough
     * to take the big kernel on an H100 too: K not a multiple of 16, every layout the products of a backward use,
     * and operands without a unit stride.
     */
    @Test
    void sixteenDeepBigKernel() {
        CudaGemm.Config before = CudaGemm.bigF32;
        CudaGemm.bigF32 = CudaGemm.F32_K16;
        try {
            Cuda.startKernelProfile();
            forwardBackward("k16 1500x23x1501", 1e-4, 1e-4, t -> t[0].matmul(t[1]), randn(1, DType.FLOAT32, 1500, 23),
                    randn(2, DType.FLOAT32, 23, 1501));
            Tensor a = randn(3, DType.FLOAT32, 1500, 90);
            Tensor b = randn(4, DType.FLOAT32, 45, 1300);
            assertClose("k16 strided", a.slice(1, 0, 90, 2).matmul(b),
                    a.cuda().slice(1, 0, 90, 2).matmul(b.cuda()), 1e-4, 1e-4);
            assertTrue(Cuda.stopKernelProfile().stream().anyMatch(k -> k.name().equals("gemm_f32_k16")));
        } finally {
            CudaGemm.bigF32 = before;
            Cuda.stopKernelProfile();
        }
    }

    @Test
    void launchesLargerThanOneGrid() {
        // grid.y and grid.z stop at 65535: more batches, or more row tiles, take several launches
        forwardBackward("70000 batches", 1e-4, 1e-4, t -> t[0].matmul(t[1]), randn(1, DType.FLOAT32, 70000, 2, 3),
                randn(2, DType.FLOAT32, 70000, 3, 2));
        forwardBackward("1.1M rows", 1e-4, 1e-4, t -> t[0].matmul(t[1]), randn(3, DType.FLOAT32, 1_100_003, 3),
                randn(4, DType.FLOAT32, 3, 2));
    }

    /** Relative error of the whole product, ||C - C_ref|| / ||C_ref||, for the reduced-precision paths. */
    private static double relativeError(Tensor a, Tensor b) {
        Tensor ref = a.matmul(b);
        Tensor got = a.cuda().matmul(b.cuda()).cpu();
        return got.sub(ref).pow(2).sum().sqrt().item() / ref.pow(2).sum().sqrt().item();
    }

    /**
     * The last shape is past CudaGemm.TENSOR_CORE_MIN_FLOPS, so "high" and "medium" run the TF32 and BF16
     * tensor-core kernels there (the smaller ones take the FP32 kernels), with edges in every dimension.
     */
    @Test
    void tensorCorePrecisionsAreClose() {
        for (int[] s : new int[][] {{127, 129, 65}, {256, 512, 384}, {1, 33, 7}, {509, 640, 515}}) {
            Tensor a = randn(1, DType.FLOAT32, s[0], s[1]);
            Tensor b = randn(2, DType.FLOAT32, s[1], s[2]);
            double highest = relativeError(a, b);
            Ember.setFloat32MatmulPrecision("high");
            double tf32 = relativeError(a, b);
            Ember.setFloat32MatmulPrecision("medium");
            double bf16 = relativeError(a, b);
            Ember.setFloat32MatmulPrecision("highest");
            assertTrue(highest < 1e-6, "fp32 error " + highest);
            assertTrue(tf32 < 2e-3 && tf32 > 0, "tf32 error " + tf32);
            assertTrue(bf16 < 1.5e-2 && bf16 > 0, "bf16 error " + bf16);
        }
        Tensor a = randn(3, DType.FLOAT32, 1024, 1024);
        Tensor b = randn(4, DType.FLOAT32, 1024, 1024);
        assertTrue(relativeError(a, b) < 1e-6);
    }
}
