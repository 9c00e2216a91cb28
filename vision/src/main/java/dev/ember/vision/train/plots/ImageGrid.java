package dev.ember.vision.train.plots;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A grid of images with a caption under each (e.g. the misclassified test images with their true and predicted
 * labels), drawn with java.awt and returned as PNG bytes. Small images are scaled up by whole pixels (nearest
 * neighbour) so 28x28 digits stay crisp.
 */
public final class ImageGrid {
    private static final int TARGET_TILE = 96;
    private static final int MAX_CAPTION = 220;

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private ImageGrid() {
    }

    /**
     * One tile: pixels {@code (C, H, W)} row-major in [0, 1] (values outside are clipped), C = 1 (grey) or 3
     * (RGB), and the caption lines drawn under it ({@code highlight} draws them in red).
     */
    public record Tile(double[] pixels, int channels, int height, int width, List<String> caption, boolean highlight) {
        public Tile {
            if ((channels != 1 && channels != 3) || height < 1 || width < 1
                    || pixels.length != (long) channels * height * width) {
                throw new IllegalArgumentException("ImageGrid.Tile: expected " + channels + "x" + height + "x" + width
                        + " pixels with 1 or 3 channels, got " + pixels.length + " values");
            }
            caption = List.copyOf(caption);
        }
    }

    /** Draws {@code tiles} in rows of {@code columns} under {@code title}; PNG bytes. */
    public static byte[] draw(String title, List<Tile> tiles, int columns) throws IOException {
        BufferedImage image = render(title, tiles, columns);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /** The grid as an image (see {@link #draw}). */
    public static BufferedImage render(String title, List<Tile> tiles, int columns) {
        if (columns < 1) {
            throw new IllegalArgumentException("ImageGrid: columns must be >= 1, got " + columns);
        }
        int maxH = 1;
        int maxW = 1;
        int lines = 1;
        for (Tile t : tiles) {
            maxH = Math.max(maxH, t.height());
            maxW = Math.max(maxW, t.width());
            lines = Math.max(lines, t.caption().size());
        }
        int scale = Math.max(1, TARGET_TILE / Math.max(maxH, maxW));
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 15);
        int lineHeight = 15;
        int pad = 8;
        int captionW = 0;
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D sg = scratch.createGraphics();
        try {
            FontMetrics m = sg.getFontMetrics(font);
            for (Tile t : tiles) {
                for (String line : t.caption()) {
                    captionW = Math.max(captionW, m.stringWidth(line));
                }
            }
        } finally {
            sg.dispose();
        }
        // wide enough for the captions, up to a limit past which they are cut with an ellipsis
        int cellW = Math.max(maxW * scale, Math.min(captionW + 6, MAX_CAPTION)) + pad;
        int cellH = maxH * scale + lines * lineHeight + pad + 4;
        int cols = Math.max(1, Math.min(columns, tiles.size()));
        int rows = Math.max(1, (tiles.size() + cols - 1) / cols);
        int header = 34;
        int width = Math.max(cols * cellW + pad, 420);
        int height = header + rows * cellH + pad;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(titleFont);
            g.drawString(tiles.isEmpty() ? title + " (none)" : title, pad, 22);
            g.setFont(font);
            FontMetrics fm = g.getFontMetrics();
            for (int i = 0; i < tiles.size(); i++) {
                Tile t = tiles.get(i);
                int x0 = pad + (i % cols) * cellW;
                int y0 = header + (i / cols) * cellH;
                int ix = x0 + (cellW - pad - t.width() * scale) / 2;
                g.drawImage(toImage(t), ix, y0, t.width() * scale, t.height() * scale, null);
                g.setColor(new Color(200, 200, 200));
                g.drawRect(ix - 1, y0 - 1, t.width() * scale + 1, t.height() * scale + 1);
                g.setColor(t.highlight() ? new Color(190, 20, 20) : Color.BLACK);
                int ty = y0 + maxH * scale + lineHeight;
                for (String line : t.caption()) {
                    String s = fit(line, fm, cellW - pad);
                    g.drawString(s, x0 + (cellW - pad - fm.stringWidth(s)) / 2, ty);
                    ty += lineHeight;
                }
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static String fit(String s, FontMetrics fm, int width) {
        if (fm.stringWidth(s) <= width) {
            return s;
        }
        String t = s;
        while (t.length() > 1 && fm.stringWidth(t + "…") > width) {
            t = t.substring(0, t.length() - 1);
        }
        return t + "…";
    }

    private static BufferedImage toImage(Tile t) {
        BufferedImage img = new BufferedImage(t.width(), t.height(), BufferedImage.TYPE_INT_RGB);
        int plane = t.height() * t.width();
        double[] p = t.pixels();
        for (int y = 0; y < t.height(); y++) {
            for (int x = 0; x < t.width(); x++) {
                int i = y * t.width() + x;
                int r = byteOf(p[i]);
                int gr = t.channels() == 3 ? byteOf(p[plane + i]) : r;
                int b = t.channels() == 3 ? byteOf(p[2 * plane + i]) : r;
                img.setRGB(x, y, (r << 16) | (gr << 8) | b);
            }
        }
        return img;
    }

    private static int byteOf(double v) {
        double c = Double.isNaN(v) ? 0 : Math.max(0, Math.min(1, v));
        return (int) Math.round(c * 255);
    }
}
