package dev.ember.vision.train;

import dev.ember.nn.Module;
import java.nio.file.Path;
import java.util.List;

/**
 * What a training run produced.
 *
 * @param config  the run's config (as saved in {@code config.json})
 * @param model   the trained model (weights of the last epoch)
 * @param history one row per epoch from the first, including epochs done before a resume
 * @param test    the final model's evaluation on the test split
 * @param files   the files written into the run folder, in the order written
 */
public record TrainResult(RunConfig config, Module model, List<EpochStats> history, EvalResult test,
        List<Path> files) {

    public TrainResult {
        history = List.copyOf(history);
        files = List.copyOf(files);
    }
}
