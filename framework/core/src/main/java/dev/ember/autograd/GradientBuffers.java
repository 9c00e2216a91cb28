package dev.ember.autograd;

import dev.ember.backend.Storage;
import dev.ember.tensor.Tensor;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The storages of the gradients one backward pass made itself (its owned buffers), and how many of the gradients
 * waiting for a node refer to each. When the last of them has been consumed nothing can reach the storage any
 * more, so it is closed at once: on a GPU its block goes back to the caching allocator (in stream order) instead
 * of waiting for the garbage collector, as PyTorch frees a gradient when its last reference goes. That holds
 * because nodes run under no-grad and keep nothing of the gradient they get but what they return, and what they
 * return is counted here whenever it shares a tracked storage (a view, or the gradient itself passed on). A storage
 * a leaf keeps as its {@code .grad} escapes and is never closed; one the engine did not make (a view of a saved
 * tensor, the seed) is never tracked.
 *
 * <p>{@code -Dember.autograd.releaseEarly=false} turns this off (the garbage collector then frees everything).
 */
final class GradientBuffers {
    /** Storages closed so far, in all backward passes (for tests). */
    static final AtomicLong CLOSED = new AtomicLong();
    private final Map<Storage, int[]> holders = new IdentityHashMap<>();
    private final Set<Storage> escaped = Collections.newSetFromMap(new IdentityHashMap<>());
    private final boolean enabled = !"false".equals(System.getProperty("ember.autograd.releaseEarly"));

    private static Storage storage(Tensor t) {
        return t.strided().storage();
    }

    /** t is a gradient the engine made (it owns it): its storage is tracked from now on. */
    void own(Tensor t) {
        Storage s = storage(t);
        if (enabled && !escaped.contains(s)) {
            holders.putIfAbsent(s, new int[1]);
        }
    }

    /** t now waits for a node: one more holder of its storage, if tracked. */
    void hold(Tensor t) {
        int[] n = holders.get(storage(t));
        if (n != null) {
            n[0]++;
        }
    }

    /** A held t was consumed or replaced: one holder less; the last one closes the storage. */
    void release(Tensor t) {
        Storage s = storage(t);
        int[] n = holders.get(s);
        if (n != null && --n[0] <= 0) {
            close(s);
        }
    }

    /** t, never held, is no longer needed (added into another gradient): closed if nothing holds its storage. */
    void discard(Tensor t) {
        Storage s = storage(t);
        int[] n = holders.get(s);
        if (n != null && n[0] <= 0) {
            close(s);
        }
    }

    private void close(Storage s) {
        holders.remove(s);
        s.close();
        CLOSED.incrementAndGet();
    }

    /** t's storage lives on past this backward (a leaf kept it as its gradient): never closed. */
    void escape(Tensor t) {
        Storage s = storage(t);
        holders.remove(s);
        escaped.add(s);
    }
}
