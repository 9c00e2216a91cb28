package dev.ember.apps.vision;

import dev.ember.apps.util.ProgressBar;
import dev.ember.tensor.Device;
import dev.ember.vision.train.ClassificationData;
import dev.ember.vision.train.EvalResult;
import dev.ember.vision.train.Evaluator;
import dev.ember.vision.train.Predictor;
import dev.ember.vision.train.RunConfig;
import dev.ember.vision.train.VisionDatasets;
import dev.ember.vision.train.VisionModels;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ember vision eval}: evaluates a run's checkpoint on its dataset's test split. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = {
            "Evaluates a run's checkpoint (runs/<name>/checkpoint.safetensors) on the test split of the dataset it"
                    + " was trained on and prints the loss, top-1 and top-5 accuracy, per-class precision, recall"
                    + " and F1, and the confusion matrix.",
            ""
        })
final class VisionEvalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--name", description = "Run to evaluate (default: the latest run in --runs-dir).")
    String name;

    @Option(names = "--runs-dir", defaultValue = "runs", description = "Folder of the runs (default: ${DEFAULT-VALUE}).")
    Path runsDir;

    @Option(names = "--data-dir", description = "Folder holding the dataset's files (default: as for train).")
    Path dataDir;

    @Option(names = "--batch-size", defaultValue = "500", description = "Images per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--workers", defaultValue = "1", description = "Data-loading threads (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda (default: ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() {
        return CommandErrors.run(spec, "eval", () -> {
            if (batchSize < 1 || workers < 0) {
                throw new IllegalArgumentException("--batch-size must be >= 1 and --workers >= 0");
            }
            Device dev = Devices.parse(device);
            PrintWriter out = spec.commandLine().getOut();
            Path dir = Runs.find(runsDir, name);
            Predictor predictor = Predictor.load(dir, Devices.models(dev));
            RunConfig config = predictor.config();
            ClassificationData data = VisionDatasets.load(config.dataset(),
                    new VisionDatasets.Options(dataDir, config.height(), false));
            out.printf(Locale.ROOT, "run %s: %s on %s, %d test images%n", dir, config.model(), config.dataset(),
                    data.test().size());
            out.flush();
            EvalResult r;
            try (ProgressBar bar = new ProgressBar("test", Evaluator.batches(data.test(), batchSize), System.err,
                    System.console() != null)) {
                r = Evaluator.evaluate(predictor.model(), data.test(), config.numClasses(), batchSize, workers,
                        i -> bar.step());
            }
            out.println(r.metrics().summary());
            out.println();
            out.print(r.metrics().confusion().report(config.classes()));
            out.flush();
            return 0;
        });
    }
}
