package dev.ember.vision.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.autograd.Autograd;
import dev.ember.nn.Layer;
import dev.ember.nn.Module;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Parity with torchvision (fixtures from tools/make_vision_golden.py): every state-dict entry of the torchvision
 * model was filled with values from a SplitMix64 stream that {@link SplitMixValues} reproduces exactly; the Ember
 * model must have the same keys (in the same order) and shapes, and after loading the same values give the same
 * eval-mode logits: within 1e-4 of torch's float32 logits (the bar) and of its float64 logits.
 */
class VisionGoldenTest {
    static final double TOLERANCE = 1e-4;

    static JsonObject fixture(String name) throws IOException {
        try (InputStream in = VisionGoldenTest.class.getResourceAsStream("/vision-golden/" + name + ".json")) {
            if (in == null) {
                throw new IOException("missing fixture vision-golden/" + name
                        + ".json (run tools/make_vision_golden.py)");
            }
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        }
    }

    static long[] longs(JsonArray a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsLong();
        }
        return out;
    }

    static double[] doubles(JsonArray a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsDouble();
        }
        return out;
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }

    /** The manifest's tensor {@code e}, generated. */
    static Tensor generate(JsonObject e) {
        long[] shape = longs(e.getAsJsonArray("shape"));
        if (e.get("dtype").getAsString().equals("int64")) {
            long[] v = new long[(int) numel(shape)];
            java.util.Arrays.fill(v, e.get("value").getAsLong());
            return Tensor.of(v, shape);
        }
        return Tensor.of(SplitMixValues.values(e.get("seed").getAsLong(), e.get("offset").getAsDouble(),
                e.get("scale").getAsDouble(), numel(shape)), shape);
    }

    /** Checks keys (same order) and shapes against the manifest, loads the generated values, returns the max diffs. */
    static double[] check(String name, Module model, boolean loadOneByOne) throws IOException {
        return check(name, model, loadOneByOne, false);
    }

    /**
     * With {@code alsoFloat64}, the model is then converted to float64 and must match torch's float64 logits to
     * 1e-8 (float32 rounding no longer hides small mistakes such as a wrong eps).
     */
    static double[] check(String name, Module model, boolean loadOneByOne, boolean alsoFloat64) throws IOException {
        long t0 = System.nanoTime();
        JsonObject fx = fixture(name);
        List<JsonObject> entries = new ArrayList<>();
        for (JsonElement e : fx.getAsJsonArray("tensors")) {
            entries.add(e.getAsJsonObject());
        }
        Map<String, Tensor> own = model.stateDict();
        List<String> expectedKeys = entries.stream().map(e -> e.get("key").getAsString()).toList();
        assertEquals(expectedKeys, List.copyOf(own.keySet()), name + ": state-dict keys differ from torchvision's");
        for (JsonObject e : entries) {
            String key = e.get("key").getAsString();
            assertArrayEquals(longs(e.getAsJsonArray("shape")), own.get(key).shape(), name + ": shape of " + key);
        }
        assertEquals(fx.get("num_parameters").getAsLong(), model.numParameters(), name + ": parameter count");

        if (loadOneByOne) {
            // one tensor at a time keeps the peak at one extra copy of the largest tensor (VGG's 411 MB fc weight)
            for (JsonObject e : entries) {
                model.loadStateDict(Map.of(e.get("key").getAsString(), generate(e)), false);
            }
        } else {
            Map<String, Tensor> state = new LinkedHashMap<>();
            for (JsonObject e : entries) {
                state.put(e.get("key").getAsString(), generate(e));
            }
            model.loadStateDict(state, true);
        }
        long t1 = System.nanoTime();
        JsonObject in = fx.getAsJsonObject("input");
        long[] inShape = longs(in.getAsJsonArray("shape"));
        Tensor x = Tensor.of(SplitMixValues.values(in.get("seed").getAsLong(), in.get("offset").getAsDouble(),
                in.get("scale").getAsDouble(), numel(inShape)), inShape);
        model.eval();
        Tensor y;
        try (var ignored = Autograd.noGrad()) {
            y = ((Layer) model).forward(x);
        }
        long t2 = System.nanoTime();
        assertArrayEquals(longs(fx.getAsJsonArray("logits_shape")), y.shape(), name + ": logits shape");
        double[] got = y.toDoubleArray();
        double d32 = maxAbsDiff(got, doubles(fx.getAsJsonArray("logits")));
        double d64 = maxAbsDiff(got, doubles(fx.getAsJsonArray("logits_float64")));
        System.out.printf("%s: max |ember - torch fp32| = %.3g, max |ember - torch fp64| = %.3g "
                        + "(torch fp32 vs fp64 %.3g); build+load %.2f s, forward %.2f s%n", name, d32, d64,
                fx.get("torch_float32_vs_float64").getAsDouble(), (t1 - t0) / 1e9, (t2 - t1) / 1e9);
        assertTrue(d32 <= TOLERANCE, name + ": logits differ from torch float32 by " + d32);
        assertTrue(d64 <= TOLERANCE, name + ": logits differ from torch float64 by " + d64);
        if (!alsoFloat64) {
            return new double[] {d32, d64, Double.NaN};
        }
        model.to(DType.FLOAT64);
        try (var ignored = Autograd.noGrad()) {
            y = ((Layer) model).forward(x.toDouble());
        }
        assertEquals(DType.FLOAT64, y.dtype());
        double e64 = maxAbsDiff(y.toDoubleArray(), doubles(fx.getAsJsonArray("logits_float64")));
        System.out.printf("%s in float64: max |ember - torch fp64| = %.3g%n", name, e64);
        assertTrue(e64 <= 1e-8, name + ": float64 logits differ from torch float64 by " + e64);
        return new double[] {d32, d64, e64};
    }

    static double maxAbsDiff(double[] a, double[] b) {
        assertEquals(b.length, a.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    @Test
    void resnet18MatchesTorchvision() throws IOException {
        check("resnet18", Models.resnet18(1000), false, true);
    }

    @Test
    void efficientnetB0MatchesTorchvision() throws IOException {
        check("efficientnet_b0", Models.efficientnetB0(1000), false, true);
    }

    /**
     * About 132.9M parameters: ~0.5 GB for the model, one tensor loaded at a time. Built without torchvision's
     * init (init_weights=False), which the loaded values replace anyway: drawing 133M normal values is the
     * slowest part of building a VGG (seconds).
     */
    @Test
    void vgg11MatchesTorchvision() throws IOException {
        VGG vgg = new VGG(VGG.makeLayers(VGG.CFG_A, false, 3), 1000, false, 0.5);
        check("vgg11", vgg, true);
        // the same (expensive) model on a CIFAR-sized image: dropout only in training
        Tensor x = Tensor.randn(1, 3, 32, 32);
        Tensor eval = ModelsTest.run(vgg, x);
        assertArrayEquals(new long[] {1, 1000}, eval.shape());
        vgg.train();
        assertTrue(ModelsTest.run(vgg, x).sub(eval).abs().max().item() > 0, "dropout changes training outputs");
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> vgg.forward(Tensor.randn(1, 3, 28, 28)));
        assertTrue(e.getMessage().contains("at least 32x32"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> vgg.forward(Tensor.randn(1, 1, 32, 32)));
        assertTrue(e.getMessage().startsWith("VGG: expected 3 input channels"), e.getMessage());
    }

    @Test
    void smallVitMatchesTorchvision() throws IOException {
        JsonObject b = fixture("vit_small_config").getAsJsonObject("builder");
        VisionTransformer vit = new VisionTransformer(b.get("image_size").getAsLong(), b.get("patch_size").getAsLong(),
                b.get("num_layers").getAsInt(), b.get("num_heads").getAsInt(), b.get("hidden_dim").getAsLong(),
                b.get("mlp_dim").getAsLong(), 0, 0, b.get("num_classes").getAsLong());
        check("vit_small_config", vit, false, true);
    }
}
