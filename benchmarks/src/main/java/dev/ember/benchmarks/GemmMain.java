package dev.ember.benchmarks;

import dev.ember.Ember;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;

/**
 * A quick GEMM benchmark without JMH: prints {@code sgemm n=... ms=... GFLOPS=...} lines in the format of
 * PyTorch's reference script (shared/bench/torch_cpu_reference.py), the median of many timed products after
 * a warm-up long enough for the JIT to compile the kernels.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp "benchmarks/target/ember-benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*" \
 *     dev.ember.benchmarks.GemmMain [sizes, default 256,512,1024,2048] [float32|float64] [nn|nt|tn|tt] [threads]
 * </pre>
 */
public final class GemmMain {
    private GemmMain() {
    }

    public static void main(String[] args) {
        int[] sizes = Arrays.stream((args.length > 0 ? args[0] : "256,512,1024,2048").split(","))
                .mapToInt(Integer::parseInt).toArray();
        DType dtype = DType.valueOf((args.length > 1 ? args[1] : "float32").toUpperCase(Locale.ROOT));
        String layout = args.length > 2 ? args[2] : "nn";
        if (args.length > 3) {
            Ember.setNumThreads(Integer.parseInt(args[3]));
        }
        String name = dtype == DType.FLOAT64 ? "dgemm" : "sgemm";
        Ember.manualSeed(0);
        for (int n : sizes) {
            Tensor a = Tensor.randn(dtype, n, n);
            Tensor b = Tensor.randn(dtype, n, n);
            if (layout.charAt(0) == 't') {
                a = a.t();
            }
            if (layout.charAt(1) == 't') {
                b = b.t();
            }
            double flops = 2.0 * n * n * n;
            // about 3 s of warm-up at 100 GFLOPS (JIT compiles the kernel; a cold one runs in the interpreter)
            // and about 2 s of timed runs, at least 5 / 11 of them
            int warm = (int) Math.max(5, 3e11 / flops);
            int reps = (int) Math.max(11, 2e11 / flops);
            for (int i = 0; i < warm; i++) {
                a.matmul(b);
            }
            double[] ms = new double[reps];
            for (int i = 0; i < reps; i++) {
                long t0 = System.nanoTime();
                a.matmul(b);
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(ms);
            double median = ms[reps / 2];
            System.out.printf(Locale.ROOT, "%s n=%d ms=%.3f GFLOPS=%.1f (best %.1f, %d runs, %d threads%s)%n", name, n,
                    median, flops / median / 1e6, flops / ms[0] / 1e6, reps, Ember.getNumThreads(),
                    layout.equals("nn") ? "" : ", " + layout);
        }
    }
}
