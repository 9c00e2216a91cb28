package dev.ember.vision.detection;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A detection dataset split on disk: class names, and for each image its file and ground-truth boxes.
 *
 * <p>{@link #read(Path)} takes a split folder in either of two standard layouts:
 * <ul>
 *   <li>COCO: {@code annotations.json} (COCO object-detection JSON, see {@link CocoFormat}) and the images
 *       under {@code images/};</li>
 *   <li>YOLO: {@code classes.txt} (one class name per line), the images under {@code images/} and one
 *       {@code labels/<image stem>.txt} per image (see {@link YoloFormat}).</li>
 * </ul>
 * The generated shapes dataset ({@link ShapesDataset}) writes both, so either reader can be tried on it.
 *
 * @param classNames class names; label {@code i} is {@code classNames.get(i)}
 * @param images     the annotated images
 * @param imageDir   the folder the images' file names are relative to
 */
public record DetectionData(List<String> classNames, List<AnnotatedImage> images, Path imageDir) {

    public DetectionData {
        classNames = List.copyOf(classNames);
        images = List.copyOf(images);
        if (classNames.isEmpty()) {
            throw new IllegalArgumentException("DetectionData: no classes");
        }
        for (AnnotatedImage im : images) {
            for (int label : im.labels()) {
                if (label < 0 || label >= classNames.size()) {
                    throw new IllegalArgumentException("DetectionData: image " + im.fileName() + " has label " + label
                            + ", expected 0.." + (classNames.size() - 1));
                }
            }
        }
    }

    /** Reads a split folder in COCO layout if it has {@code annotations.json}, else in YOLO layout. */
    public static DetectionData read(Path splitDir) throws IOException {
        Path coco = splitDir.resolve(CocoFormat.FILE_NAME);
        if (Files.isRegularFile(coco)) {
            return CocoFormat.read(coco, splitDir.resolve("images"));
        }
        if (Files.isRegularFile(splitDir.resolve(YoloFormat.CLASSES_FILE))) {
            return YoloFormat.read(splitDir);
        }
        throw new IOException("detection data " + splitDir + ": found neither " + CocoFormat.FILE_NAME
                + " (COCO layout) nor " + YoloFormat.CLASSES_FILE + " with labels/ (YOLO layout)"
                + (Files.isDirectory(splitDir) ? "" : "; the folder does not exist"));
    }

    public int numClasses() {
        return classNames.size();
    }

    public int size() {
        return images.size();
    }

    /** Total number of annotated objects. */
    public int numObjects() {
        return images.stream().mapToInt(AnnotatedImage::size).sum();
    }

    /** The path of image {@code i}. */
    public Path imagePath(int i) {
        return imageDir.resolve(images.get(i).fileName());
    }

    /** Decodes image {@code i}; a missing or undecodable file is an {@link IOException} naming it. */
    public BufferedImage readImage(int i) throws IOException {
        return readImage(imagePath(i));
    }

    /** Decodes an image file (PNG, JPEG, BMP, GIF: what {@link ImageIO} reads). */
    public static BufferedImage readImage(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("image " + file + ": no such file");
        }
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IOException("image " + file + ": cannot be decoded (" + e.getMessage() + ")", e);
        }
        if (image == null) {
            throw new IOException("image " + file + ": not an image format Java can read (PNG, JPEG, BMP, GIF)");
        }
        return image;
    }

    /** Resolves {@code name} inside {@code dir}, rejecting absolute names and names that climb out with "..". */
    static Path inside(Path dir, String name, String where) throws IOException {
        Path p;
        boolean absolute;
        try {
            p = dir.resolve(name).normalize();
            absolute = Path.of(name).isAbsolute();
        } catch (RuntimeException e) {
            throw new IOException(where + ": invalid file name \"" + name + "\"");
        }
        if (name.isEmpty() || absolute || !p.startsWith(dir.normalize())) {
            throw new IOException(where + ": file name \"" + name + "\" must be a relative path inside " + dir);
        }
        return p;
    }
}
