#!/usr/bin/python3
"""Generate PyTorch golden fixtures for Ember's Java tests.

Writes framework/core/src/test/resources/golden/ops.json: a list of op cases
(inputs, forward output, random grad_output and the resulting leaf gradients)
computed with PyTorch as the reference implementation.

How to run (from the repository root):

    /usr/bin/python3 tools/make_golden.py

Requires Debian's PyTorch package (CPU, torch 1.13):

    apt-get install -y python3-torch

Use /usr/bin/python3 (the system interpreter that sees python3-torch), not a
pyenv/venv python. Output is deterministic: re-running produces identical bytes.

Schema (one JSON object per case, one case per line):
  {"name", "op", "args",
   "inputs": [{"shape", "dtype", "data", "requires_grad", "pre"}],
   "output": {"shape", "dtype", "data"},
   "grad_output": {"shape", "dtype", "data"} | null,
   "grads": [{"shape", "dtype", "data"} | null, ...]}   ([] when grad_output is null)
"pre" is null or a view applied to the leaf before the op:
  {"op": "transpose", "dim0", "dim1"} | {"op": "narrow", "dim", "start", "length"}
  | {"op": "expand", "shape"}; grads are w.r.t. the leaf (before "pre").
Floats are written with Python's repr, so they round-trip exactly.
"""

import json
import os
import sys

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "framework", "core", "src", "test", "resources", "golden")
OUT_FILE = os.path.join(OUT_DIR, "ops.json")

F64 = torch.float64
F32 = torch.float32
I64 = torch.int64
BOOL = torch.bool

DTYPE_NAMES = {F64: "float64", F32: "float32", I64: "int64", BOOL: "bool"}

torch.manual_seed(0)
torch.set_num_threads(1)
GEN = torch.Generator().manual_seed(0)


# ----------------------------------------------------------------------------
# Data helpers (all randomness comes from GEN)
# ----------------------------------------------------------------------------

def randn(*shape, dtype=F64):
    return torch.randn(tuple(shape), generator=GEN, dtype=F64).to(dtype)


def uniform(lo, hi, *shape, dtype=F64):
    return (torch.rand(tuple(shape), generator=GEN, dtype=F64) * (hi - lo) + lo).to(dtype)


def signed_uniform(lo, hi, *shape):
    """|value| in [lo, hi), random sign: safe denominators."""
    mag = uniform(lo, hi, *shape)
    sign = torch.randint(0, 2, tuple(shape), generator=GEN).to(F64) * 2 - 1
    return mag * sign


def small_ints(lo, hi, *shape, dtype=F64):
    """Integer-valued data in [lo, hi) (so equality comparisons are interesting)."""
    return torch.randint(lo, hi, tuple(shape), generator=GEN).to(dtype)


def randint(lo, hi, *shape):
    return torch.randint(lo, hi, tuple(shape), generator=GEN, dtype=I64)


def randbool(*shape):
    return torch.randint(0, 2, tuple(shape), generator=GEN).to(BOOL)


def T(data, dtype=F64):
    return torch.tensor(data, dtype=dtype)


# ----------------------------------------------------------------------------
# Serialization
# ----------------------------------------------------------------------------

def encode(t):
    t = t.detach().contiguous()
    flat = t.reshape(-1).tolist()
    if t.dtype == BOOL:
        flat = [1 if v else 0 for v in flat]
    elif t.dtype == I64:
        flat = [int(v) for v in flat]
    elif t.dtype in (F32, F64):
        flat = [float(v) for v in flat]
    else:
        raise ValueError("unsupported dtype %s" % t.dtype)
    return {"shape": list(t.shape), "dtype": DTYPE_NAMES[t.dtype], "data": flat}


class Inp:
    def __init__(self, tensor, rg=None, pre=None):
        self.tensor = tensor
        if rg is None:
            rg = tensor.dtype == F64
        self.rg = rg
        self.pre = pre


def transpose_pre(d0, d1):
    return {"op": "transpose", "dim0": d0, "dim1": d1}


def narrow_pre(dim, start, length):
    return {"op": "narrow", "dim": dim, "start": start, "length": length}


def expand_pre(shape):
    return {"op": "expand", "shape": list(shape)}


def apply_pre(leaf, pre):
    if pre is None:
        return leaf
    if pre["op"] == "transpose":
        return leaf.transpose(pre["dim0"], pre["dim1"])
    if pre["op"] == "narrow":
        return leaf.narrow(pre["dim"], pre["start"], pre["length"])
    if pre["op"] == "expand":
        return leaf.expand(*pre["shape"])
    raise ValueError(pre)


# ----------------------------------------------------------------------------
# Op implementations (PyTorch reference semantics for each Ember op key)
# ----------------------------------------------------------------------------

def _dims(a):
    return a.get("dims")


def _max_min(fn):
    def f(x, a):
        if "dim" in a:
            return fn(x, a["dim"], a.get("keepdim", False)).values
        return fn(x)
    return f


def _arg(fn):
    def f(x, a):
        if "dim" in a:
            return fn(x, dim=a["dim"], keepdim=a.get("keepdim", False))
        return fn(x)
    return f


def _sum_mean(fn):
    def f(x, a):
        if a.get("dims") is None:
            return fn(x)
        return fn(x, dim=a["dims"], keepdim=a.get("keepdim", False))
    return f


def _var_std(fn):
    def f(x, a):
        return fn(x, dim=a["dims"], correction=a["correction"], keepdim=a["keepdim"])
    return f


def _slice(x, a):
    idx = [slice(None)] * x.dim()
    idx[a["dim"]] = slice(a["start"], a["end"], a["step"])
    return x[tuple(idx)]


def _squeeze(x, a):
    return x.squeeze(a["dim"]) if "dim" in a else x.squeeze()


OPS = {
    # binary
    "add": lambda ins, a: ins[0] + ins[1],
    "sub": lambda ins, a: ins[0] - ins[1],
    "mul": lambda ins, a: ins[0] * ins[1],
    "div": lambda ins, a: ins[0] / ins[1],
    "pow": lambda ins, a: torch.pow(ins[0], ins[1]),
    "maximum": lambda ins, a: torch.maximum(ins[0], ins[1]),
    "minimum": lambda ins, a: torch.minimum(ins[0], ins[1]),
    # scalar
    "add_scalar": lambda ins, a: ins[0] + a["scalar"],
    "sub_scalar": lambda ins, a: ins[0] - a["scalar"],
    "mul_scalar": lambda ins, a: ins[0] * a["scalar"],
    "div_scalar": lambda ins, a: ins[0] / a["scalar"],
    "pow_scalar": lambda ins, a: ins[0] ** a["scalar"],
    # unary
    "neg": lambda ins, a: torch.neg(ins[0]),
    "exp": lambda ins, a: torch.exp(ins[0]),
    "log": lambda ins, a: torch.log(ins[0]),
    "tanh": lambda ins, a: torch.tanh(ins[0]),
    "sigmoid": lambda ins, a: torch.sigmoid(ins[0]),
    "relu": lambda ins, a: torch.relu(ins[0]),
    "sqrt": lambda ins, a: torch.sqrt(ins[0]),
    "abs": lambda ins, a: torch.abs(ins[0]),
    "sin": lambda ins, a: torch.sin(ins[0]),
    "cos": lambda ins, a: torch.cos(ins[0]),
    "clamp": lambda ins, a: torch.clamp(ins[0], min=a["min"], max=a["max"]),
    # comparisons
    "eq": lambda ins, a: torch.eq(ins[0], ins[1]),
    "ne": lambda ins, a: torch.ne(ins[0], ins[1]),
    "lt": lambda ins, a: torch.lt(ins[0], ins[1]),
    "le": lambda ins, a: torch.le(ins[0], ins[1]),
    "gt": lambda ins, a: torch.gt(ins[0], ins[1]),
    "ge": lambda ins, a: torch.ge(ins[0], ins[1]),
    "where": lambda ins, a: torch.where(ins[0], ins[1], ins[2]),
    # reductions
    "sum": lambda ins, a: _sum_mean(torch.sum)(ins[0], a),
    "mean": lambda ins, a: _sum_mean(torch.mean)(ins[0], a),
    "max": lambda ins, a: _max_min(torch.max)(ins[0], a),
    "min": lambda ins, a: _max_min(torch.min)(ins[0], a),
    "argmax": lambda ins, a: _arg(torch.argmax)(ins[0], a),
    "argmin": lambda ins, a: _arg(torch.argmin)(ins[0], a),
    "var": lambda ins, a: _var_std(torch.var)(ins[0], a),
    "std": lambda ins, a: _var_std(torch.std)(ins[0], a),
    "logsumexp": lambda ins, a: torch.logsumexp(ins[0], dim=a["dims"], keepdim=a["keepdim"]),
    # linalg / nn
    "matmul": lambda ins, a: torch.matmul(ins[0], ins[1]),
    "softmax": lambda ins, a: torch.softmax(ins[0], dim=a["dim"]),
    "log_softmax": lambda ins, a: torch.log_softmax(ins[0], dim=a["dim"]),
    # shape
    "reshape": lambda ins, a: ins[0].reshape(a["shape"]),
    "transpose": lambda ins, a: ins[0].transpose(a["dim0"], a["dim1"]),
    "permute": lambda ins, a: ins[0].permute(a["dims"]),
    "expand": lambda ins, a: ins[0].expand(a["shape"]),
    "squeeze": lambda ins, a: _squeeze(ins[0], a),
    "unsqueeze": lambda ins, a: ins[0].unsqueeze(a["dim"]),
    "narrow": lambda ins, a: ins[0].narrow(a["dim"], a["start"], a["length"]),
    "select": lambda ins, a: ins[0].select(a["dim"], a["index"]),
    "flatten": lambda ins, a: torch.flatten(ins[0], a["start_dim"], a["end_dim"]),
    "contiguous": lambda ins, a: ins[0].contiguous(),
    "slice": lambda ins, a: _slice(ins[0], a),
    "cat": lambda ins, a: torch.cat(list(ins), dim=a["dim"]),
    "stack": lambda ins, a: torch.stack(list(ins), dim=a["dim"]),
    "split": lambda ins, a: torch.split(ins[0], a["split_size"], dim=a["dim"])[a["index"]],
    "chunk": lambda ins, a: torch.chunk(ins[0], a["chunks"], dim=a["dim"])[a["index"]],
    # indexing
    "index_select": lambda ins, a: torch.index_select(ins[0], a["dim"], ins[1]),
    "gather": lambda ins, a: torch.gather(ins[0], a["dim"], ins[1]),
    "scatter_add": lambda ins, a: torch.scatter_add(ins[0], a["dim"], ins[1], ins[2]),
    "masked_fill": lambda ins, a: ins[0].masked_fill(ins[1], a["value"]),
    # dtype conversion
    "to_double": lambda ins, a: ins[0].double(),
    "to_float": lambda ins, a: ins[0].float(),
    # more views and products
    "view": lambda ins, a: ins[0].view(a["shape"]),
    "t": lambda ins, a: ins[0].t(),
    "clone": lambda ins, a: ins[0].clone(),
    "mm": lambda ins, a: torch.mm(ins[0], ins[1]),
    "bmm": lambda ins, a: torch.bmm(ins[0], ins[1]),
    "addmm": lambda ins, a: torch.addmm(ins[0], ins[1], ins[2]),
    "baddbmm": lambda ins, a: torch.baddbmm(ins[0], ins[1], ins[2]),
    "linear": lambda ins, a: torch.nn.functional.linear(ins[0], ins[1], ins[2] if len(ins) > 2 else None),
    "amax": lambda ins, a: torch.amax(ins[0], dim=a["dims"], keepdim=a["keepdim"]),
    "amin": lambda ins, a: torch.amin(ins[0], dim=a["dims"], keepdim=a["keepdim"]),
    "sign": lambda ins, a: torch.sign(ins[0]),
    "erf": lambda ins, a: torch.erf(ins[0]),
    "erfc": lambda ins, a: torch.erfc(ins[0]),
    # in place on a non-leaf copy of input 0 (history rebased), then returned
    "addi": lambda ins, a: (ins[0] * 1.0).add_(ins[1]),
    "subi": lambda ins, a: (ins[0] * 1.0).sub_(ins[1]),
    "muli": lambda ins, a: (ins[0] * 1.0).mul_(ins[1]),
    "divi": lambda ins, a: (ins[0] * 1.0).div_(ins[1]),
    "zeroi_then_add": lambda ins, a: (ins[0] * 1.0).zero_() + ins[1],
    "filli_then_mul": lambda ins, a: (ins[0] * 1.0).fill_(a["value"]) * ins[1],
    "copyi": lambda ins, a: (ins[0] * 1.0).copy_(ins[1]),
}

NON_DIFFERENTIABLE = {"eq", "ne", "lt", "le", "gt", "ge", "argmax", "argmin"}


# ----------------------------------------------------------------------------
# Case construction
# ----------------------------------------------------------------------------

CASES = []
NAMES = set()


def case(name, op, inputs, args=None, grad=True):
    """Run op on inputs and record a case. grad=False forces a forward-only case."""
    args = {} if args is None else args
    if name in NAMES:
        raise ValueError("duplicate case name " + name)
    if op not in OPS:
        raise ValueError("unknown op " + op)
    NAMES.add(name)

    inputs = [i if isinstance(i, Inp) else Inp(i) for i in inputs]
    if not grad or op in NON_DIFFERENTIABLE:
        for i in inputs:
            i.rg = False
    leaves = []
    xs = []
    for i in inputs:
        leaf = i.tensor.detach().clone()
        if i.rg:
            assert leaf.dtype in (F32, F64), name
            leaf.requires_grad_(True)
        leaves.append(leaf)
        xs.append(apply_pre(leaf, i.pre))

    out = OPS[op](xs, args)
    assert torch.isfinite(out.double()).all() if out.dtype != BOOL else True, name

    differentiable = (op not in NON_DIFFERENTIABLE and out.dtype in (F32, F64)
                      and any(i.rg for i in inputs))
    grad_output = None
    grads = []
    if differentiable:
        grad_output = torch.randn(tuple(out.shape), generator=GEN, dtype=F64).to(out.dtype)
        out.backward(grad_output)
        for leaf, i in zip(leaves, inputs):
            if not i.rg:
                grads.append(None)
            elif leaf.grad is None:
                grads.append(encode(torch.zeros_like(leaf)))
            else:
                grads.append(encode(leaf.grad))

    CASES.append({
        "name": name,
        "op": op,
        "args": args,
        "inputs": [dict(encode(i.tensor), requires_grad=bool(i.rg), pre=i.pre) for i in inputs],
        "output": encode(out),
        "grad_output": None if grad_output is None else encode(grad_output),
        "grads": grads,
    })


def sname(shape):
    return "x".join(str(s) for s in shape) if len(shape) else "scalar"


def build():
    # ---------------- binary elementwise, broadcasting ----------------
    bshapes = [([2, 3], [2, 3]), ([2, 3], [3]), ([2, 1, 4], [3, 1]),
               ([4], [2, 3, 4]), ([2, 3], [])]
    for op in ["add", "sub", "mul", "div", "pow", "maximum", "minimum"]:
        for sa, sb in bshapes:
            if op == "div":
                a, b = randn(*sa), signed_uniform(0.5, 2.0, *sb)
            elif op == "pow":
                a, b = uniform(0.5, 2.0, *sa), randn(*sb)
            else:
                a, b = randn(*sa), randn(*sb)
            if sa == sb:
                name = "%s_%s" % (op, sname(sa))
            else:
                name = "%s_broadcast_%s_%s" % (op, sname(sa), sname(sb))
            case(name, op, [a, b])
    # 0-dim op 0-dim, and scalar-first broadcasting
    case("add_0dim_0dim", "add", [randn(), randn()])
    case("mul_broadcast_scalar_2x3", "mul", [randn(), randn(2, 3)])
    case("div_broadcast_3x1_1x4", "div", [randn(3, 1), signed_uniform(0.5, 2.0, 1, 4)])
    # only one side requires grad
    case("mul_2x3_rhs_no_grad", "mul", [randn(2, 3), Inp(randn(2, 3), rg=False)])
    case("sub_broadcast_2x3_3_lhs_no_grad", "sub", [Inp(randn(2, 3), rg=False), randn(3)])
    # non-contiguous inputs
    case("add_pre_transpose_lhs", "add",
         [Inp(randn(3, 2), pre=transpose_pre(0, 1)), randn(2, 3)])
    case("add_pre_expand_lhs_broadcast", "add",
         [Inp(randn(1, 3), pre=expand_pre([2, 3])), randn(4, 2, 1)])
    case("add_pre_narrow_both", "add",
         [Inp(randn(2, 5), pre=narrow_pre(1, 1, 3)), Inp(randn(4, 3), pre=narrow_pre(0, 2, 2))])
    case("mul_pre_transpose_both", "mul",
         [Inp(randn(4, 3), pre=transpose_pre(0, 1)), Inp(randn(4, 3), pre=transpose_pre(1, 0))])
    case("mul_pre_narrow_lhs_3d", "mul",
         [Inp(randn(2, 3, 5), pre=narrow_pre(-1, 0, 4)), randn(3, 4)])
    case("div_pre_transpose_rhs", "div",
         [randn(2, 3), Inp(signed_uniform(0.5, 2.0, 3, 2), pre=transpose_pre(0, 1))])

    # ---------------- dtype promotion (forward only) ----------------
    case("add_f32_f32", "add", [randn(2, 3, dtype=F32), randn(2, 3, dtype=F32)], grad=False)
    case("add_f32_f64_promotes_f64", "add", [randn(2, 3, dtype=F32), randn(2, 3)], grad=False)
    case("add_i64_f32_promotes_f32", "add", [randint(-5, 5, 2, 3), randn(3, dtype=F32)], grad=False)
    case("add_i64_i64_stays_i64", "add", [randint(-5, 5, 2, 3), randint(-5, 5, 2, 3)], grad=False)
    case("mul_f32_f32_broadcast", "mul", [randn(2, 3, dtype=F32), randn(3, dtype=F32)], grad=False)
    case("sub_f64_f32_promotes_f64", "sub", [randn(3), randn(2, 3, dtype=F32)], grad=False)
    case("div_i64_i64_true_division_f32", "div",
         [T([[7, -7, 1], [2, 9, -3]], I64), T([[2, 2, 3], [4, -4, 7]], I64)], grad=False)
    case("div_f32_f32", "div", [randn(2, 3, dtype=F32), uniform(0.5, 2.0, 2, 3, dtype=F32)], grad=False)
    case("add_scalar_f32_stays_f32", "add_scalar", [randn(2, 3, dtype=F32)], {"scalar": 2.5}, grad=False)
    case("mul_scalar_f32_stays_f32", "mul_scalar", [randn(2, 3, dtype=F32)], {"scalar": 0.1}, grad=False)
    case("add_scalar_i64_promotes_f32", "add_scalar", [randint(-5, 5, 2, 3)], {"scalar": 2.5}, grad=False)
    case("lt_f32_f64_bool", "lt", [small_ints(-2, 3, 2, 3, dtype=F32), small_ints(-2, 3, 2, 3)])
    case("eq_i64_f64_bool", "eq", [randint(-2, 3, 2, 3), small_ints(-2, 3, 3)])
    case("ge_i64_i64_bool", "ge", [randint(-2, 3, 2, 3), randint(-2, 3, 2, 3)])
    case("eq_bool_bool", "eq", [randbool(2, 3), randbool(2, 3)])

    # ---------------- scalar variants ----------------
    case("add_scalar_2x3", "add_scalar", [randn(2, 3)], {"scalar": 2.5})
    case("add_scalar_neg_3d", "add_scalar", [randn(2, 3, 4)], {"scalar": -1.25})
    case("sub_scalar_2x3", "sub_scalar", [randn(2, 3)], {"scalar": 2.5})
    case("mul_scalar_2x3", "mul_scalar", [randn(2, 3)], {"scalar": -3.0})
    case("mul_scalar_0dim", "mul_scalar", [randn()], {"scalar": 0.5})
    case("div_scalar_2x3", "div_scalar", [randn(2, 3)], {"scalar": 2.5})
    case("div_scalar_pre_transpose", "div_scalar",
         [Inp(randn(3, 2), pre=transpose_pre(0, 1))], {"scalar": -0.75})
    for s, tag in [(2.0, "2"), (0.5, "0_5"), (-1.5, "neg1_5"), (3.0, "3")]:
        case("pow_scalar_%s" % tag, "pow_scalar", [uniform(0.5, 2.0, 2, 3)], {"scalar": s})

    # ---------------- unary ----------------
    case("neg_2x3", "neg", [randn(2, 3)])
    case("exp_2x3", "exp", [randn(2, 3)])
    case("exp_pre_transpose", "exp", [Inp(randn(4, 3), pre=transpose_pre(0, 1))])
    case("exp_pre_narrow_3d", "exp", [Inp(randn(2, 4, 3), pre=narrow_pre(1, 1, 2))])
    case("log_2x3", "log", [uniform(0.2, 3.0, 2, 3)])
    case("tanh_2x3", "tanh", [randn(2, 3)])
    case("tanh_0dim", "tanh", [randn()])
    case("sigmoid_3x4", "sigmoid", [randn(3, 4)])
    case("relu_2x3x4", "relu", [randn(2, 3, 4)])
    case("sqrt_2x3", "sqrt", [uniform(0.2, 3.0, 2, 3)])
    case("abs_2x3", "abs", [randn(2, 3)])
    case("sin_5", "sin", [randn(5)])
    case("cos_5", "cos", [randn(5)])
    case("cos_pre_expand", "cos", [Inp(randn(1, 4), pre=expand_pre([3, 4]))])
    case("clamp_min_max", "clamp", [randn(3, 4)], {"min": -0.5, "max": 0.5})
    case("clamp_min_only", "clamp", [randn(3, 4)], {"min": -0.25, "max": None})
    case("clamp_max_only", "clamp", [randn(3, 4)], {"min": None, "max": 0.3})

    # ---------------- comparisons (forward only) ----------------
    for op in ["eq", "ne", "lt", "le", "gt", "ge"]:
        case("%s_2x3" % op, op, [small_ints(-2, 3, 2, 3), small_ints(-2, 3, 2, 3)])
        case("%s_broadcast_2x3_3" % op, op, [small_ints(-2, 3, 2, 3), small_ints(-2, 3, 3)])
    case("lt_broadcast_2x1_scalar", "lt", [small_ints(-2, 3, 2, 1), T(0.0)])

    # ---------------- where ----------------
    case("where_2x3", "where", [Inp(randbool(2, 3), rg=False), randn(2, 3), randn(2, 3)])
    case("where_broadcast_cond_2x1", "where", [Inp(randbool(2, 1), rg=False), randn(2, 3), randn(3)])
    case("where_broadcast_cond_3_y_scalar", "where", [Inp(randbool(3), rg=False), randn(2, 3), randn()])

    # ---------------- reductions ----------------
    for op in ["sum", "mean"]:
        case("%s_all_2x3" % op, op, [randn(2, 3)])
        case("%s_dim1_2x3" % op, op, [randn(2, 3)], {"dims": [1], "keepdim": False})
        case("%s_dims0_2_keepdim_2x3x4" % op, op, [randn(2, 3, 4)], {"dims": [0, 2], "keepdim": True})
        case("%s_dim_neg1_2x3x4" % op, op, [randn(2, 3, 4)], {"dims": [-1], "keepdim": False})
    case("sum_all_0dim", "sum", [randn()])
    case("sum_dim0_keepdim_pre_transpose", "sum",
         [Inp(randn(4, 3), pre=transpose_pre(0, 1))], {"dims": [0], "keepdim": True})
    case("sum_all_pre_narrow", "sum", [Inp(randn(3, 5), pre=narrow_pre(1, 1, 3))])
    case("mean_dims_neg2_neg1_pre_expand", "mean",
         [Inp(randn(1, 3, 4), pre=expand_pre([2, 3, 4]))], {"dims": [-2, -1], "keepdim": False})

    for op in ["max", "min"]:
        case("%s_all_3x4" % op, op, [randn(3, 4)])
        case("%s_dim1_3x4" % op, op, [randn(3, 4)], {"dim": 1, "keepdim": False})
        case("%s_dim_neg1_keepdim_2x3x4" % op, op, [randn(2, 3, 4)], {"dim": -1, "keepdim": True})
        case("%s_dim0_2x3x4" % op, op, [randn(2, 3, 4)], {"dim": 0, "keepdim": False})
    for op in ["argmax", "argmin"]:
        case("%s_all_3x4" % op, op, [randn(3, 4)])
        case("%s_dim1_3x4" % op, op, [randn(3, 4)], {"dim": 1, "keepdim": False})
        case("%s_dim0_keepdim_2x3x4" % op, op, [randn(2, 3, 4)], {"dim": 0, "keepdim": True})
        case("%s_dim_neg1_2x3x4" % op, op, [randn(2, 3, 4)], {"dim": -1, "keepdim": False})

    for op in ["var", "std"]:
        case("%s_all_unbiased_3x4" % op, op, [randn(3, 4)],
             {"dims": None, "correction": 1, "keepdim": False})
        case("%s_all_biased_keepdim_3x4" % op, op, [randn(3, 4)],
             {"dims": None, "correction": 0, "keepdim": True})
        case("%s_dim1_biased_3x4" % op, op, [randn(3, 4)],
             {"dims": [1], "correction": 0, "keepdim": False})
        case("%s_dims0_2_unbiased_keepdim_2x3x4" % op, op, [randn(2, 3, 4)],
             {"dims": [0, 2], "correction": 1, "keepdim": True})
        case("%s_dim_neg1_unbiased_2x3x4" % op, op, [randn(2, 3, 4)],
             {"dims": [-1], "correction": 1, "keepdim": False})

    case("logsumexp_dim1_3x4", "logsumexp", [randn(3, 4)], {"dims": [1], "keepdim": False})
    case("logsumexp_dim_neg1_keepdim_2x3x4", "logsumexp", [randn(2, 3, 4)], {"dims": [-1], "keepdim": True})
    case("logsumexp_dims0_1_2x3x4", "logsumexp", [randn(2, 3, 4) * 10], {"dims": [0, 1], "keepdim": False})

    # ---------------- matmul ----------------
    case("matmul_1d_1d", "matmul", [randn(3), randn(3)])
    case("matmul_2d_1d", "matmul", [randn(2, 3), randn(3)])
    case("matmul_1d_2d", "matmul", [randn(3), randn(3, 4)])
    case("matmul_2d_2d", "matmul", [randn(2, 3), randn(3, 4)])
    case("matmul_batched_2x2x3_3x4", "matmul", [randn(2, 2, 3), randn(3, 4)])
    case("matmul_batched_both_2x2x3_2x3x4", "matmul", [randn(2, 2, 3), randn(2, 3, 4)])
    case("matmul_1d_batched_3_2x3x4", "matmul", [randn(3), randn(2, 3, 4)])
    case("matmul_batched_1d_2x2x3_3", "matmul", [randn(2, 2, 3), randn(3)])
    case("matmul_broadcast_batch_2x1x2x3_3x3x4", "matmul", [randn(2, 1, 2, 3), randn(3, 3, 4)])
    case("matmul_pre_transpose_rhs", "matmul",
         [randn(2, 3), Inp(randn(4, 3), pre=transpose_pre(0, 1))])
    case("matmul_pre_transpose_lhs_batched", "matmul",
         [Inp(randn(2, 3, 2), pre=transpose_pre(-1, -2)), randn(3, 4)])

    # ---------------- softmax / log_softmax ----------------
    for op in ["softmax", "log_softmax"]:
        case("%s_dim_neg1_2x3" % op, op, [randn(2, 3)], {"dim": -1})
        case("%s_dim0_2x3x4" % op, op, [randn(2, 3, 4)], {"dim": 0})
        case("%s_dim1_2x3x4" % op, op, [randn(2, 3, 4)], {"dim": 1})
        case("%s_dim_neg1_large_values" % op, op, [randn(3, 4) * 50], {"dim": -1})
    case("softmax_pre_transpose_dim_neg1", "softmax",
         [Inp(randn(4, 3), pre=transpose_pre(0, 1))], {"dim": -1})
    case("log_softmax_pre_narrow_dim0", "log_softmax",
         [Inp(randn(3, 5), pre=narrow_pre(1, 2, 3))], {"dim": 0})

    # ---------------- shape ops ----------------
    case("reshape_2x3x4_to_3_neg1", "reshape", [randn(2, 3, 4)], {"shape": [3, -1]})
    case("reshape_2x3_to_6", "reshape", [randn(2, 3)], {"shape": [6]})
    case("reshape_pre_transpose", "reshape",
         [Inp(randn(4, 3), pre=transpose_pre(0, 1))], {"shape": [2, 6]})
    case("reshape_to_0dim", "reshape", [randn(1, 1)], {"shape": []})
    case("transpose_0_neg1_2x3x4", "transpose", [randn(2, 3, 4)], {"dim0": 0, "dim1": -1})
    case("transpose_2x3", "transpose", [randn(2, 3)], {"dim0": 1, "dim1": 0})
    case("permute_2_0_1", "permute", [randn(2, 3, 4)], {"dims": [2, 0, 1]})
    case("permute_neg_dims", "permute", [randn(2, 3, 4)], {"dims": [-1, -3, -2]})
    case("expand_2x1_to_3x2x4", "expand", [randn(2, 1)], {"shape": [3, 2, 4]})
    case("expand_1x4_to_3x4", "expand", [randn(1, 4)], {"shape": [3, 4]})
    case("expand_0dim_to_2x3", "expand", [randn()], {"shape": [2, 3]})
    case("squeeze_dim1", "squeeze", [randn(2, 1, 3)], {"dim": 1})
    case("squeeze_all", "squeeze", [randn(1, 2, 1, 3)])
    case("unsqueeze_neg1", "unsqueeze", [randn(2, 3)], {"dim": -1})
    case("unsqueeze_0", "unsqueeze", [randn(2, 3)], {"dim": 0})
    case("narrow_dim1", "narrow", [randn(3, 4)], {"dim": 1, "start": 1, "length": 2})
    case("narrow_dim_neg1_3d", "narrow", [randn(2, 3, 4)], {"dim": -1, "start": 2, "length": 2})
    case("select_dim0_neg1", "select", [randn(3, 4)], {"dim": 0, "index": -1})
    case("select_dim1_3d", "select", [randn(2, 3, 4)], {"dim": 1, "index": 1})
    case("flatten_1_neg1", "flatten", [randn(2, 3, 4)], {"start_dim": 1, "end_dim": -1})
    case("flatten_0_1", "flatten", [randn(2, 3, 4)], {"start_dim": 0, "end_dim": 1})
    case("contiguous_pre_transpose", "contiguous", [Inp(randn(3, 4), pre=transpose_pre(0, 1))])
    case("slice_dim1_step2", "slice", [randn(3, 6)], {"dim": 1, "start": 0, "end": 5, "step": 2})
    case("slice_dim0_3d", "slice", [randn(5, 2, 3)], {"dim": 0, "start": 1, "end": 4, "step": 1})
    case("slice_dim_neg1_step3", "slice", [randn(2, 3, 7)], {"dim": -1, "start": 1, "end": 7, "step": 3})

    case("cat_dim0", "cat", [randn(2, 3), randn(1, 3), randn(3, 3)], {"dim": 0})
    case("cat_dim_neg1", "cat", [randn(2, 2), randn(2, 3)], {"dim": -1})
    case("cat_dim1_3d", "cat", [randn(2, 1, 4), randn(2, 3, 4)], {"dim": 1})
    case("cat_pre_transpose", "cat",
         [Inp(randn(3, 2), pre=transpose_pre(0, 1)), randn(2, 3)], {"dim": 0})
    case("stack_dim0", "stack", [randn(2, 3), randn(2, 3), randn(2, 3)], {"dim": 0})
    case("stack_dim_neg1", "stack", [randn(2, 3), randn(2, 3)], {"dim": -1})
    case("stack_dim1", "stack", [randn(2, 3), randn(2, 3)], {"dim": 1})
    for i in range(3):
        case("split_size2_dim1_index%d" % i, "split", [randn(2, 5)],
             {"split_size": 2, "dim": 1, "index": i})
    case("split_size2_dim0_index1", "split", [randn(4, 3)], {"split_size": 2, "dim": 0, "index": 1})
    for i in range(3):
        case("chunk3_dim0_size7_index%d" % i, "chunk", [randn(7, 2)],
             {"chunks": 3, "dim": 0, "index": i})
    case("chunk3_dim_neg1_size6_index1", "chunk", [randn(2, 6)], {"chunks": 3, "dim": -1, "index": 1})

    # ---------------- indexing ----------------
    case("index_select_dim0_repeats", "index_select",
         [randn(4, 3), Inp(T([0, 2, 2, 3, 0], I64), rg=False)], {"dim": 0})
    case("index_select_dim1_repeats", "index_select",
         [randn(2, 4), Inp(T([3, 3, 1], I64), rg=False)], {"dim": 1})
    case("index_select_dim_neg1_3d", "index_select",
         [randn(2, 3, 4), Inp(T([1, 0, 1], I64), rg=False)], {"dim": -1})
    case("gather_dim0", "gather",
         [randn(3, 4), Inp(T([[0, 1, 2, 0], [2, 2, 1, 0]], I64), rg=False)], {"dim": 0})
    case("gather_dim1", "gather",
         [randn(3, 4), Inp(T([[0, 0], [3, 1], [2, 2]], I64), rg=False)], {"dim": 1})
    case("gather_pre_transpose_dim1", "gather",
         [Inp(randn(4, 3), pre=transpose_pre(0, 1)),
          Inp(T([[3, 3], [0, 1], [2, 0]], I64), rg=False)], {"dim": 1})
    case("gather_dim_neg1_3d", "gather",
         [randn(2, 2, 3), Inp(T([[[2, 0], [1, 1]], [[0, 0], [2, 1]]], I64), rg=False)], {"dim": -1})
    case("scatter_add_dim0", "scatter_add",
         [randn(3, 4), Inp(T([[0, 1, 2, 0], [0, 1, 0, 2]], I64), rg=False), randn(2, 4)], {"dim": 0})
    case("scatter_add_dim1", "scatter_add",
         [randn(2, 4), Inp(T([[1, 1, 3], [0, 2, 0]], I64), rg=False), randn(2, 3)], {"dim": 1})
    # torch 1.13's scatter_add backward requires index.shape == src.shape, so
    # the "src larger than index" case is forward-only.
    case("scatter_add_dim1_src_larger_forward", "scatter_add",
         [randn(2, 3), Inp(T([[2, 2], [0, 1]], I64), rg=False), randn(2, 4)], {"dim": 1}, grad=False)
    case("scatter_add_dim_neg1_3d", "scatter_add",
         [randn(2, 2, 3), Inp(T([[[2, 2], [0, 1]], [[1, 1], [1, 0]]], I64), rg=False),
          randn(2, 2, 2)], {"dim": -1})
    case("masked_fill_2x3", "masked_fill", [randn(2, 3), Inp(randbool(2, 3), rg=False)], {"value": -1.5})
    case("masked_fill_broadcast_mask_3", "masked_fill",
         [randn(2, 3), Inp(T([True, False, True], BOOL), rg=False)], {"value": 0.25})
    case("masked_fill_broadcast_mask_2x1", "masked_fill",
         [randn(2, 3), Inp(T([[False], [True]], BOOL), rg=False)], {"value": -1.5})

    # ---------------- dtype conversion ----------------
    case("to_double_exact", "to_double",
         [Inp(T([6.8813735870195432, 0.1, 1.0 / 3.0, -2.5, 1e-8, 3.4e38], F32), rg=False)])
    case("to_double_2x3_grad", "to_double", [Inp(randn(2, 3, dtype=F32), rg=True)])
    case("to_float_rounding", "to_float",
         [Inp(T([6.8813735870195432, 0.1, 1.0 / 3.0, -2.5, 1e-8, 1.0000000596046448], F64), rg=False)])
    case("to_float_2x3_grad", "to_float", [randn(2, 3)])

    # ---------------- more views, products, reductions ----------------
    case("view_2x6_to_3x4", "view", [randn(2, 6)], {"shape": [3, 4]})
    case("view_2x3x4_to_neg1", "view", [randn(2, 3, 4)], {"shape": [-1, 4]})
    case("t_3x2", "t", [randn(3, 2)])
    case("t_1d", "t", [randn(4)])
    case("clone_pre_transpose", "clone", [Inp(randn(3, 2), pre=transpose_pre(0, 1))])
    case("mm_2x3_3x4", "mm", [randn(2, 3), randn(3, 4)])
    case("mm_pre_transpose", "mm", [Inp(randn(3, 2), pre=transpose_pre(0, 1)), randn(3, 4)])
    case("bmm_2x2x3_2x3x4", "bmm", [randn(2, 2, 3), randn(2, 3, 4)])
    case("amax_dims_0_2_keepdim", "amax", [randn(2, 3, 4)], {"dims": [0, 2], "keepdim": True})
    case("amax_dim_neg1", "amax", [randn(3, 4)], {"dims": [-1], "keepdim": False})
    case("amin_dims_1", "amin", [randn(2, 3, 4)], {"dims": [1], "keepdim": False})
    case("sign_2x3", "sign", [signed_uniform(0.5, 2.0, 2, 3)])
    case("erf_wide_range", "erf", [T([[-6.0, -2.5, -0.7, -1e-3], [1e-8, 0.3, 0.49, 0.51], [1.2, 3.0, 5.5, 27.0]])])
    case("erf_pre_transpose", "erf", [Inp(randn(3, 2), pre=transpose_pre(0, 1))])
    case("erfc_wide_range", "erfc", [T([[-6.0, -2.5, -0.7, -1e-3], [1e-8, 0.3, 0.49, 0.51], [1.2, 3.0, 5.5, 26.0]])])

    # ---------------- in place (history rebased onto the new op) ----------------
    case("addi_broadcast", "addi", [randn(2, 3), randn(3)])
    case("subi_2x3", "subi", [randn(2, 3), randn(2, 3)])
    case("muli_broadcast", "muli", [randn(2, 3), randn(2, 1)])
    case("divi_2x3", "divi", [randn(2, 3), signed_uniform(0.5, 2.0, 2, 3)])
    case("zeroi_then_add", "zeroi_then_add", [randn(2, 3), randn(2, 3)])
    case("filli_then_mul", "filli_then_mul", [randn(2, 3), randn(2, 3)], {"value": 1.5})
    case("copyi_broadcast", "copyi", [randn(2, 3), randn(3)])

    # ---------------- addmm and F.linear (a 1-D bias goes into the product's epilogue) ----------------
    case("addmm_bias_1d", "addmm", [randn(4), randn(3, 5), randn(5, 4)])
    case("addmm_bias_2d", "addmm", [randn(3, 4), randn(3, 5), randn(5, 4)])
    case("addmm_bias_row", "addmm", [randn(1, 4), randn(3, 5), randn(5, 4)])
    case("addmm_pre_transpose", "addmm", [randn(4), randn(3, 5), Inp(randn(4, 5), pre=transpose_pre(0, 1))])
    case("linear_2d", "linear", [randn(3, 5), randn(4, 5), randn(4)])
    case("linear_3d", "linear", [randn(2, 3, 5), randn(4, 5), randn(4)])
    case("linear_1d", "linear", [randn(5), randn(4, 5), randn(4)])
    case("linear_nobias", "linear", [randn(3, 5), randn(4, 5)])
    # ---------------- baddbmm (one value per row or per column goes into the epilogue) ----------------
    case("baddbmm_row_bias", "baddbmm", [randn(3, 1), randn(2, 3, 4), randn(2, 4, 5)])
    case("baddbmm_col_bias", "baddbmm", [randn(5), randn(2, 3, 4), randn(2, 4, 5)])
    case("baddbmm_full", "baddbmm", [randn(2, 3, 5), randn(2, 3, 4), randn(2, 4, 5)])
    case("baddbmm_scalar_like", "baddbmm", [randn(1, 1, 1), randn(2, 3, 4), randn(2, 4, 5)])
    case("baddbmm_mask", "baddbmm", [randn(1, 3, 5), randn(2, 3, 4), randn(2, 4, 5)])


def write():
    os.makedirs(OUT_DIR, exist_ok=True)
    lines = [json.dumps(c, allow_nan=False, separators=(",", ":")) for c in CASES]
    text = '{"cases": [\n' + ",\n".join(lines) + "\n]}\n"
    with open(OUT_FILE, "w") as f:
        f.write(text)
    return len(text)


def main():
    build()
    size = write()
    counts = {}
    for c in CASES:
        counts[c["op"]] = counts.get(c["op"], 0) + 1
    missing = sorted(set(OPS) - set(counts))
    print("torch %s: wrote %d cases (%d bytes) to %s" % (torch.__version__, len(CASES), size,
                                                        os.path.relpath(OUT_FILE, ROOT)))
    if missing:
        print("ops without cases: " + ", ".join(missing), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
