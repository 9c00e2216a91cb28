package dev.ember.nn;

import static dev.ember.nn.NnFixtures.assertMatches;
import static dev.ember.nn.NnFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Modules against PyTorch (nn/modules.json from tools/make_nn_golden.py): a PyTorch layer's state dict loads into
 * the Ember layer built with the same arguments, and output and gradients (input and every parameter) match;
 * state-dict and parameter names of a nested model, {@code toString()} of many modules, calculateGain and the
 * buffers of weighted losses are PyTorch's.
 */
class ModuleGoldenTest {
    private static final JsonObject FIX = NnFixtures.load("modules.json");

    /** PyTorch's Net in the script: features = Sequential(Linear, ReLU, Linear), head, norm. */
    static final class Net extends Module {
        final Sequential features = registerModule("features", new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 3)));
        final Linear head = registerModule("head", new Linear(3, 1, false));
        final LayerNorm norm = registerModule("norm", new LayerNorm(3));
    }

    /** PyTorch's WithExtra in the script: an extra repr and a child. */
    static final class WithExtra extends Module {
        private final String extra;

        WithExtra(String extra) {
            this.extra = extra;
            registerModule("lin", new Linear(1, 1));
        }

        @Override
        protected String extraRepr() {
            return extra;
        }
    }

    private static JsonObject layer(String name) {
        for (JsonElement e : FIX.getAsJsonArray("layers")) {
            if (e.getAsJsonObject().get("name").getAsString().equals(name)) {
                return e.getAsJsonObject();
            }
        }
        throw new AssertionError("no layer fixture " + name);
    }

    private static Map<String, Tensor> state(JsonObject fixture) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        fixture.getAsJsonObject("state").entrySet().forEach(e -> state.put(e.getKey(), tensor(e.getValue().getAsJsonObject())));
        return state;
    }

    /** Loads the fixture's state dict, runs forward via {@code f}, backward, and compares with PyTorch. */
    private static void check(String name, Module m, java.util.function.Function<Tensor[], Tensor> f) {
        JsonObject fx = layer(name);
        Map<String, Tensor> state = state(fx);
        assertEquals(new ArrayList<>(state.keySet()).stream().sorted().toList(),
                new ArrayList<>(m.stateDict().keySet()).stream().sorted().toList(), name + ": state dict keys");
        m.loadStateDict(state, true);
        List<Tensor> inputs = new ArrayList<>();
        for (JsonElement e : fx.getAsJsonArray("inputs")) {
            Tensor t = tensor(e.getAsJsonObject());
            inputs.add(t.isFloatingPoint() ? t.requiresGrad(true) : t);
        }
        Tensor out = f.apply(inputs.toArray(new Tensor[0]));
        assertMatches(name + " output", fx.getAsJsonObject("output"), out);
        out.backward(tensor(fx.getAsJsonObject("grad_output")));
        JsonObject grads = fx.getAsJsonObject("grads");
        for (int i = 0; i < inputs.size(); i++) {
            if (grads.has("input" + i)) {
                assertMatches(name + " grad of input " + i, grads.getAsJsonObject("input" + i), inputs.get(i).grad());
            }
        }
        m.namedParameters().forEach((k, p) -> {
            assertNotNull(p.grad(), name + ": no gradient for " + k);
            assertMatches(name + " grad of " + k, grads.getAsJsonObject(k), p.grad());
        });
    }

    @Test
    void sequentialLoadsPyTorchStateDict() {
        Sequential s = new Sequential(new Linear(3, 4, true, DType.FLOAT64), new ReLU(), new Linear(4, 2, true, DType.FLOAT64));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), new ArrayList<>(s.stateDict().keySet()));
        check("sequential", s, in -> s.forward(in[0]));
    }

    @Test
    void sequentialInFloat32LoadsFloat64StateAndMatches() {
        // loadStateDict converts to the parameter's dtype; float32 results agree to float32 precision
        Sequential s = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
        JsonObject fx = layer("sequential");
        s.loadStateDict(state(fx), true);
        assertEquals(DType.FLOAT32, s.parameters().get(0).dtype());
        Tensor out = s.forward(tensor(fx.getAsJsonArray("inputs").get(0).getAsJsonObject()).toFloat());
        double[] want = tensor(fx.getAsJsonObject("output")).toDoubleArray();
        double[] got = out.toDoubleArray();
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-5 * Math.max(1, Math.abs(want[i])));
        }
    }

    @Test
    void embeddingWithPaddingIdx() {
        JsonObject cfg = layer("embedding").getAsJsonObject("config");
        Embedding e = new Embedding(cfg.get("num_embeddings").getAsLong(), cfg.get("embedding_dim").getAsLong(),
                cfg.get("padding_idx").getAsLong(), DType.FLOAT64);
        check("embedding", e, in -> e.forward(in[0]));
        // the padding row received an all-zero gradient, like PyTorch's
        assertEquals(0.0, e.weight.grad().select(0, 2).abs().sum().item(), 0.0);
    }

    @Test
    void bilinear() {
        Bilinear b = new Bilinear(2, 3, 4, true, DType.FLOAT64);
        check("bilinear", b, in -> b.forward(in[0], in[1]));
    }

    @Test
    void nestedModelNames() {
        Net net = new Net();
        JsonObject keys = FIX.getAsJsonObject("model_keys");
        assertEquals(strings(keys, "state_dict"), new ArrayList<>(net.stateDict().keySet()));
        assertEquals(strings(keys, "named_parameters"), new ArrayList<>(net.namedParameters().keySet()));
    }

    private static List<String> strings(JsonObject o, String key) {
        List<String> r = new ArrayList<>();
        o.getAsJsonArray(key).forEach(e -> r.add(e.getAsString()));
        return r;
    }

    private static String repr(String key) {
        return FIX.getAsJsonObject("reprs").get(key).getAsString();
    }

    @Test
    void toStringMatchesPyTorch() {
        assertEquals(repr("mlp"), new Sequential(new Linear(10, 32), new ReLU(), new Linear(32, 1)).toString());
        assertEquals(repr("net"), new Net().toString());
        assertEquals(repr("nested"), new Sequential(new Sequential(new Linear(1, 2), new Tanh()), new Dropout(0.1),
                new Identity()).toString());
        assertEquals(repr("extra_and_children"), new WithExtra("k=3").toString());
        assertEquals(repr("multiline_extra_and_children"), new WithExtra("x\ny").toString());
        assertEquals(repr("empty"), new Sequential().toString());
        assertEquals(repr("activations"), new Sequential(new ReLU(), new LeakyReLU(), new LeakyReLU(0.2), new ELU(),
                new ELU(0.5), new GELU(), new GELU("tanh"), new SiLU(), new Sigmoid(), new Tanh(), new Softmax(1),
                new Softmax(), new LogSoftmax(-1), new Softplus(), new Softplus(2, 10), new Flatten(),
                new Flatten(0, 2), new Identity()).toString());
        assertEquals(repr("layers"), new ModuleList(new Embedding(5, 3), new Embedding(5, 3, 0L), new Bilinear(2, 3, 4),
                new Bilinear(2, 3, 4, false), new LayerNorm(new long[] {2, 3}, 1e-6, true), new Dropout(),
                new Linear(3, 2, false)).toString().replaceFirst("^ModuleList", "Sequential"));
        assertEquals(repr("losses"), new ModuleList(new MSELoss(), new L1Loss(), new SmoothL1Loss(), new HuberLoss(),
                new CrossEntropyLoss(), new NLLLoss(), new BCELoss(), new BCEWithLogitsLoss(), new KLDivLoss(),
                new CosineSimilarity()).toString().replaceFirst("^ModuleList", "Sequential"));
    }

    @Test
    void calculateGainMatchesPyTorch() {
        JsonObject gains = FIX.getAsJsonObject("gains");
        for (String k : gains.keySet()) {
            double want = gains.get(k).getAsDouble();
            double got = k.equals("leaky_relu_0.2") ? Init.calculateGain("leaky_relu", 0.2) : Init.calculateGain(k);
            assertEquals(want, got, 1e-15, k);
        }
    }

    @Test
    void weightedLossesKeepWeightsAsBuffers() {
        JsonObject ls = FIX.getAsJsonObject("loss_state");
        assertEquals(strings(ls, "cross_entropy_weight"),
                new ArrayList<>(new CrossEntropyLoss(Tensor.ones(3), -100, "mean", 0).stateDict().keySet()));
        assertEquals(strings(ls, "bce_logits_both"),
                new ArrayList<>(new BCEWithLogitsLoss(Tensor.ones(3), "mean", Tensor.ones(3)).stateDict().keySet()));
        assertEquals(strings(ls, "nll_none"), new ArrayList<>(new NLLLoss().stateDict().keySet()));
    }
}
