/**
 * Image classification models with torchvision's module structure and parameter names, so a torchvision
 * state dict saved as safetensors loads with {@code Module.loadStateDict} and gives the same logits:
 * {@link dev.ember.vision.models.LeNet5}, {@link dev.ember.vision.models.VGG} (vgg11/13/16/19, with or without
 * batch norm), {@link dev.ember.vision.models.ResNet} ({@link dev.ember.vision.models.BasicBlock},
 * {@link dev.ember.vision.models.Bottleneck}), {@link dev.ember.vision.models.EfficientNet}
 * ({@link dev.ember.vision.models.MBConv}) and {@link dev.ember.vision.models.VisionTransformer}; factories in
 * {@link dev.ember.vision.models.Models} ({@code Models.resnet18(10)}, {@code Models.create("vit_tiny", 10, 3, 32)}).
 *
 * <p>Every model is a {@code Module} and a {@code Layer}: images (N, C, H, W) -> logits (N, numClasses). Small
 * images: ResNet and EfficientNet accept any size (they pool adaptively; 28x28 and 32x32 end at 1x1 before the
 * pool), VGG needs at least 32x32, LeNet-5 takes 28x28, a ViT the imageSize it was built for. Beyond torchvision,
 * every model takes an {@code inChannels} argument (1 for grey images).
 *
 * <p>Parity: tools/make_vision_golden.py fills torchvision's resnet18, vgg11, efficientnet_b0 and a small ViT with
 * reproducible pseudo-random values and records their logits; VisionGoldenTest loads the same values into these
 * models and compares (within 1e-4 in float32, 1e-8 in float64).
 */
package dev.ember.vision.models;
