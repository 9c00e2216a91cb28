package dev.ember.apps.util;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A one-line progress bar for long loops: {@code epoch 1/5 [=========>      ] 63/125 loss 0.2345 acc 0.931
 * 41.2 it/s ETA 2s}. On a terminal the line is redrawn in place at most every 100 ms; when the output is not a
 * terminal (a log file, CI) a line is printed at every 10% instead, so logs stay short. It writes to stderr
 * so stdout carries only results.
 */
public final class ProgressBar implements AutoCloseable {
    private static final int WIDTH = 24;
    private final String label;
    private final long total;
    private final PrintStream out;
    private final boolean interactive;
    private final long start = System.nanoTime();
    private final Map<String, String> metrics = new LinkedHashMap<>();
    private long done;
    private long lastDraw;
    private long lastDecile = -1;
    private boolean closed;

    public ProgressBar(String label, long total) {
        this(label, total, System.err, System.console() != null);
    }

    public ProgressBar(String label, long total, PrintStream out, boolean interactive) {
        this.label = label;
        this.total = Math.max(total, 1);
        this.out = out;
        this.interactive = interactive;
    }

    /** Sets a metric shown after the counter, e.g. {@code set("loss", 0.23)}; formatted with 4 decimals. */
    public ProgressBar set(String name, double value) {
        metrics.put(name, String.format(Locale.ROOT, "%.4f", value));
        return this;
    }

    /** Advances by {@code n} steps and redraws when due. */
    public void step(long n) {
        done = Math.min(done + n, total);
        long now = System.nanoTime();
        long decile = done * 10 / total;
        if (interactive ? now - lastDraw > 100_000_000L || done == total : decile != lastDecile) {
            lastDraw = now;
            lastDecile = decile;
            draw(now);
        }
    }

    public void step() {
        step(1);
    }

    private void draw(long now) {
        double seconds = (now - start) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        long eta = rate > 0 ? Math.round((total - done) / rate) : 0;
        int filled = (int) (WIDTH * done / total);
        StringBuilder bar = new StringBuilder();
        for (int i = 0; i < WIDTH; i++) {
            bar.append(i < filled ? '=' : i == filled ? '>' : ' ');
        }
        StringBuilder line = new StringBuilder(label).append(" [").append(bar).append("] ")
                .append(done).append('/').append(total);
        metrics.forEach((k, v) -> line.append(' ').append(k).append(' ').append(v));
        line.append(String.format(Locale.ROOT, " %.1f it/s", rate));
        line.append(done < total ? " ETA " + eta + "s" : String.format(Locale.ROOT, " %.1fs", seconds));
        if (interactive) {
            out.print("\r" + line + "\u001b[K");
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Finishes the line (a newline on a terminal). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (interactive) {
            draw(System.nanoTime());
            out.println();
        }
    }
}
