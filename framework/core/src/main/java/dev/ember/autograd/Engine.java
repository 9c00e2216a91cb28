package dev.ember.autograd;

import dev.ember.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode differentiation on the calling thread. Nodes run in reverse topological order, each once, with
 * the sum of the gradients flowing into it. Broadcasting and dtype promotion are undone here for every op:
 * an input's gradient is summed back to the input's shape and cast to its dtype. Without retainGraph each
 * node releases its saved tensors after it runs, so a second backward through it is a clear error.
 */
public final class Engine {
    private Engine() {
    }

    public static void backward(Tensor root, Tensor gradient, boolean retainGraph) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: element 0 of tensors does not require grad and does not have "
                    + "a grad_fn (shape " + Arrays.toString(root.shape()) + ")");
        }
        Tensor seed = seedGradient(root, gradient);
        Node start = root.gradFn();
        try (var ignored = Autograd.noGrad()) {
            if (start == null) { // backward on a leaf: its gradient is the seed
                new AccumulateGrad(root).apply(seed);
                return;
            }
            run(start, seed, retainGraph);
        }
    }

    private static Tensor seedGradient(Tensor root, Tensor gradient) {
        if (gradient == null) {
            if (root.numel() != 1) {
                throw new IllegalArgumentException("backward: grad can be implicitly created only for scalar outputs, "
                        + "but the output has shape " + Arrays.toString(root.shape())
                        + "; pass a gradient of that shape to backward(gradient)");
            }
            return Tensor.onesLike(root.detach());
        }
        if (!Arrays.equals(gradient.shape(), root.shape())) {
            throw new IllegalArgumentException("backward: mismatch in shape: gradient has shape "
                    + Arrays.toString(gradient.shape()) + " and output has shape " + Arrays.toString(root.shape()));
        }
        if (!gradient.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("backward: gradient must be a floating point tensor, got "
                    + gradient.dtype().torchName());
        }
        return gradient.detach().to(root.dtype());
    }

    private static void run(Node start, Tensor seed, boolean retainGraph) {
        List<Node> order = topologicalOrder(start);
        Map<Node, Tensor> pending = new IdentityHashMap<>();
        pending.put(start, seed);
        for (Node node : order) {
            Tensor g = pending.remove(node);
            if (g == null) {
                continue; // no gradient reached this node (all paths to it carried null)
            }
            for (Tensor t : node.retained()) {
                t.setGrad(t.grad() == null ? g.to(t.dtype()).clone() : t.grad().add(g));
            }
            Tensor[] grads = node.apply(g);
            if (!retainGraph) {
                node.release();
            }
            for (int i = 0; i < node.inputCount(); i++) {
                Node next = node.next(i);
                if (next == null || grads[i] == null) {
                    continue;
                }
                Tensor gi = grads[i].sumToSize(node.inputShape(i)).to(node.inputDType(i));
                Tensor acc = pending.get(next);
                pending.put(next, acc == null ? gi : acc.add(gi));
            }
        }
    }

    /** Nodes reachable from start, each after every node that feeds it a gradient. */
    private static List<Node> topologicalOrder(Node start) {
        Map<Node, Boolean> visited = new IdentityHashMap<>();
        List<Node> postOrder = new ArrayList<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {start, 0});
        visited.put(start, true);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Node n = (Node) top[0];
            int i = (Integer) top[1];
            if (i < n.inputCount()) {
                top[1] = i + 1;
                Node next = n.next(i);
                if (next != null && visited.putIfAbsent(next, true) == null) {
                    stack.push(new Object[] {next, 0});
                }
            } else {
                stack.pop();
                postOrder.add(n);
            }
        }
        java.util.Collections.reverse(postOrder);
        return postOrder;
    }
}
