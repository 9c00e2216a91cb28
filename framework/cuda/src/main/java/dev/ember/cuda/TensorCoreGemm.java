package dev.ember.cuda;

import static dev.ember.cuda.CudaBackend.base;
import static dev.ember.cuda.CudaBackend.k;

import dev.ember.backend.Strided;
import dev.ember.tensor.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import jcuda.driver.CUdeviceptr;

/**
 * The tensor-core products. Both families read both operands "K-major" (each row of A, and each column of B, holds
 * its K elements contiguously, 16-byte aligned): gemm_sm90.cu's {@code gemm_wgmma_tf32} and {@code gemm_wgmma_bf16}
 * (Hopper's warpgroup MMA, sm_90a only) where the driver loaded them, else gemm_tc.cu's {@code gemm_tf32} and
 * {@code gemm_bf16} (mma.sync, sm_80 on). An operand that is not so (a transposed or strided view), and every
 * operand of a BF16 product (Ember's tensors are float32, the kernels read bfloat16), is first packed into a
 * temporary buffer of that layout; the buffer goes back to the caching allocator right after the launch, which is
 * safe because everything runs in stream order.
 *
 * <p>TF32 rounding differs: gemm_tf32 rounds the operands to nearest (cvt.rna, ties away from zero) as it loads
 * them into registers; the wgmma kernels hand the tensor cores the FP32 words from shared memory, whose low 13
 * mantissa bits the hardware drops.
 */
final class TensorCoreGemm {
    static final int BM = 128;
    /** The widest block tile of any family (CudaGemm counts tiles with it). */
    static final int BN = 256;
    static final int THREADS = 256;

    /** One family's kernels, their block tile's columns (its rows are BM) and the dynamic shared memory. */
    record Family(String tf32, String bf16, int bn, int sharedBytes) {
    }

    /** gemm_tc.cu: 128x256 tiles, five 24 KB pipeline stages. */
    static final Family MMA_SYNC = new Family("gemm_tf32", "gemm_bf16", 256, 5 * 24 * 1024);
    /** gemm_sm90.cu: 128x256 tiles, four 48 KB stages and 1 KB to align them for the 128-byte swizzle. */
    static final Family WGMMA = new Family("gemm_wgmma_tf32", "gemm_wgmma_bf16", 256, 4 * 48 * 1024 + 1024);
    /** gemm_sm90.cu: 128x128 tiles, three 32 KB stages (two blocks per multiprocessor). */
    static final Family WGMMA_128 = new Family("gemm_wgmma128_tf32", "gemm_wgmma128_bf16", 128, 3 * 32 * 1024 + 1024);

    /** The family products use instead of the runtime's choice ({@link #choose}); tests set it to run both. */
    static volatile Family override;

    /** The family products use now. */
    static Family family() {
        Family f = override;
        return f != null ? f : CudaRuntime.get().tensorCores;
    }

    /**
     * The runtime's family: {@link #WGMMA} where the driver has its kernels (a compute capability 9.0 GPU, or the
     * emulator) and they pass {@link #selfTest}, else {@link #MMA_SYNC}; {@code -Dember.cuda.gemm.tc=mma} asks for
     * the latter, {@code =wgmma128} for {@link #WGMMA_128} (so that one GPU run times all three). A failed
     * self-test costs a warning on stderr, not wrong products.
     */
    static Family choose(Driver d) {
        String asked = System.getProperty("ember.cuda.gemm.tc", "");
        if (asked.equals("mma") || !d.hasKernel(WGMMA.bf16())) {
            return MMA_SYNC;
        }
        Family f = asked.equals("wgmma128") ? WGMMA_128 : WGMMA;
        String failure;
        try {
            failure = selfTest(d, f);
        } catch (RuntimeException e) {
            failure = e.toString();
        }
        if (failure == null) {
            return f;
        }
        System.err.println("ember-cuda: the wgmma products failed their self-test (" + failure
                + "); TF32 and BF16 products take gemm_tc.cu's mma.sync kernels");
        return MMA_SYNC;
    }

    /**
     * Null if both of the family's kernels give the exact product of small integers (exact in TF32 and BF16, and so
     * are their FP32 sums) over two row tiles and enough k-tiles to refill every pipeline stage; else what differed.
     */
    static String selfTest(Driver d, Family f) {
        int m = 130;
        int n = 20;
        int k = 304; // rows of whole 16-byte chunks in both formats (the kernels' rule), and a k tail in both
        Random random = new Random(1);
        int[] a = random.ints(m * k, -2, 3).toArray(); // K-major: a[i * k + kk]
        int[] b = random.ints(n * k, -2, 3).toArray(); // B's columns, K-major: b[j * k + kk]
        float[] expected = new float[m * n];
        for (int i = 0; i < m * n; i++) {
            for (int kk = 0; kk < k; kk++) {
                expected[i] += a[i / n * k + kk] * b[i % n * k + kk];
            }
        }
        for (boolean bf16 : new boolean[] {false, true}) {
            float[] c = product(d, f, bf16, m, n, k, a, b);
            for (int i = 0; i < m * n; i++) {
                if (c[i] != expected[i]) {
                    return (bf16 ? f.bf16() : f.tf32()) + ": C[" + i / n + "][" + i % n + "] = " + c[i] + ", not "
                            + expected[i];
                }
            }
        }
        return null;
    }

    /**
     * C (m x n, row-major) = A B through one of the family's kernels, straight from the driver (no tensors, no
     * allocator): a (m x k) and b (n x k, B's columns) K-major integers, exact in both formats.
     */
    static float[] product(Driver d, Family f, boolean bf16, int m, int n, int k, int[] a, int[] b) {
        CUdeviceptr pa = upload(d, a, bf16);
        CUdeviceptr pb = upload(d, b, bf16);
        CUdeviceptr pc = d.allocate(4L * m * n);
        try {
            d.launch(bf16 ? f.bf16() : f.tf32(), (n + f.bn() - 1) / f.bn(), (m + BM - 1) / BM, 1, THREADS,
                    f.sharedBytes(), 1, m, n, k, pa, 0, 0, k, pb, 0, 0, k, pc, 0, null, 0, 0, 0);
            float[] c = new float[m * n];
            d.download(c, pc, 4L * m * n);
            return c;
        } finally {
            d.free(pa);
            d.free(pb);
            d.free(pc);
        }
    }

    /** Integers on the device as FP32 words, or as bfloat16 ones (the high half of the FP32 word: exact here). */
    private static CUdeviceptr upload(Driver d, int[] values, boolean bf16) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * (bf16 ? 2 : 4)).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            int bits = Float.floatToRawIntBits(v);
            if (bf16) {
                bytes.putShort((short) (bits >>> 16));
            } else {
                bytes.putInt(bits);
            }
        }
        CUdeviceptr p = d.allocate(bytes.capacity());
        d.upload(p, bytes.array(), bytes.capacity());
        return p;
    }

    private TensorCoreGemm() {
    }

    /** An operand as the kernel reads it: rows of {@code ld} elements from {@code off}, batches {@code sb} apart. */
    private record Operand(CUdeviceptr ptr, int off, int sb, int ld, CudaStorage packed) {
    }

    /**
     * Whether the packed operands of a (batch, m, k) @ (batch, k, n) product fit an int-sized buffer each; a product
     * that does not (billions of elements) takes the FP32 kernels instead.
     */
    static boolean fits(int batch, int m, int n, int k) {
        long ld = (k + 7L) / 8 * 8;
        return (long) batch * Math.max(m, n) * ld <= Integer.MAX_VALUE;
    }

    /**
     * C[cOff + b*m*n + i*n + j] = sum_k A(b, i, k) B(b, k, j) (+ addend(b, i, j), a nullable broadcast view) with
     * A's and B's elements at the given offsets and their strides ({@code a.strides()}: batch, row, k;
     * {@code b.strides()}: batch, k, column).
     */
    static void launch(CudaBackend cuda, boolean bf16, int batch, int m, int n, int kk, Strided a, int aOff,
                       Strided b, int bOff, Strided addend, Strided out, int cOff) {
        int[] sa = a.strides();
        int[] sb = b.strides();
        Operand pa = operand(cuda, bf16, batch, m, kk, a, aOff, sa[0], sa[1], sa[2]);
        Operand pb = operand(cuda, bf16, batch, n, kk, b, bOff, sb[0], sb[2], sb[1]);
        Object[] d = CudaGemm.addendArguments(addend);
        Family f = family();
        k().launch(bf16 ? f.bf16() : f.tf32(), (n + f.bn() - 1) / f.bn(), (m + BM - 1) / BM, batch, THREADS,
                f.sharedBytes(), batch, m, n, kk, pa.ptr(), pa.off(), pa.sb(), pa.ld(), pb.ptr(), pb.off(), pb.sb(),
                pb.ld(), base(out), cOff, d[0], d[1], d[2], d[3]);
        for (Operand p : new Operand[] {pa, pb}) {
            if (p.packed() != null) {
                p.packed().close();
            }
        }
    }

    /**
     * The operand with {@code rows} rows of {@code k} elements (row stride {@code sr}, element stride {@code sk},
     * batch stride {@code sb}) in the layout the kernel reads: itself when an FP32 operand already is K-major and
     * aligned, else a packed copy (one batch when the batch stride is 0).
     */
    private static Operand operand(CudaBackend cuda, boolean bf16, int batch, int rows, int k, Strided x, int off,
                                   int sb, int sr, int sk) {
        if (!bf16 && sk == 1 && off % 4 == 0 && sr % 4 == 0 && (batch == 1 || sb % 4 == 0)) {
            return new Operand(base(x), off, sb, sr, null); // the allocator's blocks are 512-byte aligned
        }
        int ld = bf16 ? (k + 7) / 8 * 8 : (k + 3) / 4 * 4; // rows of whole 16-byte chunks
        int packedBatch = sb == 0 ? 1 : batch;
        long elements = (long) packedBatch * rows * ld;
        int floats = (int) (bf16 ? (elements + 1) / 2 : elements);
        CudaStorage y = (CudaStorage) cuda.allocateUninitialized(DType.FLOAT32, floats, x.storage().device());
        int tiles = ((rows + 31) / 32) * ((k + 31) / 32);
        k().launch(bf16 ? "gemm_pack_bf16" : "gemm_pack_f32", tiles, 1, packedBatch, 256, 0, packedBatch, rows, k,
                base(x), off, sb, sr, sk, y.ptr(), ld);
        return new Operand(y.ptr(), 0, sb == 0 ? 0 : rows * ld, ld, y);
    }
}
