package dev.ember.backend.cpu;

import dev.ember.backend.Backend;
import dev.ember.backend.Storage;
import dev.ember.tensor.DType;
import dev.ember.tensor.Device;
import java.util.Arrays;

/**
 * CPU storage: a primitive Java array managed by the GC ({@code float[]} for FLOAT32, {@code double[]}
 * for FLOAT64, {@code long[]} for INT64, {@code boolean[]} for BOOL). Exactly one of the array fields is
 * non-null; kernels switch on the dtype once per call and then run on the typed array.
 */
public final class CpuStorage extends Storage {
    final float[] f;
    final double[] d;
    final long[] l;
    final boolean[] b;
    private final CpuBackend backend;
    private final Device device;

    /** {@code device} is the CPU, or the device a {@link CpuBackend} emulates. */
    CpuStorage(CpuBackend backend, Device device, Object array) {
        super(dtypeOf(array), java.lang.reflect.Array.getLength(array));
        this.backend = backend;
        this.device = device;
        this.f = array instanceof float[] a ? a : null;
        this.d = array instanceof double[] a ? a : null;
        this.l = array instanceof long[] a ? a : null;
        this.b = array instanceof boolean[] a ? a : null;
    }

    static DType dtypeOf(Object array) {
        return switch (array) {
            case float[] a -> DType.FLOAT32;
            case double[] a -> DType.FLOAT64;
            case long[] a -> DType.INT64;
            case boolean[] a -> DType.BOOL;
            default -> throw new IllegalArgumentException(
                    "CPU storage: expected float[], double[], long[] or boolean[], got " + array.getClass());
        };
    }

    static Object newArray(DType dtype, int size) {
        return switch (dtype) {
            case FLOAT32 -> new float[size];
            case FLOAT64 -> new double[size];
            case INT64 -> new long[size];
            case BOOL -> new boolean[size];
        };
    }

    /**
     * Nothing to free (the garbage collector owns the array). With {@code -Dember.debug.poisonClosed=true} the
     * elements become NaN (integers: Long.MIN_VALUE), so that a read after close shows in the results: the tests'
     * check that autograd reads no gradient buffer it has released.
     */
    @Override
    public void close() {
        if (Boolean.getBoolean("ember.debug.poisonClosed")) {
            if (f != null) {
                Arrays.fill(f, Float.NaN);
            } else if (d != null) {
                Arrays.fill(d, Double.NaN);
            } else if (l != null) {
                Arrays.fill(l, Long.MIN_VALUE);
            }
        }
    }

    /** The backing array itself (not a copy): {@code float[]}, {@code double[]}, {@code long[]} or {@code boolean[]}. */
    public Object array() {
        return switch (dtype()) {
            case FLOAT32 -> f;
            case FLOAT64 -> d;
            case INT64 -> l;
            case BOOL -> b;
        };
    }

    double getDouble(int i) {
        return switch (dtype()) {
            case FLOAT32 -> f[i];
            case FLOAT64 -> d[i];
            case INT64 -> l[i];
            case BOOL -> b[i] ? 1.0 : 0.0;
        };
    }

    long getLong(int i) {
        return switch (dtype()) {
            case FLOAT32 -> (long) f[i];
            case FLOAT64 -> (long) d[i];
            case INT64 -> l[i];
            case BOOL -> b[i] ? 1L : 0L;
        };
    }

    void setDouble(int i, double v) {
        switch (dtype()) {
            case FLOAT32 -> f[i] = (float) v;
            case FLOAT64 -> d[i] = v;
            case INT64 -> l[i] = (long) v;
            case BOOL -> b[i] = v != 0;
        }
    }

    void setLong(int i, long v) {
        switch (dtype()) {
            case FLOAT32 -> f[i] = (float) v;
            case FLOAT64 -> d[i] = (double) v;
            case INT64 -> l[i] = v;
            case BOOL -> b[i] = v != 0;
        }
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public Backend backend() {
        return backend;
    }
}
