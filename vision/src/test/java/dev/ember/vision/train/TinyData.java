package dev.ember.vision.train;

import dev.ember.data.TensorDataset;
import dev.ember.nn.Dropout;
import dev.ember.nn.Flatten;
import dev.ember.nn.Linear;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.tensor.Generator;
import dev.ember.tensor.Tensor;
import java.util.List;

/**
 * A tiny, easy classification problem for pipeline tests: 8x8 grey images of three classes (a bright row, a
 * bright column, a bright diagonal, at a random place, over noise), pixels multiples of 1/255 so a PNG holds
 * them exactly, and a two-layer MLP with dropout (so the random stream matters for resuming).
 */
final class TinyData {
    static final int SIZE = 8;
    static final List<String> CLASSES = List.of("row", "column", "diagonal");
    static final double MEAN = 0.25;
    static final double STD = 0.5;

    private TinyData() {
    }

    /** Raw pixels in [0, 1] (n, 1, 8, 8) and labels cycling 0, 1, 2. */
    static Tensor[] images(int n, long seed) {
        Generator g = new Generator(seed);
        float[] px = new float[n * SIZE * SIZE];
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            labels[i] = c;
            int at = 1 + (int) g.nextLong(SIZE - 2);
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    boolean on = switch (c) {
                        case 0 -> y == at;
                        case 1 -> x == at;
                        default -> x == y;
                    };
                    int v = on ? 200 + (int) g.nextLong(56) : (int) g.nextLong(60);
                    px[i * SIZE * SIZE + y * SIZE + x] = v / 255f;
                }
            }
        }
        return new Tensor[] {Tensor.of(px, n, 1, SIZE, SIZE), Tensor.of(labels, n)};
    }

    static ClassificationData data() {
        Tensor[] train = images(30, 1);
        Tensor[] test = images(12, 2);
        return new ClassificationData("tiny", new TensorDataset(normalize(train[0]), train[1]),
                new TensorDataset(normalize(test[0]), test[1]), CLASSES, 1, SIZE, SIZE, new double[] {MEAN},
                new double[] {STD}, Augment.randomCrop(1, -MEAN / STD));
    }

    static Tensor normalize(Tensor pixels) {
        return pixels.sub(MEAN).div(STD);
    }

    /** The factory of the tests: any name gives the same small MLP. */
    static Module model(String name, int numClasses, int inChannels, int imageSize) {
        return new Sequential(new Flatten(), new Linear((long) inChannels * imageSize * imageSize, 16), new ReLU(),
                new Dropout(0.2), new Linear(16, numClasses));
    }

    static TrainConfig.Builder config() {
        return TrainConfig.builder().epochs(3).batchSize(6).lr(0.05).workers(0).evalBatchSize(5).gridSize(6);
    }
}
