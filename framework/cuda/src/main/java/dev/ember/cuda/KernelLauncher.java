package dev.ember.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;
import java.util.function.ToIntFunction;
import jcuda.driver.CUdeviceptr;

/**
 * Calls a function of {@code cuLaunchKernel}'s signature through the FFM API, with the kernel's arguments written
 * into a reused native buffer: the {@code kernelParams} array of pointers and the values they point to.
 *
 * <p>Why: JCuda's {@code cuLaunchKernel} takes the arguments as a {@code Pointer} to {@code Pointer}s, each built
 * from a Java array, and its JNI layer walks and pins them one by one on every launch. Measured on the 2-core
 * development machine against a stand-in {@code libcuda} that returns at once: 9 us for a launch of 20 arguments
 * through JCuda, 0.07 us through this class. An eager training step is a few dozen to a few hundred launches.
 *
 * <p>The driver copies the argument values when the launch is queued (also into a graph being captured), so the
 * buffer may be rewritten by the next launch; it is per thread. Launches of more than {@link #MAX_ARGS} arguments
 * or {@link #VALUE_BYTES} bytes of values are refused (no kernel of ABI.md comes near either).
 */
final class KernelLauncher {
    static final int MAX_ARGS = 64;
    static final int VALUE_BYTES = 8192;

    /** CUresult f(void* function, 6 x unsigned grid and block, unsigned shared, void* stream, void** params, void** extra). */
    static final FunctionDescriptor SIGNATURE = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);

    private final MethodHandle launch;
    private final ThreadLocal<Params> params = ThreadLocal.withInitial(Params::new);

    /** @param function the address of a function with {@link #SIGNATURE} */
    KernelLauncher(MemorySegment function) {
        launch = Linker.nativeLinker().downcallHandle(function, SIGNATURE);
    }

    /** One thread's kernelParams: MAX_ARGS pointers, then the values, each at a multiple of 8 bytes. */
    private static final class Params {
        final MemorySegment pointers = Arena.ofAuto().allocate(8L * MAX_ARGS + VALUE_BYTES, 16);
        final MemorySegment values = pointers.asSlice(8L * MAX_ARGS);
    }

    /**
     * Launches {@code function} (a native handle) over a 1-D block of {@code block} threads on {@code stream} (a
     * native handle; NULL for the default stream) and returns the CUresult. Arguments as
     * {@link Driver#launch}: Integer, Long, Double, int[] (a struct of ints by value), CUdeviceptr, or null for a
     * null device pointer.
     */
    int launch(MemorySegment function, int gx, int gy, int gz, int block, int sharedBytes, MemorySegment stream,
               String kernel, Object... args) {
        Params p = params.get();
        encode(p, kernel, args);
        try {
            return (int) launch.invokeExact(function, gx, gy, gz, block, 1, 1, sharedBytes, stream, p.pointers,
                    MemorySegment.NULL);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Launches fill_f32 over 13 of 16 zeroed floats from offset 3 with 2.5 through {@code launchFill} (given the
     * arguments; it returns the CUresult) and reads them back: an int, a Desc struct, a device pointer and a
     * double, every kind of argument but a long. Null when the result is right, else what went wrong.
     * {@link NvidiaDriver} checks its launcher so once per process; the emulated tests check the same on the
     * emulator.
     */
    static String selfTest(Driver driver, ToIntFunction<Object[]> launchFill) {
        CUdeviceptr d = driver.allocate(64);
        try {
            driver.memsetD8Async(d, (byte) 0, 64);
            int rc = launchFill.applyAsInt(new Object[] {13, Desc.encode(new int[] {13}, new int[] {1}, 3), d, 2.5});
            float[] got = new float[16];
            driver.download(got, d, 64);
            float[] expected = new float[16];
            Arrays.fill(expected, 3, 16, 2.5f);
            return rc == 0 && Arrays.equals(got, expected) ? null
                    : "fill_f32 returned " + rc + " and wrote " + Arrays.toString(got);
        } finally {
            driver.synchronize();
            driver.free(d);
        }
    }

    private static void encode(Params p, String kernel, Object[] args) {
        if (args.length > MAX_ARGS) {
            throw new IllegalArgumentException("kernel " + kernel + ": " + args.length + " arguments, at most "
                    + MAX_ARGS);
        }
        long at = 0;
        for (int i = 0; i < args.length; i++) {
            int bytes = switch (args[i]) {
                case int[] v -> 4 * v.length;
                case null, default -> 8;
            };
            if (at + bytes > VALUE_BYTES) {
                throw new IllegalArgumentException("kernel " + kernel + ": more than " + VALUE_BYTES
                        + " bytes of arguments");
            }
            switch (args[i]) {
                case null -> p.values.set(JAVA_LONG, at, 0L);
                case Integer v -> p.values.set(JAVA_INT, at, v);
                case Long v -> p.values.set(JAVA_LONG, at, v);
                case Double v -> p.values.set(JAVA_DOUBLE, at, v);
                case int[] v -> MemorySegment.copy(v, 0, p.values, JAVA_INT, at, v.length);
                case CUdeviceptr d -> p.values.set(JAVA_LONG, at, DeviceAddress.of(d));
                default -> throw new IllegalArgumentException("kernel " + kernel + ": unsupported argument type "
                        + args[i].getClass().getName());
            }
            p.pointers.setAtIndex(JAVA_LONG, i, p.values.address() + at);
            at += (bytes + 7) & ~7;
        }
    }
}
