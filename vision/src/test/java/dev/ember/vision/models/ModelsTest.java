package dev.ember.vision.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.autograd.Autograd;
import dev.ember.nn.BatchNorm2d;
import dev.ember.nn.Conv2d;
import dev.ember.nn.Layer;
import dev.ember.nn.Linear;
import dev.ember.nn.Module;
import dev.ember.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Factories, forward shapes on small images, train/eval behaviour, torchvision's initialisation, errors. */
class ModelsTest {
    static Tensor run(Module m, Tensor x) {
        try (var ignored = Autograd.noGrad()) {
            return ((Layer) m).forward(x);
        }
    }

    static double std(Tensor t) {
        return t.detach().std().item();
    }

    @Test
    void createBuildsTheNamedModelForSmallImages() {
        Module lenet = Models.create("lenet", 10, 1);
        assertTrue(lenet instanceof LeNet5);
        assertArrayEquals(new long[] {2, 10}, run(lenet, Tensor.randn(2, 1, 28, 28)).shape());

        Module r18 = Models.create("resnet18", 10, 1, 28); // MNIST-sized
        assertTrue(r18 instanceof ResNet r && r.block == ResNet.Block.BASIC);
        assertArrayEquals(new long[] {2, 10}, run(r18, Tensor.randn(2, 1, 28, 28)).shape());

        Module eff = Models.create("efficientnet_b0", 7, 3, 32);
        assertArrayEquals(new long[] {2, 7}, run(eff, Tensor.randn(2, 3, 32, 32)).shape());

        Module vit = Models.create("vit_tiny", 10, 3, 32);
        VisionTransformer v = (VisionTransformer) vit;
        assertEquals(4, v.patchSize);
        assertEquals(65, v.seqLength);
        assertEquals(192, v.hiddenDim);
        assertArrayEquals(new long[] {2, 10}, run(vit, Tensor.randn(2, 3, 32, 32)).shape());
        assertEquals(16, ((VisionTransformer) Models.create("vit_small", 10, 3, 64)).patchSize);
    }

    @Test
    void createRejectsUnknownNamesAndUnusableSizes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Models.create("resnet101", 10));
        assertTrue(e.getMessage().contains("resnet101") && e.getMessage().contains("vit_b_16"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Models.create("vgg11", 10, 1, 28));
        assertTrue(e.getMessage().contains("32x32"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Models.create("lenet", 10, 1, 32));
        assertTrue(e.getMessage().contains("28x28"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Models.create("vit_tiny", 10, 3, 30));
        assertTrue(e.getMessage().contains("multiple of 4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Models.create("resnet18", 0, 3));
        assertEquals(12, Models.NAMES.size());
    }

    /** torchvision's VGG init, on a small stand-in (the real classifier's 120M normal draws take seconds). */
    @Test
    void vggInitialisation() {
        Ember.manualSeed(0);
        dev.ember.nn.Sequential m = new dev.ember.nn.Sequential(new Conv2d(3, 64, 3, 1, 1), new BatchNorm2d(64),
                new Linear(512, 400));
        try (var ignored = Autograd.noGrad()) {
            ((BatchNorm2d) m.get(1)).weight.filli(3);
        }
        VGG.initWeights(m);
        Linear fc = (Linear) m.get(2);
        assertEquals(0.01, std(fc.weight), 0.0005);
        assertEquals(0, fc.bias.abs().sum().item());
        Conv2d c0 = (Conv2d) m.get(0);
        assertEquals(Math.sqrt(2.0 / (64 * 9)), std(c0.weight), 0.05 * Math.sqrt(2.0 / (64 * 9)));
        assertEquals(0, c0.bias.abs().sum().item());
        assertEquals(64, ((BatchNorm2d) m.get(1)).weight.sum().item());
    }

    @Test
    void resnetBatchNormTrainsRunningStatsAndEvalUsesThem() {
        Ember.manualSeed(0);
        ResNet m = Models.resnet18(5);
        // torchvision's init: kaiming_normal(fan_out, relu) on convs, BN weight 1, bias 0
        assertEquals(Math.sqrt(2.0 / (64 * 49)), std(m.conv1.weight), 0.05 * Math.sqrt(2.0 / (64 * 49)));
        assertEquals(64, m.bn1.weight.sum().item());
        Tensor x = Tensor.randn(4, 3, 32, 32).mul(2).add(1);
        m.eval();
        Tensor before = run(m, x);
        m.train();
        Tensor trainOut = run(m, x);
        assertEquals(1, m.bn1.numBatchesTracked().item());
        assertTrue(m.bn1.runningMean().abs().sum().item() > 0, "running mean moved");
        m.eval();
        Tensor after = run(m, x);
        assertTrue(trainOut.sub(after).abs().max().item() > 1e-4, "train mode normalises with batch statistics");
        assertTrue(before.sub(after).abs().max().item() > 1e-6, "eval uses the updated running statistics");
        assertEquals(0, after.sub(run(m, x)).abs().max().item());
    }

    @Test
    void resnet50BottleneckWithZeroInitResidual() {
        ResNet m = new ResNet(ResNet.Block.BOTTLENECK, new int[] {3, 4, 6, 3}, 10, true);
        int blocks = 0;
        for (Module mod : m.modules()) {
            if (mod instanceof Bottleneck b) {
                assertEquals(0, b.bn3.weight.abs().sum().item());
                assertEquals(b.bn2.weight.numel(), b.bn2.weight.sum().item());
                blocks++;
            }
        }
        assertEquals(16, blocks);
        assertTrue(m.layer1.get(0) instanceof Bottleneck b && b.downsample != null && b.downsample.size() == 2);
        assertTrue(m.layer1.get(1) instanceof Bottleneck b && b.downsample == null);
        m.eval();
        assertArrayEquals(new long[] {1, 10}, run(m, Tensor.randn(1, 3, 32, 32)).shape());
        ResNet r18 = new ResNet(ResNet.Block.BASIC, new int[] {2, 2, 2, 2}, 10, true);
        assertEquals(0, ((BasicBlock) r18.layer2.get(1)).bn2.weight.abs().sum().item());
    }

    @Test
    void resnetBackwardReachesEveryParameter() {
        ResNet m = Models.resnet18(3);
        m.forward(Tensor.randn(2, 3, 32, 32)).sum().backward();
        for (var e : m.namedParameters().entrySet()) {
            assertTrue(e.getValue().grad() != null, e.getKey());
        }
    }

    @Test
    void efficientnetDropoutAndStochasticDepthOnlyInTraining() {
        Ember.manualSeed(0);
        EfficientNet m = Models.efficientnetB0(4);
        // torchvision's init: the classifier is U(+-1/sqrt(out_features)), bias 0
        Linear head = (Linear) m.classifier.get(1);
        assertTrue(head.weight.abs().max().item() <= 0.5 && head.weight.abs().max().item() > 0.45);
        assertEquals(0, head.bias.abs().sum().item());
        MBConv last = (MBConv) ((dev.ember.nn.Sequential) m.features.get(6)).get(3);
        assertEquals(0.2 * 14 / 16, last.stochasticDepth.p, 1e-12);
        Tensor x = Tensor.randn(2, 3, 32, 32);
        m.train();
        Tensor a = run(m, x);
        Tensor b = run(m, x);
        assertTrue(a.sub(b).abs().max().item() > 0);
        m.eval();
        assertEquals(0, run(m, x).sub(run(m, x)).abs().max().item());
    }

    @Test
    void vitDropoutOnlyInTrainingAndZeroHeadAtInit() {
        Ember.manualSeed(0);
        VisionTransformer m = new VisionTransformer(16, 4, 2, 2, 32, 64, 0.2, 0.1, 3);
        m.eval();
        Tensor x = Tensor.randn(2, 3, 16, 16);
        assertEquals(0, run(m, x).abs().max().item(), "torchvision starts the head at zero");
        Ember.manualSeed(1);
        for (Tensor p : List.of(m.head.weight, m.head.bias)) {
            try (var ignored = Autograd.noGrad()) {
                p.copyi(Tensor.randn(p.shape()));
            }
        }
        assertEquals(0, run(m, x).sub(run(m, x)).abs().max().item());
        m.train();
        assertTrue(run(m, x).sub(run(m, x)).abs().max().item() > 0);
        m.forward(x).sum().backward();
        for (var e : m.namedParameters().entrySet()) {
            assertTrue(e.getValue().grad() != null, e.getKey());
        }
    }

    @Test
    void wrongInputChannelsAreReportedByTheModel() {
        List<Module> models = List.of(Models.resnet18(2), Models.efficientnetB0(2),
                new VisionTransformer(16, 4, 1, 2, 8, 16, 0, 0, 2));
        for (Module m : models) {
            var e = assertThrows(IllegalArgumentException.class, () -> ((Layer) m).forward(Tensor.randn(1, 1, 16, 16)));
            String name = m.getClass().getSimpleName();
            assertTrue(e.getMessage().startsWith(name + ": expected 3 input channels")
                    && e.getMessage().contains("[1, 1, 16, 16]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> ((Layer) m).forward(Tensor.randn(3, 16, 16)));
            assertTrue(e.getMessage().contains("4-D"), e.getMessage());
        }
        VisionTransformer vit = (VisionTransformer) models.get(2);
        var e = assertThrows(IllegalArgumentException.class, () -> vit.forward(Tensor.randn(1, 3, 32, 32)));
        assertTrue(e.getMessage().contains("16x16") && e.getMessage().contains("[1, 3, 32, 32]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new VisionTransformer(30, 8, 1, 2, 8, 16, 0, 0, 2));
        assertTrue(e.getMessage().contains("multiple of patchSize"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new VisionTransformer(32, 8, 1, 3, 8, 16, 0, 0, 2));
        assertTrue(e.getMessage().contains("divisible by numHeads"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new ResNet(ResNet.Block.BASIC, new int[] {2, 2, 2}, 10, false));
        assertTrue(e.getMessage().contains(Arrays.toString(new int[] {2, 2, 2})), e.getMessage());
    }
}
