package dev.ember.apps.vision;

import dev.ember.vision.detection.DetectionPipeline;
import dev.ember.vision.detection.ShapesDataset;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ember vision detect generate}: writes the shapes detection dataset. */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = {
            "Generates the shapes detection dataset: images of circles, squares and triangles in seven colours on"
                    + " noisy, cluttered backgrounds, written as train/ and test/ splits, each with PNG images,"
                    + " COCO annotations.json and YOLO classes.txt + labels/. Reproducible from --seed.",
            ""
        })
final class DetectGenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", defaultValue = "data/shapes", description = "Dataset folder to write (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--train", defaultValue = "2000", description = "Training images (default: ${DEFAULT-VALUE}).")
    int train;

    @Option(names = "--test", defaultValue = "400", description = "Test images (default: ${DEFAULT-VALUE}).")
    int test;

    @Option(names = "--image-size", defaultValue = "64", description = "Image width and height (default: ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(names = "--min-objects", defaultValue = "1", description = "Fewest shapes per image (default: ${DEFAULT-VALUE}).")
    int minObjects;

    @Option(names = "--max-objects", defaultValue = "3", description = "Most shapes per image (default: ${DEFAULT-VALUE}).")
    int maxObjects;

    @Option(names = "--noise", defaultValue = "16", description = "Pixel noise standard deviation, 0-255 scale"
            + " (default: ${DEFAULT-VALUE}).")
    double noise;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        return CommandErrors.run(spec, "detect generate", () -> {
            if (train < 1 || test < 1) {
                throw new IllegalArgumentException("--train and --test must be >= 1, got " + train + " and " + test);
            }
            // shape sizes scale with the image: 3/16 to 13/32 of its side (12..26 pixels at 64)
            ShapesDataset.Options o = new ShapesDataset.Options(imageSize, minObjects, maxObjects,
                    Math.max(4, imageSize * 3 / 16), Math.max(4, imageSize * 13 / 32), noise);
            PrintWriter w = spec.commandLine().getOut();
            DetectionPipeline.generateShapes(out, train, test, o, seed);
            w.printf(Locale.ROOT, "wrote %d training and %d test images (%dx%d, %d-%d shapes each) to %s%n", train,
                    test, imageSize, imageSize, minObjects, maxObjects, out);
            w.flush();
            return 0;
        });
    }

    /** Generates the default dataset into {@code dir} (what train does when the default folder is missing). */
    static void generateDefault(Path dir, PrintWriter w) throws java.io.IOException {
        w.printf(Locale.ROOT, "generating the shapes dataset (2000 training and 400 test images, 64x64) in %s%n", dir);
        w.flush();
        DetectionPipeline.generateShapes(dir, 2000, 400, ShapesDataset.Options.defaults(), 0);
    }
}
