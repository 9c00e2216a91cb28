package dev.ember.cuda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * What {@link KernelLauncher} refuses before it calls anything (runs without a GPU). The launches themselves are
 * checked by every test tagged {@code gpu}: on the emulator they go through this class into the emulator's twin of
 * cuLaunchKernel, so every kernel of the suite receives its arguments (ints, longs, doubles, device pointers, nulls
 * and descriptor structs) from this encoding.
 */
class KernelLauncherTest {
    /** Any native function: the refusals below happen before the call, which never takes place. */
    private static final KernelLauncher LAUNCHER =
            new KernelLauncher(Linker.nativeLinker().defaultLookup().find("strlen").orElseThrow());

    private static void refused(String expected, Object... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LAUNCHER.launch(MemorySegment.NULL, 1, 1, 1, 32, 0, MemorySegment.NULL, "k", args));
        assertTrue(e.getMessage().startsWith("kernel k: ") && e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void refusesWhatDoesNotFitOrHasNoNativeForm() {
        refused("65 arguments, at most 64", new Object[65]);
        refused("more than 8192 bytes of arguments", 1, new int[2048]);
        refused("unsupported argument type java.lang.String", 1, "two");
        refused("unsupported argument type java.lang.Float", 1.5f);
    }
}
