package dev.ember.vision.detection;

import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Box encoding and decoding for {@link CenterNet}: ground-truth boxes become dense training targets, and head
 * outputs become scored boxes. Coordinates are xyxy in input pixels; a cell covers {@link CenterNet#STRIDE}
 * pixels.
 *
 * <p>Encoding (CenterNet's {@code ctdet} targets): an object of class c with centre (cx, cy) and size (w, h), in
 * cells, marks the cell {@code p = floor(cx, cy)} as its centre. The class-c heatmap gets a Gaussian peak of value 1
 * at p, of radius {@code int(gaussianRadius(ceil(h), ceil(w)))} (about the largest centre shift that keeps IoU 0.7
 * with the true box) and sigma {@code (2 radius + 1) / 6}, merged with other objects' peaks by maximum; away from
 * peaks the target is 0 and the Gaussian's tail only lowers the penalty for scoring near a centre. At p,
 * {@code wh} must be (w, h) and {@code reg} the offset (cx, cy) - p. One deviation from CenterNet: boxes are not
 * clipped to {@code output_w - 1} (which shrinks boxes touching the right or bottom edge by up to a cell); only
 * the centre cell is clamped into the grid.
 *
 * <p>Decoding: scores are the sigmoid of the heatmap logits; a cell is a candidate when its score is the maximum
 * of its 3x3 neighbourhood in its class (the max-pool trick that replaces NMS in CenterNet). The {@code topK}
 * best candidates scoring at least {@code scoreThreshold} become boxes
 * {@code ((x + reg_x) * S -+ wh_w * S / 2, (y + reg_y) * S -+ wh_h * S / 2)}, clipped to the image, followed by a
 * per-class NMS at {@code nmsIou} that removes the rare duplicates the peak test lets through.
 */
public final class CenterNetCoder {
    /** CenterNet's minimum IoU that a centre shifted by the Gaussian radius must keep. */
    public static final double MIN_OVERLAP = 0.7;

    private CenterNetCoder() {
    }

    /**
     * Dense targets for a batch.
     *
     * @param heatmap    (N, C, h, w) Gaussian peaks, exactly 1 at object centres
     * @param wh         (N, 2, h, w) object width and height in cells, at centre cells (0 elsewhere)
     * @param reg        (N, 2, h, w) centre offset within its cell, at centre cells (0 elsewhere)
     * @param mask       (N, 1, h, w) 1 at centre cells, 0 elsewhere
     * @param numObjects objects in the batch (the focal loss normaliser)
     */
    public record Targets(Tensor heatmap, Tensor wh, Tensor reg, Tensor mask, int numObjects) {
    }

    /**
     * Encodes a batch of ground truths for inputs of {@code height x width} pixels.
     *
     * @param boxes  per image, xyxy boxes in input pixels
     * @param labels per image, labels in {@code [0, numClasses)}
     */
    public static Targets encode(List<double[][]> boxes, List<int[]> labels, int numClasses, int height, int width) {
        if (boxes.size() != labels.size()) {
            throw new IllegalArgumentException("CenterNetCoder.encode: " + boxes.size() + " box lists but "
                    + labels.size() + " label lists");
        }
        if (height % CenterNet.STRIDE != 0 || width % CenterNet.STRIDE != 0) {
            throw new IllegalArgumentException("CenterNetCoder.encode: input size " + height + "x" + width
                    + " must be a multiple of " + CenterNet.STRIDE);
        }
        int n = boxes.size();
        int h = height / CenterNet.STRIDE;
        int w = width / CenterNet.STRIDE;
        int plane = h * w;
        float[] hm = new float[n * numClasses * plane];
        float[] whT = new float[n * 2 * plane];
        float[] regT = new float[n * 2 * plane];
        float[] mask = new float[n * plane];
        int objects = 0;
        for (int i = 0; i < n; i++) {
            double[][] b = boxes.get(i);
            int[] l = labels.get(i);
            if (b.length != l.length) {
                throw new IllegalArgumentException("CenterNetCoder.encode: image " + i + " has " + b.length
                        + " boxes but " + l.length + " labels");
            }
            for (int k = 0; k < b.length; k++) {
                if (l[k] < 0 || l[k] >= numClasses) {
                    throw new IllegalArgumentException("CenterNetCoder.encode: image " + i + " label " + l[k]
                            + " out of range 0.." + (numClasses - 1));
                }
                double bw = (b[k][2] - b[k][0]) / CenterNet.STRIDE;
                double bh = (b[k][3] - b[k][1]) / CenterNet.STRIDE;
                if (!(bw > 0) || !(bh > 0)) {
                    continue; // an empty box has no centre to learn
                }
                double cx = (b[k][0] + b[k][2]) / 2 / CenterNet.STRIDE;
                double cy = (b[k][1] + b[k][3]) / 2 / CenterNet.STRIDE;
                int px = Math.clamp((long) Math.floor(cx), 0, w - 1);
                int py = Math.clamp((long) Math.floor(cy), 0, h - 1);
                int radius = Math.max(0, (int) gaussianRadius(Math.ceil(bh), Math.ceil(bw), MIN_OVERLAP));
                drawGaussian(hm, (i * numClasses + l[k]) * plane, h, w, px, py, radius);
                int at = py * w + px;
                whT[(i * 2) * plane + at] = (float) bw;
                whT[(i * 2 + 1) * plane + at] = (float) bh;
                regT[(i * 2) * plane + at] = (float) (cx - px);
                regT[(i * 2 + 1) * plane + at] = (float) (cy - py);
                mask[i * plane + at] = 1;
                objects++;
            }
        }
        return new Targets(Tensor.of(hm, n, numClasses, h, w), Tensor.of(whT, n, 2, h, w),
                Tensor.of(regT, n, 2, h, w), Tensor.of(mask, n, 1, h, w), objects);
    }

    /**
     * CenterNet's {@code gaussian_radius}: the smallest of three radii (both corners shifted, the box shrunk, the
     * box grown) within which a box of {@code height x width} keeps IoU {@code minOverlap} with itself. This is
     * the formula as CenterNet's code has it (which, as is known, halves where it should divide by 2a), since
     * the targets it draws are the ones its recipe was tuned with.
     */
    public static double gaussianRadius(double height, double width, double minOverlap) {
        double b1 = height + width;
        double c1 = width * height * (1 - minOverlap) / (1 + minOverlap);
        double r1 = (b1 + Math.sqrt(b1 * b1 - 4 * c1)) / 2;
        double b2 = 2 * (height + width);
        double c2 = (1 - minOverlap) * width * height;
        double r2 = (b2 + Math.sqrt(b2 * b2 - 16 * c2)) / 2;
        double a3 = 4 * minOverlap;
        double b3 = -2 * minOverlap * (height + width);
        double c3 = (minOverlap - 1) * width * height;
        double r3 = (b3 + Math.sqrt(b3 * b3 - 4 * a3 * c3)) / 2;
        return Math.min(r1, Math.min(r2, r3));
    }

    /** CenterNet's {@code draw_umich_gaussian}: max-merges a (2r+1)^2 Gaussian, peak 1, into one plane. */
    static void drawGaussian(float[] plane, int offset, int h, int w, int cx, int cy, int radius) {
        double sigma = (2 * radius + 1) / 6.0;
        for (int dy = -radius; dy <= radius; dy++) {
            int y = cy + dy;
            if (y < 0 || y >= h) {
                continue;
            }
            for (int dx = -radius; dx <= radius; dx++) {
                int x = cx + dx;
                if (x < 0 || x >= w) {
                    continue;
                }
                double g = Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
                if (g < Math.ulp(1.0)) {
                    g = 0; // CenterNet zeroes the tail below machine epsilon
                }
                int at = offset + y * w + x;
                plane[at] = Math.max(plane[at], (float) g);
            }
        }
    }

    /**
     * Decodes head outputs into detections, one list per image, by decreasing score; boxes in input pixels of
     * an {@code (h * S) x (w * S)} input.
     *
     * @param topK           most candidates per image before NMS
     * @param scoreThreshold lowest score kept
     * @param nmsIou         IoU above which a lower-scoring box of the same class is dropped (1 disables)
     */
    public static List<List<Detection>> decode(CenterNet.Output out, int topK, double scoreThreshold, double nmsIou) {
        long[] s = out.hm().shape();
        int n = (int) s[0];
        int c = (int) s[1];
        int h = (int) s[2];
        int w = (int) s[3];
        long[] expected = {n, 2, h, w};
        if (!Arrays.equals(out.wh().shape(), expected) || !Arrays.equals(out.reg().shape(), expected)) {
            throw new IllegalArgumentException("CenterNetCoder.decode: wh and reg must have shape "
                    + Arrays.toString(expected) + " to match hm " + Arrays.toString(s) + ", got "
                    + Arrays.toString(out.wh().shape()) + " and " + Arrays.toString(out.reg().shape()));
        }
        double[] heat = out.hm().detach().sigmoid().toDoubleArray();
        double[] wh = out.wh().detach().toDoubleArray();
        double[] reg = out.reg().detach().toDoubleArray();
        int plane = h * w;
        int stride = CenterNet.STRIDE;
        List<List<Detection>> result = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<double[]> candidates = new ArrayList<>(); // {score, class, y, x}
            for (int k = 0; k < c; k++) {
                int base = (i * c + k) * plane;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        double v = heat[base + y * w + x];
                        if (v >= scoreThreshold && isPeak(heat, base, h, w, x, y, v)) {
                            candidates.add(new double[] {v, k, y, x});
                        }
                    }
                }
            }
            candidates.sort((p, q) -> Double.compare(q[0], p[0]));
            int kept = Math.min(topK, candidates.size());
            double[] boxes = new double[kept * 4];
            double[] scores = new double[kept];
            long[] classes = new long[kept];
            for (int j = 0; j < kept; j++) {
                double[] cand = candidates.get(j);
                int y = (int) cand[2];
                int x = (int) cand[3];
                int at = y * w + x;
                double cx = (x + reg[(i * 2) * plane + at]) * stride;
                double cy = (y + reg[(i * 2 + 1) * plane + at]) * stride;
                double bw = Math.max(0, wh[(i * 2) * plane + at]) * stride;
                double bh = Math.max(0, wh[(i * 2 + 1) * plane + at]) * stride;
                boxes[4 * j] = Math.clamp(cx - bw / 2, 0, w * stride);
                boxes[4 * j + 1] = Math.clamp(cy - bh / 2, 0, h * stride);
                boxes[4 * j + 2] = Math.clamp(cx + bw / 2, 0, w * stride);
                boxes[4 * j + 3] = Math.clamp(cy + bh / 2, 0, h * stride);
                scores[j] = cand[0];
                classes[j] = (long) cand[1];
            }
            long[] keep = nmsIou >= 1 ? sequence(kept) : BoxOps.greedy(boxes, scores, classes, nmsIou);
            List<Detection> dets = new ArrayList<>();
            for (long k : keep) {
                int j = (int) k;
                dets.add(new Detection(boxes[4 * j], boxes[4 * j + 1], boxes[4 * j + 2], boxes[4 * j + 3],
                        (int) classes[j], scores[j]));
            }
            result.add(dets);
        }
        return result;
    }

    private static boolean isPeak(double[] heat, int base, int h, int w, int x, int y, double v) {
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                int yy = y + dy;
                int xx = x + dx;
                if (yy >= 0 && yy < h && xx >= 0 && xx < w && heat[base + yy * w + xx] > v) {
                    return false;
                }
            }
        }
        return true;
    }

    private static long[] sequence(int n) {
        long[] s = new long[n];
        for (int i = 0; i < n; i++) {
            s[i] = i;
        }
        return s;
    }
}
