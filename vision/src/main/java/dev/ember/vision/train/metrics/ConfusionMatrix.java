package dev.ember.vision.train.metrics;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Counts of (true class, predicted class) pairs, and the per-class precision, recall and F1 derived from them,
 * as scikit-learn's {@code confusion_matrix} and {@code precision_recall_fscore_support} compute them: row
 * {@code t}, column {@code p} counts the examples of class {@code t} predicted as {@code p}.
 *
 * <p>Where a ratio has a zero denominator (a class never predicted has no precision, a class absent from the
 * data no recall) the value is 0, scikit-learn's {@code zero_division=0}; {@link #support(int)} tells such
 * classes apart. Macro averages are the unweighted means over all classes, as scikit-learn's
 * {@code average="macro"}.
 */
public final class ConfusionMatrix {
    private final int numClasses;
    private final long[][] counts;

    public ConfusionMatrix(int numClasses) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("ConfusionMatrix: numClasses must be >= 1, got " + numClasses);
        }
        this.numClasses = numClasses;
        this.counts = new long[numClasses][numClasses];
    }

    /** A matrix holding {@code counts} (square, rows are true classes, no negative entries); copied. */
    public static ConfusionMatrix of(long[][] counts) {
        ConfusionMatrix m = new ConfusionMatrix(counts.length);
        for (int t = 0; t < counts.length; t++) {
            if (counts[t].length != counts.length) {
                throw new IllegalArgumentException("ConfusionMatrix.of: expected a square matrix, row " + t + " has "
                        + counts[t].length + " entries for " + counts.length + " rows");
            }
            for (int p = 0; p < counts.length; p++) {
                if (counts[t][p] < 0) {
                    throw new IllegalArgumentException("ConfusionMatrix.of: negative count " + counts[t][p] + " at ["
                            + t + "][" + p + "]");
                }
                m.counts[t][p] = counts[t][p];
            }
        }
        return m;
    }

    public int numClasses() {
        return numClasses;
    }

    /** Counts one example of class {@code target} predicted as {@code predicted}. */
    public void add(long target, long predicted) {
        if (target < 0 || target >= numClasses || predicted < 0 || predicted >= numClasses) {
            throw new IllegalArgumentException("ConfusionMatrix: target " + target + " and prediction " + predicted
                    + " must both be class indices in [0, " + numClasses + ")");
        }
        counts[(int) target][(int) predicted]++;
    }

    /** Counts pairs {@code (targets[i], predicted[i])}; the arrays have one entry per example. */
    public void add(long[] targets, long[] predicted) {
        if (targets.length != predicted.length) {
            throw new IllegalArgumentException("ConfusionMatrix: " + targets.length + " targets but "
                    + predicted.length + " predictions");
        }
        for (int i = 0; i < targets.length; i++) {
            add(targets[i], predicted[i]);
        }
    }

    /** Adds another matrix's counts (e.g. from another batch or worker). */
    public void addAll(ConfusionMatrix other) {
        if (other.numClasses != numClasses) {
            throw new IllegalArgumentException("ConfusionMatrix: cannot add a " + other.numClasses
                    + "-class matrix to a " + numClasses + "-class one");
        }
        for (int t = 0; t < numClasses; t++) {
            for (int p = 0; p < numClasses; p++) {
                counts[t][p] += other.counts[t][p];
            }
        }
    }

    /** Examples of class {@code target} predicted as {@code predicted}. */
    public long count(int target, int predicted) {
        return counts[target][predicted];
    }

    /** A copy of the counts, {@code [true][predicted]}. */
    public long[][] counts() {
        long[][] out = new long[numClasses][];
        for (int t = 0; t < numClasses; t++) {
            out[t] = counts[t].clone();
        }
        return out;
    }

    /** Each row divided by its sum (the fraction of class t predicted as p); all-zero rows stay zero. */
    public double[][] rowNormalized() {
        double[][] out = new double[numClasses][numClasses];
        for (int t = 0; t < numClasses; t++) {
            long s = support(t);
            for (int p = 0; p < numClasses; p++) {
                out[t][p] = s == 0 ? 0 : (double) counts[t][p] / s;
            }
        }
        return out;
    }

    public long total() {
        long n = 0;
        for (long[] row : counts) {
            for (long c : row) {
                n += c;
            }
        }
        return n;
    }

    /** Correct predictions (the diagonal) over all examples; 0 when empty. */
    public double accuracy() {
        long n = total();
        long correct = 0;
        for (int c = 0; c < numClasses; c++) {
            correct += counts[c][c];
        }
        return n == 0 ? 0 : (double) correct / n;
    }

    /** Examples whose true class is {@code c} (row sum). */
    public long support(int c) {
        long s = 0;
        for (long v : counts[c]) {
            s += v;
        }
        return s;
    }

    /** Examples predicted as {@code c} (column sum). */
    public long predicted(int c) {
        long s = 0;
        for (long[] row : counts) {
            s += row[c];
        }
        return s;
    }

    /** True positives over predicted positives: {@code M[c][c] / sum_t M[t][c]}; 0 if never predicted. */
    public double precision(int c) {
        long d = predicted(c);
        return d == 0 ? 0 : (double) counts[c][c] / d;
    }

    /** True positives over actual positives: {@code M[c][c] / sum_p M[c][p]}; 0 if the class is absent. */
    public double recall(int c) {
        long d = support(c);
        return d == 0 ? 0 : (double) counts[c][c] / d;
    }

    /** Harmonic mean of precision and recall; 0 when both are 0. */
    public double f1(int c) {
        double p = precision(c);
        double r = recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    public double macroPrecision() {
        double s = 0;
        for (int c = 0; c < numClasses; c++) {
            s += precision(c);
        }
        return s / numClasses;
    }

    public double macroRecall() {
        double s = 0;
        for (int c = 0; c < numClasses; c++) {
            s += recall(c);
        }
        return s / numClasses;
    }

    public double macroF1() {
        double s = 0;
        for (int c = 0; c < numClasses; c++) {
            s += f1(c);
        }
        return s / numClasses;
    }

    /**
     * A per-class report like scikit-learn's {@code classification_report} (precision, recall, F1, support),
     * followed by the matrix itself; {@code names} labels the classes (one per class).
     */
    public String report(List<String> names) {
        checkNames(names);
        int w = 12;
        for (String n : names) {
            w = Math.max(w, n.length() + 2);
        }
        StringBuilder sb = new StringBuilder();
        sb.append(pad("class", w)).append(" precision    recall        f1   support\n");
        for (int c = 0; c < numClasses; c++) {
            sb.append(pad(names.get(c), w)).append(String.format(Locale.ROOT, "%10.4f%10.4f%10.4f%10d%n",
                    precision(c), recall(c), f1(c), support(c)));
        }
        sb.append(pad("macro avg", w)).append(String.format(Locale.ROOT, "%10.4f%10.4f%10.4f%10d%n",
                macroPrecision(), macroRecall(), macroF1(), total()));
        sb.append("\nconfusion matrix (rows: true class, columns: predicted class)\n");
        int cw = 5;
        for (long[] row : counts) {
            for (long v : row) {
                cw = Math.max(cw, Long.toString(v).length() + 1);
            }
        }
        sb.append(pad("", w));
        for (int p = 0; p < numClasses; p++) {
            sb.append(String.format(Locale.ROOT, "%" + cw + "d", p));
        }
        sb.append('\n');
        for (int t = 0; t < numClasses; t++) {
            String name = names.get(t);
            sb.append(pad(name.equals(Integer.toString(t)) ? name : t + " " + name, w));
            for (int p = 0; p < numClasses; p++) {
                sb.append(String.format(Locale.ROOT, "%" + cw + "d", counts[t][p]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private void checkNames(List<String> names) {
        if (names.size() != numClasses) {
            throw new IllegalArgumentException("ConfusionMatrix: " + names.size() + " class names for " + numClasses
                    + " classes");
        }
    }

    private static String pad(String s, int w) {
        String t = s.length() >= w ? s.substring(0, w - 1) : s;
        return t + " ".repeat(w - t.length());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfusionMatrix m && Arrays.deepEquals(counts, m.counts);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(counts);
    }

    @Override
    public String toString() {
        return "ConfusionMatrix" + Arrays.deepToString(counts);
    }
}
