package dev.ember.io;

import dev.ember.Ember;
import dev.ember.data.DataLoader;
import dev.ember.data.TensorDataset;
import dev.ember.nn.Dropout;
import dev.ember.nn.Linear;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.optim.SGD;
import dev.ember.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented resume recipe end to end: a run interrupted after epoch 1 and resumed from its checkpoint
 * (model, SGD momentum, RNG for dropout, DataLoader epoch) ends bit-identical to an uninterrupted run.
 */
class CheckpointResumeTest {
    @TempDir
    Path dir;

    private static final int EPOCHS = 4;

    private record Run(Sequential model, SGD optimizer, DataLoader<List<Tensor>, List<Tensor>> loader) {
    }

    private static Run newRun() {
        Tensor x = Tensor.arange(0.0, 24.0, 1.0).reshape(12, 2).div(10.0);
        Tensor y = x.sum(1, true).sin();
        var loader = DataLoader.builder(new TensorDataset(x, y)).batchSize(4).shuffle(true).seed(11).build();
        Sequential model = new Sequential(new Linear(2, 6), new ReLU(), new Dropout(0.3), new Linear(6, 1));
        SGD optimizer = new SGD(model.parameters(), SGD.options().lr(0.1).momentum(0.9));
        return new Run(model, optimizer, loader);
    }

    private static void trainEpoch(Run r) {
        for (List<Tensor> batch : r.loader()) {
            r.optimizer().zeroGrad();
            Tensor loss = r.model().forward(batch.get(0)).sub(batch.get(1)).pow(2.0).mean();
            loss.backward();
            r.optimizer().step();
        }
    }

    @Test
    void resumedRunMatchesAnUninterruptedOne() throws IOException {
        Ember.manualSeed(2024);
        Run straight = newRun();
        for (int e = 0; e < EPOCHS; e++) {
            trainEpoch(straight);
        }

        Ember.manualSeed(2024);
        Run first = newRun();
        trainEpoch(first);
        trainEpoch(first);
        Path ck = dir.resolve("ck.safetensors");
        Checkpoint.save(ck, first.model(), first.optimizer().stateDict(), 1, 6, Map.of());

        Ember.manualSeed(77); // a new process: other initial weights, other RNG position
        Run resumed = newRun();
        Checkpoint c = Checkpoint.resume(ck, resumed.model());
        resumed.optimizer().loadStateDict(c.optimizerState());
        resumed.loader().setEpoch(c.epoch() + 1);
        for (long e = c.epoch() + 1; e < EPOCHS; e++) {
            trainEpoch(resumed);
        }

        Map<String, Tensor> expected = straight.model().stateDict();
        Map<String, Tensor> actual = resumed.model().stateDict();
        expected.forEach((k, v) -> Fixtures.assertSame(v, actual.get(k), k));
    }
}
