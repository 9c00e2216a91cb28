package dev.ember.nn.functional;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.autograd.GradCheck;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** gradcheck (float64, PyTorch's tolerances) of conv1d, conv2d, conv_transpose2d, unfold/fold and pad. */
class ConvolutionsGradcheckTest {

    @BeforeEach
    void seed() {
        Ember.manualSeed(3);
    }

    static Tensor leaf(long... shape) {
        return Tensor.randn(DType.FLOAT64, shape).requiresGrad(true);
    }

    static void check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        assertTrue(GradCheck.gradcheck(f, inputs));
    }

    private static long[] p(long a, long b) {
        return new long[] {a, b};
    }

    @Test
    void conv2dPlain() {
        check(t -> Convolutions.conv2d(t[0], t[1], t[2]), leaf(2, 2, 4, 3), leaf(3, 2, 2, 2), leaf(3));
    }

    @Test
    void conv2dStridePaddingDilation() {
        check(t -> Convolutions.conv2d(t[0], t[1], t[2], p(2, 1), p(1, 2), p(1, 2), 1),
                leaf(1, 2, 5, 4), leaf(2, 2, 3, 2), leaf(2));
    }

    @Test
    void conv2dGroupsWithoutBias() {
        check(t -> Convolutions.conv2d(t[0], t[1], null, p(1, 1), p(1, 0), p(1, 1), 2),
                leaf(1, 4, 3, 3), leaf(4, 2, 2, 2));
    }

    @Test
    void conv2dSameAsymmetricAndUnbatched() {
        check(t -> Convolutions.conv2d(t[0], t[1], t[2], p(1, 1), "same", p(1, 1), 1),
                leaf(2, 3, 4), leaf(2, 2, 2, 3), leaf(2));
    }

    @Test
    void conv1dStridePaddingDilationGroups() {
        check(t -> Convolutions.conv1d(t[0], t[1], t[2], 2, 1, 2, 2), leaf(2, 4, 7), leaf(2, 2, 2), leaf(2));
        check(t -> Convolutions.conv1d(t[0], t[1], null, 1, "same", 1, 1), leaf(1, 2, 5), leaf(1, 2, 4));
    }

    @Test
    void convTranspose2dWithOutputPadding() {
        check(t -> Convolutions.convTranspose2d(t[0], t[1], t[2], p(2, 2), p(1, 0), p(1, 1), 1, p(1, 1)),
                leaf(1, 2, 2, 3), leaf(2, 2, 3, 2), leaf(2));
    }

    @Test
    void convTranspose2dGroupsDilationAndOutputPaddingFromDilation() {
        check(t -> Convolutions.convTranspose2d(t[0], t[1], null, p(1, 2), p(1, 1), p(1, 0), 2, p(2, 1)),
                leaf(1, 4, 2, 2), leaf(4, 1, 2, 2));
    }

    @Test
    void unfoldAndFold() {
        check(t -> Convolutions.unfold(t[0], p(2, 2), p(1, 2), p(1, 0), p(2, 1)), leaf(1, 2, 4, 5));
        check(t -> Convolutions.fold(t[0], p(4, 3), p(2, 2), p(1, 1), p(1, 1), p(2, 2)), leaf(1, 8, 6));
    }

    @Test
    void padModes() {
        for (String mode : new String[] {"reflect", "replicate", "circular"}) {
            check(t -> Padding.pad(t[0], new long[] {2, 1, 1, 2}, mode, 0), leaf(1, 1, 3, 3));
        }
        check(t -> Padding.pad(t[0], new long[] {1, -1, 2, 0}, "constant", 3), leaf(2, 2, 3));
    }
}
