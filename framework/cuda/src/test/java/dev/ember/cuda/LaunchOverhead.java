package dev.ember.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * The host's cost of one kernel launch with 20 arguments (7 device pointers, 12 ints, a descriptor struct), through
 * JCuda as NvidiaDriver used to launch and through {@link KernelLauncher}, both calling the same stand-in
 * cuLaunchKernel that returns at once (src/test/launch/fake_libcuda.c). Run by tools/launch_overhead.sh; not a
 * test. What the real driver adds (a few microseconds on an H100 host) is the same for both.
 */
public final class LaunchOverhead {
    private LaunchOverhead() {
    }

    public static void main(String[] unused) {
        JCudaDriver.setExceptionsEnabled(true);
        CUfunction f = new CUfunction();
        CUstream stream = new CUstream();
        Object[] args = new Object[20];
        for (int i = 0; i < args.length; i++) {
            args[i] = i % 3 == 0 ? new CUdeviceptr().withByteOffset(4096L * i) : Integer.valueOf(i);
        }
        args[19] = new int[] {3, 4, 5, 6, 7, 8, 9, 10};
        for (int round = 0; round < 4; round++) {
            int n = 100_000;
            long t0 = System.nanoTime();
            for (int it = 0; it < n; it++) {
                NativePointerObject[] params = new NativePointerObject[args.length];
                for (int i = 0; i < args.length; i++) {
                    params[i] = switch (args[i]) {
                        case Integer v -> Pointer.to(new int[] {v});
                        case int[] v -> Pointer.to(v);
                        case CUdeviceptr d -> Pointer.to(d);
                        default -> throw new IllegalStateException();
                    };
                }
                JCudaDriver.cuLaunchKernel(f, 1, 1, 1, 256, 1, 1, 0, stream, Pointer.to(params), null);
            }
            System.out.printf("jcuda_launch_20_args us=%.3f%n", (System.nanoTime() - t0) / 1e3 / n);
        }
        KernelLauncher launcher = new KernelLauncher(
                SymbolLookup.libraryLookup("libcuda.so.1", Arena.global()).find("cuLaunchKernel").orElseThrow());
        MemorySegment fh = DeviceAddress.handle(f);
        MemorySegment sh = DeviceAddress.handle(stream);
        for (int round = 0; round < 4; round++) {
            int n = 1_000_000;
            long t0 = System.nanoTime();
            for (int it = 0; it < n; it++) {
                if (launcher.launch(fh, 1, 1, 1, 256, 0, sh, "bench", args) != 0) {
                    throw new IllegalStateException("the stand-in cuLaunchKernel failed");
                }
            }
            System.out.printf("ffm_launch_20_args us=%.3f%n", (System.nanoTime() - t0) / 1e3 / n);
        }
    }
}
