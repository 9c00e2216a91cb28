package dev.ember.vision.detection;

import dev.ember.autograd.Autograd;
import dev.ember.optim.AdamW;
import dev.ember.optim.lr.OneCycleLR;
import dev.ember.tensor.Device;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Trains a {@link CenterNet} on a {@link DetectionTensors} split and evaluates mAP, with the loop a PyTorch user
 * writes:
 *
 * <pre>{@code
 * opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
 * sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * steps_per_epoch)
 * for epoch in range(epochs):
 *     for images, targets in loader:            # shuffled, random horizontal flips
 *         out = model(images)
 *         loss = centernet_loss(out, encode(targets))
 *         opt.zero_grad(); loss.backward(); opt.step(); sched.step()
 *     evaluate(model, val)                       # mAP@0.5 after each epoch
 * }</pre>
 */
public final class DetectionTrainer {

    /**
     * Hyperparameters.
     *
     * @param epochs         passes over the training split
     * @param batchSize      images per step
     * @param lr             peak learning rate of the one-cycle schedule
     * @param weightDecay    AdamW weight decay
     * @param seed           seeds initialisation, shuffling and flips
     * @param flip           random horizontal flips
     */
    public record Config(int epochs, int batchSize, double lr, double weightDecay, long seed, boolean flip) {
        public Config {
            if (epochs < 1 || batchSize < 1 || !(lr > 0) || !(weightDecay >= 0)) {
                throw new IllegalArgumentException("DetectionTrainer.Config: need epochs >= 1, batchSize >= 1, lr > 0,"
                        + " weightDecay >= 0; got epochs=" + epochs + ", batchSize=" + batchSize + ", lr=" + lr
                        + ", weightDecay=" + weightDecay);
            }
        }

        public static Config defaults() {
            return new Config(12, 32, 4e-3, 1e-4, 0, true);
        }
    }

    /** Loss parts averaged over an epoch, the last learning rate, and the evaluation after the epoch. */
    public record EpochStats(int epoch, double loss, double hmLoss, double whLoss, double regLoss, double lr,
            MeanAveragePrecision.Result eval, double seconds) {
    }

    /** Called after every step and every epoch, for progress display. */
    public interface Listener {
        default void epochStart(int epoch, int steps) {
        }

        default void step(int epoch, int step, double loss) {
        }

        default void epochEnd(EpochStats stats) {
        }
    }

    /** Scoring used when evaluating: keep low scores, since mAP integrates over all of them. */
    public static final double EVAL_SCORE_THRESHOLD = 0.01;
    public static final int EVAL_TOP_K = 100;
    public static final double NMS_IOU = 0.5;

    private final CenterNet model;
    private final Config config;
    private final CenterNetLoss loss = new CenterNetLoss();
    private final AdamW optimizer;
    private OneCycleLR schedule;
    private long step;

    public DetectionTrainer(CenterNet model, Config config) {
        this.model = model;
        this.config = config;
        this.optimizer = new AdamW(model.parameters(), AdamW.options().lr(config.lr()).weightDecay(config.weightDecay()));
    }

    public AdamW optimizer() {
        return optimizer;
    }

    public long globalStep() {
        return step;
    }

    /** Runs all epochs, evaluating on {@code val} after each; returns one row per epoch. */
    public List<EpochStats> fit(DetectionTensors train, DetectionTensors val, Listener listener) {
        if (train.imageSize() != val.imageSize()) {
            throw new IllegalArgumentException("DetectionTrainer.fit: train and val image sizes differ ("
                    + train.imageSize() + " vs " + val.imageSize() + ")");
        }
        int steps = (train.size() + config.batchSize() - 1) / config.batchSize();
        schedule = new OneCycleLR(optimizer, config.lr(), config.epochs() * steps);
        Random random = new Random(config.seed());
        List<EpochStats> history = new ArrayList<>();
        Device device = deviceOf(model);
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            long start = System.nanoTime();
            listener.epochStart(epoch, steps);
            int[] order = permutation(train.size(), random);
            double[] sums = new double[4];
            model.train();
            for (int s = 0; s < steps; s++) {
                int from = s * config.batchSize();
                int[] idx = Arrays.copyOfRange(order, from, Math.min(order.length, from + config.batchSize()));
                DetectionTensors.Batch batch = train.batch(idx, config.flip() ? random : null);
                CenterNetCoder.Targets targets = CenterNetCoder.encode(batch.boxes(), batch.labels(), model.numClasses,
                        train.imageSize(), train.imageSize());
                CenterNet.Output out = model.forward(batch.images().to(device));
                CenterNetLoss.Parts parts = loss.forward(out, onDevice(targets, device));
                optimizer.zeroGrad();
                parts.total().backward();
                optimizer.step();
                schedule.step();
                step++;
                double l = parts.total().item();
                sums[0] += l;
                sums[1] += parts.hm().item();
                sums[2] += parts.wh().item();
                sums[3] += parts.reg().item();
                listener.step(epoch, s + 1, l);
            }
            double lr = optimizer.paramGroups().get(0).lr();
            MeanAveragePrecision.Result eval = evaluate(model, val, null);
            EpochStats stats = new EpochStats(epoch, sums[0] / steps, sums[1] / steps, sums[2] / steps, sums[3] / steps,
                    lr, eval, (System.nanoTime() - start) / 1e9);
            history.add(stats);
            listener.epochEnd(stats);
        }
        return history;
    }

    /**
     * mAP@0.5 of {@code model} on {@code data} (eval mode, no gradients). {@code predictions}, if not null,
     * receives each image's detections in resized-image pixels.
     */
    public static MeanAveragePrecision.Result evaluate(CenterNet model, DetectionTensors data,
            List<List<Detection>> predictions) {
        model.eval();
        MeanAveragePrecision map = new MeanAveragePrecision(model.numClasses, 0.5);
        int batch = 64;
        try (var ignored = Autograd.noGrad()) {
            for (int from = 0; from < data.size(); from += batch) {
                int[] idx = new int[Math.min(batch, data.size() - from)];
                for (int j = 0; j < idx.length; j++) {
                    idx[j] = from + j;
                }
                DetectionTensors.Batch b = data.batch(idx, null);
                Tensor images = b.images().to(deviceOf(model));
                List<List<Detection>> dets = CenterNetCoder.decode(model.forward(images), EVAL_TOP_K,
                        EVAL_SCORE_THRESHOLD, NMS_IOU);
                for (int j = 0; j < idx.length; j++) {
                    map.update(dets.get(j), b.boxes().get(j), b.labels().get(j));
                    if (predictions != null) {
                        predictions.add(dets.get(j));
                    }
                }
            }
        }
        return map.compute();
    }

    /** Where the model's parameters are: batches and targets follow it there. */
    static Device deviceOf(CenterNet model) {
        return model.parameters().isEmpty() ? Device.CPU : model.parameters().get(0).device();
    }

    private static CenterNetCoder.Targets onDevice(CenterNetCoder.Targets t, Device device) {
        return new CenterNetCoder.Targets(t.heatmap().to(device), t.wh().to(device), t.reg().to(device),
                t.mask().to(device), t.numObjects());
    }

    private static int[] permutation(int n, Random random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
