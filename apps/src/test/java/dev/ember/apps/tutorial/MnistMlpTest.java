package dev.ember.apps.tutorial;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A one-epoch run of the tutorial (the full 10-epoch run reaching ~96% is the app's, not CI's). */
class MnistMlpTest {

    @Test
    void oneEpochLearnsAndReports() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        MnistMlp.Result r = MnistMlp.run(new MnistMlp.Config(1, 64, 3e-3, 128, 0, 0),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(progress, true, StandardCharsets.UTF_8),
                false);
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(r.finalAccuracy() > 0.85, "accuracy after one epoch: " + r.finalAccuracy());
        assertTrue(text.contains("7996 training and 2004 test images"), text);
        assertTrue(text.contains("test accuracy: "), text);
        assertTrue(progress.toString(StandardCharsets.UTF_8).contains("125/125"), "progress bar reached the end");
    }
}
