package dev.ember.vision.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path on a tiny dataset: generate, train one epoch, write the run folder, reload the checkpoint and
 * get the same detections. (Reaching mAP 0.8+ takes minutes and is measured with the app, not here.)
 */
class DetectionPipelineTest {

    @TempDir
    Path tmp;

    @Test
    void trainsOnAnotherDeviceLikeOnTheCpu() throws Exception {
        // a "cuda" device emulated with the CPU's kernels: the model, batches and targets live there
        Path data = tmp.resolve("shapes");
        DetectionPipeline.generateShapes(data, 12, 4, new ShapesDataset.Options(32, 1, 2, 6, 14, 8), 0);
        DetectionTrainer.Config config = new DetectionTrainer.Config(2, 6, 1e-2, 1e-4, 0, true);
        List<Double> cpu = new ArrayList<>();
        List<Double> moved = new ArrayList<>();
        DetectionPipeline.TrainResult a = DetectionPipeline.train(new DetectionPipeline.TrainOptions(data, 32, 4, config),
                tmp.resolve("runs/cpu"), listener(cpu), s -> { });
        try (AutoCloseable ignored = dev.ember.backend.cpu.EmulatedDevice.install()) {
            DetectionPipeline.TrainResult b = DetectionPipeline.train(new DetectionPipeline.TrainOptions(data, 32, 4,
                    config, dev.ember.backend.cpu.EmulatedDevice.DEVICE), tmp.resolve("runs/dev"), listener(moved),
                    s -> { });
            assertEquals(dev.ember.backend.cpu.EmulatedDevice.DEVICE, b.detector().model().parameters().get(0).device());
            assertEquals(cpu.size(), moved.size());
            for (int i = 0; i < cpu.size(); i++) {
                assertEquals(cpu.get(i), moved.get(i), 1e-6 * Math.abs(cpu.get(i)), "loss at step " + i);
            }
            assertEquals(a.finalEval().map(), b.finalEval().map(), 1e-9);
        }
    }

    private static DetectionTrainer.Listener listener(List<Double> losses) {
        return new DetectionTrainer.Listener() {
            @Override
            public void step(int epoch, int step, double loss) {
                losses.add(loss);
            }
        };
    }

    @Test
    void trainWritesTheRunAndTheCheckpointReloads() throws IOException {
        Path data = tmp.resolve("shapes");
        DetectionPipeline.generateShapes(data, 12, 4, new ShapesDataset.Options(32, 1, 2, 6, 14, 8), 0);
        Path run = tmp.resolve("runs/t");
        List<String> info = new ArrayList<>();
        int[] steps = new int[1];
        DetectionPipeline.TrainResult r = DetectionPipeline.train(new DetectionPipeline.TrainOptions(data, 32, 4,
                new DetectionTrainer.Config(1, 6, 1e-2, 1e-4, 0, true)), run, new DetectionTrainer.Listener() {
                    @Override
                    public void step(int epoch, int step, double loss) {
                        steps[0]++;
                        assertTrue(Double.isFinite(loss));
                    }
                }, info::add);
        assertEquals(2, steps[0], "12 images in batches of 6");
        assertEquals(2, info.size(), info.toString());
        assertTrue(info.get(0).contains("12 training images"), info.get(0));
        DetectionRunFiles files = new DetectionRunFiles(run);
        for (Path p : List.of(files.spec(), files.metrics(), files.checkpoint(), files.trainingPlot(), files.prCurve(),
                files.predictions(), files.evalReport())) {
            assertTrue(Files.size(p) > 0, p + " written");
        }
        List<String> csv = Files.readAllLines(files.metrics(), StandardCharsets.UTF_8);
        assertEquals("epoch,train_loss,hm_loss,wh_loss,reg_loss,lr,val_map50,val_ap50_circle,val_ap50_square,"
                + "val_ap50_triangle,seconds", csv.get(0));
        assertEquals(2, csv.size());
        assertEquals(640, ImageIO.read(files.prCurve().toFile()).getWidth());
        assertTrue(Files.readString(files.evalReport()).contains("mAP@0.5"));
        assertEquals(ShapesDataset.CLASSES, files.readSpec().classNames());

        Detector loaded = Detector.load(files.checkpoint());
        var image = DetectionData.readImage(data.resolve("test/images/000000.png"));
        List<Detection> a = r.detector().detect(image, 0.0);
        List<Detection> b = loaded.detect(image, 0.0);
        assertEquals(a, b, "the reloaded detector predicts the same boxes");
        // another image size: boxes come back in that image's pixels
        for (Detection d : loaded.detect(ImageTensors.resize(image, 96, 48), 0.0)) {
            assertTrue(d.x1() >= 0 && d.x2() <= 96 + 1e-9 && d.y1() >= 0 && d.y2() <= 48 + 1e-9, d.toString());
        }

        var again = DetectionPipeline.evaluate(loaded, DetectionPipeline.evalSplit(data), tmp.resolve("eval"), "test");
        assertEquals(r.finalEval().map(), again.map(), 1e-6, "eval of the checkpoint repeats the run's last evaluation");
    }

    @Test
    void checkpointWithoutSpecIsRejected() throws IOException {
        Path ck = tmp.resolve("plain.safetensors");
        dev.ember.io.Checkpoint.save(ck, new CenterNet(3, 2), null, 0, 0, java.util.Map.of());
        var e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> Detector.load(ck));
        assertTrue(e.getMessage().contains("no detector description"), e.getMessage());
    }
}
