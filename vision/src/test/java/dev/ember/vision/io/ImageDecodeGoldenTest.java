package dev.ember.vision.io;

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
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Decoding the test images (tools/make_transforms_golden.py wrote them with Pillow) against what Pillow and
 * torchvision's {@code to_tensor} give, for every read mode. PNG must agree exactly (to float32 rounding).
 * JPEG decoders may differ (ImageIO's IJG-based decoder against Pillow's libjpeg-turbo: IDCT and chroma
 * upsampling); on these files, 4:2:0 subsampling included, JDK 25 agrees with Pillow exactly, and the test allows
 * every value within 2/255 and a mean absolute difference under 0.5/255.
 */
class ImageDecodeGoldenTest {
    static Path resource(String name) {
        try {
            return Path.of(ImageDecodeGoldenTest.class.getResource("/transforms/images/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("test image " + name + " missing from test resources", e);
        }
    }

    @TestFactory
    Stream<DynamicTest> imagesDecodeLikePillow() throws Exception {
        JsonObject root;
        try (var in = ImageDecodeGoldenTest.class.getResourceAsStream("/transforms/images.json")) {
            assertNotNull(in, "transforms/images.json missing from test resources");
            root = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement e : root.getAsJsonArray("images")) {
            JsonObject img = e.getAsJsonObject();
            String file = img.get("file").getAsString();
            boolean jpeg = img.get("jpeg").getAsBoolean();
            for (Map.Entry<String, JsonElement> m : img.getAsJsonObject("decoded").entrySet()) {
                ImageReadMode mode = ImageReadMode.valueOf(m.getKey());
                JsonObject expected = m.getValue().getAsJsonObject();
                tests.add(DynamicTest.dynamicTest(file + " " + mode, () -> check(file, mode, jpeg, expected)));
            }
        }
        assertTrue(tests.size() >= 40, "expected every image and mode, found " + tests.size());
        return tests.stream();
    }

    private static void check(String file, ImageReadMode mode, boolean jpeg, JsonObject spec) throws Exception {
        Tensor got = Images.read(resource(file), mode);
        Tensor expected = tensor(spec);
        assertEquals(DType.FLOAT32, got.dtype());
        assertArrayEquals(expected.shape(), got.shape(), file + " " + mode + ": shape");
        double[] e = expected.toDoubleArray();
        double[] g = got.toDoubleArray();
        double maxDiff = 0;
        double sumDiff = 0;
        for (int k = 0; k < e.length; k++) {
            double d = Math.abs(e[k] - g[k]);
            maxDiff = Math.max(maxDiff, d);
            sumDiff += d;
        }
        double mean = sumDiff / e.length;
        if (jpeg) {
            assertTrue(maxDiff <= 2 / 255.0 && mean <= 0.5 / 255.0, file + " " + mode + ": max difference "
                    + maxDiff * 255 + "/255, mean " + mean * 255 + "/255 from Pillow's decode");
        } else {
            assertTrue(maxDiff <= 1e-7, file + " " + mode + ": max difference " + maxDiff + " from Pillow");
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
        return Tensor.of(DType.FLOAT32, values, shape);
    }
}
