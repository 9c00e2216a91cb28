package dev.ember.nn.utils;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ember.optim.OptimFixtures;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** clipGradNorm (2, 1, 3 and inf norms; clipping and not) and clipGradValue against PyTorch (optim/clip.json). */
class ClipGradTest {

    @TestFactory
    Stream<DynamicTest> clippingMatchesPyTorch() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement e : OptimFixtures.load("clip.json").getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> run(c)));
        }
        assertTrue(tests.size() >= 18, "expected the full fixture set, found " + tests.size());
        return tests.stream();
    }

    private static void run(JsonObject c) {
        String name = c.get("name").getAsString();
        DType dtype = OptimFixtures.dtype(c.get("dtype").getAsString());
        JsonArray grads = c.getAsJsonArray("grads");
        List<Tensor> params = new ArrayList<>();
        for (JsonElement g : grads) {
            Tensor grad = OptimFixtures.tensor(g.getAsJsonObject());
            Tensor p = Tensor.zeros(dtype, grad.shape()).requiresGrad(true);
            p.setGrad(grad);
            params.add(p);
        }
        Tensor noGrad = Tensor.zeros(dtype, 2).requiresGrad(true);
        params.add(noGrad);
        if (c.get("kind").getAsString().equals("norm")) {
            JsonElement nt = c.get("norm_type");
            double normType = nt.getAsJsonPrimitive().isString() ? Double.POSITIVE_INFINITY : nt.getAsDouble();
            Tensor total = ClipGrad.clipGradNorm(params, c.get("max_norm").getAsDouble(), normType);
            assertEquals(0, total.dim(), name + ": total norm is 0-dim");
            OptimFixtures.assertClose(name + " total norm", c.getAsJsonObject("total_norm"), total);
        } else {
            ClipGrad.clipGradValue(params, c.get("clip_value").getAsDouble());
        }
        JsonArray clipped = c.getAsJsonArray("clipped");
        for (int i = 0; i < clipped.size(); i++) {
            OptimFixtures.assertClose(name + " grad " + i, clipped.get(i).getAsJsonObject(), params.get(i).grad());
        }
        assertNull(noGrad.grad(), name + ": a parameter without grad stays without");
    }

    @Test
    void noGradientsGiveZero() {
        Tensor p = Tensor.zeros(3).requiresGrad(true);
        assertEquals(0.0, ClipGrad.clipGradNorm(List.of(p), 1.0).item());
    }

    @Test
    void badArgumentsAreRejected() {
        Tensor p = Tensor.zeros(3).requiresGrad(true);
        p.setGrad(Tensor.ones(3));
        var e = assertThrows(IllegalArgumentException.class, () -> ClipGrad.clipGradNorm(List.of(p), -1.0));
        assertTrue(e.getMessage().contains("clipGradNorm") && e.getMessage().contains("-1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ClipGrad.clipGradNorm(List.of(p), 1.0, 0.0));
        assertTrue(e.getMessage().contains("norm_type"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ClipGrad.clipGradValue(List.of(p), -0.5));
        assertTrue(e.getMessage().contains("clip_value") && e.getMessage().contains("-0.5"), e.getMessage());
    }

    @Test
    void nonFiniteNormThrowsWhenAsked() {
        Tensor p = Tensor.zeros(2).requiresGrad(true);
        p.setGrad(Tensor.of(new double[] {1, Double.POSITIVE_INFINITY}, 2));
        var e = assertThrows(IllegalStateException.class, () -> ClipGrad.clipGradNorm(List.of(p), 1.0, 2.0, true));
        assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
        assertEquals(1.0, p.grad().toDoubleArray()[0], "gradients untouched when the norm is rejected");
    }
}
