package dev.ember.vision.train;

import dev.ember.data.Dataset;
import dev.ember.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * An image-classification dataset as the training pipeline consumes it: training and test splits of samples
 * {@code [image (C, H, W) float32, normalised; label int64 0-dim]} (what {@code TensorDataset.get} gives for
 * {@code (N, C, H, W)} images and {@code (N)} labels), the class names, the image size and the per-channel
 * mean and standard deviation the images were normalised with ({@code (x - mean) / std} on pixels in [0, 1],
 * torchvision's {@code Normalize}), which prediction repeats on new images.
 *
 * @param name     a short name recorded in the run's config ("mnist-sample", "cifar10", "folder:/data/pets")
 * @param train    training samples
 * @param test     test samples
 * @param classes  class names; label {@code i} is {@code classes.get(i)}
 * @param channels C: 1 (grey) or 3 (RGB)
 * @param height   H
 * @param width    W
 * @param mean     per-channel mean (C values)
 * @param std      per-channel standard deviation (C values, > 0)
 * @param augment  random changes applied to each training batch (use {@link Augment#none()} for none)
 */
public record ClassificationData(String name, Dataset<List<Tensor>> train, Dataset<List<Tensor>> test,
        List<String> classes, int channels, int height, int width, double[] mean, double[] std, Augment augment) {

    public ClassificationData {
        Objects.requireNonNull(name, "ClassificationData: name");
        Objects.requireNonNull(train, "ClassificationData: train");
        Objects.requireNonNull(test, "ClassificationData: test");
        Objects.requireNonNull(augment, "ClassificationData: augment (use Augment.none())");
        classes = List.copyOf(classes);
        if (classes.size() < 2) {
            throw new IllegalArgumentException("ClassificationData " + name + ": needs at least 2 classes, got "
                    + classes);
        }
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("ClassificationData " + name + ": image size must be positive, got ("
                    + channels + ", " + height + ", " + width + ")");
        }
        if (mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException("ClassificationData " + name + ": mean and std need one value per"
                    + " channel (" + channels + "), got " + mean.length + " and " + std.length);
        }
        for (double s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("ClassificationData " + name + ": std must be > 0, got " + s);
            }
        }
        if (train.size() == 0 || test.size() == 0) {
            throw new IllegalArgumentException("ClassificationData " + name + ": the training and test splits must"
                    + " not be empty (got " + train.size() + " and " + test.size() + " samples)");
        }
        mean = mean.clone();
        std = std.clone();
    }

    public int numClasses() {
        return classes.size();
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[] std() {
        return std.clone();
    }

    /** The same data with another augmentation. */
    public ClassificationData withAugment(Augment other) {
        return new ClassificationData(name, train, test, classes, channels, height, width, mean, std, other);
    }
}
