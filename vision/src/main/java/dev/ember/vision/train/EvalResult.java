package dev.ember.vision.train;

import dev.ember.vision.train.metrics.ClassificationMetrics;
import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of evaluating a model on a dataset: the aggregated metrics, and for every example (in dataset
 * order) its target, the predicted class and the probability the model gave that prediction.
 *
 * @param metrics    loss, accuracy, top-k and the confusion matrix
 * @param targets    true class of each example
 * @param predicted  top-1 class of each example
 * @param confidence softmax probability of the predicted class
 */
public record EvalResult(ClassificationMetrics metrics, long[] targets, long[] predicted, double[] confidence) {

    /** Indices of misclassified examples, most confident mistakes first, at most {@code limit}. */
    public List<Integer> misclassified(int limit) {
        List<Integer> wrong = new ArrayList<>();
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] != predicted[i]) {
                wrong.add(i);
            }
        }
        wrong.sort((a, b) -> Double.compare(confidence[b], confidence[a]));
        return wrong.subList(0, Math.min(limit, wrong.size()));
    }
}
