package dev.ember.apps.vision;

import dev.ember.tensor.Device;
import dev.ember.vision.train.ClassificationData;
import dev.ember.vision.train.ClassificationTrainer;
import dev.ember.vision.train.RunConfig;
import dev.ember.vision.train.RunFiles;
import dev.ember.vision.train.TrainConfig;
import dev.ember.vision.train.TrainResult;
import dev.ember.vision.train.VisionDatasets;
import dev.ember.vision.train.VisionModels;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/** {@code ember vision train}: trains an image classifier and writes the run folder. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Trains an image classifier with AdamW, a one-cycle learning-rate schedule and random shifts (plus"
                    + " horizontal flips on Fashion-MNIST, CIFAR-10 and image folders), evaluating on the test split"
                    + " after every epoch. Shows a progress bar with the running loss and accuracy and writes"
                    + " runs/<name>/: metrics.csv, checkpoint.safetensors (after every epoch, so --resume continues an"
                    + " interrupted run exactly), config.json, report.txt, confusion_matrix.csv, loss.png,"
                    + " accuracy.png, confusion_matrix.png and misclassified.png.",
            "The defaults train LeNet-5 on the MNIST sample bundled with Ember (7,996 training and 2,004 test"
                    + " digits) on the CPU, reaching about 98%% test accuracy in 10 epochs.",
            ""
        })
final class VisionTrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", defaultValue = "lenet",
            description = "Model: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
            completionCandidates = ModelNames.class)
    String model;

    @Option(names = "--dataset", defaultValue = "mnist-sample",
            description = "Dataset: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
            completionCandidates = DatasetNames.class)
    String dataset;

    @Option(names = "--data-dir", description = "Folder holding the dataset's files (default: $EMBER_DATA/<dataset>,"
            + " ~/.cache/ember/datasets/<dataset>, data/<dataset>, and for fashion-mnist"
            + " /usr/share/datasets/fashion-mnist)."
            + " folder:PATH takes the images under PATH, one sub-folder per class (with train/ and test/ folders,"
            + " or 20%% of each class held out for testing).")
    Path dataDir;

    @Option(names = "--download", description = "Fetch the dataset's files into the data folder if missing (mnist).")
    boolean download;

    @Option(names = "--image-size", defaultValue = "64", description = "Side of the square images of a folder:PATH"
            + " dataset (default: ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(names = "--epochs", defaultValue = "10", description = "Passes over the training set (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "64", description = "Images per training step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "3e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--weight-decay", defaultValue = "0.01", description = "Weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--optimizer", defaultValue = "adamw", description = "adamw or sgd (momentum 0.9, Nesterov)"
            + " (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--schedule", defaultValue = "onecycle", description = "Learning-rate schedule, stepped per"
            + " batch: onecycle, cosine or constant (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for initialisation, shuffling and augmentation"
            + " (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-augment", description = "Train without random shifts and flips.")
    boolean noAugment;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--name", description = "Run name: the folder under --runs-dir (default: <model>-<dataset>,"
            + " numbered -2, -3, ... if taken; with --resume: the latest run).")
    String name;

    @Option(names = "--runs-dir", defaultValue = "runs", description = "Folder of the runs (default: ${DEFAULT-VALUE}).")
    Path runsDir;

    @Option(names = "--resume", description = "Continue the run --name (default: the latest) from its checkpoint,"
            + " with its saved settings.")
    boolean resume;

    @Option(names = "--workers", defaultValue = "1", description = "Data-loading threads (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--eval-batch-size", defaultValue = "500", description = "Images per evaluation step"
            + " (default: ${DEFAULT-VALUE}).")
    int evalBatchSize;

    @Option(names = "--no-plots", description = "Do not draw the PNG plots.")
    boolean noPlots;

    /** The options that define the run's arithmetic, which --resume takes from the saved config. */
    private static final List<String> RUN_OPTIONS = List.of("--model", "--dataset", "--image-size", "--epochs",
            "--batch-size", "--lr",
            "--weight-decay", "--optimizer", "--schedule", "--seed", "--no-augment");

    @Override
    public Integer call() {
        return CommandErrors.run(spec, "train", () -> {
            PrintWriter out = spec.commandLine().getOut();
            Device dev = Devices.parse(device);
            TrainConfig config = TrainConfig.builder().epochs(epochs).batchSize(batchSize).lr(lr)
                    .weightDecay(weightDecay).optimizer(optimizer).schedule(schedule).seed(seed).workers(workers)
                    .evalBatchSize(evalBatchSize).augment(!noAugment).plots(!noPlots).build();
            ProgressListener listener = new ProgressListener(out, System.err, System.console() != null);
            TrainResult result;
            if (resume) {
                Path dir = Runs.find(runsDir, name);
                RunConfig saved = new RunFiles(dir).readConfig();
                checkNoConflicts(saved);
                ClassificationData data = VisionDatasets.load(saved.dataset(),
                        new VisionDatasets.Options(dataDir, saved.height(), download));
                out.printf(Locale.ROOT, "resuming run %s: %s on %s%n", dir, saved.model(), saved.dataset());
                out.flush();
                result = ClassificationTrainer.resume(data, dir, Devices.models(dev), config, listener);
            } else {
                String modelName = VisionModels.canonical(model);
                Path dir = runsDir.resolve(name != null ? Runs.checkName(name)
                        : Runs.freeName(runsDir, Runs.defaultName(modelName, dataset)));
                if (name != null && Files.exists(dir.resolve("config.json"))) {
                    throw new IllegalArgumentException("run " + dir + " already exists; continue it with --resume"
                            + " --name " + name + ", or choose another --name");
                }
                ClassificationData data = VisionDatasets.load(dataset,
                        new VisionDatasets.Options(dataDir, imageSize, download));
                out.printf(Locale.ROOT, "%s: %d training and %d test images, %dx%dx%d, %d classes%n", data.name(),
                        data.train().size(), data.test().size(), data.channels(), data.height(), data.width(),
                        data.numClasses());
                out.printf(Locale.ROOT, "training %s for %d epochs (batch %d, %s, lr %s, %s schedule, seed %d) on"
                        + " %s; run folder %s%n", modelName, epochs, batchSize, config.optimizer(), lr,
                        config.schedule(), seed, Devices.describe(dev), dir);
                out.flush();
                result = ClassificationTrainer.train(modelName, data, config, dir, Devices.models(dev), listener);
            }
            out.printf(Locale.ROOT, "%s: %,d parameters%n", result.model().getClass().getSimpleName(),
                    result.model().numParameters());
            out.println("test: " + result.test().metrics().summary());
            out.println("wrote:");
            for (Path p : result.files()) {
                out.println("  " + p);
            }
            out.flush();
            return 0;
        });
    }

    private void checkNoConflicts(RunConfig saved) {
        ParseResult pr = spec.commandLine().getParseResult();
        TrainConfig t = saved.train();
        List<String> conflicts = new ArrayList<>();
        conflict(pr, conflicts, "--model", saved.model(), VisionModels.canonical(model));
        conflict(pr, conflicts, "--dataset", saved.dataset(), dataset.startsWith("folder:")
                ? "folder:" + Path.of(dataset.substring(7)).toAbsolutePath().normalize() : dataset);
        conflict(pr, conflicts, "--image-size", saved.height(), imageSize);
        conflict(pr, conflicts, "--epochs", t.epochs(), epochs);
        conflict(pr, conflicts, "--batch-size", t.batchSize(), batchSize);
        conflict(pr, conflicts, "--lr", t.lr(), lr);
        conflict(pr, conflicts, "--weight-decay", t.weightDecay(), weightDecay);
        conflict(pr, conflicts, "--optimizer", t.optimizer(), optimizer.toLowerCase(Locale.ROOT));
        conflict(pr, conflicts, "--schedule", t.schedule(), schedule.toLowerCase(Locale.ROOT));
        conflict(pr, conflicts, "--seed", t.seed(), seed);
        conflict(pr, conflicts, "--no-augment", !t.augment(), noAugment);
        if (!conflicts.isEmpty()) {
            throw new IllegalArgumentException("--resume continues a run with its saved settings, but "
                    + String.join(", ", conflicts) + "; drop those options or start a new run (without --resume)");
        }
    }

    private static void conflict(ParseResult pr, List<String> out, String option, Object saved, Object given) {
        if (RUN_OPTIONS.contains(option) && pr.hasMatchedOption(option) && !Objects.equals(saved, given)) {
            out.add(option + " is " + given + " but the run used " + saved);
        }
    }

    static final class ModelNames extends ArrayList<String> {
        ModelNames() {
            super(VisionModels.NAMES);
        }
    }

    static final class DatasetNames extends ArrayList<String> {
        DatasetNames() {
            super(VisionDatasets.NAMES);
            add("folder:PATH");
        }
    }
}
