package dev.ember.autograd;

import dev.ember.backend.Backends;
import dev.ember.tensor.Device;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reverse-mode differentiation on the calling thread. Nodes run in reverse topological order, each once, with
 * the sum of the gradients flowing into it. Broadcasting and dtype promotion are undone here for every op:
 * an input's gradient is summed back to the input's shape and cast to its dtype. Without retainGraph each
 * node releases its saved tensors after it runs, so a second backward through it is a clear error.
 */
public final class Engine {
    /** {@link #one}'s cache: a 1 per device and dtype. */
    private static final Map<List<Object>, Tensor> ONES = new ConcurrentHashMap<>();

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
            return one(root);
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

    /**
     * The 1 that seeds a scalar's backward, in the root's shape: a view of one cached tensor per device and dtype
     * (a fill kernel less per training step on a GPU). Safe to share: the engine writes only into gradients it made
     * itself, and leaves and retained gradients get copies of the seed. During a graph capture a new one is made,
     * since its fill would run only at replay.
     */
    private static Tensor one(Tensor root) {
        Device device = root.device();
        if (!device.equals(Device.CPU) && Backends.forDevice(device).isCapturing()) {
            return Tensor.onesLike(root.detach());
        }
        Tensor one = ONES.computeIfAbsent(List.of(device, root.dtype()), k -> Tensor.ones(root.dtype(), device));
        return one.reshape(root.shape());
    }

    private static void run(Node start, Tensor seed, boolean retainGraph) {
        List<Node> order = topologicalOrder(start);
        Map<Node, Tensor> pending = new IdentityHashMap<>();
        // gradients the engine made itself (sums, zero-filled buffers) and that nothing else references yet: they
        // can be added to in place; a gradient a node returned may be shared (AddBackward returns g twice) or be a
        // view of a saved tensor, so it is never written to
        Set<Tensor> owned = Collections.newSetFromMap(new IdentityHashMap<>(8));
        // their storages, closed as soon as no waiting gradient refers to them
        GradientBuffers buffers = new GradientBuffers();
        pending.put(start, seed);
        for (Node node : order) {
            Tensor g = pending.remove(node); // still held (by this node) until it is done with it
            if (g == null) {
                continue; // no gradient reached this node (all paths to it carried null)
            }
            boolean gOwned = owned.remove(g);
            for (Tensor t : node.retained()) {
                t.setGrad(t.grad() == null ? g.to(t.dtype()).clone() : t.grad().add(g));
            }
            if (node instanceof AccumulateGrad leaf) {
                if (leaf.accumulate(g, gOwned && node.retained().isEmpty())) {
                    buffers.escape(g);
                } else {
                    buffers.release(g);
                }
                continue;
            }
            if (node.accumulatesInto() && node.next(0) != null) {
                Node next = node.next(0);
                Tensor acc = pending.get(next);
                if (acc == null || !owned.contains(acc) || !acc.isContiguous()) {
                    Tensor fresh = acc == null ? Tensor.zeros(node.inputDType(0), g.device(), node.inputShape(0))
                            : acc.clone();
                    if (acc != null) {
                        buffers.release(acc);
                    }
                    acc = fresh;
                    buffers.own(acc);
                    buffers.hold(acc);
                }
                node.accumulateInto(acc, g.to(node.inputDType(0)));
                owned.add(acc);
                pending.put(next, acc);
                if (!retainGraph) {
                    node.release();
                }
                buffers.release(g);
                continue;
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
                boolean giFresh = fresh(node, g, gOwned, grads[i], gi);
                if (giFresh) {
                    buffers.own(gi);
                }
                Tensor acc = pending.get(next);
                if (acc == null) {
                    pending.put(next, gi);
                    buffers.hold(gi);
                    if (giFresh) {
                        owned.add(gi);
                    }
                } else if (owned.contains(acc)) {
                    acc.addi(gi);
                    buffers.discard(gi);
                } else {
                    Tensor sum = acc.add(gi);
                    owned.add(sum);
                    pending.put(next, sum);
                    buffers.own(sum);
                    buffers.hold(sum);
                    buffers.release(acc);
                    buffers.discard(gi);
                }
            }
            buffers.release(g);
        }
    }

    /**
     * Whether the gradient {@code gi} (from {@code returned}, which {@code node} returned for an input, after
     * summing to the input's shape and converting to its dtype) is a buffer that nothing but the engine holds:
     * a sum or a conversion made it here, the node declares fresh gradients (a matrix product's), or a one-input
     * node passed on a view of the gradient it got, which the engine owned (a transpose, a reshape). Never a view
     * in which elements share memory (an expand's stride 0, as a keepdim sum's backward returns): the next
     * gradient could not be added into it in place.
     */
    private static boolean fresh(Node node, Tensor g, boolean gOwned, Tensor returned, Tensor gi) {
        if (sharesElements(gi)) {
            return false;
        }
        Object storage = gi.strided().storage();
        return storage != returned.strided().storage() || node.freshGradients()
                || (gOwned && node.inputCount() == 1 && storage == g.strided().storage());
    }

    /** Whether two elements of t are one memory location (a dimension of stride 0 and size above 1). */
    private static boolean sharesElements(Tensor t) {
        long[] shape = t.shape();
        int[] strides = t.strided().strides();
        for (int d = 0; d < shape.length; d++) {
            if (strides[d] == 0 && shape[d] > 1) {
                return true;
            }
        }
        return false;
    }

    /** Nodes reachable from start, each after every node that feeds it a gradient. */
    private static List<Node> topologicalOrder(Node start) {
        Map<Node, Boolean> visited = new IdentityHashMap<>();
        List<Node> postOrder = new ArrayList<>();
        // an explicit depth-first stack (graphs can be deeper than the thread's stack): nodes and next input index
        Node[] nodes = new Node[16];
        int[] next = new int[16];
        int top = 0;
        nodes[0] = start;
        visited.put(start, Boolean.TRUE);
        while (top >= 0) {
            Node n = nodes[top];
            int i = next[top];
            if (i < n.inputCount()) {
                next[top] = i + 1;
                Node child = n.next(i);
                if (child != null && visited.putIfAbsent(child, Boolean.TRUE) == null) {
                    if (++top == nodes.length) {
                        nodes = Arrays.copyOf(nodes, top * 2);
                        next = Arrays.copyOf(next, top * 2);
                    }
                    nodes[top] = child;
                    next[top] = 0;
                }
            } else {
                postOrder.add(n);
                nodes[top--] = null;
            }
        }
        java.util.Collections.reverse(postOrder);
        return postOrder;
    }
}
