package dev.ember.vision.detection;

import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The charts of a detection run, drawn with XChart as PNG bytes: the precision-recall curve of each class (with
 * its AP in the legend), and mAP@0.5 and the training loss against the epoch.
 */
public final class DetectionPlots {

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private DetectionPlots() {
    }

    /** Precision against recall per class; the legend gives each class's AP. */
    public static byte[] prCurves(MeanAveragePrecision.Result r, List<String> classNames, String title)
            throws IOException {
        XYChart chart = new XYChartBuilder().width(640).height(480).title(title).xAxisTitle("recall")
                .yAxisTitle("precision").build();
        style(chart);
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.05);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSW);
        for (int c = 0; c < classNames.size(); c++) {
            if (r.numGt()[c] == 0) {
                continue;
            }
            // the curve starts at recall 0 with the first detection's precision, as the AP integral does
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            double[] p = r.precision()[c];
            double[] rec = r.recall()[c];
            x.add(0.0);
            y.add(p.length > 0 ? p[0] : 0.0);
            for (int k = 0; k < p.length; k++) {
                x.add(rec[k]);
                y.add(p[k]);
            }
            String name = String.format(Locale.ROOT, "%s (AP %.3f)", classNames.get(c), r.ap()[c]);
            XYSeries s = chart.addSeries(name, x, y);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(BoxDrawing.colour(c).darker());
        }
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }

    /** mAP@0.5 on the validation split and the mean training loss, against the epoch (two y axes). */
    public static byte[] training(List<DetectionTrainer.EpochStats> history, String title) throws IOException {
        XYChart chart = new XYChartBuilder().width(640).height(400).title(title).xAxisTitle("epoch")
                .yAxisTitle("mAP@0.5").build();
        style(chart);
        chart.getStyler().setYAxisMin(0, 0.0).setYAxisMax(0, 1.0);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        List<Double> epochs = new ArrayList<>();
        List<Double> map = new ArrayList<>();
        List<Double> loss = new ArrayList<>();
        for (DetectionTrainer.EpochStats s : history) {
            epochs.add((double) s.epoch());
            map.add(Double.isNaN(s.eval().map()) ? 0 : s.eval().map());
            loss.add(s.loss());
        }
        XYSeries m = chart.addSeries("val mAP@0.5", epochs, map);
        m.setMarker(SeriesMarkers.CIRCLE);
        m.setLineColor(new Color(31, 119, 180));
        m.setMarkerColor(new Color(31, 119, 180));
        XYSeries l = chart.addSeries("train loss", epochs, loss);
        l.setYAxisGroup(1);
        l.setMarker(SeriesMarkers.DIAMOND);
        l.setLineColor(new Color(255, 127, 14));
        l.setMarkerColor(new Color(255, 127, 14));
        chart.setYAxisGroupTitle(1, "loss");
        chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }

    private static void style(XYChart chart) {
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendBorderColor(new Color(200, 200, 200));
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    }
}
