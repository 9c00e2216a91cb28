package dev.ember.backend.cpu;

import dev.ember.backend.Backends;
import dev.ember.tensor.Device;

/**
 * A "cuda" device emulated in host memory with the CPU's kernels, for testing the device plumbing (moves, mixed
 * devices, modules, optimizers, nn code that must create its tensors on the input's device) on machines without a
 * GPU. It is a {@link CpuBackend} whose storages report {@code cuda:0}, so every kernel is the CPU's and results
 * must be bit-identical to the CPU's; any tensor that nn code wrongly creates on the CPU meets a {@code cuda:0}
 * tensor and fails with the mixed-devices error. Registered with {@link Backends#register} for a test's duration.
 */
public final class EmulatedDevice {
    public static final Device DEVICE = Device.cuda();

    private EmulatedDevice() {
    }

    /** Registers an emulated cuda device; close it (try-with-resources) to remove it again. */
    public static AutoCloseable install() {
        CpuBackend emulated = new CpuBackend(DEVICE);
        Backends.register(emulated);
        return () -> Backends.unregister(emulated);
    }
}
