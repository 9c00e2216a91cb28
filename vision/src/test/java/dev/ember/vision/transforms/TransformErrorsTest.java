package dev.ember.vision.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.tensor.DType;
import dev.ember.tensor.Generator;
import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad arguments give IllegalArgumentExceptions that name the transform, the shape and what was expected. */
class TransformErrorsTest {
    private static void fails(Executable e, String... parts) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        for (String p : parts) {
            assertTrue(ex.getMessage().contains(p), "message '" + ex.getMessage() + "' lacks '" + p + "'");
        }
    }

    @Test
    void shapesAndDtypes() {
        Tensor flat = Tensor.rand(5);
        Tensor hw = Tensor.rand(4, 4);
        Tensor four = Tensor.rand(4, 3, 3);
        Tensor ints = Tensor.zeros(DType.INT64, 3, 4, 4);
        Generator g = new Generator(0);
        fails(() -> new Normalize(new double[] {0.5}, new double[] {0.5}).apply(hw, g), "normalize", "[4, 4]",
                "(..., C, H, W)");
        fails(() -> Functional.normalize(Tensor.rand(3, 2, 2), new double[] {0, 0}, new double[] {1}), "1 or 3");
        fails(() -> Functional.normalize(Tensor.rand(1, 2, 2), new double[] {0}, new double[] {1e-50}),
                "evaluated to zero", "float32");
        fails(() -> Functional.normalize(ints, new double[] {0}, new double[] {1}), "int64", "toFloat");
        fails(() -> Functional.resize(flat, 2, 2), "resize", "[5]");
        fails(() -> Functional.resize(ints, 2, 2), "resize", "int64");
        fails(() -> Functional.resize(hw, 0, 2), "positive");
        fails(() -> Functional.adjustHue(four, 0.1), "adjustHue", "1 or 3", "[4, 3, 3]");
        fails(() -> Functional.adjustHue(Tensor.rand(3, 2, 2), 0.7), "[-0.5, 0.5]");
        fails(() -> Functional.adjustBrightness(Tensor.rand(3, 2, 2), -1), "brightness_factor");
        fails(() -> Functional.adjustContrast(hw, 1.2), "adjustContrast", "[4, 4]");
        fails(() -> Functional.crop(hw, 0, 0, 0, 2), "crop", "positive");
        fails(() -> Functional.pad(hw, new int[] {1, 2, 3}, 0, PaddingMode.CONSTANT), "1, 2 or 4 values");
        fails(() -> Functional.pad(hw, new int[] {-1}, 0, PaddingMode.CONSTANT), "non-negative");
        fails(() -> Functional.pad(hw, new int[] {4}, 0, PaddingMode.REFLECT), "reflect", "less than");
        fails(() -> Functional.pad(hw, new int[] {5}, 0, PaddingMode.SYMMETRIC), "symmetric", "at most");
        fails(() -> new ColorJitter(-0.1, 0, 0, 0), "brightness");
        fails(() -> new ColorJitter(0, 0, 0, 0.6), "hue");
        fails(() -> new RandomHorizontalFlip(1.5), "p must be in [0, 1]");
        fails(() -> new RandomResizedCrop(4, 4, new double[] {0.5, 0.1}, new double[] {1, 1},
                InterpolationMode.BILINEAR), "scale");
        fails(() -> new Resize(10, InterpolationMode.BILINEAR, 5), "max_size");
        fails(() -> new Compose(new CenterCrop(2), null), "transform 1 is null");
        fails(() -> PaddingMode.of("wrap"), "constant, edge, reflect or symmetric");
        fails(() -> InterpolationMode.of("bicubic"), "bicubic");
    }

    @Test
    void passThroughCasesMatchTorchvision() {
        Tensor gray = Tensor.rand(1, 3, 3);
        assertSame(gray, Functional.adjustHue(gray, 0.3), "a gray image has no hue");
        assertSame(gray, Functional.adjustSaturation(gray, 0.3));
        Tensor img = Tensor.rand(3, 5, 4);
        assertSame(img, Functional.resize(img, 5, 4), "same size: returned as is");
        // geometric functions take any dtype
        Tensor ints = Tensor.of(new long[] {1, 2, 3, 4, 5, 6}, 1, 2, 3);
        Tensor flipped = Functional.hflip(ints);
        assertEquals(DType.INT64, flipped.dtype());
        assertArrayEquals(new long[] {3, 2, 1, 6, 5, 4}, flipped.toLongArray());
        Tensor padded = Functional.pad(ints, new int[] {1, 0}, 9, PaddingMode.CONSTANT);
        assertArrayEquals(new long[] {9, 1, 2, 3, 9, 9, 4, 5, 6, 9}, padded.toLongArray());
    }

    @Test
    void resizeOutputSizes() {
        // values from torchvision 0.14 _compute_resized_output_size: shorter side = size, longer int(size * long / short)
        assertArrayEquals(new int[] {4, 6}, Functional.resizedSize(6, 9, 4, 0));
        assertArrayEquals(new int[] {7, 5}, Functional.resizedSize(10, 7, 5, 0));
        assertArrayEquals(new int[] {224, 298}, Functional.resizedSize(375, 500, 224, 0));
        assertArrayEquals(new int[] {8, 8}, Functional.resizedSize(3, 3, 8, 0));
        // max_size caps the longer side and scales the shorter down
        assertArrayEquals(new int[] {3, 10}, Functional.resizedSize(100, 300, 5, 10)); // int(10 * 5 / 15)
        assertArrayEquals(new int[] {256, 256}, new Resize(256).outputSize(500, 500));
        assertEquals("Resize(size=(3, 4), interpolation=bilinear, antialias=False)", new Resize(3, 4).toString());
    }
}
