package dev.ember.vision.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.backend.cpu.EmulatedDevice;
import dev.ember.io.Checkpoint;
import dev.ember.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training pipeline end to end on {@link TinyData}: files written, resume exactness, errors. */
class ClassificationTrainerTest {

    @TempDir
    Path tmp;

    @Test
    void trainsAndWritesTheRunFolder() throws IOException {
        List<String> events = new ArrayList<>();
        TrainListener listener = new TrainListener() {
            @Override
            public void onEpochStart(int epoch, int epochs, int batches) {
                events.add("start " + epoch + "/" + epochs + " " + batches);
            }

            @Override
            public void onBatch(int epoch, int batch, double loss, double accuracy, double lr) {
                assertTrue(loss > 0 && accuracy >= 0 && accuracy <= 1 && lr > 0);
                events.add("batch " + batch);
            }

            @Override
            public void onEpochEnd(EpochStats stats) {
                events.add("end " + stats.epoch());
            }
        };
        Path run = tmp.resolve("run");
        TrainResult r = ClassificationTrainer.train("tiny", TinyData.data(), TinyData.config().build(), run,
                TinyData::model, listener);

        // 30 images in batches of 6: 5 steps per epoch
        assertEquals(List.of("start 1/3 5", "batch 1", "batch 2", "batch 3", "batch 4", "batch 5", "end 1"),
                events.subList(0, 7));
        assertEquals(3, r.history().size());
        assertTrue(r.test().metrics().accuracy() >= 0.75, "an easy problem: " + r.test().metrics().summary());
        assertEquals(r.history().get(2).testAcc(), r.test().metrics().accuracy());

        RunFiles files = new RunFiles(run);
        for (Path p : List.of(files.config(), files.metrics(), files.checkpoint(), files.report(), files.confusionCsv(),
                files.lossPlot(), files.accuracyPlot(), files.confusionPlot(), files.misclassifiedGrid())) {
            assertTrue(Files.size(p) > 0, p + " written");
            assertTrue(r.files().contains(p), p + " listed");
        }
        List<String> csv = Files.readAllLines(files.metrics());
        assertEquals("epoch,train_loss,train_acc,test_loss,test_acc,lr,seconds", csv.get(0));
        assertEquals(4, csv.size());
        // every value but the rounded seconds reads back exactly
        assertEquals(r.history().stream().map(ClassificationTrainerTest::withoutSeconds).toList(),
                files.readMetrics().stream().map(ClassificationTrainerTest::withoutSeconds).toList());

        RunConfig saved = files.readConfig();
        assertEquals(TinyData.CLASSES, saved.classes());
        assertEquals("tiny", saved.model());
        assertEquals(3, saved.train().epochs());

        Checkpoint ck = Checkpoint.load(files.checkpoint());
        assertEquals(3, ck.epoch());
        assertEquals(15, ck.step());
        assertNotNull(ck.optimizerState());
        assertEquals(saved, RunConfig.fromJson(ck.extra().get("config"), "checkpoint"));

        for (Path png : List.of(files.lossPlot(), files.accuracyPlot(), files.confusionPlot(),
                files.misclassifiedGrid())) {
            BufferedImage img = ImageIO.read(png.toFile());
            assertNotNull(img, png + " is a PNG");
            assertTrue(img.getWidth() >= 400 && img.getHeight() >= 100, png + " " + img.getWidth() + "x"
                    + img.getHeight());
        }
        String report = Files.readString(files.report());
        assertTrue(report.contains("diagonal") && report.contains("macro avg"), report);
        assertTrue(Files.readString(files.confusionCsv()).startsWith("true\\predicted,row,column,diagonal\n"));
    }

    @Test
    void trainsOnAnotherDeviceLikeOnTheCpu() throws Exception {
        // a "cuda" device emulated with the CPU's kernels: the model is created there, batches and a resumed
        // optimizer follow it, and the numbers are the CPU's
        ClassificationData data = TinyData.data();
        TrainConfig config = TinyData.config().plots(false).build();
        TrainResult cpu = ClassificationTrainer.train("tiny", data, config, tmp.resolve("cpu"), TinyData::model, null);
        try (AutoCloseable ignored = EmulatedDevice.install()) {
            ModelFactory onDevice = (name, classes, channels, size) -> {
                var m = TinyData.model(name, classes, channels, size);
                m.to(EmulatedDevice.DEVICE);
                return m;
            };
            TrainResult moved = ClassificationTrainer.train("tiny", data, config, tmp.resolve("dev"), onDevice, null);
            assertEquals(EmulatedDevice.DEVICE, moved.model().parameters().get(0).device());
            for (int e = 0; e < cpu.history().size(); e++) {
                assertEquals(cpu.history().get(e).trainLoss(), moved.history().get(e).trainLoss(), 1e-6, "epoch " + e);
                assertEquals(cpu.history().get(e).testAcc(), moved.history().get(e).testAcc(), 1e-9, "epoch " + e);
            }
            // a finished run resumes (evaluates again) on the device, its checkpoint loaded there
            TrainResult again = ClassificationTrainer.resume(data, tmp.resolve("dev"), onDevice, null, null);
            assertEquals(moved.test().metrics().accuracy(), again.test().metrics().accuracy(), 1e-9);
        }
    }

    @Test
    void resumeAfterACrashGivesTheUninterruptedResult() throws IOException {
        ClassificationData data = TinyData.data();
        TrainConfig config = TinyData.config().plots(false).build();
        TrainResult straight = ClassificationTrainer.train("tiny", data, config, tmp.resolve("a"), TinyData::model,
                null);

        // the same run, killed right after epoch 2's checkpoint
        Path b = tmp.resolve("b");
        TrainListener crash = new TrainListener() {
            @Override
            public void onEpochEnd(EpochStats stats) {
                if (stats.epoch() == 2) {
                    throw new IllegalStateException("simulated crash");
                }
            }
        };
        assertThrows(IllegalStateException.class,
                () -> ClassificationTrainer.train("tiny", data, config, b, TinyData::model, crash));
        assertEquals(2, Checkpoint.load(new RunFiles(b).checkpoint()).epoch());
        // something else moves the global generator in between, as another program would
        Tensor.randn(100);

        List<Integer> resumedEpochs = new ArrayList<>();
        TrainResult resumed = ClassificationTrainer.resume(data, b, TinyData::model, null, new TrainListener() {
            @Override
            public void onStart(RunConfig c, int startEpoch, int epochs, int batchesPerEpoch) {
                resumedEpochs.add(startEpoch);
            }
        });
        assertEquals(List.of(2), resumedEpochs);

        // Equal up to float rounding noise: the CPU kernels' results can differ in the last bits once the JIT
        // compiles them (vector lane reductions), which is ~1e-7 here. Forgetting any part of the state (loader
        // epoch, schedule, optimizer moments, generator) moves the weights by 1e-3 or more.
        Map<String, Tensor> expected = straight.model().stateDict();
        Map<String, Tensor> actual = resumed.model().stateDict();
        assertEquals(expected.keySet(), actual.keySet());
        for (String k : expected.keySet()) {
            assertArrayEquals(expected.get(k).toDoubleArray(), actual.get(k).toDoubleArray(), 1e-5, k);
        }
        assertEquals(3, resumed.history().size());
        for (int i = 0; i < 3; i++) {
            EpochStats a = straight.history().get(i);
            EpochStats r = resumed.history().get(i);
            assertEquals(a.epoch(), r.epoch());
            assertEquals(a.trainLoss(), r.trainLoss(), 1e-5);
            assertEquals(a.testLoss(), r.testLoss(), 1e-5);
            assertEquals(a.trainAcc(), r.trainAcc());
            assertEquals(a.lr(), r.lr(), 1e-12);
        }
        assertArrayEquals(straight.test().predicted(), resumed.test().predicted());
    }

    @Test
    void resumeChecksTheRunAndTheData() throws IOException {
        ClassificationData data = TinyData.data();
        Path run = tmp.resolve("r");
        IOException none = assertThrows(IOException.class,
                () -> ClassificationTrainer.resume(data, run, TinyData::model, null, null));
        assertTrue(none.getMessage().contains("config.json"), none.getMessage());

        ClassificationTrainer.train("tiny", data, TinyData.config().epochs(1).plots(false).build(), run,
                TinyData::model, null);
        ClassificationData other = new ClassificationData("other", data.train(), data.test(),
                List.of("a", "b", "c"), 1, 8, 8, new double[] {0}, new double[] {1}, Augment.none());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassificationTrainer.resume(other, run, TinyData::model, null, null));
        assertTrue(e.getMessage().contains("cannot resume it on other"), e.getMessage());

        Files.delete(new RunFiles(run).checkpoint());
        IOException noCk = assertThrows(IOException.class,
                () -> ClassificationTrainer.resume(data, run, TinyData::model, null, null));
        assertTrue(noCk.getMessage().contains("nothing to resume"), noCk.getMessage());
    }

    @Test
    void aModelThatDoesNotFitTheImagesFailsBeforeTraining() {
        ModelFactory wrong = (name, classes, channels, size) -> TinyData.model(name, classes + 1, channels, size);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassificationTrainer.train("wrong", TinyData.data(), TinyData.config().build(),
                        tmp.resolve("w"), wrong, null));
        assertTrue(e.getMessage().contains("expected logits [1, 3]"), e.getMessage());

        IllegalArgumentException lenet = assertThrows(IllegalArgumentException.class,
                () -> ClassificationTrainer.train("lenet", TinyData.data(), TinyData.config().build(),
                        tmp.resolve("l"), VisionModels::create, null));
        assertTrue(lenet.getMessage().contains("cannot take the images of tiny"), lenet.getMessage());
    }

    private static EpochStats withoutSeconds(EpochStats s) {
        return new EpochStats(s.epoch(), s.trainLoss(), s.trainAcc(), s.testLoss(), s.testAcc(), s.lr(), 0);
    }
}
