package dev.ember.data;

/**
 * A sample or batch failed to load: thrown to the thread iterating the {@link DataLoader} (whichever thread
 * did the loading), with the failure as its cause, as PyTorch re-raises worker exceptions in the main process.
 */
public final class DataLoaderException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int batchIndex;
    private final int sampleIndex;

    DataLoaderException(String message, Throwable cause, int batchIndex, int sampleIndex) {
        super(message, cause);
        this.batchIndex = batchIndex;
        this.sampleIndex = sampleIndex;
    }

    /** The batch (0-based within the epoch) being loaded. */
    public int batchIndex() {
        return batchIndex;
    }

    /** The dataset index whose {@code get} failed, or -1 if the collate function failed. */
    public int sampleIndex() {
        return sampleIndex;
    }
}
