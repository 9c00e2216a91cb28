package dev.ember.autograd;

/**
 * Grad mode, per thread. {@code try (var ignored = Autograd.noGrad()) { ... }} runs a block without
 * recording the graph, like {@code with torch.no_grad():}; the previous mode comes back on close, so
 * scopes nest.
 */
public final class Autograd {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private Autograd() {
    }

    /** A scope with gradient recording switched off. */
    public static Scope noGrad() {
        return setGradEnabled(false);
    }

    /** A scope with gradient recording switched on (inside a noGrad block, like torch.enable_grad). */
    public static Scope enableGrad() {
        return setGradEnabled(true);
    }

    public static boolean isGradEnabled() {
        return ENABLED.get()[0];
    }

    private static Scope setGradEnabled(boolean enabled) {
        boolean[] flag = ENABLED.get();
        boolean previous = flag[0];
        flag[0] = enabled;
        return () -> flag[0] = previous;
    }

    /** Restores the previous grad mode when closed; closing never throws. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
