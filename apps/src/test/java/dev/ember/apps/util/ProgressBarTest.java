package dev.ember.apps.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    @Test
    void logModePrintsOneLinePerTenthWithMetrics() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ProgressBar bar = new ProgressBar("epoch 1/2", 50, new PrintStream(bytes, true, StandardCharsets.UTF_8), false)) {
            for (int i = 0; i < 50; i++) {
                bar.set("loss", 1.0 / (i + 1)).step();
            }
        }
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        // the first step, then 5, 10, ..., 50 of 50: one line per tenth
        assertEquals(11, lines.length, String.join("\n", lines));
        assertTrue(lines[10].startsWith("epoch 1/2 [========================] 50/50 loss 0.0200"), lines[10]);
        assertTrue(lines[0].contains(" 1/50") && lines[1].contains(" 5/50") && lines[1].contains("ETA"), lines[1]);
    }

    @Test
    void terminalModeRedrawsInPlaceAndEndsWithNewline() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ProgressBar bar = new ProgressBar("train", 3, new PrintStream(bytes, true, StandardCharsets.UTF_8), true)) {
            bar.step(3);
        }
        String s = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(s.startsWith("\rtrain ["), s);
        assertTrue(s.endsWith("\n"), s);
        assertTrue(s.contains("3/3"), s);
    }
}
