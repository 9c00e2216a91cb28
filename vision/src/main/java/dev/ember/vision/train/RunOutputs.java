package dev.ember.vision.train;

import dev.ember.tensor.Tensor;
import dev.ember.vision.train.metrics.ClassificationMetrics;
import dev.ember.vision.train.metrics.ConfusionMatrix;
import dev.ember.vision.train.plots.ImageGrid;
import dev.ember.vision.train.plots.TrainingPlots;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Writes the end-of-run files: the per-class report, the confusion matrix (CSV and PNG) and the other plots. */
final class RunOutputs {
    private RunOutputs() {
    }

    /** Writes what the config asks for; returns the paths written. */
    static List<Path> write(RunFiles files, RunConfig config, ClassificationData data, List<EpochStats> history,
            EvalResult test) throws IOException {
        List<Path> written = new ArrayList<>();
        ClassificationMetrics m = test.metrics();
        String name = config.model() + " on " + config.dataset();
        RunFiles.writeAtomically(files.report(), report(name, m, config.classes()));
        written.add(files.report());
        RunFiles.writeAtomically(files.confusionCsv(), confusionCsv(m.confusion(), config.classes()));
        written.add(files.confusionCsv());
        TrainConfig t = config.train();
        if (t.plots()) {
            RunFiles.writeAtomically(files.lossPlot(), TrainingPlots.loss(history, "Loss: " + name));
            written.add(files.lossPlot());
            RunFiles.writeAtomically(files.accuracyPlot(), TrainingPlots.accuracy(history, "Accuracy: " + name));
            written.add(files.accuracyPlot());
            RunFiles.writeAtomically(files.confusionPlot(), TrainingPlots.confusionMatrix(m.confusion(),
                    config.classes(), String.format(Locale.ROOT, "Confusion matrix: %s (test accuracy %.2f%%)",
                            name, 100 * m.accuracy())));
            written.add(files.confusionPlot());
            if (t.gridSize() > 0) {
                RunFiles.writeAtomically(files.misclassifiedGrid(), misclassifiedGrid(config, data, test,
                        t.gridSize()));
                written.add(files.misclassifiedGrid());
            }
        }
        return written;
    }

    static String report(String name, ClassificationMetrics m, List<String> classes) {
        return "Test set evaluation: " + name + "\n" + m.summary() + "\n\n" + m.confusion().report(classes);
    }

    /** Header {@code true\predicted,<class names>}, then one row per true class. */
    static String confusionCsv(ConfusionMatrix cm, List<String> classes) {
        StringBuilder sb = new StringBuilder("true\\predicted");
        for (String c : classes) {
            sb.append(',').append(csv(c));
        }
        sb.append('\n');
        for (int t = 0; t < cm.numClasses(); t++) {
            sb.append(csv(classes.get(t)));
            for (int p = 0; p < cm.numClasses(); p++) {
                sb.append(',').append(cm.count(t, p));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** The most confident mistakes on the test split, un-normalised back to pixels in [0, 1]. */
    static byte[] misclassifiedGrid(RunConfig config, ClassificationData data, EvalResult test, int limit)
            throws IOException {
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        double[] mean = config.mean();
        double[] std = config.std();
        for (int i : test.misclassified(limit)) {
            Tensor image = data.test().get(i).get(0);
            long[] s = image.shape();
            int c = (int) s[0];
            int h = (int) s[1];
            int w = (int) s[2];
            double[] px = image.toDoubleArray();
            int plane = h * w;
            for (int j = 0; j < px.length; j++) {
                int ch = j / plane;
                px[j] = px[j] * std[ch] + mean[ch];
            }
            String truth = config.classes().get((int) test.targets()[i]);
            String guess = config.classes().get((int) test.predicted()[i]);
            tiles.add(new ImageGrid.Tile(px, c, h, w, List.of("true: " + truth, String.format(Locale.ROOT,
                    "pred: %s %.0f%%", guess, 100 * test.confidence()[i])), true));
        }
        long wrong = test.metrics().count() - Math.round(test.metrics().accuracy() * test.metrics().count());
        String title = String.format(Locale.ROOT, "Misclassified test images: %d of %d shown, most confident first",
                tiles.size(), wrong);
        return ImageGrid.draw(title, tiles, 6);
    }
}
