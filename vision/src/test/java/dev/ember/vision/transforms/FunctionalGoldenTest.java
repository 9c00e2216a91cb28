package dev.ember.vision.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The deterministic transforms against torchvision 0.14's tensor path: inputs and outputs written by
 * tools/make_transforms_golden.py into transforms/functional.json. Values must agree to 1e-5 (absolute, the
 * values are in [0, 1] or normalised to a few units).
 */
class FunctionalGoldenTest {
    private static final double TOL = 1e-5;

    @TestFactory
    Stream<DynamicTest> transformsMatchTorchvision() throws Exception {
        JsonObject root;
        try (var in = FunctionalGoldenTest.class.getResourceAsStream("/transforms/functional.json")) {
            assertNotNull(in, "transforms/functional.json missing from test resources");
            root = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement e : root.getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> runCase(c)));
        }
        assertTrue(tests.size() >= 50, "expected the full fixture set, found " + tests.size() + " cases");
        return tests.stream();
    }

    private static void runCase(JsonObject c) {
        Tensor input = tensor(c.getAsJsonObject("input"));
        JsonObject a = c.getAsJsonObject("args");
        Tensor out = switch (c.get("fn").getAsString()) {
            case "normalize" -> Functional.normalize(input, doubles(a, "mean"), doubles(a, "std"));
            case "resize" -> {
                InterpolationMode mode = InterpolationMode.of(a.get("interpolation").getAsString());
                JsonElement size = a.get("size");
                if (size.isJsonArray()) {
                    int[] hw = ints(a, "size");
                    yield Functional.resize(input, hw[0], hw[1], mode);
                }
                yield Functional.resize(input, size.getAsInt(), mode);
            }
            case "center_crop" -> {
                int[] hw = ints(a, "output_size");
                yield Functional.centerCrop(input, hw[0], hw[1]);
            }
            case "crop" -> Functional.crop(input, i(a, "top"), i(a, "left"), i(a, "height"), i(a, "width"));
            case "pad" -> {
                JsonElement p = a.get("padding");
                int[] padding = p.isJsonArray() ? ints(a, "padding") : new int[] {p.getAsInt()};
                double fill = a.has("fill") ? a.get("fill").getAsDouble() : 0.0;
                yield Functional.pad(input, padding, fill, PaddingMode.of(a.get("padding_mode").getAsString()));
            }
            case "hflip" -> Functional.hflip(input);
            case "vflip" -> Functional.vflip(input);
            case "resized_crop" -> {
                int[] hw = ints(a, "size");
                yield Functional.resizedCrop(input, i(a, "top"), i(a, "left"), i(a, "height"), i(a, "width"), hw[0],
                        hw[1], InterpolationMode.BILINEAR);
            }
            case "adjust_brightness" -> Functional.adjustBrightness(input, d(a, "brightness_factor"));
            case "adjust_contrast" -> Functional.adjustContrast(input, d(a, "contrast_factor"));
            case "adjust_saturation" -> Functional.adjustSaturation(input, d(a, "saturation_factor"));
            case "adjust_hue" -> Functional.adjustHue(input, d(a, "hue_factor"));
            case "rgb_to_grayscale" -> Functional.rgbToGrayscale(input, i(a, "num_output_channels"));
            case "color_jitter" -> ColorJitter.apply(input, new ColorJitter.Params(ints(a, "order"),
                    d(a, "brightness"), d(a, "contrast"), d(a, "saturation"), d(a, "hue")));
            default -> throw new AssertionError("unknown fn " + c.get("fn"));
        };
        Tensor expected = tensor(c.getAsJsonObject("output"));
        String name = c.get("name").getAsString();
        assertEquals(expected.dtype(), out.dtype(), name + ": dtype");
        assertArrayEquals(expected.shape(), out.shape(), name + ": shape");
        double[] e = expected.toDoubleArray();
        double[] g = out.toDoubleArray();
        for (int k = 0; k < e.length; k++) {
            if (Math.abs(e[k] - g[k]) > TOL) {
                throw new AssertionError(name + ": element " + k + " is " + g[k] + ", torchvision gives " + e[k]);
            }
        }
    }

    static Tensor tensor(JsonObject spec) {
        JsonArray shapeJson = spec.getAsJsonArray("shape");
        long[] shape = new long[shapeJson.size()];
        for (int k = 0; k < shape.length; k++) {
            shape[k] = shapeJson.get(k).getAsLong();
        }
        JsonArray data = spec.getAsJsonArray("data");
        double[] values = new double[data.size()];
        for (int k = 0; k < values.length; k++) {
            values[k] = data.get(k).getAsDouble();
        }
        DType dtype = spec.get("dtype").getAsString().equals("float64") ? DType.FLOAT64 : DType.FLOAT32;
        return Tensor.of(dtype, values, shape);
    }

    private static int i(JsonObject a, String key) {
        return a.get(key).getAsInt();
    }

    private static double d(JsonObject a, String key) {
        return a.get(key).getAsDouble();
    }

    private static int[] ints(JsonObject a, String key) {
        JsonArray arr = a.getAsJsonArray(key);
        int[] out = new int[arr.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = arr.get(k).getAsInt();
        }
        return out;
    }

    private static double[] doubles(JsonObject a, String key) {
        JsonArray arr = a.getAsJsonArray(key);
        double[] out = new double[arr.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = arr.get(k).getAsDouble();
        }
        return out;
    }
}
