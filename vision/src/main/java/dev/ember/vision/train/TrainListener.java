package dev.ember.vision.train;

/**
 * Callbacks from {@link ClassificationTrainer}, on the training thread, for progress display and logging: a
 * command-line app draws a progress bar from {@link #onBatch}, a test records what happened. All methods do
 * nothing by default.
 */
public interface TrainListener {

    /** Training begins (or resumes) at epoch {@code startEpoch + 1} of {@code epochs}. */
    default void onStart(RunConfig config, int startEpoch, int epochs, int batchesPerEpoch) {
    }

    /** Epoch {@code epoch} (1-based) of {@code epochs} starts, {@code batches} steps long. */
    default void onEpochStart(int epoch, int epochs, int batches) {
    }

    /**
     * After training step {@code batch} (1-based) of the epoch: the epoch's running mean loss and accuracy so far,
     * and the learning rate that step used.
     */
    default void onBatch(int epoch, int batch, double loss, double accuracy, double lr) {
    }

    /** Evaluation on the test split starts, {@code batches} steps long. */
    default void onEvalStart(int epoch, int batches) {
    }

    /** After evaluation step {@code batch} (1-based). */
    default void onEvalBatch(int epoch, int batch) {
    }

    /** The epoch is done, its metrics written and its checkpoint saved. */
    default void onEpochEnd(EpochStats stats) {
    }
}
