package dev.ember.vision.models;

import dev.ember.nn.AdaptiveAvgPool2d;
import dev.ember.nn.Dropout;
import dev.ember.nn.Init;
import dev.ember.nn.Layer;
import dev.ember.nn.Linear;
import dev.ember.nn.Module;
import dev.ember.nn.SiLU;
import dev.ember.nn.Sequential;
import dev.ember.tensor.Tensor;
import dev.ember.vision.layers.Conv2dNormActivation;

/**
 * EfficientNet (Tan and Le, 2019), as torchvision's {@code models.EfficientNet} (V1): {@code features} =
 * Sequential(0 Conv2dNormActivation(inChannels, 32, 3, stride 2, SiLU), 1..7 stages of {@link MBConv} blocks,
 * 8 Conv2dNormActivation(320, 1280, 1, SiLU)), {@code avgpool} AdaptiveAvgPool2d(1), {@code classifier} =
 * Sequential(0 Dropout(dropout), 1 Linear(1280, numClasses)); channel counts scaled by {@code widthMult} and
 * block counts by {@code depthMult} as torchvision does. State-dict keys equal torchvision's
 * ({@code features.1.0.block.1.fc1.weight}, ...). Block i of n (over all stages) gets stochastic depth probability
 * {@code stochasticDepthProb * i / n}.
 *
 * <p>input (N, inChannels, H, W) -> logits (N, numClasses); any image size works (the stride-2 convolutions pad,
 * then the pool is adaptive). EfficientNet-B0 with 1000 classes has 5,288,548 parameters.
 *
 * <p>Initialisation as torchvision: convolutions kaiming_normal(fan_out), batch norms weight 1 bias 0, linear
 * weights U(+-1/sqrt(out_features)) with zero bias.
 */
public class EfficientNet extends Module implements Layer {
    /** B0's stages: expand ratio, kernel, stride, input channels, output channels, blocks. */
    private static final int[][] B0_STAGES = {
        {1, 3, 1, 32, 16, 1},
        {6, 3, 2, 16, 24, 2},
        {6, 5, 2, 24, 40, 2},
        {6, 3, 2, 40, 80, 3},
        {6, 5, 1, 80, 112, 3},
        {6, 5, 2, 112, 192, 4},
        {6, 3, 1, 192, 320, 1},
    };

    public final long inChannels;
    public final long numClasses;
    public final Sequential features;
    public final AdaptiveAvgPool2d avgpool;
    public final Sequential classifier;

    /**
     * @param widthMult channel multiplier (1.0 for B0, 1.1 for B2, ...)
     * @param depthMult block-count multiplier (1.0 for B0, 1.1 for B1, ...)
     * @param dropout   probability of the classifier's Dropout (0.2 for B0)
     * @param stochasticDepthProb the largest stochastic depth probability (torchvision's 0.2)
     */
    public EfficientNet(double widthMult, double depthMult, double dropout, double stochasticDepthProb,
                        long numClasses, long inChannels) {
        if (numClasses < 1 || inChannels < 1) {
            throw new IllegalArgumentException("EfficientNet: numClasses and inChannels must be >= 1, got "
                    + numClasses + " and " + inChannels);
        }
        if (!(widthMult > 0) || !(depthMult > 0)) {
            throw new IllegalArgumentException("EfficientNet: widthMult and depthMult must be positive, got "
                    + widthMult + " and " + depthMult);
        }
        this.inChannels = inChannels;
        this.numClasses = numClasses;
        Sequential layers = new Sequential();
        long firstOut = makeDivisible(B0_STAGES[0][3] * widthMult);
        layers.add(new Conv2dNormActivation(inChannels, firstOut, 3, 2, 1, SiLU::new));
        int total = 0;
        for (int[] s : B0_STAGES) {
            total += (int) Math.ceil(s[5] * depthMult);
        }
        int blockId = 0;
        long lastOut = 0;
        for (int[] s : B0_STAGES) {
            long in = makeDivisible(s[3] * widthMult);
            long out = makeDivisible(s[4] * widthMult);
            int blocks = (int) Math.ceil(s[5] * depthMult);
            Sequential stage = new Sequential();
            for (int b = 0; b < blocks; b++) {
                long blockIn = b == 0 ? in : out;
                long stride = b == 0 ? s[2] : 1;
                double sd = stochasticDepthProb * blockId / total;
                stage.add(new MBConv(blockIn, makeDivisible(blockIn * (double) s[0]), out, s[1], stride, sd));
                blockId++;
            }
            layers.add(stage);
            lastOut = out;
        }
        long lastChannels = 4 * lastOut;
        layers.add(new Conv2dNormActivation(lastOut, lastChannels, 1, 1, 1, SiLU::new));
        this.features = registerModule("features", layers);
        this.avgpool = registerModule("avgpool", new AdaptiveAvgPool2d(1));
        this.classifier = registerModule("classifier", new Sequential(new Dropout(dropout),
                new Linear(lastChannels, numClasses)));
        TorchvisionInit.convAndBatchNorm(this);
        for (Module m : modules()) {
            if (m instanceof Linear l) {
                double range = 1.0 / Math.sqrt(l.outFeatures);
                Init.uniform(l.weight, -range, range);
                Init.zeros(l.bias);
            }
        }
    }

    /** torchvision's {@code _make_divisible(v, 8)}: the nearest multiple of 8, at least 8 and at least 0.9 v. */
    static long makeDivisible(double v) {
        long divisor = 8;
        long newV = Math.max(divisor, (long) (v + divisor / 2.0) / divisor * divisor);
        if (newV < 0.9 * v) {
            newV += divisor;
        }
        return newV;
    }

    /** input (N, inChannels, H, W) -> logits (N, numClasses). */
    @Override
    public Tensor forward(Tensor input) {
        ModelChecks.checkImage("EfficientNet", input, inChannels);
        Tensor x = avgpool.forward(features.forward(input));
        return classifier.forward(x.flatten(1, -1));
    }
}
