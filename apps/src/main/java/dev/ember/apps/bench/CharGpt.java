package dev.ember.apps.bench;

import dev.ember.nn.Embedding;
import dev.ember.nn.GELU;
import dev.ember.nn.LayerNorm;
import dev.ember.nn.Linear;
import dev.ember.nn.Module;
import dev.ember.nn.ModuleList;
import dev.ember.nn.MultiheadAttention;
import dev.ember.nn.Sequential;
import dev.ember.tensor.Tensor;

/**
 * The character-level GPT of {@code torch_cpu_reference.py}, module for module and with the same parameter
 * names ({@code tok.weight}, {@code blocks.0.att.in_proj_weight}, ...): token and position embeddings, pre-norm
 * blocks of causal multi-head self-attention and a GELU MLP, a final LayerNorm and a linear head.
 *
 * <p>idx (N, T) int64 token ids, T at most the context size -> logits (N, T, vocab).
 */
final class CharGpt extends Module {

    /** {@code x + att(ln1(x)); x + mlp(ln2(x))}: (N, T, d) -> (N, T, d). */
    static final class Block extends Module {
        final LayerNorm ln1;
        final MultiheadAttention att;
        final LayerNorm ln2;
        final Sequential mlp;

        Block(long d, int heads) {
            ln1 = registerModule("ln1", new LayerNorm(d));
            att = registerModule("att", new MultiheadAttention(d, heads, 0.0, true, true));
            ln2 = registerModule("ln2", new LayerNorm(d));
            mlp = registerModule("mlp", new Sequential(new Linear(d, 4 * d), new GELU(), new Linear(4 * d, d)));
        }

        /** @param mask (T, T) float, -inf above the diagonal */
        Tensor forward(Tensor x, Tensor mask) {
            Tensor h = ln1.forward(x);
            x = x.add(att.forward(h, h, h, null, false, mask).output());
            return x.add(mlp.forward(ln2.forward(x)));
        }
    }

    final Embedding tok;
    final Embedding pos;
    final ModuleList blocks;
    final LayerNorm ln;
    final Linear head;
    final Tensor mask;

    CharGpt(long vocab, long d, int layers, int heads, int context) {
        tok = registerModule("tok", new Embedding(vocab, d));
        pos = registerModule("pos", new Embedding(context, d));
        blocks = new ModuleList();
        for (int i = 0; i < layers; i++) {
            blocks.add(new Block(d, heads));
        }
        registerModule("blocks", blocks);
        ln = registerModule("ln", new LayerNorm(d));
        head = registerModule("head", new Linear(d, vocab));
        mask = registerBuffer("mask", causalMask(context));
    }

    /** 0..context-1 on the device of the last forward: uploaded once, not every step (nor inside a graph). */
    private Tensor positions;

    Tensor forward(Tensor idx) {
        long t = idx.shape()[1];
        if (positions == null || !positions.device().equals(idx.device())) {
            positions = Tensor.arange(mask.shape()[0]).to(idx.device());
        }
        Tensor x = tok.forward(idx).add(pos.forward(positions.narrow(0, 0, t)));
        Tensor m = mask.narrow(0, 0, t).narrow(1, 0, t);
        for (Module b : blocks) {
            x = ((Block) b).forward(x, m);
        }
        return head.forward(ln.forward(x));
    }

    /** PyTorch's {@code torch.triu(torch.full((T, T), float('-inf')), 1)}: -inf where j > i, else 0. */
    static Tensor causalMask(int t) {
        double[] v = new double[t * t];
        for (int i = 0; i < t; i++) {
            for (int j = i + 1; j < t; j++) {
                v[i * t + j] = Double.NEGATIVE_INFINITY;
            }
        }
        return Tensor.of(v, t, t);
    }
}
