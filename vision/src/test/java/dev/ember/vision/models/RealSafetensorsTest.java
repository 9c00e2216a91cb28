package dev.ember.vision.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.ember.autograd.Autograd;
import dev.ember.io.SafeTensors;
import dev.ember.nn.Layer;
import dev.ember.nn.Module;
import dev.ember.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * Safetensors files written from PyTorch state dicts by tools/make_vision_golden.py (torch's own random
 * initialisation) load into the Ember models with {@link SafeTensors} and strict {@code loadStateDict}, and give
 * torch's eval-mode logits.
 */
class RealSafetensorsTest {
    static void check(String name, Module model) throws IOException {
        byte[] bytes;
        String resource = "/vision-golden/" + name + ".safetensors";
        try (InputStream in = RealSafetensorsTest.class.getResourceAsStream(resource)) {
            bytes = in.readAllBytes();
        }
        model.loadStateDict(SafeTensors.fromBytes(bytes).tensors(), true);
        model.eval();
        JsonObject fx = VisionGoldenTest.fixture(name);
        Tensor x = Tensor.of(VisionGoldenTest.doubles(fx.getAsJsonArray("input")),
                VisionGoldenTest.longs(fx.getAsJsonArray("input_shape")));
        Tensor y;
        try (var ignored = Autograd.noGrad()) {
            y = ((Layer) model).forward(x);
        }
        assertArrayEquals(VisionGoldenTest.longs(fx.getAsJsonArray("logits_shape")), y.shape());
        double[] expected = VisionGoldenTest.doubles(fx.getAsJsonArray("logits"));
        double d = VisionGoldenTest.maxAbsDiff(y.toDoubleArray(), expected);
        System.out.printf("%s from safetensors: max |ember - torch| = %.3g%n", name, d);
        assertTrue(d <= 1e-5, name + ": logits differ from torch's by " + d);
    }

    @Test
    void lenet5FromPyTorch() throws IOException {
        check("lenet5", new LeNet5(10, 1));
    }

    @Test
    void smallVitFromPyTorch() throws IOException {
        check("vit_small", new VisionTransformer(32, 8, 2, 4, 64, 128, 0, 0, 10));
    }
}
