package dev.ember.cuda;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * The native values behind JCuda's handles, which JCuda keeps behind protected getters: the 64-bit device address
 * a {@link CUdeviceptr} stands for (a base plus the byte offset {@code withByteOffset} adds), and the handle of a
 * function or stream. Needed where addresses travel inside a kernel argument (the multi-tensor kernels'
 * TensorList) and where kernels are launched without JCuda ({@link KernelLauncher}). Method handles, not
 * reflective calls: this runs for every pointer argument of every launch.
 */
final class DeviceAddress {
    private static final MethodHandle NATIVE_POINTER;
    private static final MethodHandle BYTE_OFFSET;

    static {
        try {
            Method nativePointer = NativePointerObject.class.getDeclaredMethod("getNativePointer");
            Method byteOffset = Pointer.class.getDeclaredMethod("getByteOffset");
            nativePointer.setAccessible(true);
            byteOffset.setAccessible(true);
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            NATIVE_POINTER = lookup.unreflect(nativePointer);
            BYTE_OFFSET = lookup.unreflect(byteOffset);
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
            return (long) NATIVE_POINTER.invokeExact((NativePointerObject) p) + (long) BYTE_OFFSET.invokeExact(
                    (Pointer) p);
        } catch (Throwable e) {
            throw new IllegalStateException("JCuda's CUdeviceptr has no readable address", e);
        }
    }

    /** The native handle of a JCuda object (a CUfunction, a CUstream), as a zero-length segment; NULL for null. */
    static MemorySegment handle(NativePointerObject o) {
        if (o == null) {
            return MemorySegment.NULL;
        }
        try {
            return MemorySegment.ofAddress((long) NATIVE_POINTER.invokeExact(o));
        } catch (Throwable e) {
            throw new IllegalStateException("JCuda's " + o.getClass().getSimpleName() + " has no readable handle", e);
        }
    }
}
