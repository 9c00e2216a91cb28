package dev.ember.cuda;

/**
 * A diagnostic for the first GPU runs of the wgmma kernels (gemm_sm90.cu), should their self-test fail: one block
 * of each kernel on probe operands whose products say which operand element every output came from, printed so
 * that the layout the hardware used can be worked out offline. tools/gpu_check.sh runs it when the self-test fails.
 *
 * <p>Probes, on a 128 x BN x (one k-tile) product, all values small integers (exact in TF32 and BF16):
 * <ul>
 *   <li>rows: A[m][0] = m + 1, B'[n][0] = 1, zeros elsewhere; C[m][n] should be m + 1;
 *   <li>columns: A[m][0] = 1, B'[n][0] = n % 200 + 1; C[m][n] should be n % 200 + 1;
 *   <li>k: A[m][k] = k + 1, B'[n][k] = 1 where k = n % K; C[m][n] should be n % K + 1.
 * </ul>
 * Run: {@code java ... dev.ember.cuda.WgmmaProbe} (on a compute capability 9.0 GPU).
 */
public final class WgmmaProbe {
    private WgmmaProbe() {
    }

    public static void main(String[] args) {
        System.out.print(report(CudaRuntime.forDevice(0).driver));
    }

    /** The probes' lines: "KERNEL PROBE probe: W of T wrong ...", and rows in full after a wrong one. */
    static String report(Driver d) {
        StringBuilder out = new StringBuilder();
        for (TensorCoreGemm.Family f : new TensorCoreGemm.Family[] {TensorCoreGemm.WGMMA, TensorCoreGemm.WGMMA_128}) {
            if (!d.hasKernel(f.bf16())) {
                out.append("no ").append(f.bf16()).append(" on this GPU\n");
                continue;
            }
            for (boolean bf16 : new boolean[] {false, true}) {
                int m = 128;
                int n = f.bn();
                int k = bf16 ? 64 : 32; // one k-tile
                for (String probe : new String[] {"rows", "columns", "k"}) {
                    int[] a = new int[m * k];
                    int[] b = new int[n * k];
                    for (int i = 0; i < m; i++) {
                        a[i * k] = probe.equals("rows") ? i + 1 : 1;
                        if (probe.equals("k")) {
                            for (int kk = 0; kk < k; kk++) {
                                a[i * k + kk] = kk + 1;
                            }
                        }
                    }
                    for (int j = 0; j < n; j++) {
                        if (probe.equals("k")) {
                            b[j * k + j % k] = 1;
                        } else {
                            b[j * k] = probe.equals("columns") ? j % 200 + 1 : 1;
                        }
                    }
                    float[] c = TensorCoreGemm.product(d, f, bf16, m, n, k, a, b);
                    int wrong = 0;
                    StringBuilder first = new StringBuilder();
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            int want = probe.equals("rows") ? i + 1 : probe.equals("columns") ? j % 200 + 1 : j % k + 1;
                            if (c[i * n + j] != want && wrong++ < 8) {
                                first.append(String.format(" C[%d][%d]=%s(want %d)", i, j, c[i * n + j], want));
                            }
                        }
                    }
                    out.append(String.format("%s %s probe: %d of %d wrong%s%n", bf16 ? f.bf16() : f.tf32(), probe,
                            wrong, m * n, first));
                    if (wrong > 0) { // rows 0, 1, 8, 16, 64 in full: enough to read the layout off
                        for (int i : new int[] {0, 1, 8, 16, 64}) {
                            StringBuilder row = new StringBuilder("  row " + i + ":");
                            for (int j = 0; j < n; j++) {
                                row.append(' ').append((int) c[i * n + j]);
                            }
                            out.append(row).append('\n');
                        }
                    }
                }
            }
        }
        return out.toString();
    }
}
