package dev.ember.vision.train;

import java.util.Locale;

/**
 * Hyperparameters of a classification training run. Build with {@link #builder()}; the defaults are the ones
 * {@code ember vision train} uses (LeNet-5 on the bundled MNIST sample reaches about 98% in 10 epochs).
 *
 * @param epochs         passes over the training set
 * @param batchSize      training images per step
 * @param lr             peak learning rate (one-cycle) or starting one (cosine)
 * @param weightDecay    decoupled weight decay (AdamW) or L2 penalty (SGD)
 * @param optimizer      {@code adamw} or {@code sgd} (momentum 0.9, Nesterov)
 * @param schedule       {@code onecycle} (PyTorch's OneCycleLR, stepped per batch), {@code cosine}
 *                       (CosineAnnealingLR over all steps, to 0) or {@code constant}
 * @param seed           seeds initialisation, shuffling, augmentation and dropout
 * @param workers        data-loading threads (0: load on the training thread)
 * @param evalBatchSize  images per evaluation step
 * @param augment        whether the dataset's training augmentation is applied
 * @param gridSize       misclassified test images drawn in the grid (0: no grid)
 * @param plots          whether PNG plots are written at the end
 */
public record TrainConfig(int epochs, int batchSize, double lr, double weightDecay, String optimizer, String schedule,
        long seed, int workers, int evalBatchSize, boolean augment, int gridSize, boolean plots) {

    public TrainConfig {
        optimizer = optimizer.toLowerCase(Locale.ROOT);
        schedule = schedule.toLowerCase(Locale.ROOT);
        String where = "TrainConfig: ";
        if (epochs < 1 || batchSize < 1 || evalBatchSize < 1) {
            throw new IllegalArgumentException(where + "epochs, batchSize and evalBatchSize must be >= 1, got "
                    + epochs + ", " + batchSize + ", " + evalBatchSize);
        }
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException(where + "lr must be a positive number, got " + lr);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException(where + "weightDecay must be >= 0, got " + weightDecay);
        }
        if (!optimizer.equals("adamw") && !optimizer.equals("sgd")) {
            throw new IllegalArgumentException(where + "optimizer must be adamw or sgd, got " + optimizer);
        }
        if (!schedule.equals("onecycle") && !schedule.equals("cosine") && !schedule.equals("constant")) {
            throw new IllegalArgumentException(where + "schedule must be onecycle, cosine or constant, got "
                    + schedule);
        }
        if (workers < 0 || gridSize < 0) {
            throw new IllegalArgumentException(where + "workers and gridSize must be >= 0, got " + workers + " and "
                    + gridSize);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this config's values. */
    public Builder toBuilder() {
        return new Builder().epochs(epochs).batchSize(batchSize).lr(lr).weightDecay(weightDecay).optimizer(optimizer)
                .schedule(schedule).seed(seed).workers(workers).evalBatchSize(evalBatchSize).augment(augment)
                .gridSize(gridSize).plots(plots);
    }

    /** Fluent builder with the defaults of {@code ember vision train}. */
    public static final class Builder {
        private int epochs = 10;
        private int batchSize = 64;
        private double lr = 3e-3;
        private double weightDecay = 0.01;
        private String optimizer = "adamw";
        private String schedule = "onecycle";
        private long seed;
        private int workers = 1;
        private int evalBatchSize = 500;
        private boolean augment = true;
        private int gridSize = 36;
        private boolean plots = true;

        public Builder epochs(int v) {
            epochs = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder lr(double v) {
            lr = v;
            return this;
        }

        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        public Builder optimizer(String v) {
            optimizer = v;
            return this;
        }

        public Builder schedule(String v) {
            schedule = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder workers(int v) {
            workers = v;
            return this;
        }

        public Builder evalBatchSize(int v) {
            evalBatchSize = v;
            return this;
        }

        public Builder augment(boolean v) {
            augment = v;
            return this;
        }

        public Builder gridSize(int v) {
            gridSize = v;
            return this;
        }

        public Builder plots(boolean v) {
            plots = v;
            return this;
        }

        public TrainConfig build() {
            return new TrainConfig(epochs, batchSize, lr, weightDecay, optimizer, schedule, seed, workers,
                    evalBatchSize, augment, gridSize, plots);
        }
    }
}
