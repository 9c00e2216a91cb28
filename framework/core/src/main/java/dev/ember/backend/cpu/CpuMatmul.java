package dev.ember.backend.cpu;

import dev.ember.backend.Strided;

/**
 * Batched matrix product with arbitrary strides on both operands (so transposed views need no copy).
 * The i-k-j loop order streams rows of b and out. This is the plain reference; a packed, register-blocked
 * Vector API GEMM will replace the contiguous float32 path and be tested against this one.
 */
final class CpuMatmul {
    private CpuMatmul() {
    }

    static void bmm(Strided a, Strided b, Strided out) {
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
