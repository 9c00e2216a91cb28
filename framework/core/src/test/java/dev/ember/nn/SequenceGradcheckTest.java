package dev.ember.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.autograd.GradCheck;
import dev.ember.nn.functional.Attention;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Finite-difference checks (float64, tiny sizes) of the recurrent, attention and Transformer layers: the
 * gradient of every output (sequence output and final states) with respect to the inputs, the initial states
 * and every parameter.
 */
class SequenceGradcheckTest {

    @BeforeEach
    void seed() {
        Ember.manualSeed(7);
    }

    private static Tensor randn(long... shape) {
        return Tensor.randn(DType.FLOAT64, shape).requiresGrad(true);
    }

    /** The module's parameters (as float64) followed by {@code extra}, for gradcheck's input list. */
    private static Tensor[] withParams(Module m, Tensor... extra) {
        List<Tensor> all = new ArrayList<>(m.parameters());
        all.addAll(List.of(extra));
        return all.toArray(new Tensor[0]);
    }

    private static Tensor flatCat(Tensor... parts) {
        List<Tensor> flat = new ArrayList<>();
        for (Tensor p : parts) {
            flat.add(p.reshape(-1));
        }
        return Tensor.cat(flat, 0);
    }

    private static void check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        assertTrue(GradCheck.gradcheck(f, inputs));
    }

    @Test
    void rnnTanh() {
        RNN rnn = new RNN(2, 3);
        rnn.to(DType.FLOAT64);
        Tensor x = randn(3, 2, 2);
        Tensor h0 = randn(1, 2, 3);
        check(in -> {
            RnnOutput r = rnn.forward(x, h0);
            return flatCat(r.output(), r.hN());
        }, withParams(rnn, x, h0));
    }

    @Test
    void rnnReluTwoLayersBidirectionalBatchFirst() {
        RNN rnn = new RNN(2, 2, 2, "relu", true, true, 0, true);
        rnn.to(DType.FLOAT64);
        Tensor x = randn(2, 3, 2);
        Tensor h0 = randn(4, 2, 2);
        check(in -> {
            RnnOutput r = rnn.forward(x, h0);
            return flatCat(r.output(), r.hN());
        }, withParams(rnn, x, h0));
    }

    @Test
    void lstm() {
        LSTM lstm = new LSTM(2, 3);
        lstm.to(DType.FLOAT64);
        Tensor x = randn(3, 2, 2);
        Tensor h0 = randn(1, 2, 3);
        Tensor c0 = randn(1, 2, 3);
        check(in -> {
            LstmOutput r = lstm.forward(x, h0, c0);
            return flatCat(r.output(), r.hN(), r.cN());
        }, withParams(lstm, x, h0, c0));
    }

    @Test
    void lstmTwoLayersBidirectional() {
        LSTM lstm = new LSTM(2, 2, 2, true, false, 0, true);
        lstm.to(DType.FLOAT64);
        Tensor x = randn(3, 1, 2); // batch 1: the Jacobian costs one backward per output element
        Tensor h0 = randn(4, 1, 2);
        Tensor c0 = randn(4, 1, 2);
        check(in -> {
            LstmOutput r = lstm.forward(x, h0, c0);
            return flatCat(r.output(), r.hN(), r.cN());
        }, withParams(lstm, x, h0, c0));
    }

    @Test
    void lstmUnbatchedWithoutBias() {
        LSTM lstm = new LSTM(2, 2, 1, false, false, 0, false);
        lstm.to(DType.FLOAT64);
        Tensor x = randn(3, 2);
        check(in -> {
            LstmOutput r = lstm.forward(x);
            return flatCat(r.output(), r.hN(), r.cN());
        }, withParams(lstm, x));
    }

    @Test
    void gru() {
        GRU gru = new GRU(2, 3);
        gru.to(DType.FLOAT64);
        Tensor x = randn(3, 2, 2);
        Tensor h0 = randn(1, 2, 3);
        check(in -> {
            RnnOutput r = gru.forward(x, h0);
            return flatCat(r.output(), r.hN());
        }, withParams(gru, x, h0));
    }

    @Test
    void gruTwoLayersBidirectionalBatchFirst() {
        GRU gru = new GRU(2, 2, 2, true, true, 0, true);
        gru.to(DType.FLOAT64);
        Tensor x = randn(1, 3, 2);
        Tensor h0 = randn(4, 1, 2);
        check(in -> {
            RnnOutput r = gru.forward(x, h0);
            return flatCat(r.output(), r.hN());
        }, withParams(gru, x, h0));
    }

    @Test
    void scaledDotProductAttentionPlainAndScaled() {
        Tensor q = randn(2, 3, 2);
        Tensor k = randn(2, 4, 2);
        Tensor v = randn(2, 4, 3);
        check(in -> Attention.scaledDotProductAttention(in[0], in[1], in[2]), q, k, v);
        check(in -> Attention.scaledDotProductAttention(in[0], in[1], in[2], null, 0, false, 0.7), q, k, v);
    }

    @Test
    void scaledDotProductAttentionMasks() {
        Tensor q = randn(2, 3, 2);
        Tensor k = randn(2, 4, 2);
        Tensor v = randn(2, 4, 3);
        Tensor bool = Tensor.of(new boolean[] {true, false, true, true, true, true, false, false, true, false, false,
            true}, 3, 4);
        check(in -> Attention.scaledDotProductAttention(in[0], in[1], in[2], bool, 0, false, null), q, k, v);
        Tensor additive = randn(2, 1, 4); // a float mask gets its own gradient too
        check(in -> Attention.scaledDotProductAttention(in[0], in[1], in[2], in[3], 0, false, null), q, k, v, additive);
        check(in -> Attention.scaledDotProductAttention(in[0], in[1], in[2], null, 0, true, null), q, k, v);
    }

    @Test
    void multiheadAttentionWithMasks() {
        MultiheadAttention mha = new MultiheadAttention(4, 2);
        mha.to(DType.FLOAT64);
        Tensor q = randn(2, 2, 4);
        Tensor kv = randn(3, 2, 4);
        Tensor kpm = Tensor.of(new boolean[] {false, false, true, false, true, false}, 2, 3);
        Tensor mask = Tensor.of(new boolean[] {false, true, false, false, false, true}, 2, 3);
        check(in -> {
            AttentionOutput r = mha.forward(q, kv, kv, kpm, true, mask, false, false);
            return flatCat(r.output(), r.weights());
        }, withParams(mha, q, kv));
    }

    @Test
    void multiheadSelfAttentionCausal() {
        MultiheadAttention mha = new MultiheadAttention(4, 2, 0, true, true);
        mha.to(DType.FLOAT64);
        Tensor x = randn(2, 3, 4);
        check(in -> {
            AttentionOutput r = mha.forward(x, x, x, null, true, null, true, true);
            return flatCat(r.output(), r.weights());
        }, withParams(mha, x));
    }

    @Test
    void transformerEncoderLayerGelu() {
        TransformerEncoderLayer layer = new TransformerEncoderLayer(4, 2, 3, 0, "gelu", 1e-5, false, true);
        layer.to(DType.FLOAT64);
        Tensor x = randn(3, 2, 4);
        Tensor kpm = Tensor.of(new boolean[] {false, true, false, false, false, true}, 2, 3);
        check(in -> layer.forward(x, null, kpm, false), withParams(layer, x));
    }

    @Test
    void transformerDecoderLayerCausal() {
        TransformerDecoderLayer layer = new TransformerDecoderLayer(4, 2, 3, 0);
        layer.to(DType.FLOAT64);
        Tensor tgt = randn(3, 1, 4);
        Tensor memory = randn(2, 1, 4);
        check(in -> layer.forward(tgt, memory, null, null, null, null, true), withParams(layer, tgt, memory));
    }

    @Test
    void cells() {
        RNNCell rnn = new RNNCell(2, 3, true, "relu");
        LSTMCell lstm = new LSTMCell(2, 3);
        GRUCell gru = new GRUCell(2, 3, false);
        for (Module m : List.of(rnn, lstm, gru)) {
            m.to(DType.FLOAT64);
        }
        Tensor x = randn(2, 2);
        Tensor h = randn(2, 3);
        Tensor c = randn(2, 3);
        check(in -> rnn.forward(x, h), withParams(rnn, x, h));
        check(in -> {
            LSTMCell.State s = lstm.forward(x, h, c);
            return flatCat(s.h(), s.c());
        }, withParams(lstm, x, h, c));
        Tensor x1 = randn(2);
        Tensor h1 = randn(3);
        check(in -> gru.forward(x1, h1), withParams(gru, x1, h1));
    }
}
