package dev.ember.vision.detection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Draws boxes on images with java.awt: predicted boxes solid, in one colour per class, each with a "name 0.93"
 * tag; ground-truth boxes (optional) as thin white dashed outlines. Small images are enlarged first (nearest
 * neighbour, so pixels stay sharp) so that boxes and text are legible.
 */
public final class BoxDrawing {
    private static final Color[] PALETTE = {
        new Color(255, 80, 80), new Color(80, 220, 100), new Color(90, 150, 255), new Color(255, 200, 40),
        new Color(230, 90, 230), new Color(60, 220, 220), new Color(255, 140, 40), new Color(180, 180, 180),
    };

    static {
        // drawing happens off screen; a DISPLAY that is set but unreachable must not break it
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private BoxDrawing() {
    }

    /** The colour of class {@code label}. */
    public static Color colour(int label) {
        return PALETTE[Math.floorMod(label, PALETTE.length)];
    }

    /**
     * {@code image} enlarged by {@code scale} with {@code detections} (in the image's pixels) drawn on it, and
     * the ground truth {@code gtBoxes} (may be null) as dashed outlines.
     */
    public static BufferedImage draw(BufferedImage image, List<Detection> detections, List<String> classNames,
            double[][] gtBoxes, int scale) {
        if (scale < 1) {
            throw new IllegalArgumentException("BoxDrawing.draw: scale must be >= 1, got " + scale);
        }
        int w = image.getWidth() * scale;
        int h = image.getHeight() * scale;
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.drawImage(image, 0, 0, w, h, null);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        if (gtBoxes != null) {
            g.setColor(Color.WHITE);
            g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 3f}, 0f));
            for (double[] b : gtBoxes) {
                g.drawRect((int) Math.round(b[0] * scale), (int) Math.round(b[1] * scale),
                        (int) Math.round((b[2] - b[0]) * scale), (int) Math.round((b[3] - b[1]) * scale));
            }
        }
        Font font = new Font(Font.SANS_SERIF, Font.BOLD, Math.max(9, Math.min(14, w / 20)));
        g.setFont(font);
        FontMetrics fm = g.getFontMetrics();
        g.setStroke(new BasicStroke(2f));
        for (Detection d : detections) {
            Color c = colour(d.label());
            int x = (int) Math.round(d.x1() * scale);
            int y = (int) Math.round(d.y1() * scale);
            g.setColor(c);
            g.drawRect(x, y, (int) Math.round(d.width() * scale), (int) Math.round(d.height() * scale));
            String name = d.label() < classNames.size() ? classNames.get(d.label()) : Integer.toString(d.label());
            String tag = String.format(Locale.ROOT, "%s %.2f", name, d.score());
            int tw = fm.stringWidth(tag) + 4;
            int th = fm.getAscent() + 2;
            int ty = y - th >= 0 ? y - th : y; // above the box, or inside it at the top edge
            int tx = Math.min(Math.max(0, x), Math.max(0, w - tw));
            g.fillRect(tx, ty, tw, th);
            g.setColor(Color.BLACK);
            g.drawString(tag, tx + 2, ty + fm.getAscent());
        }
        g.dispose();
        return out;
    }

    /** Tiles equally sized images into a grid of {@code columns}, with a 4-pixel dark gap. */
    public static BufferedImage grid(List<BufferedImage> tiles, int columns) {
        if (tiles.isEmpty() || columns < 1) {
            throw new IllegalArgumentException("BoxDrawing.grid: need at least one tile and columns >= 1, got "
                    + tiles.size() + " tiles, " + columns + " columns");
        }
        int tw = tiles.get(0).getWidth();
        int th = tiles.get(0).getHeight();
        int cols = Math.min(columns, tiles.size());
        int rows = (tiles.size() + cols - 1) / cols;
        int gap = 4;
        BufferedImage out = new BufferedImage(cols * (tw + gap) + gap, rows * (th + gap) + gap,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(new Color(30, 30, 30));
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        for (int i = 0; i < tiles.size(); i++) {
            g.drawImage(tiles.get(i), gap + (i % cols) * (tw + gap), gap + (i / cols) * (th + gap), tw, th, null);
        }
        g.dispose();
        return out;
    }

    /** PNG bytes of {@code image}. */
    public static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "png", bytes)) {
            throw new IOException("BoxDrawing: no PNG writer available");
        }
        return bytes.toByteArray();
    }
}
