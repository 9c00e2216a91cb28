package dev.ember.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import dev.ember.nn.functional.Attention;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * RNN, LSTM, GRU, scaled dot-product attention, MultiheadAttention and the Transformer layers against PyTorch
 * (fixtures from tools/make_rnn_golden.py): each case loads PyTorch's state dict into the Ember module, runs
 * the same inputs and masks, and compares outputs and every input and parameter gradient in float64.
 */
class SequenceGoldenTest {

    @TestFactory
    Stream<DynamicTest> recurrentLayersMatchPyTorch() throws Exception {
        return cases("/rnn/rnn.json", 17, SequenceGoldenTest::runRecurrent);
    }

    @TestFactory
    Stream<DynamicTest> attentionMatchesPyTorch() throws Exception {
        return cases("/rnn/attention.json", 13, SequenceGoldenTest::runAttention);
    }

    @TestFactory
    Stream<DynamicTest> transformerLayersMatchPyTorch() throws Exception {
        return cases("/rnn/transformer.json", 8, SequenceGoldenTest::runTransformer);
    }

    private interface Runner {
        void run(JsonObject c);
    }

    private static Stream<DynamicTest> cases(String resource, int expected, Runner runner) throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        List<JsonObject> cases = SequenceFixtures.load(resource);
        assertEquals(expected, cases.size(), resource + ": case count");
        for (JsonObject c : cases) {
            tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> runner.run(c)));
        }
        return tests.stream();
    }

    private static void runRecurrent(JsonObject c) {
        JsonObject cfg = c.getAsJsonObject("config");
        if (c.get("kind").getAsString().endsWith("Cell")) {
            runCell(c, cfg);
            return;
        }
        long in = cfg.get("input_size").getAsLong();
        long hidden = cfg.get("hidden_size").getAsLong();
        int layers = cfg.get("num_layers").getAsInt();
        boolean bias = cfg.get("bias").getAsBoolean();
        boolean batchFirst = cfg.get("batch_first").getAsBoolean();
        double dropout = cfg.get("dropout").getAsDouble();
        boolean bidir = cfg.get("bidirectional").getAsBoolean();
        Map<String, Tensor> x = SequenceFixtures.leaves(c);
        Map<String, Tensor> out = new LinkedHashMap<>();
        Module m;
        switch (c.get("kind").getAsString()) {
            case "RNN" -> {
                RNN rnn = SequenceFixtures.load(new RNN(in, hidden, layers, cfg.get("nonlinearity").getAsString(), bias,
                        batchFirst, dropout, bidir), c);
                RnnOutput r = rnn.forward(x.get("input"), x.get("h0"));
                out.put("output", r.output());
                out.put("h_n", r.hN());
                m = rnn;
            }
            case "GRU" -> {
                GRU gru = SequenceFixtures.load(new GRU(in, hidden, layers, bias, batchFirst, dropout, bidir), c);
                RnnOutput r = gru.forward(x.get("input"), x.get("h0"));
                out.put("output", r.output());
                out.put("h_n", r.hN());
                m = gru;
            }
            case "LSTM" -> {
                LSTM lstm = SequenceFixtures.load(new LSTM(in, hidden, layers, bias, batchFirst, dropout, bidir), c);
                LstmOutput r = lstm.forward(x.get("input"), x.get("h0"), x.get("c0"));
                out.put("output", r.output());
                out.put("h_n", r.hN());
                out.put("c_n", r.cN());
                m = lstm;
            }
            default -> throw new IllegalArgumentException("unknown kind " + c.get("kind"));
        }
        SequenceFixtures.check(c, m, x, out);
    }

    private static void runCell(JsonObject c, JsonObject cfg) {
        long in = cfg.get("input_size").getAsLong();
        long hidden = cfg.get("hidden_size").getAsLong();
        boolean bias = cfg.get("bias").getAsBoolean();
        Map<String, Tensor> x = SequenceFixtures.leaves(c);
        Map<String, Tensor> out = new LinkedHashMap<>();
        Module m;
        switch (c.get("kind").getAsString()) {
            case "RNNCell" -> {
                String nonlinearity = cfg.get("nonlinearity").getAsString();
                RNNCell cell = SequenceFixtures.load(new RNNCell(in, hidden, bias, nonlinearity), c);
                out.put("h_n", cell.forward(x.get("input"), x.get("h0")));
                m = cell;
            }
            case "GRUCell" -> {
                GRUCell cell = SequenceFixtures.load(new GRUCell(in, hidden, bias), c);
                out.put("h_n", cell.forward(x.get("input"), x.get("h0")));
                m = cell;
            }
            case "LSTMCell" -> {
                LSTMCell cell = SequenceFixtures.load(new LSTMCell(in, hidden, bias), c);
                LSTMCell.State r = cell.forward(x.get("input"), x.get("h0"), x.get("c0"));
                out.put("h_n", r.h());
                out.put("c_n", r.c());
                m = cell;
            }
            default -> throw new IllegalArgumentException("unknown kind " + c.get("kind"));
        }
        SequenceFixtures.check(c, m, x, out);
    }

    private static void runAttention(JsonObject c) {
        Map<String, Tensor> x = SequenceFixtures.leaves(c);
        Map<String, Tensor> masks = SequenceFixtures.tensors(c, "masks");
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (c.get("kind").getAsString().equals("sdpa")) {
            var scale = c.getAsJsonObject("call").get("scale");
            out.put("output", Attention.scaledDotProductAttention(x.get("query"), x.get("key"), x.get("value"),
                    masks.get("attn_mask"), 0, SequenceFixtures.flag(c, "is_causal"),
                    scale.isJsonNull() ? null : scale.getAsDouble()));
            SequenceFixtures.check(c, null, x, out);
            return;
        }
        JsonObject cfg = c.getAsJsonObject("config");
        MultiheadAttention mha = SequenceFixtures.load(new MultiheadAttention(cfg.get("embed_dim").getAsLong(),
                cfg.get("num_heads").getAsInt(), cfg.get("dropout").getAsDouble(), cfg.get("bias").getAsBoolean(),
                cfg.get("batch_first").getAsBoolean()), c);
        Tensor q = x.get("query");
        boolean self = SequenceFixtures.flag(c, "self_attention");
        AttentionOutput r = mha.forward(q, self ? q : x.get("key"), self ? q : x.get("value"),
                masks.get("key_padding_mask"), SequenceFixtures.flag(c, "need_weights"), masks.get("attn_mask"),
                SequenceFixtures.flag(c, "average_attn_weights"), SequenceFixtures.flag(c, "is_causal"));
        out.put("output", r.output());
        out.put("weights", r.weights());
        SequenceFixtures.check(c, mha, x, out);
    }

    private static void runTransformer(JsonObject c) {
        JsonObject cfg = c.getAsJsonObject("config");
        JsonObject lc = cfg.getAsJsonObject("layer");
        long d = lc.get("d_model").getAsLong();
        int nhead = lc.get("nhead").getAsInt();
        long ff = lc.get("dim_feedforward").getAsLong();
        double p = lc.get("dropout").getAsDouble();
        String act = lc.get("activation").getAsString();
        double eps = lc.get("layer_norm_eps").getAsDouble();
        boolean bf = lc.get("batch_first").getAsBoolean();
        boolean nf = lc.get("norm_first").getAsBoolean();
        int layers = cfg.get("num_layers").getAsInt();
        LayerNorm norm = cfg.get("norm").getAsBoolean() ? new LayerNorm(d) : null;
        Map<String, Tensor> x = SequenceFixtures.leaves(c);
        Map<String, Tensor> masks = SequenceFixtures.tensors(c, "masks");
        Map<String, Tensor> out = new LinkedHashMap<>();
        Module m;
        switch (c.get("kind").getAsString()) {
            case "TransformerEncoder" -> {
                var layer = new TransformerEncoderLayer(d, nhead, ff, p, act, eps, bf, nf);
                var enc = SequenceFixtures.load(new TransformerEncoder(layer, layers, norm), c);
                out.put("output", enc.forward(x.get("src"), masks.get("src_mask"), masks.get("src_key_padding_mask"),
                        SequenceFixtures.flag(c, "is_causal")));
                m = enc;
            }
            case "TransformerDecoderLayer" -> {
                var layer = SequenceFixtures.load(new TransformerDecoderLayer(d, nhead, ff, p, act, eps, bf, nf), c);
                out.put("output", layer.forward(x.get("tgt"), x.get("memory"), null, masks.get("memory_mask"),
                        masks.get("tgt_key_padding_mask"), masks.get("memory_key_padding_mask"),
                        SequenceFixtures.flag(c, "tgt_is_causal")));
                m = layer;
            }
            case "TransformerDecoder" -> {
                var layer = new TransformerDecoderLayer(d, nhead, ff, p, act, eps, bf, nf);
                var dec = SequenceFixtures.load(new TransformerDecoder(layer, layers, norm), c);
                out.put("output", dec.forward(x.get("tgt"), x.get("memory"), null, masks.get("memory_mask"),
                        masks.get("tgt_key_padding_mask"), masks.get("memory_key_padding_mask"),
                        SequenceFixtures.flag(c, "tgt_is_causal")));
                m = dec;
            }
            default -> throw new IllegalArgumentException("unknown kind " + c.get("kind"));
        }
        SequenceFixtures.check(c, m, x, out);
    }
}
