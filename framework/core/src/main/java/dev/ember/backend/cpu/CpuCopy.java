package dev.ember.backend.cpu;

import dev.ember.backend.Strided;

/**
 * Strided copies with dtype conversion ({@code contiguous}, {@code clone}, {@code to(dtype)}, broadcasting a
 * scalar into a new dtype). Same-dtype contiguous copies are one {@code System.arraycopy}; the common pairs
 * (same dtype strided, float32 and float64 either way, bool to float) have typed inner loops, large copies run
 * over {@link Parallel}'s threads, and any other pair takes the generic loop through
 * {@link CpuStorage#getDouble} / {@link CpuStorage#setDouble} (exact {@code long} copies between integer types).
 */
final class CpuCopy {
    private static final int GRAIN = 65536;

    private CpuCopy() {
    }

    static void copy(Strided src, Strided dst) {
        CpuStorage s = (CpuStorage) src.storage();
        CpuStorage t = (CpuStorage) dst.storage();
        if (s.dtype() == t.dtype() && src.isContiguous() && dst.isContiguous()) {
            System.arraycopy(s.array(), src.offset(), t.array(), dst.offset(), src.numel());
            return;
        }
        boolean exactLong = !s.dtype().isFloatingPoint() && !t.dtype().isFloatingPoint();
        if (dst.numel() == 1 && src.numel() == 1) {
            // a Java number converted to the other operand's dtype, on every op with a scalar
            if (exactLong) {
                t.setLong(dst.offset(), s.getLong(src.offset()));
            } else {
                t.setDouble(dst.offset(), s.getDouble(src.offset()));
            }
            return;
        }
        CpuElementwise.forEachPlane(src.shape(), new int[][] {src.strides(), dst.strides()},
                new int[] {src.offset(), dst.offset()}, GRAIN, (o, rs, rows, st, n) -> {
                    for (int r = 0; r < rows; r++) {
                        row(s, o[0] + r * rs[0], st[0], t, o[1] + r * rs[1], st[1], n, exactLong);
                    }
                });
    }

    private static void row(CpuStorage s, int i, int si, CpuStorage t, int j, int sj, int n, boolean exactLong) {
        if (si == 1 && sj == 1 && s.dtype() == t.dtype()) {
            System.arraycopy(s.array(), i, t.array(), j, n);
        } else if (s.f != null && t.f != null) {
            for (int k = 0; k < n; k++, i += si, j += sj) {
                t.f[j] = s.f[i];
            }
        } else if (s.d != null && t.d != null) {
            for (int k = 0; k < n; k++, i += si, j += sj) {
                t.d[j] = s.d[i];
            }
        } else if (s.f != null && t.d != null) {
            for (int k = 0; k < n; k++, i += si, j += sj) {
                t.d[j] = s.f[i];
            }
        } else if (s.d != null && t.f != null) {
            for (int k = 0; k < n; k++, i += si, j += sj) {
                t.f[j] = (float) s.d[i];
            }
        } else if (s.b != null && t.f != null) {
            for (int k = 0; k < n; k++, i += si, j += sj) {
                t.f[j] = s.b[i] ? 1f : 0f;
            }
        } else if (s.b != null && t.d != null) {
            for (int k = 0; k < n; k++, i += si, j += sj) {
                t.d[j] = s.b[i] ? 1.0 : 0.0;
            }
        } else if (exactLong) {
            for (int k = 0; k < n; k++, i += si, j += sj) {
                t.setLong(j, s.getLong(i));
            }
        } else {
            for (int k = 0; k < n; k++, i += si, j += sj) {
                t.setDouble(j, s.getDouble(i));
            }
        }
    }
}
