package dev.ember.cuda;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What {@link KernelLauncher} refuses before it calls anything (runs without a GPU), and its self-test. The launches
 * themselves are
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

    /**
     * The self-test NvidiaDriver runs on its launcher before using it, here on the emulator's (EmulatedDriver
     * launches through a KernelLauncher too): it must pass with a working launch path and fail when the launch
     * writes elsewhere.
     */
    @Test
    @Tag("gpu")
    void selfTestPassesWhereLaunchesWorkAndFailsWhereTheyDoNot() {
        GpuCheck.requireGpu();
        Driver driver = CudaRuntime.get().driver;
        assertNull(KernelLauncher.selfTest(driver, args -> {
            driver.launch("fill_f32", 1, 1, 1, 256, 0, args);
            return 0;
        }));
        String failure = KernelLauncher.selfTest(driver, args -> {
            args[1] = Desc.encode(new int[] {13}, new int[] {1}, 2); // one element too early
            driver.launch("fill_f32", 1, 1, 1, 256, 0, args);
            return 0;
        });
        assertTrue(failure != null && failure.contains("[0.0, 0.0, 2.5,"), failure);
        assertTrue(KernelLauncher.selfTest(driver, args -> 1).startsWith("fill_f32 returned 1"));
    }

    @Test
    void refusesWhatDoesNotFitOrHasNoNativeForm() {
        refused("65 arguments, at most 64", new Object[65]);
        refused("more than 8192 bytes of arguments", 1, new int[2048]);
        refused("unsupported argument type java.lang.String", 1, "two");
        refused("unsupported argument type java.lang.Float", 1.5f);
    }
}
