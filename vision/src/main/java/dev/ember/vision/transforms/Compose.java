package dev.ember.vision.transforms;

import dev.ember.tensor.Generator;
import dev.ember.tensor.Tensor;
import java.util.List;
import java.util.stream.Collectors;

/**
 * torchvision's {@code Compose}: applies transforms in order, passing every one the same generator (so a seeded
 * generator makes the whole pipeline reproducible).
 *
 * <pre>{@code
 * Transform train = new Compose(
 *         new RandomResizedCrop(224),
 *         new RandomHorizontalFlip(),
 *         new ColorJitter(0.4, 0.4, 0.4, 0.1),
 *         new Normalize(new double[] {0.485, 0.456, 0.406}, new double[] {0.229, 0.224, 0.225}));
 * Tensor x = train.apply(new ToTensor().apply(bufferedImage), new Generator(seed));
 * }</pre>
 */
public final class Compose implements Transform {
    private final List<Transform> transforms;

    public Compose(Transform... transforms) {
        this(List.of(checked(transforms)));
    }

    public Compose(List<Transform> transforms) {
        if (transforms == null) {
            throw new IllegalArgumentException("Compose: transforms must not be null");
        }
        for (int i = 0; i < transforms.size(); i++) {
            if (transforms.get(i) == null) {
                throw new IllegalArgumentException("Compose: transform " + i + " is null");
            }
        }
        this.transforms = List.copyOf(transforms);
    }

    private static Transform[] checked(Transform[] transforms) {
        if (transforms == null) {
            throw new IllegalArgumentException("Compose: transforms must not be null");
        }
        for (int i = 0; i < transforms.length; i++) {
            if (transforms[i] == null) {
                throw new IllegalArgumentException("Compose: transform " + i + " is null");
            }
        }
        return transforms;
    }

    /** The transforms, in order. */
    public List<Transform> transforms() {
        return transforms;
    }

    @Override
    public Tensor apply(Tensor img, Generator gen) {
        Tensor x = img;
        for (Transform t : transforms) {
            x = t.apply(x, gen);
        }
        return x;
    }

    @Override
    public String toString() {
        return "Compose(\n" + transforms.stream().map(t -> "    " + t).collect(Collectors.joining("\n")) + "\n)";
    }
}
