package dev.ember.vision.train.plots;

import dev.ember.vision.train.EpochStats;
import dev.ember.vision.train.metrics.ConfusionMatrix;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The charts of a training run, drawn with XChart and returned as PNG bytes: loss and accuracy per epoch (train
 * and test), and the confusion matrix as a heat map. Drawing needs no display (AWT runs headless).
 */
public final class TrainingPlots {
    private static final Color TRAIN = new Color(31, 119, 180);
    private static final Color TEST = new Color(255, 127, 14);

    static {
        // charts are drawn off screen; without this a machine with a DISPLAY set but unreachable would fail
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private TrainingPlots() {
    }

    /** Training and test loss against the epoch. */
    public static byte[] loss(List<EpochStats> history, String title) throws IOException {
        XYChart chart = curves(title, "cross-entropy loss");
        addSeries(chart, "train", history, true, false);
        addSeries(chart, "test", history, false, false);
        return png(chart);
    }

    /** Training and test accuracy (%) against the epoch. */
    public static byte[] accuracy(List<EpochStats> history, String title) throws IOException {
        XYChart chart = curves(title, "accuracy (%)");
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE); // the curves rise to the top right
        addSeries(chart, "train", history, true, true);
        addSeries(chart, "test", history, false, true);
        chart.getStyler().setYAxisDecimalPattern("0.0");
        return png(chart);
    }

    /**
     * The confusion matrix as a heat map: true class down the side (first class at the top), predicted class
     * along the bottom, each cell showing its count and coloured by it.
     */
    public static byte[] confusionMatrix(ConfusionMatrix m, List<String> names, String title) throws IOException {
        int k = m.numClasses();
        if (names.size() != k) {
            throw new IllegalArgumentException("TrainingPlots.confusionMatrix: " + names.size() + " names for " + k
                    + " classes");
        }
        int side = Math.max(520, Math.min(1600, 60 * k + 240));
        HeatMapChart chart = new HeatMapChartBuilder().width(side + 80).height(side).title(title)
                .xAxisTitle("predicted class").yAxisTitle("true class").build();
        List<String> xs = new ArrayList<>();
        List<String> ys = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            xs.add(label(names.get(c)));
            ys.add(label(names.get(k - 1 - c))); // XChart draws the first y category at the bottom
        }
        List<Number[]> cells = new ArrayList<>();
        long max = 0;
        for (int t = 0; t < k; t++) {
            for (int p = 0; p < k; p++) {
                cells.add(new Number[] {p, k - 1 - t, m.count(t, p)});
                max = Math.max(max, m.count(t, p));
            }
        }
        chart.addSeries("count", xs, ys, cells);
        var s = chart.getStyler();
        s.setShowValue(k <= 20);
        s.setMin(0);
        s.setMax(Math.max(1, max));
        s.setRangeColors(new Color[] {new Color(247, 251, 255), new Color(107, 174, 214), new Color(8, 48, 107)});
        s.setHeatMapValueDecimalPattern("0");
        s.setPlotContentSize(1);
        s.setLegendVisible(true);
        s.setChartBackgroundColor(Color.WHITE);
        s.setXAxisLabelRotation(k > 10 ? 45 : 0);
        return png(chart);
    }

    private static String label(String name) {
        return name.length() > 16 ? name.substring(0, 15) + "…" : name;
    }

    private static XYChart curves(String title, String yTitle) {
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle("epoch")
                .yAxisTitle(yTitle).build();
        var s = chart.getStyler();
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotGridLinesColor(new Color(225, 225, 225));
        s.setXAxisDecimalPattern("0");
        s.setMarkerSize(6);
        return chart;
    }

    private static void addSeries(XYChart chart, String name, List<EpochStats> history, boolean train,
            boolean accuracy) {
        double[] x = new double[history.size()];
        double[] y = new double[history.size()];
        for (int i = 0; i < x.length; i++) {
            EpochStats e = history.get(i);
            x[i] = e.epoch();
            y[i] = accuracy ? 100 * (train ? e.trainAcc() : e.testAcc()) : train ? e.trainLoss() : e.testLoss();
        }
        var series = chart.addSeries(name, x, y);
        series.setLineColor(train ? TRAIN : TEST);
        series.setMarkerColor(train ? TRAIN : TEST);
        series.setMarker(SeriesMarkers.CIRCLE);
        series.setLineStyle(new BasicStroke(2f));
    }

    private static byte[] png(Chart<?, ?> chart) throws IOException {
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }
}
