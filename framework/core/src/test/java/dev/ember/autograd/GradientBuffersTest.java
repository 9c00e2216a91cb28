package dev.ember.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.nn.BatchNorm2d;
import dev.ember.nn.Conv2d;
import dev.ember.nn.Embedding;
import dev.ember.nn.Flatten;
import dev.ember.nn.GRU;
import dev.ember.nn.LSTM;
import dev.ember.nn.LayerNorm;
import dev.ember.nn.Linear;
import dev.ember.nn.MaxPool2d;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.nn.TransformerEncoderLayer;
import dev.ember.nn.functional.F;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Gradient buffers released during backward (GradientBuffers): every model's and graph's gradients are the same with
 * early release on and with it off, while closed CPU storages are poisoned (NaN): a buffer closed while anything
 * still reads it would show as NaN gradients. And buffers are indeed released.
 */
class GradientBuffersTest {

    /** The parameters' gradients after loss(model).backward(), with early release on or off. */
    private static <M extends Module> List<double[]> grads(Supplier<M> model, Function<M, Tensor> loss,
                                                           boolean early) {
        String before = System.getProperty("ember.autograd.releaseEarly");
        System.setProperty("ember.autograd.releaseEarly", Boolean.toString(early));
        System.setProperty("ember.debug.poisonClosed", "true");
        try {
            Ember.manualSeed(3);
            M m = model.get();
            loss.apply(m).backward();
            List<double[]> out = new ArrayList<>();
            for (Tensor p : m.parameters()) {
                out.add(p.grad() == null ? new double[0] : p.grad().toDoubleArray());
            }
            return out;
        } finally {
            System.clearProperty("ember.debug.poisonClosed");
            if (before == null) {
                System.clearProperty("ember.autograd.releaseEarly");
            } else {
                System.setProperty("ember.autograd.releaseEarly", before);
            }
        }
    }

    private static <M extends Module> void same(String what, Supplier<M> model, Function<M, Tensor> loss) {
        List<double[]> off = grads(model, loss, false);
        long closed = GradientBuffers.CLOSED.get();
        List<double[]> on = grads(model, loss, true);
        assertTrue(GradientBuffers.CLOSED.get() > closed, what + ": no gradient buffer was released");
        for (int i = 0; i < off.size(); i++) {
            assertArrayEquals(off.get(i), on.get(i), 0.0, what + ": parameter " + i);
        }
    }

    private static Tensor x(long... shape) {
        Ember.manualSeed(11);
        return Tensor.randn(shape);
    }

    @Test
    void layersGiveTheSameGradients() {
        Tensor y = Tensor.of(DType.INT64, new double[] {0, 1, 2, 1}, 4);
        same("mlp", () -> new Sequential(new Linear(6, 8), new ReLU(), new Linear(8, 3)),
                m -> F.crossEntropy(m.forward(x(4, 6)), y));
        same("conv", () -> new Sequential(new Conv2d(2, 3, 3), new BatchNorm2d(3), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Linear(3 * 3 * 3, 3)), m -> F.crossEntropy(m.forward(x(4, 2, 8, 8)), y));
        same("lstm", () -> new LSTM(5, 7, 2), m -> m.forward(x(6, 3, 5)).output().pow(2).sum());
        same("gru", () -> new GRU(5, 7), m -> m.forward(x(6, 3, 5)).output().tanh().sum());
        same("transformer", () -> new TransformerEncoderLayer(8, 2, 16, 0.0),
                m -> m.forward(x(5, 3, 8)).pow(2).mean());
        Tensor ids = Tensor.of(DType.INT64, new double[] {1, 4, 1, 0, 3, 4}, 2, 3);
        same("embedding", () -> new Sequential(new Embedding(5, 6), new LayerNorm(6)),
                m -> m.forward(ids).mul(x(2, 3, 6)).sum());
    }

    /** A gradient reused (a tensor feeding several ops), viewed, expanded, concatenated and split. */
    @Test
    void sharedAndViewedGradients() {
        same("graph", () -> new Linear(4, 6), m -> {
            Tensor h = m.forward(x(3, 4));
            Tensor t = h.t().reshape(2, 9).t();                    // views of one gradient
            Tensor parts = Tensor.cat(List.of(h.narrow(1, 0, 2), h.sum(1, true), h.relu()), 1);
            return t.mul(t).sum().add(parts.softmax(1).mul(h.sum(1, true)).sum()).add(h.mul(h).mean());
        });
    }
}
