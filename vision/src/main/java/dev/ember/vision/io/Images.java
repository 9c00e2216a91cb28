package dev.ember.vision.io;

import dev.ember.io.AtomicFiles;

import dev.ember.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Reads PNG and JPEG (and the other formats javax.imageio knows: BMP, GIF, TIFF, WBMP) into float32 tensors
 * {@code (C, H, W)} in [0, 1], and writes tensors as PNG; see {@link ImageReadMode} for the channels.
 *
 * <pre>{@code
 * Tensor img = Images.read(Path.of("cat.jpg"));                        // (3, H, W), or (1, H, W) if gray
 * Tensor rgba = Images.read(Path.of("icon.png"), ImageReadMode.UNCHANGED); // alpha kept
 * Images.writePng(img, Path.of("out.png"));
 * }</pre>
 *
 * <p>Files are untrusted input. The header's width and height are read before any pixel, and an image of more
 * than {@link #DEFAULT_MAX_PIXELS} pixels (Pillow's decompression-bomb limit) is refused unless a larger limit
 * is passed. A file that is empty, not an image, cut short or corrupt gives an {@link IOException} naming the file
 * and the problem: decoder warnings (such as a JPEG ending early, which ImageIO would otherwise fill with gray)
 * count as errors, and runtime exceptions from inside a decoder are reported the same way.
 */
public final class Images {
    /** The most pixels (width x height) read by default: 89,478,485, Pillow's {@code MAX_IMAGE_PIXELS}. */
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;

    private Images() {
    }

    /** Reads an image file as {@link ImageReadMode#AUTO}: gray 1 channel, colour 3, alpha dropped. */
    public static Tensor read(Path file) throws IOException {
        return read(file, ImageReadMode.AUTO);
    }

    /** Reads an image file into a float32 {@code (C, H, W)} tensor in [0, 1] with the channels of {@code mode}. */
    public static Tensor read(Path file, ImageReadMode mode) throws IOException {
        return read(file, mode, DEFAULT_MAX_PIXELS);
    }

    /**
     * Reads an image file into a float32 {@code (C, H, W)} tensor in [0, 1].
     *
     * @param maxPixels the most pixels (width x height) accepted
     * @throws IOException if the file cannot be read, is not a supported image, is corrupt or too large
     */
    public static Tensor read(Path file, ImageReadMode mode, long maxPixels) throws IOException {
        if (mode == null) {
            throw new IllegalArgumentException("Images.read: mode must not be null");
        }
        return ImageTensors.fromImage(readImage(file, maxPixels), mode);
    }

    /** Decodes an image file with the {@link #DEFAULT_MAX_PIXELS} limit. */
    public static BufferedImage readImage(Path file) throws IOException {
        return readImage(file, DEFAULT_MAX_PIXELS);
    }

    /** Decodes an image file; see {@link #read(Path, ImageReadMode, long)} for the checks. */
    public static BufferedImage readImage(Path file, long maxPixels) throws IOException {
        checkLimit(maxPixels);
        String source = file.toString();
        if (!Files.exists(file)) {
            throw new NoSuchFileException(source, null, "image file not found");
        }
        if (!Files.isRegularFile(file)) {
            throw new IOException("image " + source + ": not a regular file");
        }
        if (Files.size(file) == 0) {
            throw new IOException("image " + source + ": empty file (0 bytes)");
        }
        try (ImageInputStream in = new FileImageInputStream(file.toFile())) {
            return decode(in, source, maxPixels);
        }
    }

    /** Decodes image bytes (a PNG or JPEG file's contents) into a tensor; {@code source} names it in errors. */
    public static Tensor decode(byte[] data, String source, ImageReadMode mode) throws IOException {
        if (mode == null) {
            throw new IllegalArgumentException("Images.decode: mode must not be null");
        }
        return ImageTensors.fromImage(decodeImage(data, source, DEFAULT_MAX_PIXELS), mode);
    }

    /** Decodes image bytes into a BufferedImage. */
    public static BufferedImage decodeImage(byte[] data, String source, long maxPixels) throws IOException {
        checkLimit(maxPixels);
        if (data == null || data.length == 0) {
            throw new IOException("image " + source + ": empty data (0 bytes)");
        }
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            return decode(in, source, maxPixels);
        }
    }

    private static BufferedImage decode(ImageInputStream in, String source, long maxPixels) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new IOException("image " + source + ": not a recognised image format (first bytes "
                    + firstBytes(in) + "); readable formats: PNG, JPEG, BMP, GIF, TIFF, WBMP");
        }
        ImageReader reader = readers.next();
        String format = reader.getFormatName().toUpperCase();
        List<String> warnings = new ArrayList<>();
        try {
            reader.setInput(in, true, true);
            reader.addIIOReadWarningListener((r, message) -> warnings.add(message));
            int w = reader.getWidth(0);
            int h = reader.getHeight(0);
            if (w <= 0 || h <= 0) {
                throw new IOException("image " + source + ": " + format + " header gives an empty size " + w + " x "
                        + h);
            }
            if ((long) w * h > maxPixels) {
                throw new IOException("image " + source + ": " + format + " header claims " + w + " x " + h + " = "
                        + (long) w * h + " pixels, more than the limit of " + maxPixels + " (a corrupt header or a"
                        + " decompression bomb; pass a larger maxPixels to read it)");
            }
            BufferedImage img = reader.read(0);
            if (!warnings.isEmpty()) {
                throw new IOException("image " + source + ": corrupt or truncated " + format + " data ("
                        + String.join("; ", warnings) + ")");
            }
            if (img == null || img.getWidth() != w || img.getHeight() != h) {
                throw new IOException("image " + source + ": the " + format + " decoder returned no image of the"
                        + " size " + w + " x " + h + " its header gives");
            }
            return img;
        } catch (IIOException e) {
            throw new IOException("image " + source + ": corrupt or unreadable " + format + " data ("
                    + messages(e) + ")", e);
        } catch (RuntimeException e) {
            // hostile data can trip decoders into index or argument exceptions; report, don't crash
            throw new IOException("image " + source + ": corrupt " + format + " data (the decoder failed with "
                    + e + ")", e);
        } finally {
            reader.dispose();
        }
    }

    /**
     * Writes a tensor {@code (H, W)} or {@code (C, H, W)}, C in 1..4, as a PNG file (see
     * {@link ImageTensors#toImage} for the value conversion). The file is written beside the target under a
     * temporary name and renamed, so a failure never leaves a half-written file.
     */
    public static void writePng(Tensor img, Path file) throws IOException {
        AtomicFiles.write(file, encodePng(img));
    }

    /** The PNG encoding of an image tensor, see {@link #writePng}. */
    public static byte[] encodePng(Tensor img) throws IOException {
        BufferedImage image = ImageTensors.toImage(img);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // ImageIO.write(image, fmt, OutputStream) would cache through a temporary file; the array stream does not
        try (var ios = new javax.imageio.stream.MemoryCacheImageOutputStream(out)) {
            if (!ImageIO.write(image, "png", ios)) {
                throw new IOException("Images.writePng: no PNG writer for this image type");
            }
        }
        return out.toByteArray();
    }

    private static void checkLimit(long maxPixels) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("Images: maxPixels must be positive, got " + maxPixels);
        }
    }

    private static String messages(Throwable e) {
        StringBuilder s = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != e; c = c.getCause()) {
            s.append(": ").append(c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage());
        }
        return s.toString();
    }

    private static String firstBytes(ImageInputStream in) {
        try {
            in.seek(0);
            byte[] b = new byte[8];
            int n = in.read(b);
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < Math.max(n, 0); i++) {
                s.append(String.format("%02x", b[i] & 0xff));
            }
            return s.length() == 0 ? "none" : s.toString();
        } catch (IOException e) {
            return "unreadable";
        }
    }
}
