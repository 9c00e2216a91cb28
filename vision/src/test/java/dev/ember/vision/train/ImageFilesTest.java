package dev.ember.vision.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFilesTest {

    @TempDir
    Path tmp;

    @Test
    void greyIsLumaAndRgbKeepsChannels() throws IOException {
        Path png = solid(2, 3, 0xFF0000); // pure red
        Tensor grey = ImageFiles.read(png, 1, 3, 2);
        assertArrayEquals(new long[] {1, 3, 2}, grey.shape());
        for (double v : grey.toDoubleArray()) {
            assertEquals(76 / 255.0, v, 1e-6); // Pillow's L: (19595 R + 38470 G + 7471 B + 2^15) >> 16
        }
        Tensor rgb = ImageFiles.read(png, 3, 3, 2);
        double[] v = rgb.toDoubleArray();
        assertEquals(1.0, v[0]);
        assertEquals(0.0, v[6]);
        assertEquals(0.0, v[12]);
    }

    @Test
    void resizesToTheRequestedSize() throws IOException {
        Path png = solid(16, 16, 0x808080);
        Tensor t = ImageFiles.read(png, 1, 8, 4);
        assertArrayEquals(new long[] {1, 8, 4}, t.shape());
        for (double v : t.toDoubleArray()) {
            assertEquals(128 / 255.0, v, 1e-6);
        }
    }

    @Test
    void rejectsWhatIsNotAnImage() throws IOException {
        Path text = tmp.resolve("notes.png");
        Files.writeString(text, "not an image");
        IOException e = assertThrows(IOException.class, () -> ImageFiles.read(text, 1, 8, 8));
        assertTrue(e.getMessage().contains("notes.png"), e.getMessage());
        IOException missing = assertThrows(IOException.class, () -> ImageFiles.read(tmp.resolve("x.png"), 1, 8, 8));
        assertTrue(missing.getMessage().contains("x.png"), missing.getMessage());
        // a PNG header claiming 100000 x 100000 pixels is refused before decoding
        byte[] png = Files.readAllBytes(solid(1, 1, 0));
        png[16] = 0; png[17] = 1; png[18] = (byte) 0x86; png[19] = (byte) 0xA0;
        png[20] = 0; png[21] = 1; png[22] = (byte) 0x86; png[23] = (byte) 0xA0;
        Path huge = tmp.resolve("huge.png");
        Files.write(huge, png);
        IOException big = assertThrows(IOException.class, () -> ImageFiles.read(huge, 1, 8, 8));
        assertTrue(big.getMessage().contains("huge.png"), big.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ImageFiles.read(huge, 2, 8, 8));
    }

    private Path solid(int w, int h, int rgb) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        Path p = tmp.resolve("img" + w + "x" + h + "-" + rgb + ".png");
        ImageIO.write(img, "png", p.toFile());
        return p;
    }
}
