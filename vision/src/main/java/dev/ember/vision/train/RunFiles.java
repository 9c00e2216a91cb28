package dev.ember.vision.train;

import dev.ember.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files of a run folder {@code runs/<name>/}: {@code config.json}, {@code metrics.csv} (one row per epoch),
 * {@code checkpoint.safetensors} (the latest epoch's model, optimizer, schedule and RNG), the per-class
 * {@code report.txt} and {@code confusion_matrix.csv}, and the PNG plots {@code loss.png},
 * {@code accuracy.png}, {@code confusion_matrix.png} and {@code misclassified.png}. Every file is written
 * to a temporary file and renamed, so an interrupted run never leaves a half-written one.
 *
 * @param dir the run folder
 */
public record RunFiles(Path dir) {

    public Path config() {
        return dir.resolve("config.json");
    }

    public Path metrics() {
        return dir.resolve("metrics.csv");
    }

    public Path checkpoint() {
        return dir.resolve("checkpoint.safetensors");
    }

    public Path report() {
        return dir.resolve("report.txt");
    }

    public Path confusionCsv() {
        return dir.resolve("confusion_matrix.csv");
    }

    public Path lossPlot() {
        return dir.resolve("loss.png");
    }

    public Path accuracyPlot() {
        return dir.resolve("accuracy.png");
    }

    public Path confusionPlot() {
        return dir.resolve("confusion_matrix.png");
    }

    public Path misclassifiedGrid() {
        return dir.resolve("misclassified.png");
    }

    /** Reads {@code config.json}. */
    public RunConfig readConfig() throws IOException {
        Path p = config();
        if (!Files.isRegularFile(p)) {
            throw new IOException("run " + dir + ": no " + p.getFileName() + " (is this a run folder written by"
                    + " 'ember vision train'?)");
        }
        try {
            return RunConfig.fromJson(Files.readString(p, StandardCharsets.UTF_8), p.toString());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Writes {@code metrics.csv} with a header and one row per epoch. */
    public void writeMetrics(List<EpochStats> rows) throws IOException {
        StringBuilder sb = new StringBuilder(EpochStats.CSV_HEADER).append('\n');
        for (EpochStats r : rows) {
            sb.append(r.csvRow()).append('\n');
        }
        writeAtomically(metrics(), sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Reads {@code metrics.csv} (empty if absent). */
    public List<EpochStats> readMetrics() throws IOException {
        Path p = metrics();
        List<EpochStats> rows = new ArrayList<>();
        if (!Files.exists(p)) {
            return rows;
        }
        List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).strip().equals(EpochStats.CSV_HEADER)) {
            throw new IOException(p + ": expected the header " + EpochStats.CSV_HEADER);
        }
        try {
            for (int i = 1; i < lines.size(); i++) {
                if (!lines.get(i).isBlank()) {
                    rows.add(EpochStats.parse(lines.get(i), p + " line " + (i + 1)));
                }
            }
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        return rows;
    }

    /** Writes {@code text} as UTF-8 to {@code target} atomically. */
    public static void writeAtomically(Path target, String text) throws IOException {
        writeAtomically(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code bytes} to {@code target} atomically (see {@link AtomicFiles}). */
    public static void writeAtomically(Path target, byte[] bytes) throws IOException {
        AtomicFiles.write(target, bytes);
    }
}
