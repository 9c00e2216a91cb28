package dev.ember.apps.vision;

import dev.ember.tensor.Device;
import dev.ember.vision.train.Prediction;
import dev.ember.vision.train.Predictor;
import dev.ember.vision.train.VisionModels;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ember vision predict IMAGE...}: the top classes of image files, from a run's checkpoint. */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        description = {
            "Classifies image files (PNG, JPEG, BMP, GIF) with a run's checkpoint and prints the top classes with"
                    + " their probabilities. Each image is converted to the run's channels (grey or RGB), resized to"
                    + " its input size and normalised as in training (runs/<name>/config.json). MNIST models expect"
                    + " a light digit on a dark background, as in MNIST.",
            ""
        })
final class VisionPredictCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image files to classify.")
    List<Path> images;

    @Option(names = "--name", description = "Run whose checkpoint to use (default: the latest run in --runs-dir).")
    String name;

    @Option(names = "--runs-dir", defaultValue = "runs", description = "Folder of the runs (default: ${DEFAULT-VALUE}).")
    Path runsDir;

    @Option(names = "--top", defaultValue = "5", description = "Classes to show per image (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda (default: ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() {
        return CommandErrors.run(spec, "predict", () -> {
            if (top < 1) {
                throw new IllegalArgumentException("--top must be >= 1, got " + top);
            }
            Device dev = Devices.parse(device);
            PrintWriter out = spec.commandLine().getOut();
            Predictor predictor = Predictor.load(Runs.find(runsDir, name), Devices.models(dev));
            int failed = 0;
            for (Path image : images) {
                List<Prediction> ps;
                try {
                    ps = predictor.predictFile(image, top);
                } catch (IOException e) {
                    spec.commandLine().getErr().println("ember vision predict: " + e.getMessage());
                    spec.commandLine().getErr().flush();
                    failed++;
                    continue;
                }
                out.println(image + ":");
                int rank = 1;
                for (Prediction p : ps) {
                    out.printf(Locale.ROOT, "  %d. %-20s %6.2f%%%n", rank++, p.label(), 100 * p.probability());
                }
            }
            out.flush();
            return failed == 0 ? 0 : 1;
        });
    }
}
