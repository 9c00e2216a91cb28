package dev.ember.apps.vision;

import dev.ember.apps.util.ProgressBar;
import dev.ember.vision.train.EpochStats;
import dev.ember.vision.train.RunConfig;
import dev.ember.vision.train.TrainListener;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Shows training as it happens: a progress bar per epoch with the running loss and accuracy (stderr), a bar
 * for the evaluation, and one summary line per epoch (stdout).
 */
final class ProgressListener implements TrainListener {
    private final PrintWriter out;
    private final PrintStream progress;
    private final boolean interactive;
    private ProgressBar bar;

    ProgressListener(PrintWriter out, PrintStream progress, boolean interactive) {
        this.out = out;
        this.progress = progress;
        this.interactive = interactive;
    }

    @Override
    public void onStart(RunConfig config, int startEpoch, int epochs, int batchesPerEpoch) {
        if (startEpoch >= epochs) {
            out.printf(Locale.ROOT, "all %d epochs are done; evaluating the checkpoint again%n", epochs);
        } else if (startEpoch > 0) {
            out.printf(Locale.ROOT, "resuming at epoch %d of %d%n", startEpoch + 1, epochs);
        }
        out.flush();
    }

    @Override
    public void onEpochStart(int epoch, int epochs, int batches) {
        bar = new ProgressBar(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs), batches, progress,
                interactive);
    }

    @Override
    public void onBatch(int epoch, int batch, double loss, double accuracy, double lr) {
        bar.set("loss", loss).set("acc", accuracy).step();
    }

    @Override
    public void onEvalStart(int epoch, int batches) {
        bar.close();
        bar = new ProgressBar("  test", batches, progress, interactive);
    }

    @Override
    public void onEvalBatch(int epoch, int batch) {
        bar.step();
    }

    @Override
    public void onEpochEnd(EpochStats s) {
        bar.close();
        out.printf(Locale.ROOT, "epoch %d: train loss %.4f acc %.2f%% | test loss %.4f acc %.2f%% | lr %.3g | %.1fs%n",
                s.epoch(), s.trainLoss(), 100 * s.trainAcc(), s.testLoss(), 100 * s.testAcc(), s.lr(), s.seconds());
        out.flush();
    }
}
