package dev.ember.apps.vision;

import dev.ember.apps.util.ProgressBar;
import dev.ember.vision.detection.DetectionTrainer;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Locale;

/** A progress bar per epoch with the running loss (stderr), and one summary line per epoch (stdout). */
final class DetectProgress implements DetectionTrainer.Listener {
    private final PrintWriter out;
    private final PrintStream progress;
    private final boolean interactive;
    private final int epochs;
    private ProgressBar bar;
    private double lossSum;

    DetectProgress(PrintWriter out, PrintStream progress, boolean interactive, int epochs) {
        this.out = out;
        this.progress = progress;
        this.interactive = interactive;
        this.epochs = epochs;
    }

    @Override
    public void epochStart(int epoch, int steps) {
        bar = new ProgressBar(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs), steps, progress, interactive);
        lossSum = 0;
    }

    @Override
    public void step(int epoch, int step, double loss) {
        lossSum += loss;
        bar.set("loss", lossSum / step).step();
    }

    @Override
    public void epochEnd(DetectionTrainer.EpochStats s) {
        bar.close();
        out.printf(Locale.ROOT, "epoch %d: loss %.4f (heatmap %.4f, size %.4f, offset %.4f) | val mAP@0.5 %.4f |"
                + " lr %.3g | %.1fs%n", s.epoch(), s.loss(), s.hmLoss(), s.whLoss(), s.regLoss(), s.eval().map(),
                s.lr(), s.seconds());
        out.flush();
    }
}
