package dev.ember.backend.cpu;

import dev.ember.backend.Strided;

/**
 * Batched matrix product {@code a (B, M, K) @ b (B, K, N) -> out (B, M, N)} with arbitrary strides on every
 * operand (transposed, sliced and expanded views need no copy). float32 and float64 go to the packed,
 * register-blocked, multithreaded Vector API GEMMs ({@link Sgemm}, {@link Dgemm}); int64 and tiny products
 * (where packing costs more than it saves) run the plain loops of {@link #reference}, which is also the
 * slow twin the fast kernels are tested against.
 */
final class CpuMatmul {
    /** Products of at most this many multiply-adds (m * n * k) take the plain loops. */
    static final long TINY = 512;

    private CpuMatmul() {
    }

    static void bmm(Strided a, Strided b, Strided out) {
        int batch = a.shape()[0];
        int m = a.shape()[1];
        int k = a.shape()[2];
        int n = b.shape()[2];
        if ((long) m * n * k <= TINY || a.dtype() != b.dtype() || a.dtype() != out.dtype()) {
            reference(a, b, out);
            return;
        }
        switch (out.dtype()) {
            case FLOAT32 -> Sgemm.bmm(batch, m, n, k, GemmOperand.F.of(a), GemmOperand.F.of(b), GemmOperand.F.of(out));
            case FLOAT64 -> Dgemm.bmm(batch, m, n, k, GemmOperand.D.of(a), GemmOperand.D.of(b), GemmOperand.D.of(out));
            default -> reference(a, b, out);
        }
    }

    /**
     * The plain reference: i-k-j loops (streaming rows of b and out) with a row accumulator, single-threaded,
     * any strides and any numeric dtype.
     */
    static void reference(Strided a, Strided b, Strided out) {
        CpuStorage x = (CpuStorage) a.storage();
        CpuStorage z = (CpuStorage) b.storage();
        CpuStorage y = (CpuStorage) out.storage();
        int batch = a.shape()[0];
        int m = a.shape()[1];
        int kk = a.shape()[2];
        int n = b.shape()[2];
        int[] as = a.strides();
        int[] bs = b.strides();
        int[] os = out.strides();
        for (int p = 0; p < batch; p++) {
            for (int i = 0; i < m; i++) {
                int orow = out.offset() + p * os[0] + i * os[1];
                int arow = a.offset() + p * as[0] + i * as[1];
                if (y.d != null) {
                    double[] acc = new double[n];
                    for (int k = 0; k < kk; k++) {
                        double aik = x.d[arow + k * as[2]];
                        int brow = b.offset() + p * bs[0] + k * bs[1];
                        for (int j = 0; j < n; j++) {
                            acc[j] += aik * z.d[brow + j * bs[2]];
                        }
                    }
                    for (int j = 0; j < n; j++) {
                        y.d[orow + j * os[2]] = acc[j];
                    }
                } else if (y.f != null) {
                    float[] acc = new float[n];
                    for (int k = 0; k < kk; k++) {
                        float aik = x.f[arow + k * as[2]];
                        int brow = b.offset() + p * bs[0] + k * bs[1];
                        for (int j = 0; j < n; j++) {
                            acc[j] += aik * z.f[brow + j * bs[2]];
                        }
                    }
                    for (int j = 0; j < n; j++) {
                        y.f[orow + j * os[2]] = acc[j];
                    }
                } else {
                    long[] acc = new long[n];
                    for (int k = 0; k < kk; k++) {
                        long aik = x.getLong(arow + k * as[2]);
                        int brow = b.offset() + p * bs[0] + k * bs[1];
                        for (int j = 0; j < n; j++) {
                            acc[j] += aik * z.getLong(brow + j * bs[2]);
                        }
                    }
                    for (int j = 0; j < n; j++) {
                        y.setLong(orow + j * os[2], acc[j]);
                    }
                }
            }
        }
    }
}
