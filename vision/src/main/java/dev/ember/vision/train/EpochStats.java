package dev.ember.vision.train;

import java.util.Locale;

/**
 * One row of a run's {@code metrics.csv}: the epoch (1-based), the mean training loss and accuracy over the
 * epoch's batches (with augmentation and dropout active, as the model saw them), the test loss and accuracy
 * after the epoch, the learning rate of the epoch's last step and the epoch's wall-clock seconds (training and
 * evaluation).
 */
public record EpochStats(int epoch, double trainLoss, double trainAcc, double testLoss, double testAcc, double lr,
        double seconds) {

    /** The CSV header, matching {@link #csvRow()}. */
    public static final String CSV_HEADER = "epoch,train_loss,train_acc,test_loss,test_acc,lr,seconds";

    /** The values as a CSV row (full precision, so a resumed run re-reads them exactly). */
    public String csvRow() {
        return epoch + "," + trainLoss + "," + trainAcc + "," + testLoss + "," + testAcc + "," + lr + ","
                + String.format(Locale.ROOT, "%.3f", seconds);
    }

    /** Parses a row written by {@link #csvRow()}; {@code where} names the file in errors. */
    public static EpochStats parse(String line, String where) {
        String[] f = line.split(",", -1);
        if (f.length != 7) {
            throw new IllegalArgumentException(where + ": expected 7 comma-separated values (" + CSV_HEADER
                    + "), got " + f.length + " in \"" + line + "\"");
        }
        try {
            return new EpochStats(Integer.parseInt(f[0].strip()), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]),
                    Double.parseDouble(f[6]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": not a number in \"" + line + "\"");
        }
    }
}
