package dev.ember.vision.detection;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Mean average precision at one IoU threshold, PASCAL VOC style (the 2010+ "all-point" interpolation):
 * call {@link #update} once per image with its detections and ground truth, then {@link #compute}.
 *
 * <p>Per class, all detections of the class over all images are sorted by decreasing score (ties keep the
 * order they were given in). Each is matched to the ground-truth box of its class in its image with the highest
 * IoU; it is a true positive if that IoU is at least the threshold and that box was not matched before,
 * otherwise a false positive (a duplicate detection of an already found object counts as a false positive).
 * Precision and recall follow along the sorted list; AP is the area under the precision-recall curve after
 * making precision monotonically decreasing (each precision replaced by the best precision at any higher
 * recall), summed at every recall change. mAP is the mean AP over the classes that have ground truth; a class
 * without ground truth has AP NaN and is left out. The VOC devkit matches on IoU {@code >} threshold, COCO and
 * this class on {@code >=}; they differ only at exactly the threshold.
 */
public final class MeanAveragePrecision {
    private final int numClasses;
    private final double iouThreshold;
    private final List<List<Scored>> detections = new ArrayList<>();
    private final int[] numGt;
    /** Ground truth per image, per class: the boxes. */
    private final List<double[][][]> groundTruth = new ArrayList<>();

    private record Scored(int image, double score, double[] box, long order) {
    }

    /**
     * The result.
     *
     * @param ap         AP per class (NaN for a class without ground truth)
     * @param numGt      ground-truth objects per class
     * @param precision  per class, the precision after each detection in score order
     * @param recall     per class, the recall after each detection in score order
     * @param map        mean of the defined APs (NaN if no class has ground truth)
     */
    public record Result(double[] ap, int[] numGt, double[][] precision, double[][] recall, double map) {
    }

    public MeanAveragePrecision(int numClasses, double iouThreshold) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("MeanAveragePrecision: numClasses must be >= 1, got " + numClasses);
        }
        if (!(iouThreshold > 0 && iouThreshold <= 1)) {
            throw new IllegalArgumentException("MeanAveragePrecision: iouThreshold must be in (0, 1], got "
                    + iouThreshold);
        }
        this.numClasses = numClasses;
        this.iouThreshold = iouThreshold;
        this.numGt = new int[numClasses];
        for (int c = 0; c < numClasses; c++) {
            detections.add(new ArrayList<>());
        }
    }

    /**
     * Adds one image.
     *
     * @param predicted its detections (any order)
     * @param gtBoxes   its ground-truth xyxy boxes {@code (K, 4)}
     * @param gtLabels  their labels {@code (K)}
     */
    public void update(List<Detection> predicted, double[][] gtBoxes, int[] gtLabels) {
        if (gtBoxes.length != gtLabels.length) {
            throw new IllegalArgumentException("MeanAveragePrecision.update: " + gtBoxes.length + " boxes but "
                    + gtLabels.length + " labels");
        }
        int image = groundTruth.size();
        List<List<double[]>> byClass = new ArrayList<>();
        for (int c = 0; c < numClasses; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int k = 0; k < gtLabels.length; k++) {
            checkLabel(gtLabels[k], "ground-truth label");
            if (gtBoxes[k].length != 4) {
                throw new IllegalArgumentException("MeanAveragePrecision.update: box " + k + " has "
                        + gtBoxes[k].length + " coordinates, expected 4 (x1, y1, x2, y2)");
            }
            byClass.get(gtLabels[k]).add(gtBoxes[k].clone());
            numGt[gtLabels[k]]++;
        }
        groundTruth.add(byClass.stream().map(l -> l.toArray(double[][]::new)).toArray(double[][][]::new));
        for (Detection d : predicted) {
            checkLabel(d.label(), "detection label");
            List<Scored> list = detections.get(d.label());
            list.add(new Scored(image, d.score(), new double[] {d.x1(), d.y1(), d.x2(), d.y2()}, list.size()));
        }
    }

    /** Adds one image with the ground truth of {@code gt}. */
    public void update(List<Detection> predicted, AnnotatedImage gt) {
        update(predicted, gt.boxes(), gt.labels());
    }

    /** AP per class, the precision-recall curves and mAP over everything added so far. */
    public Result compute() {
        double[] ap = new double[numClasses];
        double[][] precision = new double[numClasses][];
        double[][] recall = new double[numClasses][];
        double sum = 0;
        int defined = 0;
        for (int c = 0; c < numClasses; c++) {
            List<Scored> dets = new ArrayList<>(detections.get(c));
            dets.sort(Comparator.comparingDouble(Scored::score).reversed().thenComparingLong(Scored::order));
            boolean[][] matched = new boolean[groundTruth.size()][];
            for (int i = 0; i < matched.length; i++) {
                matched[i] = new boolean[groundTruth.get(i)[c].length];
            }
            precision[c] = new double[dets.size()];
            recall[c] = new double[dets.size()];
            int tp = 0;
            for (int k = 0; k < dets.size(); k++) {
                Scored d = dets.get(k);
                double[][] gts = groundTruth.get(d.image())[c];
                int best = -1;
                double bestIou = -1;
                for (int g = 0; g < gts.length; g++) {
                    double iou = BoxOps.iou(d.box(), gts[g]);
                    if (iou > bestIou) {
                        bestIou = iou;
                        best = g;
                    }
                }
                if (best >= 0 && bestIou >= iouThreshold && !matched[d.image()][best]) {
                    matched[d.image()][best] = true;
                    tp++;
                }
                precision[c][k] = (double) tp / (k + 1);
                recall[c][k] = numGt[c] == 0 ? 0 : (double) tp / numGt[c];
            }
            ap[c] = numGt[c] == 0 ? Double.NaN : allPointAp(precision[c], recall[c]);
            if (numGt[c] > 0) {
                sum += ap[c];
                defined++;
            }
        }
        return new Result(ap, numGt.clone(), precision, recall, defined == 0 ? Double.NaN : sum / defined);
    }

    /**
     * VOC all-point interpolated AP of a precision-recall curve (recall non-decreasing):
     * {@code sum over recall steps of (r[i+1] - r[i]) * max(precision at recall >= r[i+1])}.
     */
    public static double allPointAp(double[] precision, double[] recall) {
        if (precision.length != recall.length) {
            throw new IllegalArgumentException("allPointAp: " + precision.length + " precisions but " + recall.length
                    + " recalls");
        }
        int n = precision.length;
        double[] mrec = new double[n + 2];
        double[] mpre = new double[n + 2];
        System.arraycopy(recall, 0, mrec, 1, n);
        System.arraycopy(precision, 0, mpre, 1, n);
        mrec[n + 1] = 1;
        for (int i = n; i >= 0; i--) {
            mpre[i] = Math.max(mpre[i], mpre[i + 1]);
        }
        double ap = 0;
        for (int i = 0; i <= n; i++) {
            if (mrec[i + 1] != mrec[i]) {
                ap += (mrec[i + 1] - mrec[i]) * mpre[i + 1];
            }
        }
        return ap;
    }

    private void checkLabel(int label, String what) {
        if (label < 0 || label >= numClasses) {
            throw new IllegalArgumentException("MeanAveragePrecision.update: " + what + " " + label
                    + " out of range 0.." + (numClasses - 1));
        }
    }

    @Override
    public String toString() {
        return "MeanAveragePrecision(numClasses=" + numClasses + ", iouThreshold=" + iouThreshold + ", images="
                + groundTruth.size() + ", gt=" + Arrays.toString(numGt) + ")";
    }
}
