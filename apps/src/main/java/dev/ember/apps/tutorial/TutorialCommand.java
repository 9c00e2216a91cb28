package dev.ember.apps.tutorial;

import picocli.CommandLine.Command;

/** {@code ember tutorial}: small programs that show Ember's API next to the PyTorch they reproduce. */
@Command(
        name = "tutorial",
        mixinStandardHelpOptions = true,
        description = "Small worked examples that reproduce well-known PyTorch programs with Ember's API.",
        subcommands = {NeuronCommand.class, MnistMlpCommand.class})
public final class TutorialCommand {}
