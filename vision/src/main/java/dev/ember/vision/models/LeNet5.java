package dev.ember.vision.models;

import dev.ember.nn.Conv2d;
import dev.ember.nn.Flatten;
import dev.ember.nn.Layer;
import dev.ember.nn.Linear;
import dev.ember.nn.MaxPool2d;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.tensor.Tensor;

/**
 * LeNet-5 (LeCun et al., 1998) in its modern form: ReLU and max pooling instead of tanh and subsampling.
 * Input (N, inChannels, 28, 28) -> logits (N, numClasses). The first convolution pads by 2, so 28x28 inputs
 * (MNIST) reach the classic 5x5x16 = 400 features; 32x32 inputs are not accepted (they give 6x6x16 features).
 *
 * <p>Layout, in torchvision style ({@code features} then {@code classifier}), so state-dict keys are
 * {@code features.0.weight}, {@code features.3.weight}, {@code classifier.1.weight}, {@code classifier.3.weight},
 * {@code classifier.5.weight} (and biases):
 * <pre>
 * features:   0 Conv2d(inChannels, 6, 5, padding=2), 1 ReLU, 2 MaxPool2d(2),
 *             3 Conv2d(6, 16, 5), 4 ReLU, 5 MaxPool2d(2)
 * classifier: 0 Flatten, 1 Linear(400, 120), 2 ReLU, 3 Linear(120, 84), 4 ReLU, 5 Linear(84, numClasses)
 * </pre>
 * With one input channel and 10 classes it has 61,706 parameters. Layers keep PyTorch's default
 * initialisation (as a {@code nn.Module} written this way in PyTorch would).
 */
public class LeNet5 extends Module implements Layer {
    public final long numClasses;
    public final long inChannels;
    public final Sequential features;
    public final Sequential classifier;

    /** One input channel, 10 classes (MNIST). */
    public LeNet5() {
        this(10, 1);
    }

    public LeNet5(long numClasses) {
        this(numClasses, 1);
    }

    public LeNet5(long numClasses, long inChannels) {
        if (numClasses < 1 || inChannels < 1) {
            throw new IllegalArgumentException("LeNet5: numClasses and inChannels must be >= 1, got "
                    + numClasses + " and " + inChannels);
        }
        this.numClasses = numClasses;
        this.inChannels = inChannels;
        this.features = registerModule("features", new Sequential(
                new Conv2d(inChannels, 6, 5, 1, 2), new ReLU(), new MaxPool2d(2),
                new Conv2d(6, 16, 5), new ReLU(), new MaxPool2d(2)));
        this.classifier = registerModule("classifier", new Sequential(
                new Flatten(), new Linear(400, 120), new ReLU(), new Linear(120, 84), new ReLU(),
                new Linear(84, numClasses)));
    }

    /** input (N, inChannels, 28, 28) -> logits (N, numClasses). */
    @Override
    public Tensor forward(Tensor input) {
        ModelChecks.checkImage("LeNet5", input, inChannels);
        long[] s = input.shape();
        if (s[2] != 28 || s[3] != 28) {
            throw new IllegalArgumentException("LeNet5: expected 28x28 images (N, " + inChannels
                    + ", 28, 28), got input of shape " + java.util.Arrays.toString(s));
        }
        return classifier.forward(features.forward(input));
    }
}
