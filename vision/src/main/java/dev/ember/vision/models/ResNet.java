package dev.ember.vision.models;

import dev.ember.nn.AdaptiveAvgPool2d;
import dev.ember.nn.BatchNorm2d;
import dev.ember.nn.Conv2d;
import dev.ember.nn.Init;
import dev.ember.nn.Layer;
import dev.ember.nn.Linear;
import dev.ember.nn.MaxPool2d;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.tensor.Tensor;
import java.util.Arrays;

/**
 * ResNet (He et al., 2015), as torchvision's {@code models.ResNet}: {@code conv1} 7x7/2 (no bias), {@code bn1},
 * {@code relu}, {@code maxpool} 3x3/2, {@code layer1..layer4} (Sequentials of {@link BasicBlock} or
 * {@link Bottleneck}; the first block of a stage gets {@code downsample} = Sequential(0 Conv2d 1x1 at the stride,
 * 1 BatchNorm2d) when the shape changes), {@code avgpool} AdaptiveAvgPool2d(1), {@code fc} Linear. State-dict keys
 * equal torchvision's, so its weights load unchanged.
 *
 * <p>input (N, inChannels, H, W) -> logits (N, numClasses). The network downsamples by 32 (padded strides round
 * up) and then pools adaptively, so any image size works: CIFAR's 32x32 and MNIST's 28x28 leave 1x1 before the
 * pool. The ImageNet stem is kept for small images (not the best stem for them, but the weights stay
 * interchangeable with torchvision's). Parameters with 1000 classes:
 * resnet18 11,689,512; resnet34 21,797,672; resnet50 25,557,032.
 *
 * <p>Initialisation as torchvision: convolutions kaiming_normal(fan_out, relu), batch norms weight 1 bias 0, fc
 * PyTorch's Linear default; with {@code zeroInitResidual} the last batch norm of each block (bn2 or bn3) starts
 * with weight 0, so each residual branch starts as the identity.
 */
public class ResNet extends Module implements Layer {
    /** Which residual block a ResNet stacks. */
    public enum Block { BASIC, BOTTLENECK }

    public final Block block;
    public final long inChannels;
    public final long numClasses;
    public final Conv2d conv1;
    public final BatchNorm2d bn1;
    public final ReLU relu;
    public final MaxPool2d maxpool;
    public final Sequential layer1;
    public final Sequential layer2;
    public final Sequential layer3;
    public final Sequential layer4;
    public final AdaptiveAvgPool2d avgpool;
    public final Linear fc;
    private final long groups;
    private final long baseWidth;
    private long inplanes = 64;

    /** torchvision's signature: {@code ResNet(block, layers, num_classes, zero_init_residual)}, 3 input channels. */
    public ResNet(Block block, int[] layers, long numClasses, boolean zeroInitResidual) {
        this(block, layers, numClasses, zeroInitResidual, 1, 64, 3);
    }

    /**
     * @param layers     blocks per stage (4 entries), e.g. {2, 2, 2, 2} for ResNet-18
     * @param groups     grouped 3x3 convolutions in bottlenecks (ResNeXt); 1 for ResNet
     * @param widthPerGroup bottleneck base width (64 for ResNet, 128 for Wide ResNet-50-2)
     * @param inChannels image channels (torchvision fixes 3; 1 for grey images)
     */
    public ResNet(Block block, int[] layers, long numClasses, boolean zeroInitResidual, long groups,
                  long widthPerGroup, long inChannels) {
        if (layers.length != 4 || Arrays.stream(layers).anyMatch(n -> n < 1)) {
            throw new IllegalArgumentException("ResNet: layers must be 4 positive block counts, got "
                    + Arrays.toString(layers));
        }
        if (numClasses < 1 || inChannels < 1) {
            throw new IllegalArgumentException("ResNet: numClasses and inChannels must be >= 1, got " + numClasses
                    + " and " + inChannels);
        }
        if (block == Block.BASIC && (groups != 1 || widthPerGroup != 64)) {
            throw new IllegalArgumentException("ResNet: BasicBlock only supports groups=1 and base_width=64, got "
                    + groups + " and " + widthPerGroup);
        }
        this.block = block;
        this.inChannels = inChannels;
        this.numClasses = numClasses;
        this.groups = groups;
        this.baseWidth = widthPerGroup;
        this.conv1 = registerModule("conv1", new Conv2d(inChannels, 64, 7, 2, 3, 1, 1, false, "zeros"));
        this.bn1 = registerModule("bn1", new BatchNorm2d(64));
        this.relu = registerModule("relu", new ReLU());
        this.maxpool = registerModule("maxpool", new MaxPool2d(3, 2, 1));
        this.layer1 = registerModule("layer1", makeLayer(64, layers[0], 1));
        this.layer2 = registerModule("layer2", makeLayer(128, layers[1], 2));
        this.layer3 = registerModule("layer3", makeLayer(256, layers[2], 2));
        this.layer4 = registerModule("layer4", makeLayer(512, layers[3], 2));
        this.avgpool = registerModule("avgpool", new AdaptiveAvgPool2d(1));
        this.fc = registerModule("fc", new Linear(512L * expansion(), numClasses));
        TorchvisionInit.convAndBatchNorm(this);
        if (zeroInitResidual) {
            for (Module m : modules()) {
                if (m instanceof Bottleneck b) {
                    Init.zeros(b.bn3.weight);
                } else if (m instanceof BasicBlock b) {
                    Init.zeros(b.bn2.weight);
                }
            }
        }
    }

    private int expansion() {
        return block == Block.BASIC ? BasicBlock.EXPANSION : Bottleneck.EXPANSION;
    }

    private Sequential makeLayer(long planes, int blocks, long stride) {
        Sequential downsample = null;
        if (stride != 1 || inplanes != planes * expansion()) {
            downsample = new Sequential(
                    new Conv2d(inplanes, planes * expansion(), 1, stride, 0, 1, 1, false, "zeros"),
                    new BatchNorm2d(planes * expansion()));
        }
        Sequential stage = new Sequential(newBlock(inplanes, planes, stride, downsample));
        inplanes = planes * expansion();
        for (int i = 1; i < blocks; i++) {
            stage.add(newBlock(inplanes, planes, 1, null));
        }
        return stage;
    }

    private Layer newBlock(long in, long planes, long stride, Sequential downsample) {
        return block == Block.BASIC
                ? new BasicBlock(in, planes, stride, downsample)
                : new Bottleneck(in, planes, stride, downsample, groups, baseWidth);
    }

    /** input (N, inChannels, H, W) -> logits (N, numClasses). */
    @Override
    public Tensor forward(Tensor input) {
        ModelChecks.checkImage("ResNet", input, inChannels);
        Tensor x = maxpool.forward(relu.forward(bn1.forward(conv1.forward(input))));
        x = layer4.forward(layer3.forward(layer2.forward(layer1.forward(x))));
        return fc.forward(avgpool.forward(x).flatten(1, -1));
    }
}
