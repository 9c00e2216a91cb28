package dev.ember.cuda;

import static dev.ember.cuda.CudaBackend.at;
import static dev.ember.cuda.CudaBackend.base;
import static dev.ember.cuda.CudaBackend.k;

import dev.ember.backend.MatmulPrecision;
import dev.ember.backend.Strided;
import dev.ember.tensor.DType;

/**
 * Batched matrix products (gemm.cu): float64 on its own kernel; float32 in full precision, or on tensor cores as
 * TF32 or BF16 when {@link MatmulPrecision} allows it ({@code Ember.setFloat32MatmulPrecision}; see
 * {@link TensorCoreGemm}). The FP32 and FP64 kernels read operands with their strides (a transposed operand is read
 * in place) and take the fast loads when a stride is 1.
 * Small products, which would leave most SMs idle with 128x128 tiles, take a kernel with smaller tiles.
 */
final class CudaGemm {
    /** One kernel's launch shape (gemm.cu's table). */
    record Config(String kernel, int bm, int bn, int threads, int sharedBytes) {
    }

    static final Config F32 = new Config("gemm_f32", 128, 128, 256, 0);
    /** The same tiles 16 deep (gemm.cu): half the barriers per multiply-add, not yet timed on a GPU. */
    static final Config F32_K16 = new Config("gemm_f32_k16", 128, 128, 256, 0);
    static final Config F32_SMALL = new Config("gemm_f32_small", 32, 32, 256, 0);
    static final Config F32_SMALL16 = new Config("gemm_f32_small16", 16, 16, 256, 0);
    /** The tensor-core products; {@link TensorCoreGemm} picks the kernel and its shared memory. */
    static final Config TF32 = new Config("tf32", TensorCoreGemm.BM, TensorCoreGemm.BN, TensorCoreGemm.THREADS, 0);
    static final Config BF16 = new Config("bf16", TensorCoreGemm.BM, TensorCoreGemm.BN, TensorCoreGemm.THREADS, 0);
    static final Config F64 = new Config("gemm_f64", 32, 32, 256, 0);
    /** Below this many flops the tensor-core kernels do not pay off and exact FP32 is used (an allowed result). */
    static final double TENSOR_CORE_MIN_FLOPS = 3e8;
    /** {@link #TENSOR_CORE_MIN_FLOPS}, which tests lower to reach the tensor-core kernels with small, odd shapes. */
    static volatile double tensorCoreMinFlops = TENSOR_CORE_MIN_FLOPS;
    /**
     * The big FP32 kernel: {@link #F32}, or {@link #F32_K16} with {@code -Dember.cuda.gemm.f32=k16}, so that one GPU
     * run times both (tools/gpu_check.sh); tests set it directly.
     */
    static volatile Config bigF32 = "k16".equals(System.getProperty("ember.cuda.gemm.f32")) ? F32_K16 : F32;
    /** The largest grid.y and grid.z of a launch. */
    static final int MAX_GRID = 65535;

    private CudaGemm() {
    }

    /** gemm.cu's rule: big tiles when they fill the SMs once, else smaller tiles for more blocks. */
    static Config choose(DType dtype, int batch, int m, int n, int k) {
        if (dtype == DType.FLOAT64) {
            return F64;
        }
        MatmulPrecision p = MatmulPrecision.current();
        if (p != MatmulPrecision.HIGHEST && 2.0 * batch * m * n * k >= tensorCoreMinFlops
                && TensorCoreGemm.fits(batch, m, n, k)) {
            return p == MatmulPrecision.HIGH ? TF32 : BF16;
        }
        int sms = CudaRuntime.get().driver.multiprocessors();
        if (tiles(F32, batch, m, n) >= sms) {
            return bigF32;
        }
        return tiles(F32_SMALL, batch, m, n) >= sms ? F32_SMALL : F32_SMALL16;
    }

    private static long tiles(Config c, int batch, int m, int n) {
        return (long) batch * ((m + c.bm() - 1) / c.bm()) * ((n + c.bn() - 1) / c.bn());
    }

    /** out = a @ b (+ addend, a (B, M, N) broadcast view; nullable): a (B, M, K), b (B, K, N), out (B, M, N). */
    static void bmm(CudaBackend cuda, Strided a, Strided b, Strided addend, Strided out) {
        int batch = a.shape()[0];
        int m = a.shape()[1];
        int kk = a.shape()[2];
        int n = b.shape()[2];
        if ((long) batch * m * n == 0) {
            return;
        }
        if (kk == 0) {
            cuda.fill(out, 0); // an empty sum (out may be uninitialised; CudaBackend.bmmBias never gets here)
            return;
        }
        Config c = choose(a.dtype(), batch, m, n, kk);
        int[] sa = a.strides();
        int[] sb = b.strides();
        int rowTiles = (m + c.bm() - 1) / c.bm();
        if (rowTiles <= MAX_GRID && batch <= MAX_GRID) {
            launch(cuda, c, batch, m, n, kk, a, a.offset(), b, b.offset(), addend, out, out.offset());
        } else if (rowTiles <= MAX_GRID) {
            // grid.z is at most 65535: batches in chunks (C's batch stride M*N is the same in every chunk)
            for (int b0 = 0; b0 < batch; b0 += MAX_GRID) {
                int nb = Math.min(MAX_GRID, batch - b0);
                launch(cuda, c, nb, m, n, kk, a, a.offset() + b0 * sa[0], b, b.offset() + b0 * sb[0],
                        from(addend, b0, 0), out, out.offset() + b0 * m * n);
            }
        } else {
            // so is grid.y: one batch at a time, rows in chunks (C's rows are contiguous within a batch)
            int chunk = MAX_GRID * c.bm();
            for (int bi = 0; bi < batch; bi++) {
                for (int m0 = 0; m0 < m; m0 += chunk) {
                    int nm = Math.min(chunk, m - m0);
                    launch(cuda, c, 1, nm, n, kk, a, a.offset() + bi * sa[0] + m0 * sa[1], b,
                            b.offset() + bi * sb[0], from(addend, bi, m0), out, out.offset() + (bi * m + m0) * n);
                }
            }
        }
    }

    /** The addend of a launch that starts at batch b0 and row m0 (nullable). */
    private static Strided from(Strided addend, int b0, int m0) {
        if (addend == null) {
            return null;
        }
        int[] s = addend.strides();
        return new Strided(addend.storage(), addend.shape(), s, addend.offset() + b0 * s[0] + m0 * s[1]);
    }

    /** The kernels' last four arguments: the addend's first element (or null) and its batch, row, column strides. */
    static Object[] addendArguments(Strided addend) {
        if (addend == null) {
            return new Object[] {null, 0, 0, 0};
        }
        int[] s = addend.strides();
        return new Object[] {at(addend), s[0], s[1], s[2]};
    }

    /** One launch over {@code batch} products of (m, k) @ (k, n) from the given element offsets. */
    private static void launch(CudaBackend cuda, Config c, int batch, int m, int n, int kk, Strided a, int aOff,
                               Strided b, int bOff, Strided addend, Strided out, int cOff) {
        if (c == TF32 || c == BF16) {
            TensorCoreGemm.launch(cuda, c == BF16, batch, m, n, kk, a, aOff, b, bOff, addend, out, cOff);
            return;
        }
        int[] sa = a.strides();
        int[] sb = b.strides();
        Object[] d = addendArguments(addend);
        k().launch(c.kernel(), (n + c.bn() - 1) / c.bn(), (m + c.bm() - 1) / c.bm(), batch, c.threads(),
                c.sharedBytes(), batch, m, n, kk, base(a), aOff, sa[0], sa[1], sa[2], base(b), bOff, sb[0], sb[1],
                sb[2], base(out), cOff, d[0], d[1], d[2], d[3]);
    }
}
