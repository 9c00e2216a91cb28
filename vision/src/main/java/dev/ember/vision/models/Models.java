package dev.ember.vision.models;

import dev.ember.nn.Layer;
import dev.ember.nn.Module;
import java.util.List;

/**
 * Factories mirroring torchvision's ({@code models.resnet18(num_classes=...)}, ...), plus {@link #create} for
 * picking a model by name. Every model is a {@link Module} and a {@link Layer}: images (N, C, H, W) -> logits
 * (N, numClasses), with torchvision's state-dict keys, so torchvision weights saved as safetensors load unchanged
 * (when the class count and channels match).
 *
 * <p>Small images: ResNet and EfficientNet take any size (28x28 and 32x32 included, they pool adaptively); VGG
 * needs at least 32x32 (five 2x2 max pools, then the adaptive 7x7 pool); LeNet-5 takes 28x28; a ViT takes
 * exactly the imageSize it was built for.
 */
public final class Models {
    /** The names {@link #create} accepts. */
    public static final List<String> NAMES = List.of("lenet", "resnet18", "resnet34", "resnet50", "vgg11", "vgg11_bn",
            "vgg16", "vgg16_bn", "efficientnet_b0", "vit_tiny", "vit_small", "vit_b_16");

    private Models() {
    }

    public static LeNet5 lenet(int numClasses, int inChannels) {
        return new LeNet5(numClasses, inChannels);
    }

    public static ResNet resnet18(int numClasses) {
        return resnet18(numClasses, 3);
    }

    public static ResNet resnet18(int numClasses, int inChannels) {
        return new ResNet(ResNet.Block.BASIC, new int[] {2, 2, 2, 2}, numClasses, false, 1, 64, inChannels);
    }

    public static ResNet resnet34(int numClasses) {
        return resnet34(numClasses, 3);
    }

    public static ResNet resnet34(int numClasses, int inChannels) {
        return new ResNet(ResNet.Block.BASIC, new int[] {3, 4, 6, 3}, numClasses, false, 1, 64, inChannels);
    }

    public static ResNet resnet50(int numClasses) {
        return resnet50(numClasses, 3);
    }

    public static ResNet resnet50(int numClasses, int inChannels) {
        return new ResNet(ResNet.Block.BOTTLENECK, new int[] {3, 4, 6, 3}, numClasses, false, 1, 64, inChannels);
    }

    public static VGG vgg11(int numClasses) {
        return vgg(VGG.CFG_A, false, numClasses, 3);
    }

    public static VGG vgg11Bn(int numClasses) {
        return vgg(VGG.CFG_A, true, numClasses, 3);
    }

    public static VGG vgg16(int numClasses) {
        return vgg(VGG.CFG_D, false, numClasses, 3);
    }

    public static VGG vgg16Bn(int numClasses) {
        return vgg(VGG.CFG_D, true, numClasses, 3);
    }

    /** A VGG from one of {@link VGG#CFG_A} (11 layers), B (13), D (16), E (19); dropout 0.5, torchvision's init. */
    public static VGG vgg(int[] cfg, boolean batchNorm, int numClasses, int inChannels) {
        return new VGG(VGG.makeLayers(cfg, batchNorm, inChannels), numClasses, true, 0.5);
    }

    public static EfficientNet efficientnetB0(int numClasses) {
        return efficientnetB0(numClasses, 3);
    }

    /** Width and depth 1.0, dropout 0.2, stochastic depth 0.2, as torchvision's {@code efficientnet_b0}. */
    public static EfficientNet efficientnetB0(int numClasses, int inChannels) {
        return new EfficientNet(1.0, 1.0, 0.2, 0.2, numClasses, inChannels);
    }

    /** ViT-B/16 at 224x224: 12 layers, 12 heads, hidden 768, MLP 3072 (torchvision's {@code vit_b_16}). */
    public static VisionTransformer vitB16(int numClasses) {
        return vitB16(numClasses, 224, 3);
    }

    /** ViT-B/16 at another image size (a multiple of 16). */
    public static VisionTransformer vitB16(int numClasses, int imageSize, int inChannels) {
        return new VisionTransformer(imageSize, 16, 12, 12, 768, 3072, 0, 0, numClasses, inChannels);
    }

    /** ViT-Small (DeiT-S sizes): 12 layers, 6 heads, hidden 384, MLP 1536; 224x224, patch 16. */
    public static VisionTransformer vitSmall(int numClasses) {
        return vitSmall(numClasses, 224, 16, 3);
    }

    public static VisionTransformer vitSmall(int numClasses, int imageSize, int patchSize, int inChannels) {
        return new VisionTransformer(imageSize, patchSize, 12, 6, 384, 1536, 0, 0, numClasses, inChannels);
    }

    /** ViT-Tiny (DeiT-Ti sizes): 12 layers, 3 heads, hidden 192, MLP 768; 224x224, patch 16. */
    public static VisionTransformer vitTiny(int numClasses) {
        return vitTiny(numClasses, 224, 16, 3);
    }

    public static VisionTransformer vitTiny(int numClasses, int imageSize, int patchSize, int inChannels) {
        return new VisionTransformer(imageSize, patchSize, 12, 3, 192, 768, 0, 0, numClasses, inChannels);
    }

    /** {@link #create(String, int, int, int)} for 3-channel 224x224 images. */
    public static Module create(String name, int numClasses) {
        return create(name, numClasses, 3, 224);
    }

    /** {@link #create(String, int, int, int)} with 224x224 images (LeNet: 28x28). */
    public static Module create(String name, int numClasses, int inChannels) {
        return create(name, numClasses, inChannels, name.equals("lenet") ? 28 : 224);
    }

    /**
     * A fresh model by name (one of {@link #NAMES}). {@code imageSize} only shapes the ViTs (their position
     * embedding is built for it; patch 16 when imageSize is a multiple of 16 and at least 64, otherwise patch 4
     * (32x32 -> 64 patches, 28x28 -> 49), and vit_b_16 always uses 16) and is checked for LeNet (28) and VGG
     * (at least 32); the convolutional networks accept other sizes at run time.
     */
    public static Module create(String name, int numClasses, int inChannels, int imageSize) {
        if (name == null || !NAMES.contains(name)) {
            throw new IllegalArgumentException("Models.create: unknown model '" + name + "', expected one of " + NAMES);
        }
        if (numClasses < 1 || inChannels < 1 || imageSize < 1) {
            throw new IllegalArgumentException("Models.create: numClasses, inChannels and imageSize must be >= 1, got "
                    + numClasses + ", " + inChannels + ", " + imageSize);
        }
        if (name.equals("lenet") && imageSize != 28) {
            throw new IllegalArgumentException("Models.create: lenet takes 28x28 images, got imageSize " + imageSize);
        }
        if (name.startsWith("vgg") && imageSize < 32) {
            throw new IllegalArgumentException("Models.create: " + name + " needs images of at least 32x32 (five max "
                    + "pools), got imageSize " + imageSize);
        }
        return switch (name) {
            case "lenet" -> lenet(numClasses, inChannels);
            case "resnet18" -> resnet18(numClasses, inChannels);
            case "resnet34" -> resnet34(numClasses, inChannels);
            case "resnet50" -> resnet50(numClasses, inChannels);
            case "vgg11" -> vgg(VGG.CFG_A, false, numClasses, inChannels);
            case "vgg11_bn" -> vgg(VGG.CFG_A, true, numClasses, inChannels);
            case "vgg16" -> vgg(VGG.CFG_D, false, numClasses, inChannels);
            case "vgg16_bn" -> vgg(VGG.CFG_D, true, numClasses, inChannels);
            case "efficientnet_b0" -> efficientnetB0(numClasses, inChannels);
            case "vit_tiny" -> vitTiny(numClasses, imageSize, vitPatch(name, imageSize), inChannels);
            case "vit_small" -> vitSmall(numClasses, imageSize, vitPatch(name, imageSize), inChannels);
            case "vit_b_16" -> {
                if (imageSize % 16 != 0) {
                    throw new IllegalArgumentException("Models.create: vit_b_16 needs an imageSize that is a multiple "
                            + "of 16, got " + imageSize);
                }
                yield vitB16(numClasses, imageSize, inChannels);
            }
            default -> throw new AssertionError(name);
        };
    }

    private static int vitPatch(String name, int imageSize) {
        if (imageSize % 16 == 0 && imageSize >= 64) {
            return 16;
        }
        if (imageSize % 4 == 0) {
            return 4;
        }
        throw new IllegalArgumentException("Models.create: " + name + " needs an imageSize that is a multiple of 4, "
                + "got " + imageSize);
    }
}
