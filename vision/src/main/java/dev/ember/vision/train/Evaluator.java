package dev.ember.vision.train;

import dev.ember.autograd.Autograd;
import dev.ember.data.DataLoader;
import dev.ember.data.Dataset;
import dev.ember.nn.Layer;
import dev.ember.nn.Module;
import dev.ember.nn.functional.F;
import dev.ember.tensor.Device;
import dev.ember.tensor.Tensor;
import dev.ember.vision.train.metrics.ClassificationMetrics;
import dev.ember.vision.train.metrics.TopK;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Runs a classifier over a dataset in evaluation mode without gradients ({@code model.eval()} and
 * {@code torch.no_grad()}), collecting the cross-entropy loss, top-1 and top-k accuracy, the confusion matrix
 * and each example's prediction. The model's training mode is restored afterwards.
 */
public final class Evaluator {
    /** The top-k accuracies reported besides top-1. */
    public static final int[] TOP_K = {1, 5};

    private Evaluator() {
    }

    /** Number of batches {@link #evaluate} takes for {@code dataset}. */
    public static int batches(Dataset<?> dataset, int batchSize) {
        return (dataset.size() + batchSize - 1) / batchSize;
    }

    /**
     * Evaluates {@code model} (a {@link Layer}: images (N, C, H, W) -> logits (N, numClasses)) on
     * {@code dataset}'s samples {@code [image (C, H, W), label]}; {@code onBatch} gets the 1-based batch number
     * after each batch (may be null).
     */
    public static EvalResult evaluate(Module model, Dataset<List<Tensor>> dataset, int numClasses, int batchSize,
            int workers, IntConsumer onBatch) {
        Layer net = ClassificationTrainer.asLayer(model);
        Device device = ClassificationTrainer.deviceOf(model);
        DataLoader<List<Tensor>, List<Tensor>> loader = DataLoader.builder(dataset).batchSize(batchSize)
                .numWorkers(workers).build();
        int n = dataset.size();
        long[] targets = new long[n];
        long[] predicted = new long[n];
        double[] confidence = new double[n];
        ClassificationMetrics metrics = new ClassificationMetrics(numClasses, TOP_K);
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var ignored = Autograd.noGrad()) {
            int offset = 0;
            int batch = 0;
            for (List<Tensor> b : loader) {
                Tensor x = b.get(0).to(device);
                Tensor y = b.get(1).to(device);
                Tensor logits = net.forward(x);
                long[] s = logits.shape();
                if (s.length != 2 || s[1] != numClasses || s[0] != y.numel()) {
                    throw new IllegalArgumentException("Evaluator: the model gave logits of shape " + Arrays.toString(s)
                            + " for " + y.numel() + " images, expected (" + y.numel() + ", " + numClasses + ")");
                }
                metrics.addLoss(F.crossEntropy(logits, y).item(), y.numel());
                double[] scores = logits.toDoubleArray();
                long[] ys = y.toLongArray();
                metrics.update(scores, ys);
                double[] probs = logits.softmax(1).toDoubleArray();
                for (int i = 0; i < ys.length; i++) {
                    // the same argmax (ties to the lower class) as the metrics' confusion matrix
                    int best = (int) TopK.indices(scores, i * numClasses, numClasses, 1)[0];
                    targets[offset + i] = ys[i];
                    predicted[offset + i] = best;
                    confidence[offset + i] = probs[i * numClasses + best];
                }
                offset += ys.length;
                batch++;
                if (onBatch != null) {
                    onBatch.accept(batch);
                }
            }
        } finally {
            model.train(wasTraining);
        }
        return new EvalResult(metrics, targets, predicted, confidence);
    }
}
