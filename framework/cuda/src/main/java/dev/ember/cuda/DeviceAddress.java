package dev.ember.cuda;

import java.lang.reflect.Method;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * The 64-bit device address a {@link CUdeviceptr} stands for: JCuda keeps it as a base plus a byte offset (what
 * {@code withByteOffset} adds), behind protected getters. Needed where addresses travel inside a kernel argument
 * (the multi-tensor kernels' TensorList) rather than as a pointer argument of their own.
 */
final class DeviceAddress {
    private static final Method NATIVE_POINTER;
    private static final Method BYTE_OFFSET;

    static {
        try {
            NATIVE_POINTER = NativePointerObject.class.getDeclaredMethod("getNativePointer");
            BYTE_OFFSET = Pointer.class.getDeclaredMethod("getByteOffset");
            NATIVE_POINTER.setAccessible(true);
            BYTE_OFFSET.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private DeviceAddress() {
    }

    /** The address; 0 for null. */
    static long of(CUdeviceptr p) {
        if (p == null) {
            return 0;
        }
        try {
            return (long) NATIVE_POINTER.invoke(p) + (long) BYTE_OFFSET.invoke(p);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("JCuda's CUdeviceptr has no readable address", e);
        }
    }
}
