package dev.ember.nn.functional;

import dev.ember.tensor.Fused;
import dev.ember.tensor.FusedGru;
import dev.ember.tensor.FusedLstm;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Recurrent networks as PyTorch's {@code _VF.rnn_tanh/rnn_relu/lstm/gru} and their single-step cells, composed
 * from tensor ops (matmul, sigmoid, tanh, chunk, stack) so autograd gives every gradient.
 *
 * <p>Gate layouts are PyTorch's, so weights interchange: LSTM rows are (i, f, g, o), GRU rows (r, z, n) with
 * {@code n = tanh(W_in x + b_in + r * (W_hn h + b_hn))}. The multi-layer functions project the input of a layer
 * for all time steps with one matmul and then only do the hidden-to-hidden matmul per step.
 *
 * <p>Shapes: {@code H_in} input features, {@code H} hidden size, {@code D} 2 if bidirectional else 1, weights
 * {@code weight_ih (G*H, H_in)}, {@code weight_hh (G*H, H)}, biases {@code (G*H)} with G = 1 (RNN), 4 (LSTM),
 * 3 (GRU).
 */
public final class Recurrent {
    private Recurrent() {
    }

    /** The kinds of recurrence; {@link #gates()} is G, the number of stacked weight blocks. */
    public enum Mode {
        RNN_TANH(1, 1), RNN_RELU(1, 1), LSTM(4, 2), GRU(3, 1);

        private final int gates;
        private final int states;

        Mode(int gates, int states) {
            this.gates = gates;
            this.states = states;
        }

        public int gates() {
            return gates;
        }

        /** 2 for LSTM (h and c), 1 otherwise. */
        public int states() {
            return states;
        }
    }

    // ---------------------------------------------------------------- cells (one time step)

    /** h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh). input (N, H_in) or (H_in), hx like the output (N, H) or (H). */
    public static Tensor rnnTanhCell(Tensor input, Tensor hx, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        return step(Mode.RNN_TANH, F.linear(input, wIh, bIh), new Tensor[] {hx}, wHh, bHh)[0];
    }

    /** h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh). */
    public static Tensor rnnReluCell(Tensor input, Tensor hx, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        return step(Mode.RNN_RELU, F.linear(input, wIh, bIh), new Tensor[] {hx}, wHh, bHh)[0];
    }

    /** One LSTM step: returns {h', c'}, each (N, H) or (H). */
    public static Tensor[] lstmCell(Tensor input, Tensor hx, Tensor cx, Tensor wIh, Tensor wHh, Tensor bIh,
                                    Tensor bHh) {
        return step(Mode.LSTM, F.linear(input, wIh, bIh), new Tensor[] {hx, cx}, wHh, bHh);
    }

    /** One GRU step: h' = (1 - z) * n + z * h. */
    public static Tensor gruCell(Tensor input, Tensor hx, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        return step(Mode.GRU, F.linear(input, wIh, bIh), new Tensor[] {hx}, wHh, bHh)[0];
    }

    /**
     * One step given the input projection {@code xp = x W_ih^T + b_ih} (N, G*H) and the state (h, or h and c);
     * returns the new state, whose first entry is the step's output.
     */
    static Tensor[] step(Mode mode, Tensor xp, Tensor[] state, Tensor wHh, Tensor bHh) {
        Tensor h = state[0];
        Tensor hp = F.linear(h, wHh, bHh);
        return switch (mode) {
            case RNN_TANH -> new Tensor[] {xp.add(hp).tanh()};
            case RNN_RELU -> new Tensor[] {xp.add(hp).relu()};
            case LSTM -> {
                // one fused node for the element-wise part when the backend has it
                Tensor[] fused = Fused.lstmCell(xp, hp, state[1]);
                yield fused != null ? fused : lstmComposite(xp, hp, state[1]);
            }
            case GRU -> {
                Tensor fused = FusedGru.gruCell(xp, hp, h); // one node when the backend has the kernel
                yield fused != null ? new Tensor[] {fused} : new Tensor[] {gruComposite(xp, hp, h)};
            }
        };
    }

    /** The GRU cell's element-wise part from tensor ops: h'; the reference for {@link FusedGru#gruCell}. */
    static Tensor gruComposite(Tensor xp, Tensor hp, Tensor h) {
        List<Tensor> x = xp.chunk(3, -1);
        List<Tensor> hh = hp.chunk(3, -1);
        Tensor r = x.get(0).add(hh.get(0)).sigmoid();
        Tensor z = x.get(1).add(hh.get(1)).sigmoid();
        Tensor n = x.get(2).add(r.mul(hh.get(2))).tanh();
        return n.add(z.mul(h.sub(n))); // (1 - z) * n + z * h
    }

    /** The LSTM cell's element-wise part from tensor ops: {h, c'}; the reference for {@link Fused#lstmCell}. */
    static Tensor[] lstmComposite(Tensor xp, Tensor hp, Tensor cPrev) {
        // one sigmoid over all four blocks: fewer graph nodes than three separate ones, g is recomputed
        Tensor gates = xp.add(hp);
        List<Tensor> g = gates.chunk(4, -1);
        Tensor s = gates.sigmoid();
        List<Tensor> sg = s.chunk(4, -1);
        Tensor c = sg.get(1).mul(cPrev).add(sg.get(0).mul(g.get(2).tanh()));
        return new Tensor[] {sg.get(3).mul(c.tanh()), c};
    }

    // ---------------------------------------------------------------- full sequences

    /** Whether an LSTM layer may run as one node ({@link FusedLstm}); tests switch it off to run the reference. */
    static boolean fusedLayer = true;

    /**
     * A multi-layer, optionally bidirectional recurrence over a whole sequence, as PyTorch's {@code _VF.lstm}
     * and friends.
     *
     * @param input   (L, N, H_in), or (N, L, H_in) with {@code batchFirst}
     * @param hx      initial states, each (D*numLayers, N, H): {h0} or, for LSTM, {h0, c0}
     * @param params  per layer, per direction (forward, then reverse): weight_ih, weight_hh and, with
     *                {@code hasBiases}, bias_ih, bias_hh, in that order (PyTorch's flat weights)
     * @param dropout probability of zeroing the outputs of every layer but the last, when {@code training}
     * @return {output (L, N, D*H) or (N, L, D*H) with batchFirst, h_n (D*numLayers, N, H)} plus c_n for LSTM
     */
    public static Tensor[] run(Mode mode, Tensor input, Tensor[] hx, List<Tensor> params, boolean hasBiases,
                               int numLayers, double dropout, boolean training, boolean bidirectional,
                               boolean batchFirst) {
        String op = mode.name().toLowerCase(java.util.Locale.ROOT);
        int dirs = bidirectional ? 2 : 1;
        int perCell = hasBiases ? 4 : 2;
        if (params.size() != numLayers * dirs * perCell) {
            throw new IllegalArgumentException(op + ": expected " + numLayers * dirs * perCell + " weight tensors for "
                    + numLayers + " layer(s), " + dirs + " direction(s), bias=" + hasBiases + ", got " + params.size());
        }
        if (input.dim() != 3) {
            throw new IllegalArgumentException(op + ": input must be 3-D (L, N, H_in) or (N, L, H_in) with batch_first,"
                    + " got shape " + Arrays.toString(input.shape()));
        }
        if (hx.length != mode.states()) {
            throw new IllegalArgumentException(op + ": expected " + mode.states() + " initial state tensor(s), got "
                    + hx.length);
        }
        if (!(dropout >= 0 && dropout <= 1)) {
            throw new IllegalArgumentException(op + ": dropout should be a number in range [0, 1], got " + dropout);
        }
        Tensor x = batchFirst ? input.transpose(0, 1) : input;
        long seqLen = x.size(0);
        long hidden = params.get(1).size(-1);
        for (Tensor h : hx) {
            if (!Arrays.equals(h.shape(), new long[] {(long) numLayers * dirs, x.size(1), hidden})) {
                throw new IllegalArgumentException(op + ": expected initial states of shape [" + numLayers * dirs
                        + ", " + x.size(1) + ", " + hidden + "] (D*num_layers, N, H), got " + Arrays.toString(h.shape()));
            }
        }
        if (seqLen == 0) {
            throw new IllegalArgumentException(op + ": expected sequence length to be larger than 0, got input of "
                    + "shape " + Arrays.toString(input.shape()));
        }
        Tensor[] hN = new Tensor[numLayers * dirs];
        Tensor[] cN = new Tensor[numLayers * dirs];
        for (int layer = 0; layer < numLayers; layer++) {
            List<Tensor> outs = new ArrayList<>(dirs);
            for (int d = 0; d < dirs; d++) {
                int cell = layer * dirs + d;
                int p = cell * perCell;
                Tensor wIh = params.get(p);
                Tensor wHh = params.get(p + 1);
                Tensor bIh = hasBiases ? params.get(p + 2) : null;
                Tensor bHh = hasBiases ? params.get(p + 3) : null;
                checkWeights(op, mode, x, wIh, wHh, bIh, bHh, layer, d);
                Tensor[] state = new Tensor[mode.states()];
                for (int s = 0; s < state.length; s++) {
                    state[s] = hx[s].select(0, cell);
                }
                // every step's input projection in one matmul: (L, N, H_in) @ (H_in, G*H)
                Tensor xp = F.linear(x, wIh, bIh);
                Tensor all = mode == Mode.LSTM && fusedLayer
                        ? FusedLstm.layer(xp, state[0], state[1], wHh, bHh, d == 1) : null;
                if (all != null) { // the whole layer as one node: (L, N, 2H) = [h_t, c_t] of every step
                    long hs = wHh.size(1);
                    Tensor last = all.select(0, d == 0 ? seqLen - 1 : 0);
                    hN[cell] = last.narrow(1, 0, hs);
                    cN[cell] = last.narrow(1, hs, hs);
                    outs.add(all.narrow(2, 0, hs));
                    continue;
                }
                Tensor[] steps = new Tensor[(int) seqLen];
                for (long i = 0; i < seqLen; i++) {
                    long t = d == 0 ? i : seqLen - 1 - i;
                    state = step(mode, xp.select(0, t), state, wHh, bHh);
                    steps[(int) t] = state[0];
                }
                hN[cell] = state[0];
                if (mode == Mode.LSTM) {
                    cN[cell] = state[1];
                }
                outs.add(Tensor.stack(Arrays.asList(steps), 0));
            }
            x = dirs == 1 ? outs.get(0) : Tensor.cat(outs, 2);
            if (layer < numLayers - 1) {
                x = Dropouts.dropout(x, dropout, training);
            }
        }
        Tensor output = batchFirst ? x.transpose(0, 1) : x;
        Tensor h = Tensor.stack(Arrays.asList(hN), 0);
        if (mode != Mode.LSTM) {
            return new Tensor[] {output, h};
        }
        return new Tensor[] {output, h, Tensor.stack(Arrays.asList(cN), 0)};
    }

    private static void checkWeights(String op, Mode mode, Tensor x, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh,
                                     int layer, int d) {
        long gh = wHh.dim() == 2 ? wHh.size(0) : -1;
        long h = gh / mode.gates();
        boolean ok = wIh.dim() == 2 && wHh.dim() == 2 && gh % mode.gates() == 0 && wIh.size(0) == gh
                && wHh.size(1) == h && wIh.size(1) == x.size(2)
                && (bIh == null || Arrays.equals(bIh.shape(), new long[] {gh}))
                && (bHh == null || Arrays.equals(bHh.shape(), new long[] {gh}));
        if (!ok) {
            throw new IllegalArgumentException(op + ": weights of layer " + layer + (d == 1 ? " (reverse)" : "")
                    + " have shapes weight_ih " + Arrays.toString(wIh.shape()) + ", weight_hh "
                    + Arrays.toString(wHh.shape()) + (bIh == null ? "" : ", bias_ih " + Arrays.toString(bIh.shape()))
                    + (bHh == null ? "" : ", bias_hh " + Arrays.toString(bHh.shape())) + "; expected (" + mode.gates()
                    + "*H, " + x.size(2) + "), (" + mode.gates() + "*H, H) and (" + mode.gates() + "*H) for an input"
                    + " with " + x.size(2) + " features");
        }
    }
}
