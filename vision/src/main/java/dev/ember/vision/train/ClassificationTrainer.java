package dev.ember.vision.train;

import dev.ember.Ember;
import dev.ember.autograd.Autograd;
import dev.ember.data.DataLoader;
import dev.ember.io.Checkpoint;
import dev.ember.nn.Layer;
import dev.ember.nn.Module;
import dev.ember.nn.functional.F;
import dev.ember.optim.AdamW;
import dev.ember.optim.Optimizer;
import dev.ember.optim.SGD;
import dev.ember.optim.lr.LRScheduler;
import dev.ember.tensor.DType;
import dev.ember.tensor.Device;
import dev.ember.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains an image classifier and records the run in a folder, the loop a PyTorch user writes:
 *
 * <pre>{@code
 * torch.manual_seed(seed); model = create(name, num_classes)
 * opt = AdamW(model.parameters(), lr, weight_decay); sched = OneCycleLR(opt, lr, total_steps=epochs * len(loader))
 * for epoch in range(start, epochs):
 *     for x, y in loader:                  # seeded shuffle: epoch e's order depends on (seed, e) only
 *         x = augment(x); opt.zero_grad(); loss = F.cross_entropy(model(x), y)
 *         loss.backward(); opt.step(); sched.step()
 *     evaluate on the test split; append a row to metrics.csv; save checkpoint.safetensors
 * }</pre>
 * then writes the per-class report, the confusion matrix and the plots ({@link RunFiles} lists the files).
 *
 * <p><b>Resuming.</b> The checkpoint, saved atomically after every epoch, holds the model, the optimizer state
 * (moments, step counts, the groups' lr), the schedule's position, the epoch and step, and Ember's default
 * generator (augmentation and dropout draw from it). {@link #resume} restores all of it and the data loader's
 * epoch, so an interrupted run continues as if it had not stopped: same batches, same random draws, the same
 * weights at the end as an uninterrupted run. It continues the saved run exactly, with the saved
 * hyperparameters (only {@code workers}, {@code evalBatchSize}, {@code gridSize} and {@code plots}, which do
 * not change the arithmetic, may differ).
 */
public final class ClassificationTrainer {
    private final RunConfig config;
    private final ClassificationData data;
    private final RunFiles files;
    private final ModelFactory factory;
    private final TrainListener listener;

    private ClassificationTrainer(RunConfig config, ClassificationData data, Path runDir, ModelFactory factory,
            TrainListener listener) {
        this.config = config;
        this.data = data;
        this.files = new RunFiles(runDir);
        this.factory = factory;
        this.listener = listener == null ? new TrainListener() { } : listener;
    }

    /**
     * Trains model {@code model} (created by {@code factory}) on {@code data} from scratch, writing into
     * {@code runDir} (created if needed; files of an earlier run there are replaced).
     */
    public static TrainResult train(String model, ClassificationData data, TrainConfig train, Path runDir,
            ModelFactory factory, TrainListener listener) throws IOException {
        RunConfig config = RunConfig.of(model, data, train);
        return new ClassificationTrainer(config, data, runDir, factory, listener).run(null);
    }

    /**
     * Continues the run in {@code runDir} from its checkpoint, on {@code data} (which must be the run's dataset:
     * same name, classes and image size). {@code overrides} may change only the settings that do not affect the
     * result (workers, evalBatchSize, gridSize, plots); null keeps the saved ones. A run that already finished
     * is evaluated again and its report and plots rewritten.
     */
    public static TrainResult resume(ClassificationData data, Path runDir, ModelFactory factory, TrainConfig overrides,
            TrainListener listener) throws IOException {
        RunFiles files = new RunFiles(runDir);
        RunConfig saved = files.readConfig();
        if (!Files.isRegularFile(files.checkpoint())) {
            throw new IOException("run " + runDir + ": nothing to resume, no " + files.checkpoint().getFileName()
                    + " (the first epoch did not finish?)");
        }
        RunConfig expected = RunConfig.of(saved.model(), data, saved.train());
        if (!expected.dataset().equals(saved.dataset()) || !expected.classes().equals(saved.classes())
                || expected.channels() != saved.channels() || expected.height() != saved.height()
                || expected.width() != saved.width()) {
            throw new IllegalArgumentException("run " + runDir + " was trained on " + saved.dataset() + " ("
                    + saved.classes().size() + " classes, " + saved.channels() + "x" + saved.height() + "x"
                    + saved.width() + "), cannot resume it on " + data.name() + " (" + data.numClasses()
                    + " classes, " + data.channels() + "x" + data.height() + "x" + data.width() + ")");
        }
        TrainConfig train = saved.train();
        if (overrides != null) {
            train = train.toBuilder().workers(overrides.workers()).evalBatchSize(overrides.evalBatchSize())
                    .gridSize(overrides.gridSize()).plots(overrides.plots()).build();
        }
        RunConfig config = new RunConfig(saved.format(), saved.model(), saved.dataset(), saved.classes(),
                saved.channels(), saved.height(), saved.width(), saved.mean(), saved.std(), train);
        return new ClassificationTrainer(config, data, runDir, factory, listener).run(saved);
    }

    private TrainResult run(RunConfig resumeFrom) throws IOException {
        TrainConfig t = config.train();
        Ember.manualSeed(t.seed());
        Module model;
        try {
            model = factory.create(config.model(), config.numClasses(), config.channels(), config.height());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model " + config.model() + " cannot take the images of "
                    + config.dataset() + " (" + config.channels() + "x" + config.height() + "x" + config.width()
                    + "): " + e.getMessage(), e);
        }
        Layer net = asLayer(model);
        // the factory may have put the model on a GPU; batches follow it there
        Device device = deviceOf(model);
        checkModel(model, net, device);

        Optimizer<?> optimizer = t.optimizer().equals("sgd")
                ? new SGD(model.parameters(), SGD.options().lr(t.lr()).momentum(0.9).nesterov(true)
                        .weightDecay(t.weightDecay()))
                : new AdamW(model.parameters(), AdamW.options().lr(t.lr()).weightDecay(t.weightDecay()));
        DataLoader<List<Tensor>, List<Tensor>> loader = DataLoader.builder(data.train()).batchSize(t.batchSize())
                .shuffle(true).seed(t.seed()).numWorkers(t.workers()).build();
        int batches = loader.len();
        LRScheduler scheduler = Schedules.create(t.schedule(), optimizer, t.lr(), t.epochs() * batches);

        List<Path> written = new ArrayList<>();
        List<EpochStats> history = new ArrayList<>();
        int start = 0;
        long step = 0;
        if (resumeFrom != null) {
            String where = "checkpoint " + files.checkpoint();
            Checkpoint ck = Checkpoint.resume(files.checkpoint(), model);
            if (ck.optimizerState() == null) {
                throw new IOException(where + ": holds no optimizer state, cannot resume training exactly");
            }
            optimizer.loadStateDict(ck.optimizerState());
            Schedules.decode(ck.extra(), scheduler, where);
            if (ck.epoch() < 0 || ck.epoch() > t.epochs()) {
                throw new IOException(where + ": epoch " + ck.epoch() + " is outside the run's " + t.epochs()
                        + " epochs");
            }
            start = (int) ck.epoch();
            step = ck.step();
            for (EpochStats row : files.readMetrics()) {
                if (row.epoch() <= start) {
                    history.add(row);
                }
            }
            loader.setEpoch(start);
        } else {
            Files.createDirectories(files.dir());
            Files.deleteIfExists(files.checkpoint());
        }
        RunFiles.writeAtomically(files.config(), config.toJson());
        written.add(files.config());

        listener.onStart(config, start, t.epochs(), batches);
        EvalResult test = null;
        for (int epoch = start; epoch < t.epochs(); epoch++) {
            long began = System.nanoTime();
            int e = epoch + 1;
            listener.onEpochStart(e, t.epochs(), batches);
            model.train();
            double lossSum = 0;
            long correct = 0;
            long seen = 0;
            double lr = optimizer.paramGroups().get(0).lr();
            int b = 0;
            for (List<Tensor> batch : loader) {
                Tensor x = batch.get(0);
                Tensor y = batch.get(1);
                if (t.augment()) {
                    x = data.augment().apply(x);
                }
                x = x.to(device);
                y = y.to(device);
                lr = optimizer.paramGroups().get(0).lr();
                optimizer.zeroGrad();
                Tensor logits = net.forward(x);
                Tensor loss = F.crossEntropy(logits, y);
                loss.backward();
                optimizer.step();
                if (scheduler != null) {
                    scheduler.step();
                }
                step++;
                long n = y.numel();
                lossSum += loss.item() * n;
                correct += (long) logits.detach().argmax(1, false).eq(y).sum().item();
                seen += n;
                listener.onBatch(e, ++b, lossSum / seen, (double) correct / seen, lr);
            }
            final int ep = e;
            listener.onEvalStart(e, Evaluator.batches(data.test(), t.evalBatchSize()));
            test = Evaluator.evaluate(model, data.test(), config.numClasses(), t.evalBatchSize(), t.workers(),
                    i -> listener.onEvalBatch(ep, i));
            EpochStats stats = new EpochStats(e, lossSum / seen, (double) correct / seen, test.metrics().loss(),
                    test.metrics().accuracy(), lr, (System.nanoTime() - began) / 1e9);
            history.add(stats);
            // metrics first: a crash between the two leaves metrics one row ahead, which resume trims
            files.writeMetrics(history);
            Map<String, String> extra = new LinkedHashMap<>();
            extra.put("config", config.toJson());
            extra.putAll(Schedules.encode(scheduler));
            Checkpoint.save(files.checkpoint(), model, optimizer.stateDict(), e, step, extra);
            listener.onEpochEnd(stats);
        }
        if (test == null) {
            test = Evaluator.evaluate(model, data.test(), config.numClasses(), t.evalBatchSize(), t.workers(), null);
        }
        written.add(files.metrics());
        written.add(files.checkpoint());
        written.addAll(RunOutputs.write(files, config, data, history, test));
        return new TrainResult(config, model, history, test, written);
    }

    /** Fails early, naming the model, when it does not map one image to {@code numClasses} logits. */
    /** Where the model's parameters are (the CPU for a model without any). */
    static Device deviceOf(Module model) {
        return model.parameters().isEmpty() ? Device.CPU : model.parameters().get(0).device();
    }

    private void checkModel(Module model, Layer net, Device device) {
        long[] in = {1, config.channels(), config.height(), config.width()};
        long[] out;
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var ignored = Autograd.noGrad()) {
            out = net.forward(Tensor.zeros(DType.FLOAT32, device, in)).shape();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model " + config.model() + " cannot take the images of "
                    + config.dataset() + " " + Arrays.toString(in) + ": " + e.getMessage(), e);
        } finally {
            model.train(wasTraining);
        }
        if (out.length != 2 || out[0] != 1 || out[1] != config.numClasses()) {
            throw new IllegalArgumentException("model " + config.model() + " maps images " + Arrays.toString(in)
                    + " to " + Arrays.toString(out) + ", expected logits [1, " + config.numClasses() + "]");
        }
    }

    static Layer asLayer(Module model) {
        if (model instanceof Layer l) {
            return l;
        }
        throw new IllegalArgumentException(model.getClass().getName() + " is not a Layer (images in, logits out)");
    }
}
