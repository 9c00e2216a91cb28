package dev.ember.vision.models;

import dev.ember.nn.AdaptiveAvgPool2d;
import dev.ember.nn.BatchNorm2d;
import dev.ember.nn.Conv2d;
import dev.ember.nn.Dropout;
import dev.ember.nn.Init;
import dev.ember.nn.Layer;
import dev.ember.nn.Linear;
import dev.ember.nn.MaxPool2d;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.tensor.Tensor;

/**
 * VGG (Simonyan and Zisserman, 2014), as torchvision's {@code models.VGG}: {@code features} (3x3 convolutions,
 * optional batch norm, ReLU, 2x2 max pools, built by {@link #makeLayers}), {@code avgpool}
 * AdaptiveAvgPool2d((7, 7)), then {@code classifier} Sequential(0 Linear(512*7*7, 4096), 1 ReLU, 2 Dropout,
 * 3 Linear(4096, 4096), 4 ReLU, 5 Dropout, 6 Linear(4096, numClasses)). State-dict keys equal torchvision's
 * ({@code features.0.weight}, ..., {@code classifier.6.bias}), so its weights load unchanged.
 *
 * <p>input (N, inChannels, H, W) -> logits (N, numClasses). Any H, W >= 32 works: five max pools leave
 * H/32 x W/32 (1x1 for CIFAR's 32x32) and the adaptive pool always yields 7x7, so the classifier's 25088
 * inputs do not depend on the image size. Parameters: vgg11 132,863,336; vgg11_bn 132,868,840;
 * vgg16 138,357,544; vgg16_bn 138,365,992 (1000 classes); the first Linear alone holds 102.8M of them.
 *
 * <p>With {@code initWeights} (torchvision's default): convolutions kaiming_normal(fan_out, relu) with zero
 * bias, batch norms weight 1 bias 0, linears normal(0, 0.01) with zero bias.
 */
public class VGG extends Module implements Layer {
    /** torchvision's configurations: channel counts, -1 for a max pool. */
    public static final int[] CFG_A = {64, -1, 128, -1, 256, 256, -1, 512, 512, -1, 512, 512, -1};
    public static final int[] CFG_B = {64, 64, -1, 128, 128, -1, 256, 256, -1, 512, 512, -1, 512, 512, -1};
    public static final int[] CFG_D = {64, 64, -1, 128, 128, -1, 256, 256, 256, -1, 512, 512, 512, -1, 512, 512, 512,
        -1};
    public static final int[] CFG_E = {64, 64, -1, 128, 128, -1, 256, 256, 256, 256, -1, 512, 512, 512, 512, -1, 512,
        512, 512, 512, -1};

    public final long inChannels;
    public final long numClasses;
    public final Sequential features;
    public final AdaptiveAvgPool2d avgpool;
    public final Sequential classifier;

    /**
     * @param features   the convolutional part, from {@link #makeLayers}; must end with 512 channels
     * @param numClasses outputs of the last Linear
     * @param initWeights apply torchvision's initialisation (see the class comment)
     * @param dropout    probability of both Dropout layers (torchvision's default 0.5)
     */
    public VGG(Sequential features, long numClasses, boolean initWeights, double dropout) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("VGG: numClasses must be >= 1, got " + numClasses);
        }
        Conv2d first = null;
        for (Module m : features.modules()) {
            if (m instanceof Conv2d c) {
                first = c;
                break;
            }
        }
        if (first == null) {
            throw new IllegalArgumentException("VGG: features has no Conv2d");
        }
        this.inChannels = first.inChannels;
        this.numClasses = numClasses;
        this.features = registerModule("features", features);
        this.avgpool = registerModule("avgpool", new AdaptiveAvgPool2d(new long[] {7, 7}));
        this.classifier = registerModule("classifier", new Sequential(
                new Linear(512 * 7 * 7, 4096), new ReLU(), new Dropout(dropout),
                new Linear(4096, 4096), new ReLU(), new Dropout(dropout),
                new Linear(4096, numClasses)));
        if (initWeights) {
            initWeights(this);
        }
    }

    /**
     * torchvision's VGG initialisation, applied to every descendant of {@code model}: Conv2d
     * kaiming_normal(fan_out, relu) and zero bias, BatchNorm2d weight 1 and bias 0, Linear normal(0, 0.01) and
     * zero bias. Drawing the 120M normal values of the classifier takes seconds on a CPU.
     */
    public static void initWeights(Module model) {
        TorchvisionInit.convAndBatchNorm(model);
        for (Module m : model.modules()) {
            if (m instanceof Linear l) {
                Init.normal(l.weight, 0, 0.01);
                if (l.bias != null) {
                    Init.zeros(l.bias);
                }
            }
        }
    }

    /**
     * torchvision's {@code make_layers}: for each entry a Conv2d(c_in, c, 3, padding=1) (+ BatchNorm2d) + ReLU,
     * or for -1 a MaxPool2d(2, 2); indices in the Sequential follow that order.
     */
    public static Sequential makeLayers(int[] cfg, boolean batchNorm, long inChannels) {
        Sequential layers = new Sequential();
        long in = inChannels;
        for (int v : cfg) {
            if (v == -1) {
                layers.add(new MaxPool2d(2, 2));
            } else {
                layers.add(new Conv2d(in, v, 3, 1, 1));
                if (batchNorm) {
                    layers.add(new BatchNorm2d(v));
                }
                layers.add(new ReLU());
                in = v;
            }
        }
        if (in != 512) {
            throw new IllegalArgumentException("VGG.makeLayers: the configuration must end with 512 channels, got "
                    + in);
        }
        return layers;
    }

    /** input (N, inChannels, H, W), H, W >= 32 -> logits (N, numClasses). */
    @Override
    public Tensor forward(Tensor input) {
        ModelChecks.checkImage("VGG", input, inChannels);
        ModelChecks.checkMinSize("VGG", input, 32);
        Tensor x = avgpool.forward(features.forward(input));
        return classifier.forward(x.flatten(1, -1));
    }
}
