package dev.ember.apps.vision;

import dev.ember.vision.detection.DetectionData;
import dev.ember.vision.detection.DetectionPipeline;
import dev.ember.vision.detection.DetectionRunFiles;
import dev.ember.vision.detection.Detector;
import dev.ember.vision.detection.MeanAveragePrecision;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ember vision detect eval}: mAP@0.5 of a trained detector on a dataset split. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = {
            "Evaluates a detection run's checkpoint: AP@0.5 per class and mAP (PASCAL VOC all-point interpolation)"
                    + " on a dataset split, written to eval.txt with pr_curve.png (precision-recall per class) and"
                    + " predictions.png (predicted boxes solid, true boxes dashed).",
            ""
        })
final class DetectEvalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--name", description = "Run to evaluate (default: the latest detection run in --runs-dir).")
    String name;

    @Option(names = "--runs-dir", defaultValue = "runs", description = "Folder of the runs (default: ${DEFAULT-VALUE}).")
    Path runsDir;

    @Option(names = "--checkpoint", description = "A checkpoint file to evaluate instead of a run's.")
    Path checkpoint;

    @Option(names = "--data", description = "Dataset folder (default: the one the run was trained on).")
    Path data;

    @Option(names = "--split", defaultValue = "test", description = "Split folder to evaluate: test, val or train"
            + " (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--out", description = "Folder for eval.txt, pr_curve.png and predictions.png (default: the run"
            + " folder, or the checkpoint's folder).")
    Path outDir;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda (default: ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() {
        return CommandErrors.run(spec, "detect eval", () -> {
            PrintWriter out = spec.commandLine().getOut();
            dev.ember.tensor.Device dev = Devices.parse(device);
            if (!split.matches("test|val|train")) {
                throw new IllegalArgumentException("--split must be test, val or train, got \"" + split + "\"");
            }
            Path ck;
            Path folder;
            if (checkpoint != null) {
                ck = checkpoint;
                folder = checkpoint.toAbsolutePath().getParent();
            } else {
                folder = DetectCommand.findRun(runsDir, name);
                ck = new DetectionRunFiles(folder).checkpoint();
            }
            Detector detector = Detector.load(ck);
            detector.model().to(dev);
            Path dataDir = data != null ? data : Path.of(detector.spec().dataset());
            DetectionData d = DetectionData.read(dataDir.resolve(split));
            if (!d.classNames().equals(detector.spec().classNames())) {
                throw new IllegalArgumentException("dataset " + dataDir.resolve(split) + " has classes "
                        + d.classNames() + " but the detector was trained on " + detector.spec().classNames());
            }
            Path target = outDir != null ? outDir : folder;
            MeanAveragePrecision.Result r = DetectionPipeline.evaluate(detector, d, target,
                    split + " split of " + dataDir + " (" + d.size() + " images)");
            out.print(DetectionRunFiles.report(r, detector.spec().classNames(), "checkpoint " + ck + " on the "
                    + split + " split of " + dataDir + " (" + d.size() + " images, " + d.numObjects() + " objects):"));
            DetectionRunFiles files = new DetectionRunFiles(target);
            out.println("wrote:");
            out.println("  " + files.evalReport());
            out.println("  " + files.prCurve());
            out.println("  " + files.predictions());
            out.flush();
            return 0;
        });
    }
}
