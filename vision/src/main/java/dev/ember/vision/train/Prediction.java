package dev.ember.vision.train;

/**
 * One of a model's top-k answers for an image.
 *
 * @param index       the class index
 * @param label       the class name
 * @param probability the softmax probability of the class
 */
public record Prediction(int index, String label, double probability) {
}
