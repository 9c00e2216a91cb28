package dev.ember.vision.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading a run and predicting top-k classes, from tensors and from image files. */
class PredictorTest {

    @TempDir
    static Path tmp;
    static Path run;
    static TrainResult trained;

    @BeforeAll
    static void train() throws IOException {
        run = tmp.resolve("run");
        trained = ClassificationTrainer.train("tiny", TinyData.data(), TinyData.config().plots(false).build(), run,
                TinyData::model, null);
    }

    @Test
    void topKIsSortedAndAgreesWithTheEvaluation() throws IOException {
        Predictor p = Predictor.load(run, TinyData::model);
        ClassificationData data = TinyData.data();
        Tensor images = Tensor.stack(List.of(data.test().get(0).get(0), data.test().get(1).get(0)), 0);
        List<List<Prediction>> out = p.predict(images, 5); // clamped to the 3 classes
        assertEquals(2, out.size());
        for (int i = 0; i < 2; i++) {
            List<Prediction> ps = out.get(i);
            assertEquals(3, ps.size());
            assertTrue(ps.get(0).probability() >= ps.get(1).probability()
                    && ps.get(1).probability() >= ps.get(2).probability(), ps.toString());
            assertEquals(1.0, ps.stream().mapToDouble(Prediction::probability).sum(), 1e-5);
            assertEquals(trained.test().predicted()[i], ps.get(0).index());
            assertEquals(trained.test().confidence()[i], ps.get(0).probability(), 1e-6);
            assertEquals(TinyData.CLASSES.get(ps.get(0).index()), ps.get(0).label());
        }
        assertEquals(1, p.predict(data.test().get(0).get(0), 1).get(0).size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.predict(Tensor.zeros(1, 3, 8, 8), 1));
        assertTrue(e.getMessage().contains("expected images (N, 1, 8, 8)"), e.getMessage());
    }

    @Test
    void predictsAnImageFileAsTheSameTensor() throws IOException {
        Tensor[] raw = TinyData.images(12, 2); // the test split's pixels, multiples of 1/255
        Path png = tmp.resolve("example.png");
        writeGrey(raw[0].select(0, 4).select(0, 0), png);
        Predictor p = Predictor.load(run, TinyData::model);
        List<Prediction> fromFile = p.predictFile(png, 3);
        List<Prediction> fromTensor = p.predict(TinyData.normalize(raw[0].select(0, 4)), 3).get(0);
        for (int k = 0; k < 3; k++) {
            assertEquals(fromTensor.get(k).index(), fromFile.get(k).index());
            assertEquals(fromTensor.get(k).probability(), fromFile.get(k).probability(), 1e-5);
        }
    }

    @Test
    void loadFailsClearlyWithoutARun() {
        IOException e = assertThrows(IOException.class, () -> Predictor.load(tmp.resolve("none"), TinyData::model));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    }

    private static void writeGrey(Tensor hw, Path path) throws IOException {
        int h = (int) hw.shape()[0];
        int w = (int) hw.shape()[1];
        double[] v = hw.toDoubleArray();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int g = (int) Math.round(v[y * w + x] * 255);
                img.setRGB(x, y, (g << 16) | (g << 8) | g);
            }
        }
        ImageIO.write(img, "png", path.toFile());
        assertTrue(Files.size(path) > 0);
    }
}
