package dev.ember.vision.detection;

import dev.ember.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The files of a detection run folder {@code runs/<name>/}:
 * <ul>
 *   <li>{@code detector.json}: the {@link DetectorSpec} (classes, input size, width, dataset);</li>
 *   <li>{@code metrics.csv}: one row per epoch (losses, learning rate, validation mAP@0.5 and AP per class,
 *       seconds);</li>
 *   <li>{@code checkpoint.safetensors}: model, optimizer, RNG and spec ({@link Detector#save});</li>
 *   <li>{@code training.png}: mAP@0.5 and loss per epoch; {@code pr_curve.png}: precision-recall per class;</li>
 *   <li>{@code predictions.png}: validation images with predicted (solid) and true (dashed) boxes;</li>
 *   <li>{@code eval.txt}: AP per class and mAP of the last evaluation.</li>
 * </ul>
 * Every file is written to a temporary file and renamed.
 */
public record DetectionRunFiles(Path dir) {
    public static final String SPEC = "detector.json";

    public Path spec() {
        return dir.resolve(SPEC);
    }

    public Path metrics() {
        return dir.resolve("metrics.csv");
    }

    public Path checkpoint() {
        return dir.resolve("checkpoint.safetensors");
    }

    public Path trainingPlot() {
        return dir.resolve("training.png");
    }

    public Path prCurve() {
        return dir.resolve("pr_curve.png");
    }

    public Path predictions() {
        return dir.resolve("predictions.png");
    }

    public Path evalReport() {
        return dir.resolve("eval.txt");
    }

    /** Whether {@code dir} looks like a detection run (has {@code detector.json}). */
    public static boolean isRun(Path dir) {
        return Files.isRegularFile(dir.resolve(SPEC));
    }

    public void writeSpec(DetectorSpec spec) throws IOException {
        write(spec(), spec.toJson() + "\n");
    }

    public DetectorSpec readSpec() throws IOException {
        if (!Files.isRegularFile(spec())) {
            throw new IOException("run " + dir + ": no " + SPEC + " (is this a folder written by"
                    + " 'ember vision detect train'?)");
        }
        try {
            return DetectorSpec.fromJson(Files.readString(spec(), StandardCharsets.UTF_8), spec().toString());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** {@code metrics.csv}: a header and one row per epoch. */
    public void writeMetrics(List<DetectionTrainer.EpochStats> history, List<String> classNames) throws IOException {
        StringBuilder sb = new StringBuilder("epoch,train_loss,hm_loss,wh_loss,reg_loss,lr,val_map50");
        for (String c : classNames) {
            sb.append(",val_ap50_").append(c.replaceAll("[^A-Za-z0-9_]", "_"));
        }
        sb.append(",seconds\n");
        for (DetectionTrainer.EpochStats s : history) {
            sb.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.6g,%.6f", s.epoch(), s.loss(), s.hmLoss(),
                    s.whLoss(), s.regLoss(), s.lr(), s.eval().map()));
            for (double ap : s.eval().ap()) {
                sb.append(String.format(Locale.ROOT, ",%.6f", ap));
            }
            sb.append(String.format(Locale.ROOT, ",%.2f%n", s.seconds()));
        }
        write(metrics(), sb.toString());
    }

    /** {@code eval.txt}: one line per class (objects, AP@0.5) and the mAP. */
    public void writeEvalReport(MeanAveragePrecision.Result r, List<String> classNames, String header)
            throws IOException {
        write(evalReport(), report(r, classNames, header));
    }

    /** The evaluation as a small text table. */
    public static String report(MeanAveragePrecision.Result r, List<String> classNames, String header) {
        StringBuilder sb = new StringBuilder(header).append('\n');
        sb.append(String.format(Locale.ROOT, "%-16s %8s %8s%n", "class", "objects", "AP@0.5"));
        for (int c = 0; c < classNames.size(); c++) {
            sb.append(String.format(Locale.ROOT, "%-16s %8d %8.4f%n", classNames.get(c), r.numGt()[c], r.ap()[c]));
        }
        sb.append(String.format(Locale.ROOT, "%-16s %8d %8.4f%n", "mAP@0.5", java.util.Arrays.stream(r.numGt()).sum(),
                r.map()));
        return sb.toString();
    }

    public void write(Path file, String text) throws IOException {
        AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    public void write(Path file, byte[] bytes) throws IOException {
        AtomicFiles.write(file, bytes);
    }
}
