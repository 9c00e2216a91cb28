package dev.ember.cuda;

import static dev.ember.cuda.GpuCheck.forwardBackward;

import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Random graphs (as core's RandomGraphGradcheckTest builds them: tensors feeding several ops, keepdim sums broadcast
 * back, expands, slices concatenated, products, softmax) forward and backward on CUDA against the CPU. Autograd
 * closes the gradient buffers it made as soon as nothing waits for them, and on the emulator a closed storage is
 * filled with NaN before its block goes back to the cache: a buffer released while a kernel still reads it shows.
 */
@Tag("gpu")
class CudaRandomGraphTest {
    private static final int GRAPHS = 40;

    @BeforeAll
    static void gpu() {
        GpuCheck.requireGpu();
    }

    private static Tensor graph(long seed, Tensor a, Tensor b, Tensor w) {
        Random r = new Random(seed);
        List<Tensor> pool = new ArrayList<>(List.of(a, b));
        for (int i = 0; i < 12; i++) {
            Tensor x = pool.get(r.nextInt(pool.size()));
            Tensor y = pool.get(r.nextInt(pool.size()));
            pool.add(switch (r.nextInt(12)) {
                case 0 -> x.add(y);
                case 1 -> x.mul(y);
                case 2 -> x.sub(y.mul(0.5));
                case 3 -> x.mul(x.sum(1, true));
                case 4 -> x.add(y.mean(0, true));
                case 5 -> x.tanh();
                case 6 -> x.sigmoid().mul(y);
                case 7 -> x.matmul(w).mul(0.5);
                case 8 -> Tensor.cat(List.of(x.narrow(1, 0, 2), y.narrow(1, 2, 2)), 1);
                case 9 -> x.t().reshape(3, 4);
                case 10 -> x.sum(0, true).expand(3, 4).mul(y);
                default -> x.softmax(1).mul(y);
            });
        }
        Tensor out = pool.get(pool.size() - 1);
        for (int k = 0; k < 2; k++) {
            out = out.add(pool.get(r.nextInt(pool.size())).mul(pool.get(r.nextInt(pool.size()))).mul(0.1));
        }
        return out;
    }

    @Test
    void randomGraphsMatchTheCpu() {
        for (int seed = 0; seed < GRAPHS; seed++) {
            long s = seed;
            forwardBackward("graph " + seed, t -> graph(s, t[0], t[1], t[2]), // float64's GpuCheck.tol
                    GpuCheck.randn(1000 + seed, DType.FLOAT64, 3, 4), GpuCheck.randn(2000 + seed, DType.FLOAT64, 3, 4),
                    GpuCheck.randn(3000 + seed, DType.FLOAT64, 4, 4));
        }
    }
}
