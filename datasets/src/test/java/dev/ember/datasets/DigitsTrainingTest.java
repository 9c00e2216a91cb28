package dev.ember.datasets;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.autograd.Autograd;
import dev.ember.data.DataLoader;
import dev.ember.data.TensorDataset;
import dev.ember.nn.Linear;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.nn.functional.F;
import dev.ember.optim.Adam;
import dev.ember.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * End to end on real data: a small MLP trained with the PyTorch-style loop (DataLoader, forward, crossEntropy,
 * backward, Adam) on scikit-learn's digits reaches at least 95% accuracy on a held-out quarter, in seconds.
 */
class DigitsTrainingTest {

    @Test
    void mlpLearnsDigits() {
        Ember.manualSeed(0);
        DigitsData.Split split = Digits.load(true).split(0.25, 0);
        Sequential model = new Sequential(new Linear(64, 64), new ReLU(), new Linear(64, 10));
        Adam optimizer = new Adam(model.parameters(), Adam.options().lr(1e-2));
        DataLoader<List<Tensor>, List<Tensor>> loader = DataLoader
                .builder(new TensorDataset(split.train().features(), split.train().labels()))
                .batchSize(32).shuffle(true).seed(0).build();

        for (int epoch = 0; epoch < 15; epoch++) {
            for (List<Tensor> batch : loader) {
                optimizer.zeroGrad();
                Tensor loss = F.crossEntropy(model.forward(batch.get(0)), batch.get(1));
                loss.backward();
                optimizer.step();
            }
        }

        model.eval();
        double accuracy;
        try (var ignored = Autograd.noGrad()) {
            Tensor predicted = model.forward(split.test().features()).argmax(1, false);
            accuracy = predicted.eq(split.test().labels()).sum().item() / split.test().size();
        }
        assertTrue(accuracy >= 0.95, "held-out accuracy " + accuracy);
    }
}
