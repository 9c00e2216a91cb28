package dev.ember.optim;

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
import java.util.List;
import java.util.Map;

/** Reading the PyTorch fixtures written by tools/make_optim_golden.py, and building optimizers from them. */
public final class OptimFixtures {
    private OptimFixtures() {
    }

    public static JsonObject load(String name) throws Exception {
        try (var in = OptimFixtures.class.getResourceAsStream("/optim/" + name)) {
            assertNotNull(in, "optim/" + name + " missing from test resources (run tools/make_optim_golden.py)");
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        }
    }

    public static DType dtype(String s) {
        return switch (s) {
            case "float32" -> DType.FLOAT32;
            case "float64" -> DType.FLOAT64;
            case "int64" -> DType.INT64;
            default -> throw new IllegalArgumentException("unknown dtype in fixture: " + s);
        };
    }

    public static Tensor tensor(JsonObject spec) {
        JsonArray s = spec.getAsJsonArray("shape");
        long[] shape = new long[s.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = s.get(i).getAsLong();
        }
        JsonArray data = spec.getAsJsonArray("data");
        DType dtype = dtype(spec.get("dtype").getAsString());
        if (dtype == DType.INT64) {
            long[] v = new long[data.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = data.get(i).getAsLong();
            }
            return Tensor.of(v, shape);
        }
        return Tensor.of(dtype, doubles(data), shape);
    }

    public static double[] doubles(JsonArray a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).getAsDouble();
        }
        return v;
    }

    /** |got - want| <= tol (1 + |want|): tol 1e-6 for float32, 1e-12 for float64. */
    public static void assertClose(String what, JsonObject expected, Tensor actual) {
        DType dtype = dtype(expected.get("dtype").getAsString());
        assertEquals(dtype, actual.dtype(), what + ": dtype");
        Tensor want = tensor(expected);
        assertArrayEquals(want.shape(), actual.shape(), what + ": shape");
        assertClose(what, want.toDoubleArray(), actual.toDoubleArray(), dtype == DType.FLOAT32 ? 1e-6 : 1e-12);
    }

    public static void assertClose(String what, double[] want, double[] got, double tol) {
        assertEquals(want.length, got.length, what + ": element count");
        for (int i = 0; i < got.length; i++) {
            boolean ok = Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i]))
                    || (Double.isNaN(want[i]) && Double.isNaN(got[i])) || want[i] == got[i];
            assertTrue(ok, what + ": element " + i + " expected " + want[i] + " but was " + got[i]);
        }
    }

    /** An optimizer named as in PyTorch with PyTorch's keyword arguments (snake_case) as options. */
    public static Optimizer<?> build(String name, List<Tensor> params, JsonObject kwargs) {
        return switch (name) {
            case "SGD" -> new SGD(params, sgd(SGD.options(), kwargs));
            case "Adam" -> new Adam(params, adam(Adam.options(), kwargs));
            case "AdamW" -> new AdamW(params, adam(AdamW.options(), kwargs));
            case "RMSprop" -> new RMSprop(params, rmsprop(RMSprop.options(), kwargs));
            case "Adagrad" -> new Adagrad(params, adagrad(Adagrad.options(), kwargs));
            default -> throw new IllegalArgumentException("unknown optimizer " + name);
        };
    }

    /** Adds a group with PyTorch-style overrides to an optimizer made by {@link #build}. */
    public static void addGroup(Optimizer<?> optimizer, List<Tensor> params, JsonObject overrides) {
        switch (optimizer) {
            case SGD o -> o.addParamGroup(params, x -> sgd(x, overrides));
            case Adam o -> o.addParamGroup(params, x -> adam(x, overrides));
            case RMSprop o -> o.addParamGroup(params, x -> rmsprop(x, overrides));
            case Adagrad o -> o.addParamGroup(params, x -> adagrad(x, overrides));
            default -> throw new IllegalArgumentException("unknown optimizer " + optimizer);
        }
    }

    static SGD.Options sgd(SGD.Options o, JsonObject kw) {
        for (Map.Entry<String, JsonElement> e : kw.entrySet()) {
            JsonElement v = e.getValue();
            switch (e.getKey()) {
                case "lr" -> o.lr(v.getAsDouble());
                case "momentum" -> o.momentum(v.getAsDouble());
                case "dampening" -> o.dampening(v.getAsDouble());
                case "weight_decay" -> o.weightDecay(v.getAsDouble());
                case "nesterov" -> o.nesterov(v.getAsBoolean());
                case "maximize" -> o.maximize(v.getAsBoolean());
                default -> throw new IllegalArgumentException("SGD option " + e.getKey());
            }
        }
        return o;
    }

    static Adam.Options adam(Adam.Options o, JsonObject kw) {
        for (Map.Entry<String, JsonElement> e : kw.entrySet()) {
            JsonElement v = e.getValue();
            switch (e.getKey()) {
                case "lr" -> o.lr(v.getAsDouble());
                case "betas" -> o.betas(v.getAsJsonArray().get(0).getAsDouble(), v.getAsJsonArray().get(1).getAsDouble());
                case "eps" -> o.eps(v.getAsDouble());
                case "weight_decay" -> o.weightDecay(v.getAsDouble());
                case "amsgrad" -> o.amsgrad(v.getAsBoolean());
                case "maximize" -> o.maximize(v.getAsBoolean());
                default -> throw new IllegalArgumentException("Adam option " + e.getKey());
            }
        }
        return o;
    }

    static RMSprop.Options rmsprop(RMSprop.Options o, JsonObject kw) {
        for (Map.Entry<String, JsonElement> e : kw.entrySet()) {
            JsonElement v = e.getValue();
            switch (e.getKey()) {
                case "lr" -> o.lr(v.getAsDouble());
                case "alpha" -> o.alpha(v.getAsDouble());
                case "eps" -> o.eps(v.getAsDouble());
                case "weight_decay" -> o.weightDecay(v.getAsDouble());
                case "momentum" -> o.momentum(v.getAsDouble());
                case "centered" -> o.centered(v.getAsBoolean());
                case "maximize" -> o.maximize(v.getAsBoolean());
                default -> throw new IllegalArgumentException("RMSprop option " + e.getKey());
            }
        }
        return o;
    }

    static Adagrad.Options adagrad(Adagrad.Options o, JsonObject kw) {
        for (Map.Entry<String, JsonElement> e : kw.entrySet()) {
            JsonElement v = e.getValue();
            switch (e.getKey()) {
                case "lr" -> o.lr(v.getAsDouble());
                case "lr_decay" -> o.lrDecay(v.getAsDouble());
                case "weight_decay" -> o.weightDecay(v.getAsDouble());
                case "initial_accumulator_value" -> o.initialAccumulatorValue(v.getAsDouble());
                case "eps" -> o.eps(v.getAsDouble());
                case "maximize" -> o.maximize(v.getAsBoolean());
                default -> throw new IllegalArgumentException("Adagrad option " + e.getKey());
            }
        }
        return o;
    }
}
