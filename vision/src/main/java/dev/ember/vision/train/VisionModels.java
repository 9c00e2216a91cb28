package dev.ember.vision.train;

import dev.ember.nn.Module;
import dev.ember.vision.models.Models;
import java.util.List;
import java.util.Locale;

/**
 * The models {@code ember vision train --model} offers: {@link Models}' names, spelt with dashes on the command
 * line ({@code efficientnet-b0}, {@code vit-tiny}; torchvision's underscores are accepted too).
 */
public final class VisionModels {
    /** The names {@link #create} accepts, in their canonical (dashed) spelling. */
    public static final List<String> NAMES = Models.NAMES.stream().map(n -> n.replace('_', '-')).toList();

    private VisionModels() {
    }

    /** The canonical spelling of a model name: lower case, dashes ("EfficientNet_B0" -> "efficientnet-b0"). */
    public static String canonical(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace('_', '-');
        if (n.equals("lenet5")) {
            n = "lenet";
        }
        if (!NAMES.contains(n)) {
            throw new IllegalArgumentException("unknown model \"" + name + "\"; available: "
                    + String.join(", ", NAMES));
        }
        return n;
    }

    /**
     * A freshly initialised model for images {@code (N, inChannels, imageSize, imageSize)} and {@code numClasses}
     * classes (initialisation draws from Ember's default generator, so seed it first).
     */
    public static Module create(String name, int numClasses, int inChannels, int imageSize) {
        return Models.create(canonical(name).replace('-', '_'), numClasses, inChannels, imageSize);
    }
}
