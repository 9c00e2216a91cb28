package dev.ember.tensor;

/**
 * Range checks of index tensors (embedding rows, class targets) that do not stall a device: where the backend
 * can check on the device ({@link dev.ember.backend.Backend#checkIndices}) the check is queued like a kernel and a
 * bad index is reported at the next synchronisation; elsewhere the values are read and checked here, at once.
 */
public final class IndexChecks {

    private IndexChecks() {}

    /**
     * Every value of the int64 tensor {@code index} must lie in [lo, hi) or equal {@code allowed} (null: no
     * exception); the first that does not gives IllegalArgumentException({@code String.format(message, value)}).
     */
    public static void check(Tensor index, long lo, long hi, Long allowed, String message) {
        if (index.dtype() != DType.INT64) {
            throw new IllegalArgumentException("index check: expected an int64 tensor, got "
                    + index.dtype().torchName());
        }
        if (index.numel() == 0 || index.backend().checkIndices(index.strided(), lo, hi, allowed, message)) {
            return;
        }
        for (long v : index.toLongArray()) {
            if ((v < lo || v >= hi) && (allowed == null || v != allowed)) {
                throw new IllegalArgumentException(String.format(message, v));
            }
        }
    }
}
