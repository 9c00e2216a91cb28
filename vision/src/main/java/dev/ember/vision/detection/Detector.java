package dev.ember.vision.detection;

import dev.ember.autograd.Autograd;
import dev.ember.io.Checkpoint;
import dev.ember.optim.Optimizer;
import dev.ember.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A trained detector ready for use: a {@link CenterNet} with its {@link DetectorSpec}. {@link #detect} takes an
 * image of any size, resizes it to the model's square input, and returns boxes in the image's own pixels.
 *
 * <pre>{@code
 * Detector d = Detector.load(Path.of("runs/shapes/checkpoint.safetensors"));
 * for (Detection det : d.detect(ImageIO.read(file), 0.3)) { ... d.spec().classNames().get(det.label()) ... }
 * }</pre>
 */
public final class Detector {
    /** Metadata key of the spec in a checkpoint's extra strings. */
    public static final String SPEC_KEY = "detector";

    private final CenterNet model;
    private final DetectorSpec spec;

    public Detector(CenterNet model, DetectorSpec spec) {
        if (model.numClasses != spec.classNames().size() || model.width != spec.width()) {
            throw new IllegalArgumentException("Detector: model (numClasses=" + model.numClasses + ", width="
                    + model.width + ") does not match its spec (" + spec.classNames().size() + " classes, width "
                    + spec.width() + ")");
        }
        this.model = model;
        this.spec = spec;
    }

    public CenterNet model() {
        return model;
    }

    public DetectorSpec spec() {
        return spec;
    }

    /** Saves the model, optimizer state (may be null) and spec as one checkpoint (atomic). */
    public void save(Path checkpoint, Optimizer<?> optimizer, long epoch, long step) throws IOException {
        Checkpoint.save(checkpoint, model, optimizer == null ? null : optimizer.stateDict(), epoch, step,
                Map.of(SPEC_KEY, spec.toJson()));
    }

    /** Rebuilds a detector from a checkpoint written by {@link #save}. */
    public static Detector load(Path checkpoint) throws IOException {
        Checkpoint ck = Checkpoint.load(checkpoint);
        String json = ck.extra().get(SPEC_KEY);
        if (json == null) {
            throw new IOException("checkpoint " + checkpoint + ": no detector description (extra." + SPEC_KEY
                    + "); was it written by 'ember vision detect train'?");
        }
        DetectorSpec spec;
        try {
            spec = DetectorSpec.fromJson(json, "checkpoint " + checkpoint);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        CenterNet model = spec.newModel();
        try {
            model.loadStateDict(ck.modelState(), true);
        } catch (IllegalArgumentException e) {
            throw new IOException("checkpoint " + checkpoint + ": weights do not fit the model it describes ("
                    + e.getMessage() + ")", e);
        }
        model.eval();
        return new Detector(model, spec);
    }

    /** Detections scoring at least {@code scoreThreshold}, in {@code image}'s pixels, by decreasing score. */
    public List<Detection> detect(BufferedImage image, double scoreThreshold) {
        return detect(List.of(image), scoreThreshold).get(0);
    }

    /** {@link #detect(BufferedImage, double)} for several images in one batch. */
    public List<List<Detection>> detect(List<BufferedImage> images, double scoreThreshold) {
        int s = spec.imageSize();
        float[] x = new float[images.size() * 3 * s * s];
        for (int i = 0; i < images.size(); i++) {
            float[] chw = ImageTensors.toChw(images.get(i), s);
            System.arraycopy(chw, 0, x, i * chw.length, chw.length);
        }
        List<List<Detection>> dets;
        model.eval();
        try (var ignored = Autograd.noGrad()) {
            dets = CenterNetCoder.decode(model.forward(Tensor.of(x, images.size(), 3, s, s)
                            .to(DetectionTrainer.deviceOf(model))),
                    DetectionTrainer.EVAL_TOP_K, scoreThreshold, DetectionTrainer.NMS_IOU);
        }
        List<List<Detection>> result = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            double sx = (double) images.get(i).getWidth() / s;
            double sy = (double) images.get(i).getHeight() / s;
            result.add(dets.get(i).stream().map(d -> d.scaled(sx, sy)).toList());
        }
        return result;
    }
}
