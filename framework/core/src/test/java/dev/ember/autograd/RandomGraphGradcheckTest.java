package dev.ember.autograd;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.DoubleStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine on random graphs: a few float64 leaves, then a dozen ops drawn at random over everything made so far,
 * so that gradients meet in every way the engine adds them up (a tensor feeding several ops, views of one gradient,
 * expanded keepdim reductions, slices concatenated back, products), each graph checked against finite differences.
 * Closed CPU storages are poisoned (NaN) meanwhile, so a gradient buffer the engine released too early fails the
 * check too. (A keepdim sum's expanded gradient added into in place was found this way.)
 */
class RandomGraphGradcheckTest {
    private static final int GRAPHS = 150;
    private static final int OPS = 12;

    @BeforeEach
    void poison() {
        System.setProperty("ember.debug.poisonClosed", "true");
    }

    @AfterEach
    void clear() {
        System.clearProperty("ember.debug.poisonClosed");
    }

    /** The graph of seed {@code seed} over leaves a, b (3, 4) and w (4, 4): a scalar loss. */
    private static Tensor graph(long seed, Tensor[] leaves) {
        Random r = new Random(seed);
        List<Tensor> pool = new ArrayList<>(List.of(leaves[0], leaves[1]));
        Tensor w = leaves[2];
        for (int i = 0; i < OPS; i++) {
            Tensor x = pool.get(r.nextInt(pool.size()));
            Tensor y = pool.get(r.nextInt(pool.size()));
            Tensor z = switch (r.nextInt(12)) {
                case 0 -> x.add(y);
                case 1 -> x.mul(y);
                case 2 -> x.sub(y.mul(0.5));
                case 3 -> x.mul(x.sum(1, true));                       // a keepdim sum broadcast back
                case 4 -> x.add(y.mean(0, true));
                case 5 -> x.tanh();
                case 6 -> x.sigmoid().mul(y);
                case 7 -> x.matmul(w).mul(0.5);
                case 8 -> Tensor.cat(List.of(x.narrow(1, 0, 2), y.narrow(1, 2, 2)), 1);
                case 9 -> x.t().reshape(3, 4);                         // a view, then a copy of a transpose
                case 10 -> x.sum(0, true).expand(3, 4).mul(y);          // stride 0
                default -> x.softmax(1).mul(y);
            };
            pool.add(z);
        }
        Tensor loss = pool.get(pool.size() - 1).sum();
        for (int k = 0; k < 2; k++) {
            loss = loss.add(pool.get(r.nextInt(pool.size())).mul(pool.get(r.nextInt(pool.size()))).sum().mul(0.1));
        }
        return loss;
    }

    @Test
    void randomGraphsMatchFiniteDifferences() {
        for (int seed = 0; seed < GRAPHS; seed++) {
            Random init = new Random(1000 + seed);
            Tensor[] leaves = {leaf(init, 3, 4), leaf(init, 3, 4), leaf(init, 4, 4)};
            long s = seed;
            Function<Tensor[], Tensor> f = in -> graph(s, in);
            assertDoesNotThrow(() -> GradCheck.gradcheck(f, leaves), "graph " + seed); // it throws on a mismatch
        }
    }

    private static Tensor leaf(Random r, long rows, long cols) {
        return Gradchecks.of(DoubleStream.generate(() -> r.nextGaussian() * 0.5).limit(rows * cols).toArray(), rows,
                cols);
    }
}
