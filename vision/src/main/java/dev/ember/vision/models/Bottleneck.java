package dev.ember.vision.models;

import dev.ember.nn.BatchNorm2d;
import dev.ember.nn.Conv2d;
import dev.ember.nn.Layer;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.tensor.Tensor;

/**
 * ResNet's bottleneck block, as torchvision's {@code Bottleneck} (ResNet v1.5: the stride sits on the 3x3
 * convolution): conv1 1x1 (inplanes -> width), conv2 3x3 at {@code stride} (width -> width), conv3 1x1
 * (width -> planes * 4), each followed by batch norm, ReLU after the first two and after the residual sum.
 * width = planes * (baseWidth / 64) * groups. input (N, inplanes, H, W) -> (N, 4 * planes, H/stride, W/stride).
 * Children: conv1, bn1, conv2, bn2, conv3, bn3, relu and, when given, downsample.
 */
public class Bottleneck extends Module implements Layer {
    public static final int EXPANSION = 4;

    public final Conv2d conv1;
    public final BatchNorm2d bn1;
    public final Conv2d conv2;
    public final BatchNorm2d bn2;
    public final Conv2d conv3;
    public final BatchNorm2d bn3;
    public final ReLU relu;
    /** Null when the identity needs no projection. */
    public final Sequential downsample;

    public Bottleneck(long inplanes, long planes, long stride, Sequential downsample) {
        this(inplanes, planes, stride, downsample, 1, 64);
    }

    public Bottleneck(long inplanes, long planes, long stride, Sequential downsample, long groups, long baseWidth) {
        long width = (long) (planes * (baseWidth / 64.0)) * groups;
        this.conv1 = registerModule("conv1", new Conv2d(inplanes, width, 1, 1, 0, 1, 1, false, "zeros"));
        this.bn1 = registerModule("bn1", new BatchNorm2d(width));
        this.conv2 = registerModule("conv2", new Conv2d(width, width, 3, stride, 1, 1, groups, false, "zeros"));
        this.bn2 = registerModule("bn2", new BatchNorm2d(width));
        this.conv3 = registerModule("conv3", new Conv2d(width, planes * EXPANSION, 1, 1, 0, 1, 1, false, "zeros"));
        this.bn3 = registerModule("bn3", new BatchNorm2d(planes * EXPANSION));
        this.relu = registerModule("relu", new ReLU());
        this.downsample = downsample == null ? null : registerModule("downsample", downsample);
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor out = relu.forward(bn1.forward(conv1.forward(x)));
        out = relu.forward(bn2.forward(conv2.forward(out)));
        out = bn3.forward(conv3.forward(out));
        Tensor identity = downsample == null ? x : downsample.forward(x);
        return relu.forward(out.add(identity));
    }
}
