#!/usr/bin/python3
"""Generate PyTorch golden fixtures for Ember's nn tests (activations, losses, padding, embedding, bilinear,
module state dicts and reprs).

Writes, under framework/core/src/test/resources/nn/:
  functional.json  {"cases": [...]}: one torch.nn.functional call per case, same schema as golden/ops.json
                   (name, op, args, inputs [{shape, dtype, data, requires_grad, pre}], output, grad_output,
                   grads); "pre" is null or {"op": "transpose", "dim0", "dim1"} applied to the leaf.
                   args use PyTorch's keyword names; a key left out means "call with PyTorch's default".
                   Optional tensors (weight, pos_weight, bias) follow the required inputs in the order of
                   the args flags "weight", "pos_weight", "bias" when those are true.
  modules.json     {"layers": [...], "model_keys": {...}, "reprs": {...}, "gains": {...}}:
                   layers: a module built with a fixed seed, its state_dict, inputs, output, grad_output and
                   the gradients of every input and parameter ("grads": {name: tensor});
                   model_keys: state_dict / named_parameters keys of a nested model;
                   reprs: str(module) for modules the Java test rebuilds; gains: nn.init.calculate_gain.

How to run (from the repository root), with Debian's python3-torch 1.13 (apt-get install -y python3-torch):

    /usr/bin/python3 tools/make_nn_golden.py

Output is deterministic. Floats are written with Python's repr, so they round-trip exactly.
"""

import json
import os
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

warnings.filterwarnings("ignore")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "framework", "core", "src", "test", "resources", "nn")

F64 = torch.float64
F32 = torch.float32
I64 = torch.int64
DTYPE_NAMES = {F64: "float64", F32: "float32", I64: "int64", torch.bool: "bool"}

torch.manual_seed(0)
torch.set_num_threads(1)
GEN = torch.Generator().manual_seed(1234)


def randn(*shape, dtype=F64):
    return torch.randn(tuple(shape), generator=GEN, dtype=F64).to(dtype)


def uniform(lo, hi, *shape):
    return torch.rand(tuple(shape), generator=GEN, dtype=F64) * (hi - lo) + lo


def randint(lo, hi, *shape):
    return torch.randint(lo, hi, tuple(shape), generator=GEN, dtype=I64)


def away(*shape):
    """|x| in [0.1, 2.5) with random sign: no kink (relu, leaky_relu, elu, |d|) within gradcheck's reach."""
    mag = uniform(0.1, 2.5, *shape)
    return mag * (torch.randint(0, 2, tuple(shape), generator=GEN).to(F64) * 2 - 1)


def T(data, dtype=F64):
    return torch.tensor(data, dtype=dtype)


def encode(t):
    t = t.detach().contiguous()
    flat = t.reshape(-1).tolist()
    if t.dtype == torch.bool:
        flat = [1 if v else 0 for v in flat]
    elif t.dtype == I64:
        flat = [int(v) for v in flat]
    else:
        flat = [float(v) for v in flat]
    return {"shape": list(t.shape), "dtype": DTYPE_NAMES[t.dtype], "data": flat}


class Inp:
    def __init__(self, tensor, rg=None, pre=None):
        self.tensor = tensor
        self.rg = tensor.is_floating_point() if rg is None else rg
        self.pre = pre


TR = {"op": "transpose", "dim0": 0, "dim1": 1}


def _opt(a, ins, i, key):
    """The optional tensor for flag `key`, taking it from ins[i] when the flag is set; returns (tensor, next i)."""
    if a.get(key):
        return ins[i], i + 1
    return None, i


def _kw(a, *names):
    return {n: a[n] for n in names if n in a}


def op_bce(ins, a):
    w, _ = _opt(a, ins, 2, "weight")
    return F.binary_cross_entropy(ins[0], ins[1], weight=w, **_kw(a, "reduction"))


def op_bce_logits(ins, a):
    w, i = _opt(a, ins, 2, "weight")
    pw, _ = _opt(a, ins, i, "pos_weight")
    return F.binary_cross_entropy_with_logits(ins[0], ins[1], weight=w, pos_weight=pw, **_kw(a, "reduction"))


def op_ce(ins, a):
    w, _ = _opt(a, ins, 2, "weight")
    return F.cross_entropy(ins[0], ins[1], weight=w, **_kw(a, "ignore_index", "reduction", "label_smoothing"))


def op_nll(ins, a):
    w, _ = _opt(a, ins, 2, "weight")
    return F.nll_loss(ins[0], ins[1], weight=w, **_kw(a, "ignore_index", "reduction"))


def op_bilinear(ins, a):
    b, _ = _opt(a, ins, 3, "bias")
    return F.bilinear(ins[0], ins[1], ins[2], b)


OPS = {
    "relu": lambda ins, a: F.relu(ins[0]),
    "leaky_relu": lambda ins, a: F.leaky_relu(ins[0], **_kw(a, "negative_slope")),
    "elu": lambda ins, a: F.elu(ins[0], **_kw(a, "alpha")),
    "gelu": lambda ins, a: F.gelu(ins[0], **_kw(a, "approximate")),
    "silu": lambda ins, a: F.silu(ins[0]),
    "sigmoid": lambda ins, a: torch.sigmoid(ins[0]),
    "tanh": lambda ins, a: torch.tanh(ins[0]),
    "softmax": lambda ins, a: F.softmax(ins[0], dim=a["dim"]),
    "log_softmax": lambda ins, a: F.log_softmax(ins[0], dim=a["dim"]),
    "softplus": lambda ins, a: F.softplus(ins[0], **_kw(a, "beta", "threshold")),
    "mse_loss": lambda ins, a: F.mse_loss(ins[0], ins[1], **_kw(a, "reduction")),
    "l1_loss": lambda ins, a: F.l1_loss(ins[0], ins[1], **_kw(a, "reduction")),
    "smooth_l1_loss": lambda ins, a: F.smooth_l1_loss(ins[0], ins[1], **_kw(a, "reduction", "beta")),
    "huber_loss": lambda ins, a: F.huber_loss(ins[0], ins[1], **_kw(a, "reduction", "delta")),
    "binary_cross_entropy": op_bce,
    "binary_cross_entropy_with_logits": op_bce_logits,
    "kl_div": lambda ins, a: F.kl_div(ins[0], ins[1], **_kw(a, "reduction", "log_target")),
    "cross_entropy": op_ce,
    "nll_loss": op_nll,
    "cosine_similarity": lambda ins, a: F.cosine_similarity(ins[0], ins[1], **_kw(a, "dim", "eps")),
    "pad": lambda ins, a: F.pad(ins[0], tuple(a["pad"]), **_kw(a, "mode", "value")),
    "one_hot": lambda ins, a: F.one_hot(ins[0], **_kw(a, "num_classes")),
    "embedding": lambda ins, a: F.embedding(ins[0], ins[1], **_kw(a, "padding_idx")),
    "bilinear": op_bilinear,
}

CASES = []


def case(name, op, inputs, **args):
    leaves, used = [], []
    for inp in inputs:
        leaf = inp.tensor.clone().requires_grad_(inp.rg)
        leaves.append(leaf)
        used.append(leaf.transpose(inp.pre["dim0"], inp.pre["dim1"]) if inp.pre else leaf)
    out = OPS[op](used, args)
    grad_output, grads = None, []
    if out.requires_grad:
        grad_output = randn(*out.shape, dtype=out.dtype)
        out.backward(grad_output)
        grads = [encode(l.grad) if l.grad is not None else None for l in leaves]
    CASES.append({
        "name": name, "op": op, "args": args,
        "inputs": [dict(encode(i.tensor), requires_grad=i.rg, pre=i.pre) for i in inputs],
        "output": encode(out),
        "grad_output": encode(grad_output) if grad_output is not None else None,
        "grads": grads,
    })


def activations():
    x = away(3, 4)
    wide = T([[-40.0, -8.0, -1.3, 0.7], [3.0, 9.5, 22.0, 35.0]])  # tails, softplus threshold
    for op, variants in [
        ("relu", [{}]), ("leaky_relu", [{}, {"negative_slope": 0.2}]), ("elu", [{}, {"alpha": 0.5}]),
        ("gelu", [{}, {"approximate": "none"}, {"approximate": "tanh"}]), ("silu", [{}]), ("sigmoid", [{}]),
        ("tanh", [{}]), ("softplus", [{}, {"beta": 2.0, "threshold": 3.0}]),
    ]:
        for k, args in enumerate(variants):
            case("%s_%d" % (op, k), op, [Inp(x)], **args)
        case("%s_transposed" % op, op, [Inp(x, pre=TR)], **variants[-1])
        case("%s_wide" % op, op, [Inp(wide)], **variants[-1])
        case("%s_float32" % op, op, [Inp(x.to(F32))], **variants[-1])
    case("gelu_small", "gelu", [Inp(T([[-1e-9, 1e-7, -0.002, 0.03]]))])
    case("elu_small", "elu", [Inp(T([[-1e-9, -1e-6, -0.002, -0.3]]))])
    case("softplus_small", "softplus", [Inp(T([[-30.0, -20.0, -1e-8, 1e-8]]))])
    for op in ("softmax", "log_softmax"):
        y = randn(2, 3, 4)
        for dim in (0, 1, -1):
            case("%s_dim%d" % (op, dim), op, [Inp(y)], dim=dim)
        case("%s_transposed" % op, op, [Inp(randn(4, 3), pre=TR)], dim=1)


def regression():
    x, t = randn(3, 4), randn(3, 4)
    for op in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"):
        case(op + "_default", op, [Inp(x), Inp(t)])
        for red in ("mean", "sum", "none"):
            case("%s_%s" % (op, red), op, [Inp(x), Inp(t)], reduction=red)
        case(op + "_broadcast", op, [Inp(x), Inp(randn(4))], reduction="mean")
        case(op + "_transposed", op, [Inp(randn(4, 3), pre=TR), Inp(t)], reduction="sum")
        case(op + "_float32", op, [Inp(x.to(F32)), Inp(t.to(F32))], reduction="mean")
    for beta in (0.5, 0.0, 2.0):
        case("smooth_l1_loss_beta%s" % beta, "smooth_l1_loss", [Inp(x), Inp(t)], reduction="none", beta=beta)
    for delta in (0.5, 2.0):
        case("huber_loss_delta%s" % delta, "huber_loss", [Inp(x), Inp(t)], reduction="none", delta=delta)


def binary():
    p, t = uniform(0.05, 0.95, 3, 4), uniform(0, 1, 3, 4)
    w = uniform(0.5, 2, 4)
    case("bce_default", "binary_cross_entropy", [Inp(p), Inp(t)])
    for red in ("mean", "sum", "none"):
        case("bce_" + red, "binary_cross_entropy", [Inp(p), Inp(t)], reduction=red)
        case("bce_weight_" + red, "binary_cross_entropy", [Inp(p), Inp(t), Inp(w, rg=False)], reduction=red,
             weight=True)
    # inputs of exactly 0 and 1: finite loss (logs clamped at -100) and input gradient (the target's is infinite)
    case("bce_edges", "binary_cross_entropy", [Inp(T([[0.0, 1.0, 1e-50, 0.5]])), Inp(T([[0.3, 0.6, 1.0, 0.0]]), rg=False)],
         reduction="none")
    case("bce_near_edges", "binary_cross_entropy", [Inp(T([[1e-50, 1 - 1e-15, 1e-3]])), Inp(T([[0.5, 0.2, 1.0]]))],
         reduction="sum")
    case("bce_float32", "binary_cross_entropy", [Inp(p.to(F32)), Inp(t.to(F32))])
    x = randn(3, 4) * 3
    pw = uniform(0.5, 3, 4)
    case("bce_logits_default", "binary_cross_entropy_with_logits", [Inp(x), Inp(t)])
    for red in ("mean", "sum", "none"):
        case("bce_logits_" + red, "binary_cross_entropy_with_logits", [Inp(x), Inp(t)], reduction=red)
        case("bce_logits_weight_pos_" + red, "binary_cross_entropy_with_logits",
             [Inp(x), Inp(t), Inp(w, rg=False), Inp(pw, rg=False)], reduction=red, weight=True, pos_weight=True)
    case("bce_logits_pos_weight", "binary_cross_entropy_with_logits", [Inp(x), Inp(t), Inp(pw, rg=False)],
         reduction="mean", pos_weight=True)
    case("bce_logits_extreme", "binary_cross_entropy_with_logits",
         [Inp(T([[-800.0, 800.0, -30.0, 40.0]])), Inp(T([[1.0, 0.0, 0.5, 0.25]]))], reduction="none")
    case("bce_logits_transposed", "binary_cross_entropy_with_logits", [Inp(randn(4, 3), pre=TR), Inp(t)],
         reduction="sum")


def kl():
    inp = randn(3, 4).log_softmax(1)
    tgt = randn(3, 4).softmax(1)
    case("kl_div_default", "kl_div", [Inp(inp), Inp(tgt)])
    for red in ("mean", "sum", "none", "batchmean"):
        case("kl_div_" + red, "kl_div", [Inp(inp), Inp(tgt)], reduction=red)
        case("kl_div_log_target_" + red, "kl_div", [Inp(inp), Inp(tgt.log())], reduction=red, log_target=True)


def classification():
    n, c = 6, 4
    x = randn(n, c)
    t = T([0, 3, -100, 1, 2, 3], I64)
    t_clean = T([0, 3, 2, 1, 2, 0], I64)
    w = uniform(0.3, 2, c)
    case("ce_default", "cross_entropy", [Inp(x), Inp(t_clean)])
    case("ce_transposed", "cross_entropy", [Inp(randn(c, n), pre=TR), Inp(t_clean)])
    case("ce_float32", "cross_entropy", [Inp(x.to(F32)), Inp(t_clean)])
    for red in ("mean", "sum", "none"):
        case("ce_ignore_" + red, "cross_entropy", [Inp(x), Inp(t)], reduction=red)
        case("ce_weight_ignore_" + red, "cross_entropy", [Inp(x), Inp(t), Inp(w, rg=False)], reduction=red,
             weight=True)
        case("ce_custom_ignore_" + red, "cross_entropy", [Inp(x), Inp(t_clean), Inp(w, rg=False)], reduction=red,
             weight=True, ignore_index=3)
        case("ce_smooth_" + red, "cross_entropy", [Inp(x), Inp(t)], reduction=red, label_smoothing=0.1)
        case("ce_smooth_weight_" + red, "cross_entropy", [Inp(x), Inp(t), Inp(w, rg=False)], reduction=red,
             weight=True, label_smoothing=0.25)
    # K-dimensional: input (N, C, d1), target (N, d1)
    xk = randn(2, 3, 4)
    tk = T([[0, 2, -100, 1], [2, 2, 0, -100]], I64)
    wk = uniform(0.3, 2, 3)
    for red in ("mean", "sum", "none"):
        case("ce_kdim_" + red, "cross_entropy", [Inp(xk), Inp(tk), Inp(wk, rg=False)], reduction=red, weight=True,
             label_smoothing=0.2)
        case("nll_kdim_" + red, "nll_loss", [Inp(xk.log_softmax(1)), Inp(tk), Inp(wk, rg=False)], reduction=red,
             weight=True)
    case("ce_kdim_plain", "cross_entropy", [Inp(xk), Inp(tk)])
    # probability targets
    p = randn(n, c).softmax(1)
    pk = randn(2, 3, 4).softmax(1)
    for red in ("mean", "sum", "none"):
        case("ce_prob_" + red, "cross_entropy", [Inp(x), Inp(p)], reduction=red)
        case("ce_prob_weight_smooth_" + red, "cross_entropy", [Inp(x), Inp(p), Inp(w, rg=False)], reduction=red,
             weight=True, label_smoothing=0.3)
        case("ce_prob_kdim_" + red, "cross_entropy", [Inp(xk), Inp(pk), Inp(wk, rg=False)], reduction=red,
             weight=True)
    # unbatched: input (C), target () or (C)
    x1 = randn(c)
    case("ce_unbatched_index", "cross_entropy", [Inp(x1), Inp(T(2, I64))])
    case("ce_unbatched_index_none", "cross_entropy", [Inp(x1), Inp(T(1, I64)), Inp(w, rg=False)], reduction="none",
         weight=True, label_smoothing=0.1)
    case("ce_unbatched_prob", "cross_entropy", [Inp(x1), Inp(randn(c).softmax(0))])
    # nll_loss
    lp = x.log_softmax(1)
    case("nll_default", "nll_loss", [Inp(lp), Inp(t_clean)])
    for red in ("mean", "sum", "none"):
        case("nll_ignore_" + red, "nll_loss", [Inp(lp), Inp(t)], reduction=red)
        case("nll_weight_ignore_" + red, "nll_loss", [Inp(lp), Inp(t), Inp(w, rg=False)], reduction=red, weight=True)
    case("nll_custom_ignore", "nll_loss", [Inp(lp), Inp(t_clean)], ignore_index=0, reduction="mean")
    case("nll_unbatched", "nll_loss", [Inp(randn(c).log_softmax(0)), Inp(T(3, I64))], reduction="none")


def similarity_and_padding():
    a, b = randn(3, 5), randn(3, 5)
    case("cosine_default", "cosine_similarity", [Inp(a), Inp(b)])
    case("cosine_dim0", "cosine_similarity", [Inp(a), Inp(b)], dim=0)
    case("cosine_broadcast", "cosine_similarity", [Inp(randn(1, 5)), Inp(b)], dim=1)
    case("cosine_broadcast_dim", "cosine_similarity", [Inp(randn(3, 1)), Inp(b)], dim=1)
    case("cosine_3d", "cosine_similarity", [Inp(randn(2, 3, 4)), Inp(randn(2, 3, 4))], dim=-1)
    case("cosine_transposed", "cosine_similarity", [Inp(randn(5, 3), pre=TR), Inp(b)], dim=1)
    case("cosine_eps", "cosine_similarity", [Inp(T([[1e-5, 2e-5], [3.0, 4.0]])), Inp(T([[1e-5, 1e-5], [1.0, 0.0]]))],
         eps=1e-4)
    case("cosine_float32", "cosine_similarity", [Inp(a.to(F32)), Inp(b.to(F32))])

    x = randn(2, 3, 4)
    case("pad_default", "pad", [Inp(x)], pad=[1, 2])
    case("pad_constant_2d", "pad", [Inp(x)], pad=[1, 1, 2, 0], mode="constant", value=0.5)
    case("pad_constant_3d", "pad", [Inp(x)], pad=[0, 1, 1, 0, 1, 1], mode="constant", value=-2.0)
    case("pad_constant_negative", "pad", [Inp(x)], pad=[-1, 2, 1, -2], mode="constant", value=0.0)
    case("pad_reflect_1d", "pad", [Inp(x)], pad=[2, 3], mode="reflect")
    case("pad_reflect_2d", "pad", [Inp(x)], pad=[1, 2, 2, 1], mode="reflect")
    case("pad_replicate_1d", "pad", [Inp(x)], pad=[3, 1], mode="replicate")
    case("pad_replicate_2d", "pad", [Inp(x)], pad=[1, 2, 3, 0], mode="replicate")
    case("pad_circular_1d", "pad", [Inp(x)], pad=[2, 1], mode="circular")
    case("pad_reflect_transposed", "pad", [Inp(randn(4, 3), pre=TR)], pad=[1, 2], mode="reflect")
    case("pad_reflect_4d", "pad", [Inp(randn(1, 2, 3, 4))], pad=[1, 1, 2, 1], mode="reflect")
    case("pad_int64", "pad", [Inp(randint(0, 9, 2, 3))], pad=[1, 1], mode="constant", value=7.0)

    case("one_hot_infer", "one_hot", [Inp(T([0, 2, 1, 4], I64))])
    case("one_hot_classes", "one_hot", [Inp(T([[0, 2], [1, 1]], I64))], num_classes=5)
    case("one_hot_scalar", "one_hot", [Inp(T(3, I64))], num_classes=4)

    weight = randn(5, 3)
    idx = T([[0, 2, 4], [2, 2, 1]], I64)
    case("embedding_plain", "embedding", [Inp(idx), Inp(weight)])
    case("embedding_padding", "embedding", [Inp(idx), Inp(weight)], padding_idx=2)
    case("embedding_padding_negative", "embedding", [Inp(idx), Inp(weight)], padding_idx=-1)
    case("embedding_1d", "embedding", [Inp(T([3, 3, 0], I64)), Inp(weight)], padding_idx=0)

    x1, x2 = randn(4, 2), randn(4, 3)
    bw, bb = randn(5, 2, 3), randn(5)
    case("bilinear", "bilinear", [Inp(x1), Inp(x2), Inp(bw), Inp(bb)], bias=True)
    case("bilinear_nobias", "bilinear", [Inp(x1), Inp(x2), Inp(bw)], bias=False)
    case("bilinear_batch_dims", "bilinear", [Inp(randn(2, 3, 2)), Inp(randn(2, 3, 3)), Inp(bw), Inp(bb)], bias=True)
    case("bilinear_transposed", "bilinear", [Inp(randn(2, 4), pre=TR), Inp(x2), Inp(bw), Inp(bb)], bias=True)


# ----------------------------------------------------------------------------- modules

def layer_case(name, module, inputs, config):
    module = module.double()
    leaves = [t.clone().requires_grad_(t.is_floating_point()) for t in inputs]
    out = module(*leaves)
    g = randn(*out.shape)
    out.backward(g)
    grads = {"input%d" % i: encode(l.grad) for i, l in enumerate(leaves) if l.grad is not None}
    for k, p in module.named_parameters():
        grads[k] = encode(p.grad)
    return {"name": name, "config": config, "state": {k: encode(v) for k, v in module.state_dict().items()},
            "inputs": [encode(t) for t in inputs], "output": encode(out), "grad_output": encode(g), "grads": grads}


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3))
        self.head = nn.Linear(3, 1, bias=False)
        self.norm = nn.LayerNorm(3)


class WithExtra(nn.Module):
    """A module with both an extra_repr and a child: PyTorch puts the extra lines above the children."""

    def __init__(self, extra):
        super().__init__()
        self.extra = extra
        self.lin = nn.Linear(1, 1)

    def extra_repr(self):
        return self.extra


def modules():
    torch.manual_seed(7)
    layers = [
        layer_case("sequential", nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)), [randn(5, 3)], {}),
        layer_case("embedding", nn.Embedding(6, 3, padding_idx=2), [T([[0, 2, 5], [2, 1, 1]], I64)],
                   {"num_embeddings": 6, "embedding_dim": 3, "padding_idx": 2}),
        layer_case("bilinear", nn.Bilinear(2, 3, 4), [randn(5, 2), randn(5, 3)],
                   {"in1_features": 2, "in2_features": 3, "out_features": 4}),
    ]
    net = Net()
    model_keys = {"state_dict": list(net.state_dict().keys()),
                  "named_parameters": [k for k, _ in net.named_parameters()]}
    reprs = {
        "mlp": str(nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))),
        "net": str(net),
        "nested": str(nn.Sequential(nn.Sequential(nn.Linear(1, 2), nn.Tanh()), nn.Dropout(0.1), nn.Identity())),
        "extra_and_children": str(WithExtra("k=3")),
        "multiline_extra_and_children": str(WithExtra("x\ny")),
        "empty": str(nn.Sequential()),
        "activations": str(nn.Sequential(nn.ReLU(), nn.LeakyReLU(), nn.LeakyReLU(0.2), nn.ELU(), nn.ELU(0.5),
                                         nn.GELU(), nn.GELU(approximate="tanh"), nn.SiLU(), nn.Sigmoid(), nn.Tanh(),
                                         nn.Softmax(dim=1), nn.Softmax(), nn.LogSoftmax(dim=-1), nn.Softplus(),
                                         nn.Softplus(beta=2, threshold=10), nn.Flatten(), nn.Flatten(0, 2),
                                         nn.Identity())),
        "layers": str(nn.Sequential(nn.Embedding(5, 3), nn.Embedding(5, 3, padding_idx=0), nn.Bilinear(2, 3, 4),
                                    nn.Bilinear(2, 3, 4, bias=False), nn.LayerNorm((2, 3), eps=1e-6),
                                    nn.Dropout(), nn.Linear(3, 2, bias=False))),
        "losses": str(nn.Sequential(nn.MSELoss(), nn.L1Loss(), nn.SmoothL1Loss(), nn.HuberLoss(),
                                    nn.CrossEntropyLoss(), nn.NLLLoss(), nn.BCELoss(), nn.BCEWithLogitsLoss(),
                                    nn.KLDivLoss(), nn.CosineSimilarity())),
    }
    gains = {k: nn.init.calculate_gain(k) for k in
             ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
              "sigmoid", "tanh", "relu", "leaky_relu", "selu")}
    gains["leaky_relu_0.2"] = nn.init.calculate_gain("leaky_relu", 0.2)
    loss_state = {
        "cross_entropy_weight": list(nn.CrossEntropyLoss(weight=torch.ones(3)).state_dict().keys()),
        "bce_logits_both": list(nn.BCEWithLogitsLoss(weight=torch.ones(3), pos_weight=torch.ones(3))
                                .state_dict().keys()),
        "nll_none": list(nn.NLLLoss().state_dict().keys()),
    }
    return {"layers": layers, "model_keys": model_keys, "reprs": reprs, "gains": gains, "loss_state": loss_state}


def write(name, obj, one_per_line=None):
    path = os.path.join(OUT_DIR, name)
    with open(path, "w") as f:
        if one_per_line:
            f.write('{"%s": [\n' % one_per_line)
            items = obj[one_per_line]
            for i, c in enumerate(items):
                f.write(json.dumps(c, sort_keys=True) + (",\n" if i + 1 < len(items) else "\n"))
            f.write("]}\n")
        else:
            json.dump(obj, f, sort_keys=True, indent=1)
            f.write("\n")
    print("wrote %s (%d bytes)" % (os.path.relpath(path, ROOT), os.path.getsize(path)))


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    activations()
    regression()
    binary()
    kl()
    classification()
    similarity_and_padding()
    write("functional.json", {"cases": CASES}, one_per_line="cases")
    write("modules.json", modules())
    print("%d functional cases" % len(CASES))


if __name__ == "__main__":
    main()
