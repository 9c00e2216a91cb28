package dev.ember.vision.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.ember.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a training run records about itself in {@code runs/<name>/config.json} (and, as the same JSON, in the
 * checkpoint's metadata under {@code extra.config}): the model, the dataset, the class names, the input size and
 * normalisation that prediction must repeat, and the training hyperparameters. With it, {@link Predictor}
 * rebuilds the model from the checkpoint alone, and a resumed run checks that it continues the same run.
 *
 * @param format   always {@link #FORMAT}, so a stray JSON file is recognised as not ours
 * @param model    the model's name for {@link ModelFactory} ("lenet", "resnet18", ...)
 * @param dataset  the dataset's name ("mnist-sample", "folder:/data/pets", ...)
 * @param classes  class names, label {@code i} first at index {@code i}
 * @param channels input channels C
 * @param height   input height H
 * @param width    input width W
 * @param mean     per-channel mean used to normalise pixels in [0, 1]
 * @param std      per-channel standard deviation
 * @param train    the hyperparameters
 */
public record RunConfig(String format, String model, String dataset, List<String> classes, int channels, int height,
        int width, double[] mean, double[] std, TrainConfig train) {

    /** Marks a config written by this pipeline. */
    public static final String FORMAT = "ember.vision.classification/1";

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .create();

    public RunConfig {
        String where = "RunConfig: ";
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException(where + "format must be \"" + FORMAT + "\", got "
                    + (format == null ? "none" : "\"" + format + "\""));
        }
        Objects.requireNonNull(model, "RunConfig: model");
        Objects.requireNonNull(dataset, "RunConfig: dataset");
        Objects.requireNonNull(train, "RunConfig: train");
        if (classes == null || classes.size() < 2) {
            throw new IllegalArgumentException(where + "needs at least 2 class names, got " + classes);
        }
        classes = List.copyOf(classes); // rejects null names
        if (channels < 1 || height < 1 || width < 1 || channels > 4 || height > 16384 || width > 16384) {
            throw new IllegalArgumentException(where + "bad input size (" + channels + ", " + height + ", " + width
                    + ")");
        }
        if (mean == null || std == null || mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException(where + "mean and std need one value per channel (" + channels + ")");
        }
        for (double s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException(where + "std must be > 0, got " + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** The config of a run training {@code model} on {@code data} with {@code train}. */
    public static RunConfig of(String model, ClassificationData data, TrainConfig train) {
        return new RunConfig(FORMAT, model, data.name(), data.classes(), data.channels(), data.height(), data.width(),
                data.mean(), data.std(), train);
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

    @Override
    public boolean equals(Object o) {
        return o instanceof RunConfig c && format.equals(c.format) && model.equals(c.model)
                && dataset.equals(c.dataset) && classes.equals(c.classes) && channels == c.channels
                && height == c.height && width == c.width && Arrays.equals(mean, c.mean) && Arrays.equals(std, c.std)
                && train.equals(c.train);
    }

    @Override
    public int hashCode() {
        return Objects.hash(format, model, dataset, classes, channels, height, width, Arrays.hashCode(mean),
                Arrays.hashCode(std), train);
    }

    @Override
    public String toString() {
        return "RunConfig[model=" + model + ", dataset=" + dataset + ", classes=" + classes + ", input=(" + channels
                + ", " + height + ", " + width + "), mean=" + Arrays.toString(mean) + ", std="
                + Arrays.toString(std) + ", train=" + train + "]";
    }

    /** Pretty-printed JSON. */
    public String toJson() {
        return GSON.toJson(this);
    }

    /** Parses {@link #toJson()}'s output; {@code where} names the source in errors. */
    public static RunConfig fromJson(String json, String where) {
        try {
            RunConfig c = GSON.fromJson(json, RunConfig.class);
            if (c == null) {
                throw new IllegalArgumentException(where + ": empty run config");
            }
            return c;
        } catch (RuntimeException e) {
            // Gson wraps what the constructor rejects; report the innermost reason
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            throw new IllegalArgumentException(where + ": not a valid run config (" + cause.getMessage() + ")", e);
        }
    }

    /** Normalises images with pixels in [0, 1], {@code (C, H, W)} or {@code (N, C, H, W)}: {@code (x - mean) / std}. */
    public Tensor normalize(Tensor images) {
        int c = images.dim() - 3;
        if (c < 0 || images.shape()[c] != channels) {
            throw new IllegalArgumentException("RunConfig.normalize: expected images (C, H, W) or (N, C, H, W) with"
                    + " C = " + channels + ", got shape " + Arrays.toString(images.shape()));
        }
        long[] shape = new long[images.dim()];
        Arrays.fill(shape, 1);
        shape[c] = channels;
        Tensor m = Tensor.of(mean, channels).reshape(shape);
        Tensor s = Tensor.of(std, channels).reshape(shape);
        return images.sub(m).div(s);
    }
}
