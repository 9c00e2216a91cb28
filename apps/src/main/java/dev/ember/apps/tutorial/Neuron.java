package dev.ember.apps.tutorial;

import dev.ember.tensor.Tensor;
import java.util.List;

/**
 * A single neuron, {@code o = tanh(x1*w1 + x2*w2 + b)}, forward and backward: the PyTorch program
 * from Karpathy's micrograd lecture, written with Ember's API.
 *
 * <pre>{@code
 * x1 = torch.Tensor([2.0]).double(); x1.requires_grad = True    # same for x2, w1, w2, b
 * n = x1*w1 + x2*w2 + b
 * o = torch.tanh(n)
 * print(o.data.item()); o.backward(); print('---'); print('x2', x2.grad.item()) ...
 * }</pre>
 */
public final class Neuron {

    private Neuron() {}

    /** Runs the program and returns the six lines PyTorch prints, formatted the same way. */
    public static List<String> run() {
        // Tensor.of(double) is float32 like torch.Tensor([...]); toDouble() is .double()
        Tensor x1 = Tensor.of(2.0).toDouble().requiresGrad(true);
        Tensor x2 = Tensor.of(0.0).toDouble().requiresGrad(true);
        Tensor w1 = Tensor.of(-3.0).toDouble().requiresGrad(true);
        Tensor w2 = Tensor.of(1.0).toDouble().requiresGrad(true);
        Tensor b = Tensor.of(6.8813735870195432).toDouble().requiresGrad(true);

        Tensor n = x1.mul(w1).add(x2.mul(w2)).add(b);
        Tensor o = n.tanh();
        double out = o.item();
        o.backward();

        // Double.toString gives the shortest repr that round-trips, as Python's float repr does
        return List.of(
                Double.toString(out),
                "---",
                "x2 " + x2.grad().item(),
                "w2 " + w2.grad().item(),
                "x1 " + x1.grad().item(),
                "w1 " + w1.grad().item());
    }
}
