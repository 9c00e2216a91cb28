package dev.ember.io;

import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.nio.ByteBuffer;

/**
 * Element types found in tensor files (safetensors names), with how each is decoded into one of Ember's
 * dtypes: narrower integers widen to int64, float16/bfloat16 widen to float32, as {@code .long()} and
 * {@code .float()} would. Declaration order is the safetensors reference's alignment order, which its writer
 * sorts by (descending) and so does ours.
 */
enum ElementType {
    BOOL(1, DType.BOOL),
    U8(1, DType.INT64),
    I8(1, DType.INT64),
    I16(2, DType.INT64),
    U16(2, DType.INT64),
    F16(2, DType.FLOAT32),
    BF16(2, DType.FLOAT32),
    I32(4, DType.INT64),
    U32(4, DType.INT64),
    F32(4, DType.FLOAT32),
    F64(8, DType.FLOAT64),
    I64(8, DType.INT64);

    final int size;
    /** The Ember dtype values are read into. */
    final DType target;

    ElementType(int size, DType target) {
        this.size = size;
        this.target = target;
    }

    /** The type Ember writes for {@code dtype} (lossless). */
    static ElementType of(DType dtype) {
        return switch (dtype) {
            case BOOL -> BOOL;
            case INT64 -> I64;
            case FLOAT32 -> F32;
            case FLOAT64 -> F64;
        };
    }

    /** A Java array for {@code count} values of {@link #target}. */
    Object newArray(int count) {
        return switch (target) {
            case BOOL -> new boolean[count];
            case INT64 -> new long[count];
            case FLOAT32 -> new float[count];
            case FLOAT64 -> new double[count];
        };
    }

    /** Decodes {@code count} elements from {@code src} (its byte order set) into {@code dst[pos...]}. */
    void decode(ByteBuffer src, Object dst, int pos, int count) {
        switch (this) {
            case BOOL -> {
                boolean[] d = (boolean[]) dst;
                for (int i = 0; i < count; i++) {
                    d[pos + i] = src.get() != 0;
                }
            }
            case U8, I8, I16, U16, I32, U32 -> {
                long[] d = (long[]) dst;
                for (int i = 0; i < count; i++) {
                    d[pos + i] = switch (this) {
                        case U8 -> src.get() & 0xFFL;
                        case I8 -> src.get();
                        case I16 -> src.getShort();
                        case U16 -> src.getShort() & 0xFFFFL;
                        case I32 -> src.getInt();
                        default -> src.getInt() & 0xFFFFFFFFL;
                    };
                }
            }
            case F16 -> {
                float[] d = (float[]) dst;
                for (int i = 0; i < count; i++) {
                    d[pos + i] = Float.float16ToFloat(src.getShort());
                }
            }
            case BF16 -> {
                float[] d = (float[]) dst;
                for (int i = 0; i < count; i++) {
                    d[pos + i] = Float.intBitsToFloat((src.getShort() & 0xFFFF) << 16);
                }
            }
            case F32 -> {
                src.asFloatBuffer().get((float[]) dst, pos, count);
                src.position(src.position() + 4 * count);
            }
            case F64 -> {
                src.asDoubleBuffer().get((double[]) dst, pos, count);
                src.position(src.position() + 8 * count);
            }
            case I64 -> {
                src.asLongBuffer().get((long[]) dst, pos, count);
                src.position(src.position() + 8 * count);
            }
        }
    }

    /** Encodes {@code count} values of an Ember host array (this type's own dtype) into {@code dst}. */
    void encode(Object src, int pos, int count, ByteBuffer dst) {
        switch (this) {
            case BOOL -> {
                boolean[] s = (boolean[]) src;
                for (int i = 0; i < count; i++) {
                    dst.put(s[pos + i] ? (byte) 1 : (byte) 0);
                }
            }
            case F32 -> {
                dst.asFloatBuffer().put((float[]) src, pos, count);
                dst.position(dst.position() + 4 * count);
            }
            case F64 -> {
                dst.asDoubleBuffer().put((double[]) src, pos, count);
                dst.position(dst.position() + 8 * count);
            }
            case I64 -> {
                dst.asLongBuffer().put((long[]) src, pos, count);
                dst.position(dst.position() + 8 * count);
            }
            default -> throw new IllegalStateException("Ember does not write " + this);
        }
    }

    /** A tensor over a filled host array from {@link #newArray}. */
    Tensor toTensor(Object array, long[] shape) {
        return switch (target) {
            case BOOL -> Tensor.of((boolean[]) array, shape);
            case INT64 -> Tensor.of((long[]) array, shape);
            case FLOAT32 -> Tensor.of((float[]) array, shape);
            case FLOAT64 -> Tensor.of(DType.FLOAT64, (double[]) array, shape);
        };
    }

    /** Row-major host values of {@code t} in its own dtype (a copy; any layout, any device). */
    static Object hostArray(Tensor t) {
        Tensor d = t.detach();
        return switch (t.dtype()) {
            case BOOL -> d.toBooleanArray();
            case INT64 -> d.toLongArray();
            case FLOAT32 -> d.toFloatArray();
            case FLOAT64 -> d.toDoubleArray();
        };
    }
}
