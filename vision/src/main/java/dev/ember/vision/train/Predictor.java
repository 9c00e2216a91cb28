package dev.ember.vision.train;

import dev.ember.autograd.Autograd;
import dev.ember.io.Checkpoint;
import dev.ember.nn.Layer;
import dev.ember.nn.Module;
import dev.ember.tensor.Tensor;
import dev.ember.vision.train.metrics.TopK;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A trained classifier loaded from a run folder: the model rebuilt from {@code config.json} and its weights from
 * {@code checkpoint.safetensors}, in evaluation mode. {@link #predictFile} reads an image, converts and resizes
 * it to the training images' size and normalisation, and returns the top-k classes with their probabilities.
 *
 * <pre>{@code
 * Predictor p = Predictor.load(Path.of("runs/lenet-mnist-sample"), VisionModels::create);
 * for (Prediction x : p.predictFile(Path.of("digit.png"), 5)) System.out.println(x.label() + " " + x.probability());
 * }</pre>
 */
public final class Predictor {
    private final RunConfig config;
    private final Module model;
    private final Layer net;
    private final dev.ember.tensor.Device device;

    private Predictor(RunConfig config, Module model) {
        this.config = config;
        this.model = model;
        this.net = ClassificationTrainer.asLayer(model);
        this.device = ClassificationTrainer.deviceOf(model);
        model.eval();
    }

    /** Loads the run in {@code runDir}: its config and the weights of its last checkpoint. */
    public static Predictor load(Path runDir, ModelFactory factory) throws IOException {
        RunFiles files = new RunFiles(runDir);
        RunConfig config = files.readConfig();
        if (!Files.isRegularFile(files.checkpoint())) {
            throw new IOException("run " + runDir + ": no " + files.checkpoint().getFileName()
                    + " (training did not finish an epoch)");
        }
        Module model = factory.create(config.model(), config.numClasses(), config.channels(), config.height());
        Checkpoint ck = Checkpoint.load(files.checkpoint());
        try {
            model.loadStateDict(ck.modelState(), true);
        } catch (IllegalArgumentException e) {
            throw new IOException("checkpoint " + files.checkpoint() + " does not fit model " + config.model() + ": "
                    + e.getMessage(), e);
        }
        return new Predictor(config, model);
    }

    /** A predictor over an already loaded model (for tests and programs that keep the model in memory). */
    public static Predictor of(RunConfig config, Module model) {
        return new Predictor(config, model);
    }

    public RunConfig config() {
        return config;
    }

    public Module model() {
        return model;
    }

    /** The top-{@code k} classes for the image file at {@code path}, most probable first. */
    public List<Prediction> predictFile(Path path, int k) throws IOException {
        Tensor pixels = ImageFiles.read(path, config.channels(), config.height(), config.width());
        return predict(config.normalize(pixels), k).get(0);
    }

    /**
     * The top-{@code k} classes of each image of {@code images}, normalised as in training: {@code (C, H, W)} or
     * {@code (N, C, H, W)} -> N lists of k predictions, most probable first ({@code k} is clamped to the number
     * of classes).
     */
    public List<List<Prediction>> predict(Tensor images, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("Predictor.predict: k must be >= 1, got " + k);
        }
        Tensor batch = images.dim() == 3 ? images.unsqueeze(0) : images;
        long[] s = batch.shape();
        if (s.length != 4 || s[1] != config.channels() || s[2] != config.height() || s[3] != config.width()) {
            throw new IllegalArgumentException("Predictor.predict: expected images (N, " + config.channels() + ", "
                    + config.height() + ", " + config.width() + ") or one (C, H, W), got shape "
                    + Arrays.toString(images.shape()));
        }
        int classes = config.numClasses();
        int kk = Math.min(k, classes);
        double[] probs;
        try (var ignored = Autograd.noGrad()) {
            probs = net.forward(batch.to(device)).softmax(1).toDoubleArray();
        }
        List<List<Prediction>> out = new ArrayList<>();
        for (int i = 0; i < s[0]; i++) {
            List<Prediction> row = new ArrayList<>();
            for (long c : TopK.indices(probs, i * classes, classes, kk)) {
                row.add(new Prediction((int) c, config.classes().get((int) c), probs[i * classes + (int) c]));
            }
            out.add(row);
        }
        return out;
    }
}
