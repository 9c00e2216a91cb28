package dev.ember.vision.detection;

import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Bounding-box operations with {@code torchvision.ops}' names and semantics: {@code box_convert},
 * {@code box_area}, {@code box_iou}, {@code nms}, {@code batched_nms}, {@code clip_boxes_to_image},
 * {@code remove_small_boxes}.
 *
 * <p>Boxes are {@code (N, 4)} floating-point tensors. The formats are torchvision's:
 * {@code "xyxy"} (x1, y1, x2, y2; the corners, x2 >= x1 and y2 >= y1), {@code "xywh"} (x1, y1, width, height,
 * as in COCO) and {@code "cxcywh"} (centre x, centre y, width, height). Coordinates are continuous, so a box
 * from 0 to 10 has width 10 (no "+1" as in the old VOC code).
 */
public final class BoxOps {
    private static final List<String> FORMATS = List.of("xyxy", "xywh", "cxcywh");

    private BoxOps() {
    }

    /** {@code torchvision.ops.box_convert}: {@code boxes (N, 4)} from {@code inFmt} to {@code outFmt}. */
    public static Tensor boxConvert(Tensor boxes, String inFmt, String outFmt) {
        checkBoxes("box_convert", boxes);
        checkFormat(inFmt);
        checkFormat(outFmt);
        if (inFmt.equals(outFmt)) {
            return boxes.clone();
        }
        Tensor xyxy = switch (inFmt) {
            case "xywh" -> {
                Tensor xy = boxes.narrow(1, 0, 2);
                yield Tensor.cat(List.of(xy, xy.add(boxes.narrow(1, 2, 2))), 1);
            }
            case "cxcywh" -> {
                Tensor c = boxes.narrow(1, 0, 2);
                Tensor half = boxes.narrow(1, 2, 2).mul(0.5);
                yield Tensor.cat(List.of(c.sub(half), c.add(half)), 1);
            }
            default -> boxes;
        };
        Tensor p1 = xyxy.narrow(1, 0, 2);
        Tensor p2 = xyxy.narrow(1, 2, 2);
        return switch (outFmt) {
            case "xywh" -> Tensor.cat(List.of(p1, p2.sub(p1)), 1);
            case "cxcywh" -> Tensor.cat(List.of(p1.add(p2).div(2.0), p2.sub(p1)), 1);
            default -> xyxy.clone();
        };
    }

    /** {@code torchvision.ops.box_area}: {@code boxes (N, 4)} in xyxy -> areas {@code (N)}. */
    public static Tensor boxArea(Tensor boxes) {
        checkBoxes("box_area", boxes);
        return boxes.select(1, 2).sub(boxes.select(1, 0)).mul(boxes.select(1, 3).sub(boxes.select(1, 1)));
    }

    /**
     * {@code torchvision.ops.box_iou}: intersection over union of every pair, {@code boxes1 (N, 4)} and
     * {@code boxes2 (M, 4)} in xyxy -> {@code (N, M)}. As in torchvision, two empty boxes give 0/0 = NaN.
     */
    public static Tensor boxIou(Tensor boxes1, Tensor boxes2) {
        checkBoxes("box_iou", boxes1);
        checkBoxes("box_iou", boxes2);
        Tensor area1 = boxArea(boxes1);
        Tensor area2 = boxArea(boxes2);
        Tensor a = boxes1.unsqueeze(1); // (N, 1, 4) against (M, 4)
        Tensor lt = a.narrow(2, 0, 2).maximum(boxes2.narrow(1, 0, 2));
        Tensor rb = a.narrow(2, 2, 2).minimum(boxes2.narrow(1, 2, 2));
        Tensor wh = rb.sub(lt).clampMin(0);
        Tensor inter = wh.select(2, 0).mul(wh.select(2, 1));
        Tensor union = area1.unsqueeze(1).add(area2).sub(inter);
        return inter.div(union);
    }

    /**
     * {@code torchvision.ops.nms}: greedy non-maximum suppression. Boxes are visited by decreasing score (a
     * stable sort, so equal scores keep their input order); a box is dropped when its IoU with an already kept
     * box is greater than {@code iouThreshold}.
     *
     * @param boxes  (N, 4) in xyxy
     * @param scores (N)
     * @return int64 indices {@code (K)} of the kept boxes, by decreasing score
     */
    public static Tensor nms(Tensor boxes, Tensor scores, double iouThreshold) {
        checkBoxes("nms", boxes);
        checkScores("nms", boxes, scores);
        long[] keep = greedy(boxes.toDoubleArray(), scores.toDoubleArray(), null, iouThreshold);
        return Tensor.of(keep, keep.length);
    }

    /**
     * {@code torchvision.ops.batched_nms}: NMS done independently per category, so boxes of different
     * categories never suppress each other.
     *
     * @param idxs int64 {@code (N)}, the category of each box
     * @return int64 indices {@code (K)} of the kept boxes, by decreasing score
     */
    public static Tensor batchedNms(Tensor boxes, Tensor scores, Tensor idxs, double iouThreshold) {
        checkBoxes("batched_nms", boxes);
        checkScores("batched_nms", boxes, scores);
        if (idxs.dim() != 1 || idxs.size(0) != boxes.size(0) || idxs.isFloatingPoint()) {
            throw new IllegalArgumentException("batched_nms: idxs must be an integer tensor of shape ["
                    + boxes.size(0) + "], got " + idxs.dtype() + " " + Arrays.toString(idxs.shape()));
        }
        long[] keep = greedy(boxes.toDoubleArray(), scores.toDoubleArray(), idxs.toLongArray(), iouThreshold);
        return Tensor.of(keep, keep.length);
    }

    /**
     * {@code torchvision.ops.clip_boxes_to_image}: clamps xyxy {@code boxes (N, 4)} to
     * {@code [0, width] x [0, height]}.
     */
    public static Tensor clipBoxesToImage(Tensor boxes, long height, long width) {
        checkBoxes("clip_boxes_to_image", boxes);
        Tensor x = boxes.narrow(1, 0, 1).clamp(0, width);
        Tensor y = boxes.narrow(1, 1, 1).clamp(0, height);
        Tensor x2 = boxes.narrow(1, 2, 1).clamp(0, width);
        Tensor y2 = boxes.narrow(1, 3, 1).clamp(0, height);
        return Tensor.cat(List.of(x, y, x2, y2), 1);
    }

    /**
     * {@code torchvision.ops.remove_small_boxes}: int64 indices of the xyxy boxes whose width and height are
     * both at least {@code minSize}.
     */
    public static Tensor removeSmallBoxes(Tensor boxes, double minSize) {
        checkBoxes("remove_small_boxes", boxes);
        double[] b = boxes.toDoubleArray();
        List<Long> keep = new ArrayList<>();
        for (int i = 0; i < b.length / 4; i++) {
            if (b[4 * i + 2] - b[4 * i] >= minSize && b[4 * i + 3] - b[4 * i + 1] >= minSize) {
                keep.add((long) i);
            }
        }
        return Tensor.of(keep.stream().mapToLong(Long::longValue).toArray(), keep.size());
    }

    /**
     * The greedy pass shared by nms and batched_nms ({@code category} null: one category). Visiting all boxes
     * in one global score order and suppressing only within a category gives batched_nms' result and order.
     */
    static long[] greedy(double[] boxes, double[] scores, long[] category, double iouThreshold) {
        int n = scores.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (p, q) -> Double.compare(scores[q], scores[p])); // stable: ties keep input order
        boolean[] removed = new boolean[n];
        long[] keep = new long[n];
        int kept = 0;
        for (int a = 0; a < n; a++) {
            int i = order[a];
            if (removed[i]) {
                continue;
            }
            keep[kept++] = i;
            for (int b = a + 1; b < n; b++) {
                int j = order[b];
                if (!removed[j] && (category == null || category[i] == category[j])
                        && iou(boxes, i, j) > iouThreshold) {
                    removed[j] = true;
                }
            }
        }
        return Arrays.copyOf(keep, kept);
    }

    /** IoU of two xyxy boxes given as arrays of 4; 0/0 (two empty boxes) gives NaN, as box_iou does. */
    public static double iou(double[] a, double[] b) {
        double w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
        double h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
        double inter = w * h;
        return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
    }

    /** IoU of boxes i and j of a flat xyxy array (torchvision's kernel arithmetic). */
    static double iou(double[] b, int i, int j) {
        double w = Math.max(0, Math.min(b[4 * i + 2], b[4 * j + 2]) - Math.max(b[4 * i], b[4 * j]));
        double h = Math.max(0, Math.min(b[4 * i + 3], b[4 * j + 3]) - Math.max(b[4 * i + 1], b[4 * j + 1]));
        double inter = w * h;
        double areaI = (b[4 * i + 2] - b[4 * i]) * (b[4 * i + 3] - b[4 * i + 1]);
        double areaJ = (b[4 * j + 2] - b[4 * j]) * (b[4 * j + 3] - b[4 * j + 1]);
        return inter / (areaI + areaJ - inter);
    }

    private static void checkFormat(String fmt) {
        if (!FORMATS.contains(fmt)) {
            throw new IllegalArgumentException("box_convert: unsupported box format \"" + fmt + "\", expected one of "
                    + FORMATS);
        }
    }

    private static void checkBoxes(String op, Tensor boxes) {
        if (boxes.dim() != 2 || boxes.size(1) != 4) {
            throw new IllegalArgumentException(op + ": boxes must have shape [N, 4], got "
                    + Arrays.toString(boxes.shape()));
        }
        if (!boxes.isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": boxes must be floating point, got " + boxes.dtype());
        }
    }

    private static void checkScores(String op, Tensor boxes, Tensor scores) {
        if (scores.dim() != 1 || scores.size(0) != boxes.size(0)) {
            throw new IllegalArgumentException(op + ": scores must have shape [" + boxes.size(0) + "] to match boxes "
                    + Arrays.toString(boxes.shape()) + ", got " + Arrays.toString(scores.shape()));
        }
    }
}
