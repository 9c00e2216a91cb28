package dev.ember.apps.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.apps.EmberCli;
import dev.ember.datasets.MnistSample;
import dev.ember.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code ember vision} commands: help, errors, and one short train -> eval -> predict -> resume pass. */
class VisionCommandTest {

    @TempDir
    Path tmp;

    private record Result(int exitCode, String out, String err) {}

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
    void everyCommandHasHelp() {
        for (String[] args : new String[][] {{"vision", "--help"}, {"vision", "train", "--help"},
                {"vision", "eval", "--help"}, {"vision", "predict", "--help"}}) {
            Result r = run(args);
            assertEquals(0, r.exitCode(), String.join(" ", args));
            assertTrue(r.out().startsWith("Usage: ember vision"), r.out());
            assertTrue(r.err().isEmpty(), r.err());
        }
        assertTrue(run("vision", "train", "--help").out().contains("--model=<model>"));
    }

    @Test
    void cudaWithoutABackendIsAClearError() {
        for (String command : new String[] {"train", "eval"}) {
            Result r = run("vision", command, "--device", "cuda", "--runs-dir", tmp.toString());
            assertEquals(1, r.exitCode());
            assertTrue(r.err().contains("no CUDA backend is available") && r.err().contains("--device cpu"), r.err());
        }
        Result bad = run("vision", "train", "--device", "tpu");
        assertEquals(1, bad.exitCode());
        assertTrue(bad.err().contains("--device must be cpu or cuda"), bad.err());
    }

    @Test
    void badOptionsAndMissingRunsAreOneLineErrors() {
        String runs = tmp.resolve("runs").toString();
        Result model = run("vision", "train", "--model", "alexnet", "--runs-dir", runs);
        assertEquals(1, model.exitCode());
        assertTrue(model.err().startsWith("ember vision train: unknown model \"alexnet\"; available: lenet"),
                model.err());
        Result dataset = run("vision", "train", "--dataset", "imagenet", "--runs-dir", runs);
        assertEquals(1, dataset.exitCode());
        assertTrue(dataset.err().contains("unknown dataset \"imagenet\""), dataset.err());
        Result name = run("vision", "train", "--name", "../escape", "--runs-dir", runs);
        assertTrue(name.err().contains("--name must be a folder name"), name.err());
        Result eval = run("vision", "eval", "--runs-dir", runs);
        assertEquals(1, eval.exitCode());
        assertTrue(eval.err().contains("no runs in") && eval.err().contains("ember vision train"), eval.err());
        Result predict = run("vision", "predict", "x.png", "--runs-dir", runs, "--name", "nope");
        assertEquals(1, predict.exitCode());
        assertTrue(predict.err().contains("no run \"nope\""), predict.err());
        Result noImage = run("vision", "predict");
        assertEquals(2, noImage.exitCode());
        assertTrue(noImage.err().contains("Missing required parameter"), noImage.err());
    }

    @Test
    void trainEvalPredictResume() throws IOException {
        String runs = tmp.resolve("runs").toString();
        Result train = run("vision", "train", "--epochs", "1", "--no-plots", "--workers", "0", "--runs-dir", runs);
        assertEquals(0, train.exitCode(), train.err());
        assertTrue(train.out().contains("mnist-sample: 7996 training and 2004 test images, 1x28x28, 10 classes"),
                train.out());
        assertTrue(train.out().contains("LeNet5: 61,706 parameters"), train.out());
        assertTrue(train.out().contains("runs" + java.io.File.separator + "lenet-mnist-sample"), train.out());
        Path run = tmp.resolve("runs/lenet-mnist-sample");
        for (String f : new String[] {"config.json", "metrics.csv", "checkpoint.safetensors", "report.txt"}) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
        }
        double accuracy = Double.parseDouble(Files.readAllLines(run.resolve("metrics.csv")).get(1).split(",")[4]);
        assertTrue(accuracy > 0.85, "LeNet after one epoch: " + accuracy);

        Result eval = run("vision", "eval", "--runs-dir", runs);
        assertEquals(0, eval.exitCode(), eval.err());
        assertTrue(eval.out().contains(String.format(java.util.Locale.ROOT, "accuracy %.2f%%", 100 * accuracy)),
                eval.out() + " vs " + accuracy);
        assertTrue(eval.out().contains("macro avg"), eval.out());

        // the first test digit (a 0, the split is interleaved by digit) as a PNG
        Path png = tmp.resolve("digit.png");
        writePng(MnistSample.test().images().select(0, 0).select(0, 0), png);
        Result predict = run("vision", "predict", png.toString(), "--runs-dir", runs, "--top", "3");
        assertEquals(0, predict.exitCode(), predict.err());
        String[] lines = predict.out().split("\\R");
        assertEquals(4, lines.length, predict.out());
        assertTrue(lines[1].matches("  1\\. 0 +\\d+\\.\\d\\d%"), predict.out());

        // a second default run gets its own folder; --resume of a finished run re-evaluates it
        Result conflict = run("vision", "train", "--resume", "--epochs", "5", "--runs-dir", runs);
        assertEquals(1, conflict.exitCode());
        assertTrue(conflict.err().contains("--epochs is 5 but the run used 1"), conflict.err());
        Result resume = run("vision", "train", "--resume", "--no-plots", "--runs-dir", runs);
        assertEquals(0, resume.exitCode(), resume.err());
        assertTrue(resume.out().contains("resuming run"), resume.out());
        assertTrue(resume.out().contains("all 1 epochs are done; evaluating the checkpoint again"), resume.out());
        Result taken = run("vision", "train", "--name", "lenet-mnist-sample", "--runs-dir", runs);
        assertEquals(1, taken.exitCode());
        assertTrue(taken.err().contains("already exists; continue it with --resume"), taken.err());
    }

    private static void writePng(Tensor hw, Path path) throws IOException {
        double[] v = hw.toDoubleArray();
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < v.length; i++) {
            int g = (int) Math.round(v[i] * 255);
            img.setRGB(i % 28, i / 28, (g << 16) | (g << 8) | g);
        }
        ImageIO.write(img, "png", path.toFile());
    }
}
