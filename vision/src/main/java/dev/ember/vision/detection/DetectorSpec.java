package dev.ember.vision.detection;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.util.List;

/**
 * What it takes to rebuild a trained detector from its checkpoint alone: the class names, the square input size
 * and the {@link CenterNet} width. Stored as JSON in {@code runs/<name>/detector.json} and in the checkpoint's
 * metadata ({@code extra.detector}).
 *
 * @param format     always {@link #FORMAT}, so that another JSON file is recognised as not ours
 * @param model      the architecture, {@code "centernet"}
 * @param classNames label i is {@code classNames.get(i)}
 * @param imageSize  input width and height in pixels (a multiple of 4)
 * @param width      the CenterNet width
 * @param dataset    where the training data came from (for the record)
 */
public record DetectorSpec(String format, String model, List<String> classNames, int imageSize, int width,
        String dataset) {
    public static final String FORMAT = "ember.vision.detection/1";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    public DetectorSpec {
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("DetectorSpec: format must be \"" + FORMAT + "\", got \"" + format + "\"");
        }
        if (!"centernet".equals(model)) {
            throw new IllegalArgumentException("DetectorSpec: unknown model \"" + model + "\", expected \"centernet\"");
        }
        if (classNames == null || classNames.isEmpty() || classNames.stream().anyMatch(s -> s == null)) {
            throw new IllegalArgumentException("DetectorSpec: classNames must be a non-empty list of names");
        }
        classNames = List.copyOf(classNames);
        if (imageSize < CenterNet.STRIDE || imageSize % CenterNet.STRIDE != 0 || imageSize > 4096) {
            throw new IllegalArgumentException("DetectorSpec: imageSize must be a multiple of " + CenterNet.STRIDE
                    + " in 4..4096, got " + imageSize);
        }
        if (width < 1 || width > 1024) {
            throw new IllegalArgumentException("DetectorSpec: width must be in 1..1024, got " + width);
        }
    }

    public static DetectorSpec of(List<String> classNames, int imageSize, int width, String dataset) {
        return new DetectorSpec(FORMAT, "centernet", classNames, imageSize, width, dataset);
    }

    /** A freshly initialised model of this shape. */
    public CenterNet newModel() {
        return new CenterNet(classNames.size(), width);
    }

    public String toJson() {
        return GSON.toJson(this);
    }

    /** Parses {@link #toJson}'s output; anything else is an IllegalArgumentException naming {@code source}. */
    public static DetectorSpec fromJson(String json, String source) {
        DetectorSpec spec;
        try {
            spec = GSON.fromJson(json, DetectorSpec.class);
        } catch (RuntimeException e) {
            // gson wraps what the record's constructor threw; report the innermost reason
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            String why = cause instanceof IllegalArgumentException ? cause.getMessage()
                    : "not a detector description (" + e.getMessage() + ")";
            throw new IllegalArgumentException(source + ": " + why, e);
        }
        if (spec == null) {
            throw new IllegalArgumentException(source + ": empty detector description");
        }
        return spec;
    }
}
