package dev.ember.nn;

import static dev.ember.nn.NnFixtures.assertMatches;
import static dev.ember.nn.NnFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ember.nn.functional.Activations;
import dev.ember.nn.functional.CrossEntropyOptions;
import dev.ember.nn.functional.Embeddings;
import dev.ember.nn.functional.Linears;
import dev.ember.nn.functional.Losses;
import dev.ember.nn.functional.Padding;
import dev.ember.nn.functional.Similarity;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every activation, loss (each reduction, class weights, ignored targets, label smoothing, probability and
 * K-dimensional targets, pos_weight), padding mode, one-hot, embedding and bilinear against PyTorch: fixtures from
 * tools/make_nn_golden.py (nn/functional.json). Output and the gradient of every input after
 * {@code out.backward(grad_output)} must match. A missing arg means the call uses PyTorch's default, so the
 * short Java overloads are checked against PyTorch's defaults too.
 */
class FunctionalGoldenTest {

    @TestFactory
    Stream<DynamicTest> functionalMatchesPyTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement e : NnFixtures.load("functional.json").getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> run(c)));
        }
        assertTrue(tests.size() > 150, "expected the full fixture set, found " + tests.size());
        return tests.stream();
    }

    private static void run(JsonObject c) {
        String name = c.get("name").getAsString();
        JsonArray specs = c.getAsJsonArray("inputs");
        Tensor[] leaves = new Tensor[specs.size()];
        Tensor[] args = new Tensor[specs.size()];
        for (int i = 0; i < leaves.length; i++) {
            JsonObject spec = specs.get(i).getAsJsonObject();
            leaves[i] = tensor(spec);
            if (spec.get("requires_grad").getAsBoolean()) {
                leaves[i].requiresGrad(true);
            }
            JsonElement pre = spec.get("pre");
            args[i] = pre == null || pre.isJsonNull() ? leaves[i]
                    : leaves[i].transpose(pre.getAsJsonObject().get("dim0").getAsInt(),
                            pre.getAsJsonObject().get("dim1").getAsInt());
        }
        Tensor out = apply(c.get("op").getAsString(), c.getAsJsonObject("args"), args);
        assertMatches(name + " output", c.getAsJsonObject("output"), out);
        JsonElement gradOut = c.get("grad_output");
        if (gradOut == null || gradOut.isJsonNull()) {
            return;
        }
        out.backward(tensor(gradOut.getAsJsonObject()));
        JsonArray grads = c.getAsJsonArray("grads");
        for (int i = 0; i < leaves.length; i++) {
            JsonElement expected = grads.get(i);
            if (expected.isJsonNull()) {
                assertNull(leaves[i].grad(), name + ": input " + i + " should get no gradient");
            } else {
                assertNotNull(leaves[i].grad(), name + ": input " + i + " got no gradient");
                assertMatches(name + " grad of input " + i, expected.getAsJsonObject(), leaves[i].grad());
            }
        }
    }

    private static Tensor apply(String op, JsonObject a, Tensor[] x) {
        return switch (op) {
            case "relu" -> Activations.relu(x[0]);
            case "leaky_relu" -> a.has("negative_slope") ? Activations.leakyRelu(x[0], d(a, "negative_slope"))
                    : Activations.leakyRelu(x[0]);
            case "elu" -> a.has("alpha") ? Activations.elu(x[0], d(a, "alpha")) : Activations.elu(x[0]);
            case "gelu" -> a.has("approximate") ? Activations.gelu(x[0], s(a, "approximate")) : Activations.gelu(x[0]);
            case "silu" -> Activations.silu(x[0]);
            case "sigmoid" -> Activations.sigmoid(x[0]);
            case "tanh" -> Activations.tanh(x[0]);
            case "softmax" -> Activations.softmax(x[0], i(a, "dim"));
            case "log_softmax" -> Activations.logSoftmax(x[0], i(a, "dim"));
            case "softplus" -> a.has("beta") ? Activations.softplus(x[0], d(a, "beta"), d(a, "threshold"))
                    : Activations.softplus(x[0]);
            case "mse_loss" -> a.has("reduction") ? Losses.mseLoss(x[0], x[1], s(a, "reduction"))
                    : Losses.mseLoss(x[0], x[1]);
            case "l1_loss" -> a.has("reduction") ? Losses.l1Loss(x[0], x[1], s(a, "reduction")) : Losses.l1Loss(x[0], x[1]);
            case "smooth_l1_loss" -> a.has("reduction")
                    ? Losses.smoothL1Loss(x[0], x[1], s(a, "reduction"), a.has("beta") ? d(a, "beta") : 1.0)
                    : Losses.smoothL1Loss(x[0], x[1]);
            case "huber_loss" -> a.has("reduction")
                    ? Losses.huberLoss(x[0], x[1], s(a, "reduction"), a.has("delta") ? d(a, "delta") : 1.0)
                    : Losses.huberLoss(x[0], x[1]);
            case "binary_cross_entropy" -> a.has("reduction")
                    ? Losses.binaryCrossEntropy(x[0], x[1], flag(a, "weight") ? x[2] : null, s(a, "reduction"))
                    : Losses.binaryCrossEntropy(x[0], x[1]);
            case "binary_cross_entropy_with_logits" -> {
                if (!a.has("reduction")) {
                    yield Losses.binaryCrossEntropyWithLogits(x[0], x[1]);
                }
                int k = 2;
                Tensor w = flag(a, "weight") ? x[k++] : null;
                Tensor pw = flag(a, "pos_weight") ? x[k] : null;
                yield Losses.binaryCrossEntropyWithLogits(x[0], x[1], w, pw, s(a, "reduction"));
            }
            case "kl_div" -> a.has("reduction") ? Losses.klDiv(x[0], x[1], s(a, "reduction"), flag(a, "log_target"))
                    : Losses.klDiv(x[0], x[1]);
            case "cross_entropy" -> crossEntropy(a, x);
            case "nll_loss" -> a.keySet().isEmpty() ? Losses.nllLoss(x[0], x[1])
                    : Losses.nllLoss(x[0], x[1], flag(a, "weight") ? x[2] : null,
                            a.has("ignore_index") ? a.get("ignore_index").getAsLong() : -100,
                            a.has("reduction") ? s(a, "reduction") : "mean");
            case "cosine_similarity" -> a.keySet().isEmpty() ? Similarity.cosineSimilarity(x[0], x[1])
                    : Similarity.cosineSimilarity(x[0], x[1], a.has("dim") ? i(a, "dim") : 1,
                            a.has("eps") ? d(a, "eps") : 1e-8);
            case "pad" -> {
                long[] pad = NnFixtures.longs(a.getAsJsonArray("pad"));
                if (!a.has("mode")) {
                    yield Padding.pad(x[0], pad);
                }
                yield a.has("value") ? Padding.pad(x[0], pad, s(a, "mode"), d(a, "value"))
                        : Padding.pad(x[0], pad, s(a, "mode"));
            }
            case "one_hot" -> a.has("num_classes") ? Embeddings.oneHot(x[0], a.get("num_classes").getAsLong())
                    : Embeddings.oneHot(x[0]);
            case "embedding" -> a.has("padding_idx") ? Embeddings.embedding(x[0], x[1], a.get("padding_idx").getAsLong())
                    : Embeddings.embedding(x[0], x[1]);
            case "bilinear" -> Linears.bilinear(x[0], x[1], x[2], flag(a, "bias") ? x[3] : null);
            default -> throw new IllegalArgumentException("no Ember mapping for fixture op " + op);
        };
    }

    /** Defaults through the 2-arg overload, otherwise both the long signature and the options record. */
    private static Tensor crossEntropy(JsonObject a, Tensor[] x) {
        if (a.keySet().isEmpty()) {
            return Losses.crossEntropy(x[0], x[1]);
        }
        CrossEntropyOptions o = CrossEntropyOptions.DEFAULTS;
        if (flag(a, "weight")) {
            o = o.withWeight(x[2]);
        }
        if (a.has("ignore_index")) {
            o = o.withIgnoreIndex(a.get("ignore_index").getAsLong());
        }
        if (a.has("reduction")) {
            o = o.withReduction(s(a, "reduction"));
        }
        if (a.has("label_smoothing")) {
            o = o.withLabelSmoothing(d(a, "label_smoothing"));
            return Losses.crossEntropy(x[0], x[1], o);
        }
        return Losses.crossEntropy(x[0], x[1], o.weight(), o.ignoreIndex(), o.reduction(), o.labelSmoothing());
    }

    private static boolean flag(JsonObject a, String k) {
        return a.has(k) && a.get(k).getAsBoolean();
    }

    private static double d(JsonObject a, String k) {
        return a.get(k).getAsDouble();
    }

    private static int i(JsonObject a, String k) {
        return a.get(k).getAsInt();
    }

    private static String s(JsonObject a, String k) {
        return a.get(k).getAsString();
    }
}
