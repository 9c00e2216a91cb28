/**
 * Building blocks of the vision models that PyTorch keeps in torchvision.ops rather than torch.nn:
 * {@link dev.ember.vision.layers.Conv2dNormActivation}, {@link dev.ember.vision.layers.SqueezeExcitation},
 * {@link dev.ember.vision.layers.StochasticDepth}, and {@link dev.ember.vision.layers.NamedSequential} (an
 * {@code nn.Sequential(OrderedDict(...))}), with torchvision's child names so state dicts interchange.
 */
package dev.ember.vision.layers;
