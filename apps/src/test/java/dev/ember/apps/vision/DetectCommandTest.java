package dev.ember.apps.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.apps.EmberCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ember vision detect generate|train|eval|predict} end to end on a tiny dataset (one short epoch), and the
 * one-line errors for a missing run or bad data. Reaching mAP 0.8+ with the defaults is measured with the app.
 */
class DetectCommandTest {

    @TempDir
    Path tmp;

    private record Result(int exitCode, String out, String err) {
    }

    private static Result run(String... args) {
        CommandLine cli = EmberCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void generateTrainEvalPredict() throws Exception {
        String data = tmp.resolve("shapes").toString();
        String runs = tmp.resolve("runs").toString();
        Result g = run("vision", "detect", "generate", "--out", data, "--train", "12", "--test", "4", "--image-size",
                "32");
        assertEquals(0, g.exitCode(), g.err());
        assertTrue(g.out().contains("wrote 12 training and 4 test images"), g.out());
        assertTrue(Files.isRegularFile(Path.of(data, "train", "annotations.json")));
        assertTrue(Files.isRegularFile(Path.of(data, "test", "labels", "000000.txt")));

        Result t = run("vision", "detect", "train", "--data", data, "--runs-dir", runs, "--name", "tiny", "--epochs",
                "1", "--batch-size", "6", "--image-size", "32", "--width", "4");
        assertEquals(0, t.exitCode(), t.err());
        assertTrue(t.out().contains("epoch 1: loss"), t.out());
        assertTrue(t.out().contains("mAP@0.5"), t.out());
        Path run = Path.of(runs, "tiny");
        for (String f : List.of("detector.json", "metrics.csv", "checkpoint.safetensors", "training.png",
                "pr_curve.png", "predictions.png", "eval.txt")) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
            assertTrue(t.out().contains(run.resolve(f).toString()), "listed " + f);
        }

        Result e = run("vision", "detect", "eval", "--runs-dir", runs); // the latest run
        assertEquals(0, e.exitCode(), e.err());
        assertTrue(e.out().contains("triangle") && e.out().contains("mAP@0.5"), e.out());

        String image = Path.of(data, "test", "images", "000001.png").toString();
        Result p = run("vision", "detect", "predict", "--runs-dir", runs, "--name", "tiny", "--threshold", "0",
                image);
        assertEquals(0, p.exitCode(), p.err());
        assertTrue(p.out().contains("000001.png (32x32)"), p.out());
        assertTrue(Files.size(run.resolve("predict").resolve("000001_boxes.png")) > 0);

        Result dup = run("vision", "detect", "train", "--data", data, "--runs-dir", runs, "--name", "tiny");
        assertEquals(1, dup.exitCode());
        assertTrue(dup.err().contains("already exists"), dup.err());
    }

    @Test
    void errorsAreOneLine() throws Exception {
        Result r = run("vision", "detect", "eval", "--runs-dir", tmp.resolve("none").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("ember vision detect eval: no detection runs in"), r.err());

        Path bad = tmp.resolve("bad");
        Files.createDirectories(bad.resolve("train"));
        Files.writeString(bad.resolve("train/annotations.json"), "{\"images\": []}");
        r = run("vision", "detect", "train", "--data", bad.toString(), "--runs-dir", tmp.resolve("runs").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("annotations.json") && r.err().contains("\"categories\""), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());

        r = run("vision", "detect", "predict", "--runs-dir", tmp.resolve("none").toString(), "x.png");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("no detection runs"), r.err());
    }

    @Test
    void helpForEverySubcommand() {
        for (String c : List.of("generate", "train", "eval", "predict")) {
            Result r = run("vision", "detect", c, "--help");
            assertEquals(0, r.exitCode(), c);
            assertTrue(r.out().startsWith("Usage: ember vision detect " + c), r.out());
        }
    }
}
