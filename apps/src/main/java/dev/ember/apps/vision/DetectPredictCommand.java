package dev.ember.apps.vision;

import dev.ember.vision.detection.BoxDrawing;
import dev.ember.vision.detection.DetectionData;
import dev.ember.vision.detection.DetectionRunFiles;
import dev.ember.vision.detection.Detection;
import dev.ember.vision.detection.Detector;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ember vision detect predict}: detects objects in image files and draws the boxes. */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        description = {
            "Detects objects in image files with a trained run's checkpoint: prints each box (class, score, x1 y1 x2"
                    + " y2 in the image's pixels) and writes a copy of each image with the boxes drawn.",
            ""
        })
final class DetectPredictCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image files (PNG, JPEG, BMP, GIF).")
    List<Path> images;

    @Option(names = "--name", description = "Run whose checkpoint to use (default: the latest detection run).")
    String name;

    @Option(names = "--runs-dir", defaultValue = "runs", description = "Folder of the runs (default: ${DEFAULT-VALUE}).")
    Path runsDir;

    @Option(names = "--checkpoint", description = "A checkpoint file to use instead of a run's.")
    Path checkpoint;

    @Option(names = "--threshold", defaultValue = "0.3", description = "Lowest score shown (default: ${DEFAULT-VALUE}).")
    double threshold;

    @Option(names = "--out", description = "Folder for the annotated images (default: <run>/predict, or"
            + " predict/ beside the checkpoint).")
    Path outDir;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda (default: ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() {
        return CommandErrors.run(spec, "detect predict", () -> {
            PrintWriter out = spec.commandLine().getOut();
            dev.ember.tensor.Device dev = Devices.parse(device);
            if (!(threshold >= 0 && threshold <= 1)) {
                throw new IllegalArgumentException("--threshold must be in [0, 1], got " + threshold);
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
            List<String> names = detector.spec().classNames();
            Path target = outDir != null ? outDir : folder.resolve("predict");
            Files.createDirectories(target);
            for (Path file : images) {
                BufferedImage image = DetectionData.readImage(file);
                List<Detection> dets = detector.detect(image, threshold);
                out.printf(Locale.ROOT, "%s (%dx%d): %d object%s%n", file, image.getWidth(), image.getHeight(),
                        dets.size(), dets.size() == 1 ? "" : "s");
                for (Detection d : dets) {
                    out.printf(Locale.ROOT, "  %-10s %.3f  [%.1f, %.1f, %.1f, %.1f]%n", names.get(d.label()), d.score(),
                            d.x1(), d.y1(), d.x2(), d.y2());
                }
                int scale = Math.max(1, 256 / Math.max(image.getWidth(), image.getHeight()));
                String stem = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
                Path png = target.resolve(stem + "_boxes.png");
                Files.write(png, BoxDrawing.png(BoxDrawing.draw(image, dets, names, null, scale)));
                out.println("  wrote " + png);
            }
            out.flush();
            return 0;
        });
    }
}
