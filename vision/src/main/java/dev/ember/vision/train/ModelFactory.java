package dev.ember.vision.train;

import dev.ember.nn.Module;

/**
 * Builds a classification model by name, for training and for reloading a run's checkpoint. The module must
 * also be a {@link dev.ember.nn.Layer}: images {@code (N, inChannels, imageSize, imageSize)} in, logits
 * {@code (N, numClasses)} out. {@link VisionModels#create} is the pipeline's default; tests pass their own.
 */
@FunctionalInterface
public interface ModelFactory {
    Module create(String name, int numClasses, int inChannels, int imageSize);
}
