package dev.ember.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.nn.functional.Attention;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Names, shapes, initialisation, layouts, modes, copies and error messages of the sequence layers. */
class SequenceModulesTest {

    @BeforeEach
    void seed() {
        Ember.manualSeed(3);
    }

    private static void assertAllClose(Tensor expected, Tensor actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape());
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], tol, "element " + i);
        }
    }

    @Test
    void lstmParameterNamesShapesAndInit() {
        LSTM lstm = new LSTM(3, 4, 2, true, false, 0, true);
        Map<String, Tensor> p = lstm.namedParameters();
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l0_reverse",
                "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse", "weight_ih_l1", "weight_hh_l1",
                "bias_ih_l1", "bias_hh_l1", "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse",
                "bias_hh_l1_reverse"), List.copyOf(p.keySet()));
        assertArrayEquals(new long[] {16, 3}, p.get("weight_ih_l0").shape());
        assertArrayEquals(new long[] {16, 8}, p.get("weight_ih_l1").shape());
        assertArrayEquals(new long[] {16, 4}, p.get("weight_hh_l1_reverse").shape());
        assertArrayEquals(new long[] {16}, p.get("bias_hh_l0").shape());
        for (Tensor t : p.values()) {
            assertTrue(t.abs().max().item() <= 0.5, "U(-1/sqrt(4), 1/sqrt(4))");
        }
        assertEquals(2, new GRU(3, 4, 1, false, false, 0, false).parameters().size());
        assertArrayEquals(new long[] {12, 3}, new GRU(3, 4).namedParameters().get("weight_ih_l0").shape());
        assertArrayEquals(new long[] {4, 3}, new RNN(3, 4).namedParameters().get("weight_ih_l0").shape());
    }

    @Test
    void printsLikePyTorch() {
        assertEquals("LSTM(10, 20, num_layers=2, batch_first=True, bidirectional=True)",
                new LSTM(10, 20, 2, true, true, 0, true).toString());
        assertEquals("RNN(3, 4, num_layers=2, bias=False, dropout=0.5)",
                new RNN(3, 4, 2, "relu", false, false, 0.5, false).toString());
        assertEquals("GRU(3, 4)", new GRU(3, 4).toString());
        assertEquals("RNNCell(3, 4, bias=False, nonlinearity=relu)", new RNNCell(3, 4, false, "relu").toString());
        assertEquals("LSTMCell(3, 4)", new LSTMCell(3, 4).toString());
    }

    @Test
    void unbatchedAndBatchFirstMatchTheSeqFirstLayout() {
        LSTM seqFirst = new LSTM(3, 2, 2, true, false, 0, true);
        LSTM batchFirst = new LSTM(3, 2, 2, true, true, 0, true);
        batchFirst.loadStateDict(seqFirst.stateDict(), true);
        Tensor x = Tensor.randn(4, 2, 3);
        LstmOutput a = seqFirst.forward(x);
        LstmOutput b = batchFirst.forward(x.transpose(0, 1));
        assertAllClose(a.output(), b.output().transpose(0, 1), 1e-6);
        assertAllClose(a.hN(), b.hN(), 1e-6);
        assertAllClose(a.cN(), b.cN(), 1e-6);

        LstmOutput single = seqFirst.forward(x.select(1, 1));
        assertArrayEquals(new long[] {4, 4}, single.output().shape());
        assertArrayEquals(new long[] {4, 2}, single.hN().shape());
        assertAllClose(a.output().select(1, 1), single.output(), 1e-6);
        assertAllClose(a.cN().select(1, 1), single.cN(), 1e-6);
    }

    @Test
    void dropoutBetweenLayersOnlyWhileTraining() {
        GRU withDropout = new GRU(2, 3, 2, true, false, 0.5, false);
        GRU without = new GRU(2, 3, 2, true, false, 0, false);
        without.loadStateDict(withDropout.stateDict(), true);
        Tensor x = Tensor.randn(5, 2, 2);
        Tensor trained = withDropout.forward(x).output();
        Tensor plain = without.forward(x).output();
        assertTrue(trained.sub(plain).abs().max().item() > 1e-3, "dropout changed nothing while training");
        withDropout.eval();
        assertAllClose(plain, withDropout.forward(x).output(), 0);
    }

    @Test
    void recurrentErrorsNameTheProblem() {
        LSTM lstm = new LSTM(3, 4);
        var e = assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.randn(5, 2, 2)));
        assertTrue(e.getMessage().contains("input_size. Expected 3, got 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> lstm.forward(Tensor.randn(5, 2, 3), Tensor.zeros(2, 2, 4), null));
        assertTrue(e.getMessage().contains("expected hidden size [1, 2, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> lstm.forward(Tensor.randn(5, 2, 3), null, Tensor.zeros(1, 2, 3)));
        assertTrue(e.getMessage().contains("hidden[1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> lstm.forward(Tensor.randn(5, 3), Tensor.zeros(1, 1, 4), null));
        assertTrue(e.getMessage().contains("unbatched 2-D input"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.randn(1, 5, 2, 3)));
        assertTrue(e.getMessage().contains("2-D or 3-D"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.randn(DType.FLOAT64, 5, 2, 3)));
        assertTrue(e.getMessage().contains("torch.float32"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(0, 2, 3)));
        assertTrue(e.getMessage().contains("sequence length"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RNN(3, 4, 1, "sigmoid", true, false, 0, false));
        assertTrue(e.getMessage().contains("'sigmoid'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GRU(3, 0));
        e = assertThrows(IllegalArgumentException.class, () -> new LSTMCell(3, 4).forward(Tensor.randn(2, 3),
                Tensor.zeros(2, 4), Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("cx of shape [2, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GRUCell(3, 4).forward(Tensor.randn(2, 2)));
        assertTrue(e.getMessage().contains("expected input (N, 3)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GRU(3, 4, 1, true, false, 1.5, false));
    }

    @Test
    void multiheadAttentionParametersAndInit() {
        MultiheadAttention mha = new MultiheadAttention(6, 3);
        assertEquals(List.of("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"),
                List.copyOf(mha.namedParameters().keySet()));
        assertArrayEquals(new long[] {18, 6}, mha.inProjWeight.shape());
        double xavier = Math.sqrt(6.0 / (18 + 6));
        assertTrue(mha.inProjWeight.abs().max().item() <= xavier);
        assertTrue(mha.inProjWeight.abs().max().item() > xavier / 2, "xavier_uniform fills the range");
        assertEquals(0, mha.inProjBias.abs().max().item());
        assertEquals(0, mha.outProj.bias.abs().max().item());
        assertEquals(2, new MultiheadAttention(6, 3, 0, false, false).parameters().size());
    }

    @Test
    void multiheadAttentionShapesAndErrors() {
        MultiheadAttention mha = new MultiheadAttention(4, 2, 0, true, true);
        Tensor q = Tensor.randn(2, 3, 4);
        Tensor kv = Tensor.randn(2, 5, 4);
        AttentionOutput r = mha.forward(q, kv, kv, null, true, null, false, false);
        assertArrayEquals(new long[] {2, 3, 4}, r.output().shape());
        assertArrayEquals(new long[] {2, 2, 3, 5}, r.weights().shape());
        assertAllClose(Tensor.ones(2, 2, 3), r.weights().sum(-1, false), 1e-6);
        assertNull(mha.forward(q, kv, kv, null, false, null).weights());

        var e = assertThrows(IllegalArgumentException.class, () -> new MultiheadAttention(5, 2));
        assertTrue(e.getMessage().contains("divisible"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> mha.forward(q, kv, kv, null, true, Tensor.zeros(3, 4)));
        assertTrue(e.getMessage().contains("attn_mask of shape [3, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> mha.forward(q, kv, kv, Tensor.zeros(2, 4), true, null));
        assertTrue(e.getMessage().contains("key_padding_mask of shape [2, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> mha.forward(q, kv, kv, Tensor.zeros(DType.INT64, 2, 5), true, null));
        assertTrue(e.getMessage().contains("only bool and floating"), e.getMessage());
    }

    @Test
    void causalMasks() {
        Tensor m = Attention.generateSquareSubsequentMask(3, DType.FLOAT32);
        double inf = Double.NEGATIVE_INFINITY;
        assertArrayEquals(new double[] {0, inf, inf, 0, 0, inf, 0, 0, 0}, m.toDoubleArray());
        Tensor q = Tensor.randn(3, 2);
        Tensor kv = Tensor.randn(3, 2);
        assertAllClose(Attention.scaledDotProductAttention(q, kv, kv, Attention.causalMask(3, 3), 0, false, null),
                Attention.scaledDotProductAttention(q, kv, kv, null, 0, true, null), 1e-6);
        var e = assertThrows(IllegalArgumentException.class,
                () -> Attention.scaledDotProductAttention(q, kv, kv, Attention.causalMask(3, 3), 0, true, null));
        assertTrue(e.getMessage().contains("is_causal"), e.getMessage());
        // the first query attends only to the first key
        Tensor v = Tensor.randn(3, 2);
        assertAllClose(v.select(0, 0), Attention.scaledDotProductAttention(q, kv, v, null, 0, true, null).select(0, 0),
                1e-6);
    }

    @Test
    void encoderLayersAreDeepCopies() {
        TransformerEncoderLayer proto = new TransformerEncoderLayer(4, 2, 8, 0.1, "gelu", 1e-5, false, false);
        proto.to(DType.FLOAT64);
        TransformerEncoder enc = new TransformerEncoder(proto, 2, new LayerNorm(4));
        assertEquals(2 * proto.numParameters() + 8, enc.numParameters());
        Map<String, Tensor> p = enc.namedParameters();
        assertTrue(p.containsKey("layers.1.self_attn.out_proj.weight"));
        assertTrue(p.containsKey("layers.0.norm2.bias"));
        assertTrue(p.containsKey("norm.weight"));
        Tensor w0 = p.get("layers.0.linear1.weight");
        Tensor w1 = p.get("layers.1.linear1.weight");
        assertNotSame(w0, w1);
        assertNotSame(proto.linear1.weight, w0);
        assertEquals(DType.FLOAT64, w0.dtype());
        assertAllClose(proto.linear1.weight, w1, 0);
        proto.linear1.weight.setData(proto.linear1.weight.detach().mul(0.0));
        assertTrue(w0.abs().max().item() > 0, "a copy shares storage with the prototype");
        assertTrue(enc.isTraining());
        assertFalse(enc.eval().isTraining());
        var e = assertThrows(IllegalArgumentException.class,
                () -> new TransformerEncoderLayer(4, 2, 8, 0.1, "tanh", 1e-5, false, false));
        assertTrue(e.getMessage().contains("relu/gelu"), e.getMessage());
    }

    @Test
    void decoderShapesBatchFirstAndUnbatched() {
        TransformerDecoder dec = new TransformerDecoder(new TransformerDecoderLayer(4, 2, 8, 0, "relu", 1e-5, true,
                true), 2);
        assertArrayEquals(new long[] {2, 3, 4}, dec.forward(Tensor.randn(2, 3, 4), Tensor.randn(2, 5, 4)).shape());
        Tensor tgt = Tensor.randn(3, 4);
        Tensor mem = Tensor.randn(5, 4);
        Tensor single = dec.forward(tgt, mem, null, null, null, null, true);
        Tensor batched = dec.forward(tgt.unsqueeze(0), mem.unsqueeze(0), null, null, null, null, true);
        assertAllClose(batched.squeeze(0), single, 1e-5);
    }

    @Test
    void attentionDropoutOnlyWhileTraining() {
        MultiheadAttention mha = new MultiheadAttention(4, 2, 0.5, true, false);
        Tensor x = Tensor.randn(6, 2, 4);
        Tensor w = mha.forward(x, x, x, null, true, null, false, false).weights();
        assertTrue(w.sum(-1, false).sub(1.0).abs().max().item() > 1e-3, "no dropout on the weights while training");
        mha.eval();
        Tensor we = mha.forward(x, x, x, null, true, null, false, false).weights();
        assertAllClose(Tensor.ones(2, 2, 6), we.sum(-1, false), 1e-6);

        TransformerEncoderLayer layer = new TransformerEncoderLayer(4, 2, 8, 0.5);
        Tensor a = layer.forward(x);
        Tensor b = layer.forward(x);
        assertTrue(a.sub(b).abs().max().item() > 1e-4, "two training passes with dropout 0.5 agree");
        layer.eval();
        assertAllClose(layer.forward(x), layer.forward(x), 0);
    }
}
