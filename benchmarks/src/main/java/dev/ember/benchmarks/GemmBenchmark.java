package dev.ember.benchmarks;

import dev.ember.Ember;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Square matrix products {@code (n, n) @ (n, n)} through {@code Tensor.matmul}, the workload of PyTorch's
 * {@code sgemm n=...} reference line (shared/bench/torch_cpu_reference.py). Reports milliseconds per product;
 * GFLOPS = 2 n^3 / (ms * 1e6). {@code layout} "nt" multiplies by a transposed view (as {@code Linear} does
 * with its weight), "tn" by a transposed left operand (as the weight gradient does).
 *
 * <pre>
 * java -jar benchmarks/target/ember-benchmarks-0.1.0-SNAPSHOT.jar GemmBenchmark -p n=1024 -p dtype=float32
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GemmBenchmark {
    @Param({"256", "512", "1024", "2048"})
    public int n;

    @Param({"float32"})
    public String dtype;

    @Param({"nn"})
    public String layout;

    /** Threads for the CPU kernels; 0 keeps the default (the cores, or EMBER_NUM_THREADS). */
    @Param({"0"})
    public int threads;

    private Tensor a;
    private Tensor b;

    @Setup
    public void setup() {
        if (threads > 0) {
            Ember.setNumThreads(threads);
        }
        Ember.manualSeed(0);
        DType t = DType.valueOf(dtype.toUpperCase(java.util.Locale.ROOT));
        a = Tensor.randn(t, n, n);
        b = Tensor.randn(t, n, n);
        if (layout.charAt(0) == 't') {
            a = a.t();
        }
        if (layout.charAt(1) == 't') {
            b = b.t();
        }
    }

    @Benchmark
    public Tensor matmul() {
        return a.matmul(b);
    }
}
