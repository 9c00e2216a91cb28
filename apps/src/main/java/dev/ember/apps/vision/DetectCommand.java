package dev.ember.apps.vision;

import dev.ember.vision.detection.DetectionRunFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

/** {@code ember vision detect}: object detection (generate data, train, evaluate, predict). */
@Command(
        name = "detect",
        mixinStandardHelpOptions = true,
        description = {
            "Object detection with a small CenterNet-style detector (heatmap of object centres + box size and offset"
                    + " regression) on a CNN backbone.",
            "Data: a folder with train/ and test/ splits, each in COCO layout (annotations.json + images/) or YOLO"
                    + " layout (classes.txt + images/ + labels/). 'generate' makes such a folder of shapes (circles,"
                    + " squares, triangles on noisy backgrounds).",
            "Runs are written under runs/<name>/: detector.json, metrics.csv, checkpoint.safetensors, training.png,"
                    + " pr_curve.png, predictions.png and eval.txt.",
            ""
        },
        subcommands = {DetectGenerateCommand.class, DetectTrainCommand.class, DetectEvalCommand.class,
            DetectPredictCommand.class},
        footer = {"", "Example:", "  ember vision detect train && ember vision detect eval"
                + " && ember vision detect predict data/shapes/test/images/000000.png"})
public final class DetectCommand {

    /** The default dataset folder, generated on first use. */
    static final Path DEFAULT_DATA = Path.of("data", "shapes");

    /** The run {@code name} in {@code runs}, or the latest detection run when name is null; a clear error if none. */
    static Path findRun(Path runs, String name) throws IOException {
        if (name != null) {
            Path dir = runs.resolve(Runs.checkName(name));
            if (!DetectionRunFiles.isRun(dir)) {
                throw new IOException("no detection run \"" + name + "\" in " + runs + " (no "
                        + dir.resolve(DetectionRunFiles.SPEC) + "); train one with: ember vision detect train --name "
                        + name);
            }
            return dir;
        }
        if (Files.isDirectory(runs)) {
            try (Stream<Path> s = Files.list(runs)) {
                var latest = s.filter(DetectionRunFiles::isRun).max(Comparator.comparing(DetectCommand::modified));
                if (latest.isPresent()) {
                    return latest.get();
                }
            }
        }
        throw new IOException("no detection runs in " + runs.toAbsolutePath()
                + "; train one first with: ember vision detect train");
    }

    private static FileTime modified(Path run) {
        try {
            Path ck = new DetectionRunFiles(run).checkpoint();
            return Files.getLastModifiedTime(Files.exists(ck) ? ck : run.resolve(DetectionRunFiles.SPEC));
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
