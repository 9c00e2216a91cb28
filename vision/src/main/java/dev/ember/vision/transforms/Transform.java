package dev.ember.vision.transforms;

import dev.ember.tensor.Generator;
import dev.ember.tensor.Tensor;

/**
 * An image transform, as a torchvision transform on tensors: {@code (C, H, W)} in, {@code (C', H', W')} out, and
 * for most transforms a batch {@code (N, C, H, W)} too (one random draw for the whole batch, as torchvision).
 *
 * <p>Random transforms draw every number from the {@link Generator} they are given, so the same generator state
 * gives the same output: {@code t.apply(img, new Generator(42))} twice gives equal tensors. {@link #apply(Tensor)}
 * draws from {@link Generator#defaultGenerator()}, which {@code Ember.manualSeed(seed)} seeds. The numbers differ from torchvision's (another random
 * generator), the distributions and the order of the draws are the same. Deterministic transforms ignore the
 * generator.
 *
 * <p>Results are new CPU tensors without autograd history (transforms prepare data).
 */
@FunctionalInterface
public interface Transform {
    /** Applies the transform, drawing any random numbers from {@code gen}. */
    Tensor apply(Tensor img, Generator gen);

    /** Applies the transform with the default generator. */
    default Tensor apply(Tensor img) {
        return apply(img, Generator.defaultGenerator());
    }

    /** This transform, then {@code next}, with the same generator. */
    default Transform andThen(Transform next) {
        if (next == null) {
            throw new IllegalArgumentException("Transform.andThen: next transform is null");
        }
        return (img, gen) -> next.apply(apply(img, gen), gen);
    }
}
