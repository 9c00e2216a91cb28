package dev.ember.tensor;

/**
 * Element types, named after PyTorch's. {@link #FLOAT32} is the default for floating-point data, as
 * {@code torch.get_default_dtype()} is; {@link #INT64} for integer data, as {@code torch.long}.
 *
 * <p>Type promotion follows PyTorch: the categories order {@code bool < integer < floating}, and within
 * a category the wider type wins, so the promotion order here is simply declaration order.
 */
public enum DType {
    BOOL("torch.bool", 1),
    INT64("torch.int64", 8),
    FLOAT32("torch.float32", 4),
    FLOAT64("torch.float64", 8);

    private final String torchName;
    private final int byteSize;

    DType(String torchName, int byteSize) {
        this.torchName = torchName;
        this.byteSize = byteSize;
    }

    /** The name PyTorch prints, e.g. {@code torch.float64}. */
    public String torchName() {
        return torchName;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /** 0 for bool, 1 for integers, 2 for floating point: PyTorch's promotion categories. */
    public int category() {
        return switch (this) {
            case BOOL -> 0;
            case INT64 -> 1;
            case FLOAT32, FLOAT64 -> 2;
        };
    }

    /** The wider of two dtypes under PyTorch's promotion lattice (restricted to Ember's dtypes). */
    public static DType promote(DType a, DType b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }

    /** PyTorch's {@code torch.can_cast(from, to)}: no cast to a lower category. */
    public static boolean canCast(DType from, DType to) {
        return from.category() <= to.category();
    }
}
