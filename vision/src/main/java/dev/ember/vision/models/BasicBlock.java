package dev.ember.vision.models;

import dev.ember.nn.BatchNorm2d;
import dev.ember.nn.Conv2d;
import dev.ember.nn.Layer;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.tensor.Tensor;

/**
 * ResNet's two-convolution block, as torchvision's {@code BasicBlock} (expansion 1):
 * {@code relu(bn2(conv2(relu(bn1(conv1(x))))) + identity)}, with conv1 3x3 at {@code stride} and conv2 3x3, both
 * without bias; identity is x or {@code downsample(x)}. input (N, inplanes, H, W) -> (N, planes, H/stride, W/stride).
 * Children: conv1, bn1, relu, conv2, bn2 and, when given, downsample.
 */
public class BasicBlock extends Module implements Layer {
    public static final int EXPANSION = 1;

    public final Conv2d conv1;
    public final BatchNorm2d bn1;
    public final ReLU relu;
    public final Conv2d conv2;
    public final BatchNorm2d bn2;
    /** Null when the identity needs no projection. */
    public final Sequential downsample;

    public BasicBlock(long inplanes, long planes, long stride, Sequential downsample) {
        this.conv1 = registerModule("conv1", new Conv2d(inplanes, planes, 3, stride, 1, 1, 1, false, "zeros"));
        this.bn1 = registerModule("bn1", new BatchNorm2d(planes));
        this.relu = registerModule("relu", new ReLU());
        this.conv2 = registerModule("conv2", new Conv2d(planes, planes, 3, 1, 1, 1, 1, false, "zeros"));
        this.bn2 = registerModule("bn2", new BatchNorm2d(planes));
        this.downsample = downsample == null ? null : registerModule("downsample", downsample);
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor out = relu.forward(bn1.forward(conv1.forward(x)));
        out = bn2.forward(conv2.forward(out));
        Tensor identity = downsample == null ? x : downsample.forward(x);
        return relu.forward(out.add(identity));
    }
}
