package dev.ember.vision.io;

import static dev.ember.vision.io.ImageDecodeGoldenTest.resource;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading and writing images: round trips, channel modes, and bad files giving clear errors. */
class ImagesTest {
    @TempDir
    Path dir;

    @Test
    void pngRoundTripKeepsEveryChannelCount() throws IOException {
        for (int c = 1; c <= 4; c++) {
            double[] v = new double[c * 3 * 5];
            for (int i = 0; i < v.length; i++) {
                v[i] = ((i * 37) % 256) / 255.0;
            }
            Tensor img = Tensor.of(v, c, 3, 5);
            Path f = dir.resolve("img" + c + ".png");
            Images.writePng(img, f);
            Tensor back = Images.read(f, ImageReadMode.UNCHANGED);
            assertArrayEquals(new long[] {c, 3, 5}, back.shape(), "channels " + c);
            assertArrayEquals(img.toDoubleArray(), back.toDoubleArray(), 1e-7, "channels " + c);
        }
        try (var files = Files.list(dir)) {
            assertEquals(4, files.count(), "no temporary files left behind");
        }
    }

    @Test
    void writeRoundsLikeSaveImageAndClamps() throws IOException {
        // save_image: floor(x * 255 + 0.5) clamped to 0..255
        Tensor img = Tensor.of(new double[] {-0.5, 0.0, 0.5 / 255, 0.49 / 255, 0.5, 1.0, 2.0, 127.5 / 255}, 1, 2, 4);
        Path f = dir.resolve("r.png");
        Images.writePng(img, f);
        double[] back = Images.read(f).toDoubleArray();
        double[] expected = {0, 0, 1, 0, 128, 255, 255, 128};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], back[i] * 255, 1e-4, "value " + i);
        }
        Tensor hw = Tensor.of(new double[] {0, 1, 1, 0}, 2, 2);
        Images.writePng(hw, f);
        assertArrayEquals(new long[] {1, 2, 2}, Images.read(f).shape());
        Tensor ints = Tensor.of(new long[] {0, 255, 7, 128}, 1, 2, 2);
        Images.writePng(ints, f);
        assertArrayEquals(new double[] {0, 1, 7 / 255.0, 128 / 255.0}, Images.read(f).toDoubleArray(), 1e-7);
    }

    @Test
    void writeRefusesBadTensors() {
        Path f = dir.resolve("bad.png");
        var e = assertThrows(IllegalArgumentException.class, () -> Images.writePng(Tensor.zeros(5, 2, 2), f));
        assertTrue(e.getMessage().contains("C = 1, 2, 3 or 4") && e.getMessage().contains("[5, 2, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Images.writePng(Tensor.of(new double[] {Double.NaN}, 1, 1, 1), f));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Images.writePng(Tensor.of(new long[] {300}, 1, 1, 1), f));
        assertTrue(e.getMessage().contains("0..255"), e.getMessage());
        assertTrue(Files.notExists(f));
    }

    @Test
    void modesConvertChannels() throws IOException {
        Path rgba = resource("rgba.png");
        assertArrayEquals(new long[] {3, 4, 5}, Images.read(rgba).shape(), "AUTO drops alpha");
        assertArrayEquals(new long[] {4, 4, 5}, Images.read(rgba, ImageReadMode.UNCHANGED).shape());
        assertArrayEquals(new long[] {2, 4, 5}, Images.read(rgba, ImageReadMode.GRAY_ALPHA).shape());
        Path gray = resource("gray.png");
        Tensor g = Images.read(gray);
        assertArrayEquals(new long[] {1, 6, 4}, g.shape());
        Tensor ga = Images.read(gray, ImageReadMode.RGB_ALPHA);
        assertArrayEquals(new long[] {4, 6, 4}, ga.shape());
        for (int c = 0; c < 3; c++) {
            assertArrayEquals(g.toDoubleArray(), ga.select(0, c).contiguous().toDoubleArray(), 0.0);
        }
        assertTrue(Arrays.stream(ga.select(0, 3).contiguous().toDoubleArray()).allMatch(v -> v == 1.0), "opaque");
        assertEquals(DType.FLOAT32, g.dtype());
    }

    @Test
    void grayPaletteStaysGrayAndToTensorDefaults() {
        byte[] levels = {0, 64, (byte) 128, (byte) 255};
        IndexColorModel icm = new IndexColorModel(2, 4, levels, levels, levels);
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_BINARY, icm);
        img.getRaster().setSamples(0, 0, 3, 2, 0, new int[] {0, 1, 2, 3, 2, 1});
        Tensor t = ImageTensors.fromImage(img, ImageReadMode.AUTO);
        assertArrayEquals(new long[] {1, 2, 3}, t.shape());
        assertArrayEquals(new double[] {0, 64 / 255.0, 128 / 255.0, 1, 128 / 255.0, 64 / 255.0}, t.toDoubleArray(),
                1e-7);
        // a packed-int RGB image goes through getRGB
        BufferedImage rgb = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        rgb.setRGB(0, 0, 0x80FF4000);
        Tensor x = new dev.ember.vision.transforms.ToTensor().apply(rgb);
        assertArrayEquals(new double[] {1, 64 / 255.0, 0}, x.toDoubleArray(), 1e-7);
        Tensor xa = new dev.ember.vision.transforms.ToTensor(ImageReadMode.UNCHANGED).apply(rgb);
        assertArrayEquals(new double[] {1, 64 / 255.0, 0, 128 / 255.0}, xa.toDoubleArray(), 1e-7);
    }

    // ------------------------------------------------------------------------------------------ bad files

    @Test
    void missingEmptyAndNonImageFiles() throws IOException {
        assertThrows(NoSuchFileException.class, () -> Images.read(dir.resolve("nope.png")));
        Path empty = Files.write(dir.resolve("empty.png"), new byte[0]);
        assertMessage(empty, "empty file");
        Path text = Files.writeString(dir.resolve("text.png"), "hello, I am not a picture");
        assertMessage(text, "not a recognised image format");
        assertMessage(dir, "not a regular file");
        var e = assertThrows(IOException.class, () -> Images.decode(new byte[0], "bytes", ImageReadMode.AUTO));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void truncatedFilesAreErrors() throws IOException {
        for (String name : new String[] {"rgb.png", "rgb.jpg", "fashion_boot.jpg", "fashion_boot.png"}) {
            byte[] full = Files.readAllBytes(resource(name));
            // (cutting only a PNG's IEND and checksums leaves every pixel readable, for Pillow as for ImageIO)
            for (double keep : new double[] {0.3, 0.6, 0.8}) {
                Path cut = Files.write(dir.resolve("cut-" + keep + "-" + name),
                        Arrays.copyOf(full, (int) (full.length * keep)));
                var e = assertThrows(IOException.class, () -> Images.read(cut), name + " cut to " + keep);
                assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
            }
        }
    }

    @Test
    void hugeDimensionClaimsAreRefusedBeforeDecoding() throws IOException {
        Path png = Files.write(dir.resolve("huge.png"), png(100_000, 100_000));
        long before = allocatedBytes();
        var e = assertThrows(IOException.class, () -> Images.read(png));
        long allocated = allocatedBytes() - before;
        assertTrue(e.getMessage().contains("100000 x 100000") && e.getMessage().contains("limit"), e.getMessage());
        assertTrue(allocated < 64L << 20, "allocated " + allocated + " bytes for a refused header");

        byte[] jpeg = Files.readAllBytes(resource("rgb.jpg"));
        int sof = indexOf(jpeg, (byte) 0xFF, (byte) 0xC0);
        assertTrue(sof > 0, "SOF0 marker in rgb.jpg");
        jpeg[sof + 5] = jpeg[sof + 7] = (byte) 0xEA; // 60000 x 60000 (0xEA60), below ImageIO's own 65500
        jpeg[sof + 6] = jpeg[sof + 8] = (byte) 0x60;
        Path bigJpeg = Files.write(dir.resolve("huge.jpg"), jpeg);
        e = assertThrows(IOException.class, () -> Images.read(bigJpeg));
        assertTrue(e.getMessage().contains("60000 x 60000"), e.getMessage());

        // a lower limit applies to real images too
        e = assertThrows(IOException.class, () -> Images.read(resource("rgb.png"), ImageReadMode.RGB, 34));
        assertTrue(e.getMessage().contains("7 x 5 = 35 pixels"), e.getMessage());
        assertEquals(3, Images.read(resource("rgb.png"), ImageReadMode.RGB, 35).size(0));
    }

    @Test
    void zeroSizeAndCorruptData() throws IOException {
        assertMessage(Files.write(dir.resolve("zero.png"), png(0, 5)), "zero.png");
        byte[] good = Files.readAllBytes(resource("rgb.png"));
        byte[] bad = good.clone();
        int idat = indexOf(bad, (byte) 'I', (byte) 'D', (byte) 'A', (byte) 'T');
        for (int i = idat + 6; i < idat + 20 && i < bad.length - 12; i++) {
            bad[i] ^= (byte) 0x5A;
        }
        assertMessage(Files.write(dir.resolve("corrupt.png"), bad), "corrupt");
    }

    @Test
    void mutatedFilesNeverCrash() throws IOException {
        // random byte flips: each file either decodes or gives an IOException, never another exception
        java.util.Random rnd = new java.util.Random(7);
        int errors = 0;
        for (String name : new String[] {"rgb.png", "rgba.png", "palette.png", "gray16.png", "rgb.jpg", "rgb420.jpg"}) {
            byte[] good = Files.readAllBytes(resource(name));
            for (int trial = 0; trial < 60; trial++) {
                byte[] b = good.clone();
                for (int k = 0; k < 1 + trial % 4; k++) {
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                }
                try {
                    Tensor t = Images.decode(b, name + " mutation " + trial, ImageReadMode.UNCHANGED);
                    assertEquals(3, t.dim());
                } catch (IOException e) {
                    errors++;
                    assertTrue(e.getMessage().startsWith("image " + name), e.getMessage());
                }
            }
        }
        assertTrue(errors > 0, "some mutations must be detected");
    }

    private static void assertMessage(Path file, String part) {
        var e = assertThrows(IOException.class, () -> Images.read(file));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    /** A PNG signature and IHDR chunk (8-bit RGB) with a correct CRC, an empty IDAT and IEND. */
    static byte[] png(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(b, "IHDR", ihdr.array());
        chunk(b, "IDAT", new byte[0]);
        chunk(b, "IEND", new byte[0]);
        return b.array();
    }

    private static void chunk(ByteBuffer b, String type, byte[] data) {
        b.putInt(data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        b.put(t).put(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        b.putInt((int) crc.getValue());
    }

    private static int indexOf(byte[] data, byte... pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int k = 0; k < pattern.length; k++) {
                if (data[i + k] != pattern[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static long allocatedBytes() {
        var bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        return bean.getCurrentThreadAllocatedBytes();
    }
}
