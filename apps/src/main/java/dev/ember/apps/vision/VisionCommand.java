package dev.ember.apps.vision;

import picocli.CommandLine.Command;

/**
 * {@code ember vision}: image classification (train, evaluate, predict) on the bundled or standard datasets, and
 * object detection under {@code ember vision detect}.
 */
@Command(
        name = "vision",
        mixinStandardHelpOptions = true,
        description = {
            "Computer vision: train an image classifier (a CNN or a ViT), evaluate a run's checkpoint, classify image"
                    + " files; object detection under 'detect'.",
            "Runs are written under runs/<name>/: metrics.csv, checkpoint.safetensors, config.json, report.txt,"
                    + " confusion_matrix.csv and PNG plots (loss, accuracy, confusion matrix, misclassified images).",
            ""
        },
        subcommands = {VisionTrainCommand.class, VisionEvalCommand.class, VisionPredictCommand.class,
            DetectCommand.class},
        footer = {"", "Example:", "  ember vision train && ember vision eval && ember vision predict digit.png"})
public final class VisionCommand {}
