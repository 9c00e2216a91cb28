package dev.ember.vision.detection;

import dev.ember.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * YOLO (darknet / Ultralytics) text annotations:
 *
 * <pre>
 * split/classes.txt          one class name per line; line i is label i
 * split/images/000001.png    the images (png, jpg, jpeg, bmp, gif)
 * split/labels/000001.txt    one object per line: "class x_center y_center width height"
 * </pre>
 *
 * Coordinates are fractions of the image width and height, in [0, 1]. An image without a label file, or with
 * an empty one, has no objects. Blank lines are skipped. Image sizes are read from the image headers.
 *
 * <p>Every malformed line (not 5 fields, a class that is not an integer in {@code [0, C)}, a number that is not
 * finite, a width or height {@code <= 0}, a box reaching outside {@code [0, 1]}) is an {@link IOException}
 * naming the file and line.
 */
public final class YoloFormat {
    /** The class-name file in a split folder. */
    public static final String CLASSES_FILE = "classes.txt";
    private static final List<String> IMAGE_EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");
    /** Fractions may overhang [0, 1] by this much (rounding in tools that wrote them). */
    private static final double TOLERANCE = 1e-3;

    private YoloFormat() {
    }

    /** Reads the split folder {@code dir} (classes.txt, images/, labels/). */
    public static DetectionData read(Path dir) throws IOException {
        Path classesFile = dir.resolve(CLASSES_FILE);
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(classesFile, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                names.add(line.strip());
            }
        }
        if (names.isEmpty()) {
            throw new IOException("YOLO classes " + classesFile + ": no class names (one per line expected)");
        }
        Path imageDir = dir.resolve("images");
        if (!Files.isDirectory(imageDir)) {
            throw new IOException("YOLO data " + dir + ": no images/ folder");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(imageDir)) {
            files = s.filter(p -> IMAGE_EXTENSIONS.contains(extension(p))).sorted().toList();
        }
        List<AnnotatedImage> images = new ArrayList<>();
        for (Path file : files) {
            int[] size = imageSize(file);
            String name = file.getFileName().toString();
            Path labelFile = dir.resolve("labels").resolve(stem(name) + ".txt");
            List<double[]> boxes = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            if (Files.isRegularFile(labelFile)) {
                List<String> lines = Files.readAllLines(labelFile, StandardCharsets.UTF_8);
                for (int ln = 0; ln < lines.size(); ln++) {
                    String line = lines.get(ln).strip();
                    if (line.isEmpty()) {
                        continue;
                    }
                    String at = "YOLO labels " + labelFile + " line " + (ln + 1);
                    double[] v = parseLine(line, names.size(), at);
                    double x1 = (v[1] - v[3] / 2) * size[0];
                    double y1 = (v[2] - v[4] / 2) * size[1];
                    boxes.add(new double[] {x1, y1, x1 + v[3] * size[0], y1 + v[4] * size[1]});
                    labels.add((int) v[0]);
                }
            }
            images.add(new AnnotatedImage(name, size[0], size[1], boxes.toArray(double[][]::new),
                    labels.stream().mapToInt(Integer::intValue).toArray()));
        }
        return new DetectionData(names, images, imageDir);
    }

    /**
     * Writes {@code classes.txt} and one {@code labels/<stem>.txt} per image of {@code data} into {@code dir}
     * (the images themselves are not copied: they are expected under {@code dir/images}).
     */
    public static void write(Path dir, DetectionData data) throws IOException {
        AtomicFiles.write(dir.resolve(CLASSES_FILE),
                (String.join("\n", data.classNames()) + "\n").getBytes(StandardCharsets.UTF_8));
        Path labels = dir.resolve("labels");
        Files.createDirectories(labels);
        for (AnnotatedImage im : data.images()) {
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < im.size(); k++) {
                double[] b = im.box(k);
                sb.append(String.format(Locale.ROOT, "%d %.6f %.6f %.6f %.6f%n", im.label(k),
                        (b[0] + b[2]) / 2 / im.width(), (b[1] + b[3]) / 2 / im.height(), (b[2] - b[0]) / im.width(),
                        (b[3] - b[1]) / im.height()));
            }
            AtomicFiles.write(labels.resolve(stem(im.fileName()) + ".txt"),
                    sb.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Parses "class cx cy w h" into {class, cx, cy, w, h}, validating each field. */
    static double[] parseLine(String line, int numClasses, String at) throws IOException {
        String[] f = line.split("\\s+");
        if (f.length != 5) {
            throw new IOException(at + ": expected 5 fields \"class x_center y_center width height\", got "
                    + f.length + " in \"" + line + "\"");
        }
        int cls;
        try {
            cls = Integer.parseInt(f[0]);
        } catch (NumberFormatException e) {
            throw new IOException(at + ": class must be an integer, got \"" + f[0] + "\"");
        }
        if (cls < 0 || cls >= numClasses) {
            throw new IOException(at + ": class " + cls + " is out of range 0.." + (numClasses - 1) + " ("
                    + CLASSES_FILE + " names " + numClasses + " classes)");
        }
        double[] v = new double[5];
        v[0] = cls;
        for (int k = 1; k < 5; k++) {
            try {
                v[k] = Double.parseDouble(f[k]);
            } catch (NumberFormatException e) {
                throw new IOException(at + ": field " + (k + 1) + " must be a number, got \"" + f[k] + "\"");
            }
            if (!Double.isFinite(v[k])) {
                throw new IOException(at + ": field " + (k + 1) + " must be finite, got \"" + f[k] + "\"");
            }
        }
        if (!(v[3] > 0) || !(v[4] > 0)) {
            throw new IOException(at + ": width and height must be > 0, got " + f[3] + " and " + f[4]);
        }
        if (v[1] - v[3] / 2 < -TOLERANCE || v[1] + v[3] / 2 > 1 + TOLERANCE || v[2] - v[4] / 2 < -TOLERANCE
                || v[2] + v[4] / 2 > 1 + TOLERANCE) {
            throw new IOException(at + ": box \"" + line + "\" reaches outside the image; YOLO coordinates are"
                    + " fractions of the image size in [0, 1] (pixel coordinates need dividing by the size)");
        }
        return v;
    }

    /** Width and height from the image header, without decoding the pixels. */
    static int[] imageSize(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file); ImageInputStream iis = ImageIO.createImageInputStream(in)) {
            Iterator<ImageReader> readers = iis == null ? null : ImageIO.getImageReaders(iis);
            if (readers == null || !readers.hasNext()) {
                throw new IOException("image " + file + ": not an image format Java can read (PNG, JPEG, BMP, GIF)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(iis);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } catch (IOException | RuntimeException e) {
                throw new IOException("image " + file + ": unreadable header (" + e.getMessage() + ")", e);
            } finally {
                reader.dispose();
            }
        }
    }

    private static String extension(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot);
    }

    private static String stem(String name) {
        int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        String base = name.substring(slash + 1);
        int dot = base.lastIndexOf('.');
        return dot < 0 ? base : base.substring(0, dot);
    }
}
