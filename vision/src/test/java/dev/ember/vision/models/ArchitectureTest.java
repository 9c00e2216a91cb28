package dev.ember.vision.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ember.nn.Module;
import dev.ember.nn.Sequential;
import dev.ember.tensor.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Every factory against torchvision's model of the same name (vision-golden/architectures.json, written by
 * tools/make_vision_golden.py): the same state-dict keys in the same order, the same shapes, the same parameter
 * count.
 */
class ArchitectureTest {
    static void check(String name, Supplier<Module> factory) throws IOException {
        JsonObject arch = VisionGoldenTest.fixture("architectures").getAsJsonObject(name);
        Module model = factory.get();
        Map<String, Tensor> state = model.stateDict();
        List<String> keys = new ArrayList<>();
        for (JsonElement e : arch.getAsJsonArray("state")) {
            JsonArray pair = e.getAsJsonArray();
            String key = pair.get(0).getAsString();
            keys.add(key);
            Tensor t = state.get(key);
            if (t != null) {
                assertArrayEquals(VisionGoldenTest.longs(pair.get(1).getAsJsonArray()), t.shape(), name + ": " + key);
            }
        }
        assertEquals(keys, List.copyOf(state.keySet()), name + ": state-dict keys");
        assertEquals(arch.get("num_parameters").getAsLong(), model.numParameters(), name + ": parameter count");
    }

    /**
     * VGG: building the 25088x4096 classifier takes seconds, so only {@code features} is built here and compared
     * with torchvision's {@code features.*} entries; the rest must be exactly the classifier's three Linears (the
     * whole VGG class, classifier included, is checked against torchvision in VisionGoldenTest's vgg11).
     */
    static void checkVgg(String name, int[] cfg, boolean batchNorm) throws IOException {
        JsonObject arch = VisionGoldenTest.fixture("architectures").getAsJsonObject(name);
        Sequential features = VGG.makeLayers(cfg, batchNorm, 3);
        Map<String, Tensor> state = features.stateDict();
        List<String> keys = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (JsonElement e : arch.getAsJsonArray("state")) {
            JsonArray pair = e.getAsJsonArray();
            String key = pair.get(0).getAsString();
            String shape = java.util.Arrays.toString(VisionGoldenTest.longs(pair.get(1).getAsJsonArray()));
            if (key.startsWith("features.")) {
                keys.add(key.substring("features.".length()));
                Tensor t = state.get(keys.getLast());
                if (t != null) {
                    assertEquals(shape, java.util.Arrays.toString(t.shape()), name + ": " + key);
                }
            } else {
                rest.add(key + " " + shape);
            }
        }
        assertEquals(keys, List.copyOf(state.keySet()), name + ": features keys");
        assertEquals(List.of("classifier.0.weight [4096, 25088]", "classifier.0.bias [4096]",
                "classifier.3.weight [4096, 4096]", "classifier.3.bias [4096]", "classifier.6.weight [1000, 4096]",
                "classifier.6.bias [1000]"), rest, name + ": classifier entries");
        long classifier = 25088L * 4096 + 4096 + 4096L * 4096 + 4096 + 4096L * 1000 + 1000;
        assertEquals(arch.get("num_parameters").getAsLong(), features.numParameters() + classifier, name);
        // the features run on 32x32 images down to 1x1 (batch norm in training mode needs 2 values per channel)
        assertArrayEquals(new long[] {2, 512, 1, 1}, features.forward(Tensor.randn(2, 3, 32, 32)).shape());
    }

    @Test
    void lenet5() throws IOException {
        check("lenet5", LeNet5::new); // 61,706
    }

    @Test
    void resnets() throws IOException {
        check("resnet18", () -> Models.resnet18(1000)); // 11,689,512
        check("resnet34", () -> Models.resnet34(1000)); // 21,797,672
        check("resnet50", () -> Models.resnet50(1000)); // 25,557,032
    }

    @Test
    void vggs() throws IOException {
        checkVgg("vgg11", VGG.CFG_A, false); // 132,863,336
        checkVgg("vgg11_bn", VGG.CFG_A, true); // 132,868,840
        checkVgg("vgg16", VGG.CFG_D, false); // 138,357,544
        checkVgg("vgg16_bn", VGG.CFG_D, true); // 138,365,992
    }

    @Test
    void efficientnetB0() throws IOException {
        check("efficientnet_b0", () -> Models.efficientnetB0(1000)); // 5,288,548
    }

    @Test
    void vitB16() throws IOException {
        check("vit_b_16", () -> Models.vitB16(1000)); // 86,567,656
    }
}
