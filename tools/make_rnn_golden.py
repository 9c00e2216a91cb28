#!/usr/bin/python3
"""Generate PyTorch golden fixtures for Ember's recurrent, attention and Transformer layers.

Writes three files under framework/core/src/test/resources/rnn/:
  rnn.json          nn.RNN (tanh, relu), nn.LSTM, nn.GRU: 2 layers, bidirectional, batch_first, unbatched, bias=False;
                    nn.RNNCell, nn.LSTMCell, nn.GRUCell
  attention.json    scaled_dot_product_attention (torch 2.x semantics, see sdpa_reference) and nn.MultiheadAttention
  transformer.json  nn.TransformerEncoder(Layer) and nn.TransformerDecoder(Layer)

How to run (from the repository root), with Debian's python3-torch (CPU, torch 1.13):

    /usr/bin/python3 tools/make_rnn_golden.py

Every module is built with a fixed seed in float64 with dropout 0 and in eval mode, so it is deterministic;
its parameters are then overwritten with random values (so biases are not zero and the copies inside a
TransformerEncoder differ). For each case the script runs the forward, takes a random grad_output g_k for every
output o_k, back-propagates loss = sum_k (o_k * g_k).sum() (so h_n and c_n get gradients too), and writes the
state_dict, inputs, masks, outputs, grad_outputs and the gradients of every input and parameter. Output is
deterministic: re-running produces identical bytes.

Schema of a case:
  {"name", "kind", "config": {constructor arguments, PyTorch names},
   "call": {forward flags, e.g. "self_attention", "is_causal"},
   "state_dict": {name: tensor}, "inputs": {name: tensor}, "masks": {name: tensor},
   "outputs": {name: tensor}, "grad_outputs": {name: tensor},
   "input_grads": {name: tensor}, "param_grads": {name: tensor}}
with tensor = {"shape", "dtype", "data"} (floats via repr, so they round-trip; bool as 0/1).

torch 1.13 has no public F.scaled_dot_product_attention and no is_causal arguments on the modules: the SDPA
cases use the reference implementation from the torch 2.x documentation (sdpa_reference), and causal module
cases pass PyTorch the explicit causal mask while the fixture sets "is_causal" for Ember, which builds the
mask itself.
"""

import json
import math
import os

import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "framework", "core", "src", "test", "resources", "rnn")

F64 = torch.float64
BOOL = torch.bool

torch.set_num_threads(1)
GEN = torch.Generator().manual_seed(0)


def randn(*shape):
    return torch.randn(tuple(shape), generator=GEN, dtype=F64)


def uniform(lo, hi, *shape):
    return torch.rand(tuple(shape), generator=GEN, dtype=F64) * (hi - lo) + lo


def encode(t):
    t = t.detach().contiguous()
    flat = t.reshape(-1).tolist()
    if t.dtype == BOOL:
        return {"shape": list(t.shape), "dtype": "bool", "data": [1 if v else 0 for v in flat]}
    assert t.dtype == F64, t.dtype
    return {"shape": list(t.shape), "dtype": "float64", "data": [float(v) for v in flat]}


def randomize(module):
    """New random values for every parameter (LayerNorm weights near 1), from GEN."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.endswith("weight") and p.dim() == 1:
                p.copy_(1 + 0.2 * randn(*p.shape))
            else:
                p.copy_(uniform(-0.6, 0.6, *p.shape))


def case(name, kind, config, module, inputs, masks, forward, call=None):
    """inputs: name -> float64 tensor (made a leaf that requires grad); forward(module, leaves, masks) -> outputs."""
    torch.manual_seed(0)
    module = module.double().eval()
    randomize(module)
    leaves = {k: v.clone().requires_grad_(True) for k, v in inputs.items()}
    outputs = forward(module, leaves, masks)
    grad_outputs = {k: randn(*v.shape) for k, v in outputs.items() if v is not None}
    loss = sum((outputs[k] * g).sum() for k, g in grad_outputs.items())
    loss.backward()
    return {
        "name": name,
        "kind": kind,
        "config": config,
        "call": call or {},
        "state_dict": {k: encode(v) for k, v in module.state_dict().items()},
        "inputs": {k: encode(v) for k, v in inputs.items()},
        "masks": {k: encode(v) for k, v in masks.items()},
        "outputs": {k: encode(v) for k, v in outputs.items() if v is not None},
        "grad_outputs": {k: encode(v) for k, v in grad_outputs.items()},
        "input_grads": {k: encode(v.grad) for k, v in leaves.items()},
        "param_grads": {k: encode(p.grad) for k, p in module.named_parameters()},
    }


# ----------------------------------------------------------------------------
# RNN, LSTM, GRU
# ----------------------------------------------------------------------------

def rnn_case(name, kind, seq, batch, with_h0, **config):
    cfg = {"input_size": 3, "hidden_size": 4, "num_layers": 1, "bias": True, "batch_first": False,
           "dropout": 0.0, "bidirectional": False}
    if kind == "RNN":
        cfg["nonlinearity"] = "tanh"
    cfg.update(config)
    torch.manual_seed(len(name))
    module = getattr(nn, kind)(**cfg)
    d = 2 if cfg["bidirectional"] else 1
    if batch is None:
        x = randn(seq, cfg["input_size"])
        state_shape = (d * cfg["num_layers"], cfg["hidden_size"])
    else:
        x = randn(batch, seq, cfg["input_size"]) if cfg["batch_first"] else randn(seq, batch, cfg["input_size"])
        state_shape = (d * cfg["num_layers"], batch, cfg["hidden_size"])
    inputs = {"input": x}
    if with_h0:
        inputs["h0"] = randn(*state_shape)
        if kind == "LSTM":
            inputs["c0"] = randn(*state_shape)

    def forward(m, leaves, masks):
        if kind == "LSTM":
            hx = (leaves["h0"], leaves["c0"]) if with_h0 else None
            out, (h, c) = m(leaves["input"], hx)
            return {"output": out, "h_n": h, "c_n": c}
        out, h = m(leaves["input"], leaves["h0"] if with_h0 else None)
        return {"output": out, "h_n": h}

    return case(name, kind, cfg, module, inputs, {}, forward)


def cell_case(name, kind, batch, with_state, **config):
    cfg = {"input_size": 3, "hidden_size": 4, "bias": True}
    if kind == "RNNCell":
        cfg["nonlinearity"] = "tanh"
    cfg.update(config)
    module = getattr(nn, kind)(**cfg)
    lead = () if batch is None else (batch,)
    inputs = {"input": randn(*lead, cfg["input_size"])}
    if with_state:
        inputs["h0"] = randn(*lead, cfg["hidden_size"])
        if kind == "LSTMCell":
            inputs["c0"] = randn(*lead, cfg["hidden_size"])

    def forward(m, leaves, masks):
        if kind == "LSTMCell":
            h, c = m(leaves["input"], (leaves["h0"], leaves["c0"]) if with_state else None)
            return {"h_n": h, "c_n": c}
        return {"h_n": m(leaves["input"], leaves["h0"] if with_state else None)}

    return case(name, kind, cfg, module, inputs, {}, forward)


def rnn_cases():
    return [
        cell_case("rnn_cell_tanh", "RNNCell", 2, True),
        cell_case("rnn_cell_relu_unbatched_no_bias", "RNNCell", None, True, nonlinearity="relu", bias=False),
        cell_case("lstm_cell", "LSTMCell", 2, True),
        cell_case("lstm_cell_unbatched_zero_state", "LSTMCell", None, False),
        cell_case("gru_cell", "GRUCell", 3, True),
        cell_case("gru_cell_no_bias_zero_state", "GRUCell", 2, False, bias=False),
        rnn_case("rnn_tanh_h0", "RNN", 5, 2, True),
        rnn_case("rnn_relu_2layer_bidir_batch_first", "RNN", 4, 2, False, nonlinearity="relu", num_layers=2,
                 bidirectional=True, batch_first=True),
        rnn_case("rnn_tanh_unbatched_no_bias", "RNN", 5, None, True, bias=False),
        rnn_case("lstm_h0_c0", "LSTM", 5, 2, True),
        rnn_case("lstm_2layer_bidir_h0_c0", "LSTM", 4, 2, True, num_layers=2, bidirectional=True),
        rnn_case("lstm_batch_first", "LSTM", 4, 3, False, batch_first=True),
        rnn_case("lstm_2layer_unbatched_h0_c0", "LSTM", 4, None, True, num_layers=2),
        rnn_case("lstm_bidir_batch_first_no_bias", "LSTM", 3, 2, True, bidirectional=True, batch_first=True,
                 bias=False),
        rnn_case("gru_h0", "GRU", 5, 2, True),
        rnn_case("gru_2layer_bidir_batch_first_h0", "GRU", 4, 2, True, num_layers=2, bidirectional=True,
                 batch_first=True),
        rnn_case("gru_unbatched_no_bias", "GRU", 4, None, False, bias=False),
    ]


# ----------------------------------------------------------------------------
# Attention
# ----------------------------------------------------------------------------

def sdpa_reference(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    """torch 2.x's documented reference for F.scaled_dot_product_attention (dropout_p must be 0 here)."""
    assert dropout_p == 0.0
    L, S = query.size(-2), key.size(-2)
    scale_factor = 1 / math.sqrt(query.size(-1)) if scale is None else scale
    attn_bias = torch.zeros(L, S, dtype=query.dtype)
    if is_causal:
        assert attn_mask is None
        temp_mask = torch.ones(L, S, dtype=torch.bool).tril(diagonal=0)
        attn_bias.masked_fill_(temp_mask.logical_not(), float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            attn_bias = attn_bias.masked_fill(attn_mask.logical_not(), float("-inf"))
        else:
            attn_bias = attn_mask + attn_bias
    attn_weight = query @ key.transpose(-2, -1) * scale_factor
    attn_weight = attn_weight + attn_bias
    attn_weight = torch.softmax(attn_weight, dim=-1)
    return attn_weight @ value


def allowed_mask(*shape):
    """Random bool mask (true = attend) with the first key always allowed, so no row is fully masked."""
    m = torch.rand(tuple(shape), generator=GEN) < 0.6
    m[..., 0] = True
    return m


def padding_mask(batch, src):
    """Random key padding mask (true = ignore) that never hides the first key."""
    m = torch.rand((batch, src), generator=GEN) < 0.4
    m[:, 0] = False
    return m


class Sdpa(nn.Module):
    pass


def sdpa_case(name, q_shape, k_shape, v_shape, mask=None, is_causal=False, scale=None):
    inputs = {"query": randn(*q_shape), "key": randn(*k_shape), "value": randn(*v_shape)}
    masks = {} if mask is None else {"attn_mask": mask}

    def forward(m, leaves, ms):
        return {"output": sdpa_reference(leaves["query"], leaves["key"], leaves["value"], ms.get("attn_mask"),
                                         0.0, is_causal, scale)}

    return case(name, "sdpa", {}, Sdpa(), inputs, masks, forward, {"is_causal": is_causal, "scale": scale})


def mha_case(name, embed, heads, tgt, src, batch, self_attention=False, kpm=False, attn_mask=None,
             need_weights=True, average=True, causal=False, **config):
    cfg = {"embed_dim": embed, "num_heads": heads, "dropout": 0.0, "bias": True, "batch_first": False}
    cfg.update(config)
    torch.manual_seed(len(name))
    module = nn.MultiheadAttention(**cfg)
    bf = cfg["batch_first"]

    def shaped(length):
        if batch is None:
            return randn(length, embed)
        return randn(batch, length, embed) if bf else randn(length, batch, embed)

    inputs = {"query": shaped(tgt)}
    if not self_attention:
        inputs["key"] = shaped(src)
        inputs["value"] = shaped(src)
    masks = {}
    if kpm:
        masks["key_padding_mask"] = padding_mask(1 if batch is None else batch, src)
        if batch is None:
            masks["key_padding_mask"] = masks["key_padding_mask"][0]
    if attn_mask is not None:
        masks["attn_mask"] = attn_mask
    torch_mask = torch.ones(tgt, src, dtype=BOOL).triu(1) if causal else masks.get("attn_mask")

    def forward(m, leaves, ms):
        q = leaves["query"]
        k = q if self_attention else leaves["key"]
        v = q if self_attention else leaves["value"]
        out, w = m(q, k, v, key_padding_mask=ms.get("key_padding_mask"), need_weights=need_weights,
                   attn_mask=torch_mask, average_attn_weights=average)
        return {"output": out, "weights": w}

    call = {"self_attention": self_attention, "need_weights": need_weights, "average_attn_weights": average,
            "is_causal": causal}
    return case(name, "MultiheadAttention", cfg, module, inputs, masks, forward, call)


def attention_cases():
    E, H = 6, 2
    return [
        sdpa_case("sdpa_plain", (2, 3, 4), (2, 5, 4), (2, 5, 3)),
        sdpa_case("sdpa_bool_mask_broadcast", (2, 3, 4), (2, 5, 4), (2, 5, 3), mask=allowed_mask(3, 5)),
        sdpa_case("sdpa_float_mask", (2, 3, 4), (2, 5, 4), (2, 5, 3), mask=randn(2, 3, 5)),
        sdpa_case("sdpa_causal_4d", (2, 2, 4, 3), (2, 2, 4, 3), (2, 2, 4, 5), is_causal=True),
        sdpa_case("sdpa_causal_rectangular", (3, 4), (5, 4), (5, 2), is_causal=True),
        sdpa_case("sdpa_scale_bool_mask_4d", (1, 2, 3, 4), (1, 2, 3, 4), (1, 2, 3, 4), mask=allowed_mask(1, 2, 3, 3),
                  scale=0.3),
        mha_case("mha_self_attention", E, H, 4, 4, 2, self_attention=True),
        mha_case("mha_cross_key_padding_mask", E, H, 3, 5, 2, kpm=True),
        mha_case("mha_bool_attn_mask_per_head_weights", E, H, 3, 4, 2,
                 attn_mask=~allowed_mask(2 * H, 3, 4), average=False),
        mha_case("mha_float_mask_kpm_batch_first", E, H, 3, 4, 2, kpm=True, attn_mask=randn(3, 4),
                 batch_first=True),
        mha_case("mha_causal_self_attention", E, 3, 4, 4, 2, self_attention=True, causal=True),
        mha_case("mha_unbatched_kpm", E, H, 3, 4, None, kpm=True),
        mha_case("mha_no_bias_no_weights", E, H, 3, 4, 2, need_weights=False, bias=False),
    ]


# ----------------------------------------------------------------------------
# Transformer
# ----------------------------------------------------------------------------

def layer_config(batch_first, norm_first, activation):
    return {"d_model": 4, "nhead": 2, "dim_feedforward": 6, "dropout": 0.0, "activation": activation,
            "layer_norm_eps": 1e-5, "batch_first": batch_first, "norm_first": norm_first}


def seq_input(length, batch, batch_first, d=4):
    if batch is None:
        return randn(length, d)
    return randn(batch, length, d) if batch_first else randn(length, batch, d)


def encoder_case(name, num_layers, final_norm, seq, batch, batch_first=False, norm_first=False, activation="relu",
                 kpm=False, src_mask=None, causal=False):
    lc = layer_config(batch_first, norm_first, activation)
    torch.manual_seed(len(name))
    layer = nn.TransformerEncoderLayer(**lc)
    module = nn.TransformerEncoder(layer, num_layers, norm=nn.LayerNorm(4) if final_norm else None,
                                   enable_nested_tensor=False)
    masks = {}
    if kpm:
        masks["src_key_padding_mask"] = padding_mask(batch, seq)
    if src_mask is not None:
        masks["src_mask"] = src_mask
    torch_mask = nn.Transformer.generate_square_subsequent_mask(seq).double() if causal else masks.get("src_mask")

    def forward(m, leaves, ms):
        return {"output": m(leaves["src"], mask=torch_mask, src_key_padding_mask=ms.get("src_key_padding_mask"))}

    cfg = {"layer": lc, "num_layers": num_layers, "norm": final_norm}
    return case(name, "TransformerEncoder", cfg, module, {"src": seq_input(seq, batch, batch_first)}, masks,
                forward, {"is_causal": causal})


def decoder_case(name, num_layers, final_norm, tgt, src, batch, batch_first=False, norm_first=False,
                 activation="relu", tgt_kpm=False, memory_kpm=False, causal=False, memory_mask=None):
    """num_layers 0 means a bare TransformerDecoderLayer."""
    lc = layer_config(batch_first, norm_first, activation)
    torch.manual_seed(len(name))
    layer = nn.TransformerDecoderLayer(**lc)
    module = layer if num_layers == 0 else nn.TransformerDecoder(layer, num_layers,
                                                                 norm=nn.LayerNorm(4) if final_norm else None)
    masks = {}
    if tgt_kpm:
        masks["tgt_key_padding_mask"] = padding_mask(batch, tgt)
    if memory_kpm:
        masks["memory_key_padding_mask"] = padding_mask(batch, src)
    if memory_mask is not None:
        masks["memory_mask"] = memory_mask
    tgt_mask = nn.Transformer.generate_square_subsequent_mask(tgt).double() if causal else None

    def forward(m, leaves, ms):
        return {"output": m(leaves["tgt"], leaves["memory"], tgt_mask=tgt_mask, memory_mask=ms.get("memory_mask"),
                            tgt_key_padding_mask=ms.get("tgt_key_padding_mask"),
                            memory_key_padding_mask=ms.get("memory_key_padding_mask"))}

    kind = "TransformerDecoderLayer" if num_layers == 0 else "TransformerDecoder"
    cfg = {"layer": lc, "num_layers": num_layers, "norm": final_norm}
    inputs = {"tgt": seq_input(tgt, batch, batch_first), "memory": seq_input(src, batch, batch_first)}
    return case(name, kind, cfg, module, inputs, masks, forward, {"tgt_is_causal": causal})


def transformer_cases():
    return [
        encoder_case("encoder_relu_post_norm_kpm", 2, False, 5, 2, kpm=True),
        encoder_case("encoder_relu_pre_norm_float_mask_final_norm", 2, True, 4, 2, norm_first=True,
                     src_mask=randn(4, 4)),
        encoder_case("encoder_gelu_post_norm_causal_batch_first", 2, True, 4, 2, batch_first=True, activation="gelu",
                     causal=True),
        encoder_case("encoder_gelu_pre_norm_kpm_batch_first", 2, False, 5, 2, batch_first=True, norm_first=True,
                     activation="gelu", kpm=True),
        encoder_case("encoder_gelu_unbatched", 1, False, 4, None, activation="gelu"),
        decoder_case("decoder_layer_causal_memory_kpm", 0, False, 4, 5, 2, causal=True, memory_kpm=True),
        decoder_case("decoder_layer_gelu_pre_norm_batch_first_masks", 0, False, 3, 4, 2, batch_first=True,
                     norm_first=True, activation="gelu", tgt_kpm=True, memory_mask=~allowed_mask(3, 4)),
        decoder_case("decoder_2layer_causal_final_norm", 2, True, 4, 3, 2, causal=True, tgt_kpm=True),
    ]


def write(name, cases):
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, name)
    with open(path, "w") as f:
        f.write('{"cases": [\n')
        f.write(",\n".join(json.dumps(c, allow_nan=False) for c in cases))
        f.write("\n]}\n")
    print("wrote %s (%d cases, %d bytes)" % (path, len(cases), os.path.getsize(path)))


if __name__ == "__main__":
    write("rnn.json", rnn_cases())
    write("attention.json", attention_cases())
    write("transformer.json", transformer_cases())
