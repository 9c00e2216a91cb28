package dev.ember.vision.detection;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * A generated object-detection dataset: circles, squares and triangles in a few colours on noisy backgrounds
 * (a colour gradient, up to three thin clutter lines, Gaussian pixel noise). Colour says nothing about the
 * class, so a detector must look at the outline. Each image is square, holds
 * {@code minObjects..maxObjects} shapes whose boxes barely overlap (IoU at most 0.05), and is made from its own
 * seed ({@code seed * 1_000_003 + index}), so a split is reproducible image by image.
 *
 * <p>{@link #write} saves a split in both standard layouts that {@link DetectionData#read} understands: PNG
 * images under {@code images/}, COCO {@code annotations.json}, and YOLO {@code classes.txt} plus
 * {@code labels/*.txt}.
 */
public final class ShapesDataset {
    /** Class names, label i at index i. */
    public static final List<String> CLASSES = List.of("circle", "square", "triangle");

    private static final Color[] COLOURS = {
        new Color(220, 40, 40), new Color(40, 180, 60), new Color(50, 80, 230), new Color(235, 200, 40),
        new Color(200, 60, 200), new Color(40, 200, 210), new Color(245, 245, 245),
    };

    /**
     * How images are made.
     *
     * @param imageSize  width and height in pixels
     * @param minObjects fewest shapes per image (>= 1)
     * @param maxObjects most shapes per image
     * @param minSize    smallest shape extent in pixels
     * @param maxSize    largest shape extent in pixels
     * @param noise      standard deviation of the per-pixel Gaussian noise, in 0..255 grey levels
     */
    public record Options(int imageSize, int minObjects, int maxObjects, int minSize, int maxSize, double noise) {
        public Options {
            if (imageSize < 16 || minObjects < 1 || maxObjects < minObjects || minSize < 4 || maxSize < minSize
                    || maxSize > imageSize / 2 || noise < 0) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "ShapesDataset.Options: need imageSize >="
                        + " 16, 1 <= minObjects <= maxObjects, 4 <= minSize <= maxSize <= imageSize / 2, noise >= 0; got"
                        + " imageSize %d, objects %d..%d, size %d..%d, noise %s", imageSize, minObjects, maxObjects,
                        minSize, maxSize, noise));
            }
        }

        /** 64x64 images with 1-3 shapes of 12-26 pixels and noise of standard deviation 16. */
        public static Options defaults() {
            return new Options(64, 1, 3, 12, 26, 16);
        }
    }

    /** One generated image and its ground truth. */
    public record Sample(BufferedImage image, double[][] boxes, int[] labels) {
    }

    private ShapesDataset() {
    }

    /** Generates image {@code index} of the split with the given seed. */
    public static Sample sample(Options o, long seed, int index) {
        SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + index);
        int s = o.imageSize();
        BufferedImage image = new BufferedImage(s, s, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        // background: a dim colour with a linear gradient, so that no single grey level means "background"
        Color a = new Color(rnd.nextInt(20, 110), rnd.nextInt(20, 110), rnd.nextInt(20, 110));
        Color b = new Color(rnd.nextInt(20, 110), rnd.nextInt(20, 110), rnd.nextInt(20, 110));
        g.setPaint(new java.awt.GradientPaint(0, 0, a, s, s, b));
        g.fillRect(0, 0, s, s);
        // clutter: a few thin random lines, so that "an edge" alone does not mean "an object"
        int lines = rnd.nextInt(0, 4);
        for (int k = 0; k < lines; k++) {
            g.setColor(new Color(rnd.nextInt(40, 200), rnd.nextInt(40, 200), rnd.nextInt(40, 200)));
            g.drawLine(rnd.nextInt(s), rnd.nextInt(s), rnd.nextInt(s), rnd.nextInt(s));
        }

        int n = rnd.nextInt(o.minObjects(), o.maxObjects() + 1);
        List<double[]> boxes = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int attempt = 0; attempt < 50 && boxes.size() < n; attempt++) {
            int size = rnd.nextInt(o.minSize(), o.maxSize() + 1);
            double x = rnd.nextInt(0, s - size + 1);
            double y = rnd.nextInt(0, s - size + 1);
            double[] box = {x, y, x + size, y + size};
            if (overlaps(box, boxes)) {
                continue;
            }
            int label = rnd.nextInt(CLASSES.size());
            g.setColor(COLOURS[rnd.nextInt(COLOURS.length)]);
            switch (label) {
                case 0 -> g.fill(new Ellipse2D.Double(x, y, size, size));
                case 1 -> g.fill(new Rectangle2D.Double(x, y, size, size));
                default -> {
                    Path2D.Double t = new Path2D.Double();
                    t.moveTo(x + size / 2.0, y);
                    t.lineTo(x + size, y + size);
                    t.lineTo(x, y + size);
                    t.closePath();
                    g.fill(t);
                }
            }
            boxes.add(box);
            labels.add(label);
        }
        g.dispose();
        addNoise(image, o.noise(), rnd);
        return new Sample(image, boxes.toArray(double[][]::new), labels.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * Writes {@code count} images to {@code splitDir} ({@code images/000000.png, ...}, {@code annotations.json},
     * {@code classes.txt}, {@code labels/}) and returns the split as read back by {@link DetectionData#read}.
     */
    public static DetectionData write(Path splitDir, int count, Options o, long seed) throws IOException {
        if (count < 1) {
            throw new IllegalArgumentException("ShapesDataset.write: count must be >= 1, got " + count);
        }
        Path imageDir = splitDir.resolve("images");
        Files.createDirectories(imageDir);
        List<AnnotatedImage> images = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Sample smp = sample(o, seed, i);
            String name = String.format(Locale.ROOT, "%06d.png", i);
            if (!ImageIO.write(smp.image(), "png", imageDir.resolve(name).toFile())) {
                throw new IOException("ShapesDataset: no PNG writer available");
            }
            images.add(new AnnotatedImage(name, o.imageSize(), o.imageSize(), smp.boxes(), smp.labels()));
        }
        DetectionData data = new DetectionData(CLASSES, images, imageDir);
        CocoFormat.write(splitDir.resolve(CocoFormat.FILE_NAME), data);
        YoloFormat.write(splitDir, data);
        return DetectionData.read(splitDir);
    }

    private static boolean overlaps(double[] box, List<double[]> boxes) {
        for (double[] other : boxes) {
            if (BoxOps.iou(box, other) > 0.05) {
                return true;
            }
        }
        return false;
    }

    private static void addNoise(BufferedImage image, double sigma, SplittableRandom rnd) {
        if (sigma == 0) {
            return;
        }
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                int r = clamp(((rgb >> 16) & 255) + rnd.nextGaussian() * sigma);
                int gr = clamp(((rgb >> 8) & 255) + rnd.nextGaussian() * sigma);
                int bl = clamp((rgb & 255) + rnd.nextGaussian() * sigma);
                image.setRGB(x, y, (r << 16) | (gr << 8) | bl);
            }
        }
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }
}
