package dev.ember.benchmarks;

import dev.ember.Ember;
import dev.ember.nn.functional.Convolutions;
import dev.ember.nn.functional.Pooling;
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
 * The CPU convolution and pooling kernels through {@code F.conv2d} and {@code F.max_pool2d}, float32, on the
 * shapes of PyTorch's reference script: {@code bench} is its 64-to-64-channel 3x3 layer on 32x32 images, batch
 * 32 (Winograd F(2x2, 3x3)); {@code lenet1} and {@code lenet2} are LeNet's 5x5 layers, batch 64 (the direct
 * kernels). {@code forward} times the layer; {@code trainStep} the layer, a sum and the backward pass (input,
 * weight and bias gradients); {@code maxPool} a 2x2 pool of the layer's output, forward and backward.
 *
 * <pre>
 * java -jar benchmarks/target/ember-benchmarks-0.1.0-SNAPSHOT.jar ConvBenchmark -p shape=bench -p threads=1
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ConvBenchmark {
    @Param({"bench", "lenet1", "lenet2"})
    public String shape;

    /** Threads for the CPU kernels; 0 keeps the default (the cores, or EMBER_NUM_THREADS). */
    @Param({"0"})
    public int threads;

    private Tensor x;
    private Tensor weight;
    private Tensor bias;
    private long padding;
    private Tensor pooled;

    @Setup
    public void setup() {
        if (threads > 0) {
            Ember.setNumThreads(threads);
        }
        Ember.manualSeed(0);
        long[] s = switch (shape) {
            // batch, channels in, out, image size, kernel, padding
            case "bench" -> new long[] {32, 64, 64, 32, 3, 1};
            case "lenet1" -> new long[] {64, 1, 6, 28, 5, 2};
            case "lenet2" -> new long[] {64, 6, 16, 14, 5, 0};
            default -> throw new IllegalArgumentException("unknown shape " + shape);
        };
        x = Tensor.randn(s[0], s[1], s[3], s[3]).requiresGrad(true);
        weight = Tensor.randn(s[2], s[1], s[4], s[4]).mul(0.1).detach().requiresGrad(true);
        bias = Tensor.randn(s[2]).detach().requiresGrad(true);
        padding = s[5];
        pooled = conv().detach().requiresGrad(true);
    }

    private Tensor conv() {
        return Convolutions.conv2d(x, weight, bias, new long[] {1, 1}, new long[] {padding, padding},
                new long[] {1, 1}, 1);
    }

    @Benchmark
    public Tensor forward() {
        try (var ignored = dev.ember.autograd.Autograd.noGrad()) {
            return conv();
        }
    }

    @Benchmark
    public Tensor trainStep() {
        x.setGrad(null);
        weight.setGrad(null);
        bias.setGrad(null);
        conv().sum().backward();
        return weight.grad();
    }

    @Benchmark
    public Tensor maxPool() {
        pooled.setGrad(null);
        Pooling.maxPool2d(pooled, 2).sum().backward();
        return pooled.grad();
    }
}
