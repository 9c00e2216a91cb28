#!/usr/bin/python3
"""Generate PyTorch golden fixtures for Ember's optimizers, LR schedulers and gradient clipping.

Writes, under framework/core/src/test/resources/optim/:
  optimizers.json  each optimizer and option combination: starting params, three steps of fixed gradients,
                   the params after every step, and the optimizer's state dict (flattened with Ember's key
                   scheme) after steps 2 and 3
  schedulers.json  learning rates (and cycled momenta) of each scheduler over ~30 steps
  clip.json        clip_grad_norm_ (total norm and clipped grads) and clip_grad_value_
  errors.json      PyTorch's messages for bad hyperparameters and bad state dicts

How to run (from the repository root):

    /usr/bin/python3 tools/make_optim_golden.py

Requires Debian's PyTorch package (CPU, torch 1.13): apt-get install -y python3-torch. Output is
deterministic. Floats are written with Python's repr, so they round-trip exactly.

Tensor encoding: {"shape": [...], "dtype": "float32"|"float64"|"int64", "data": [flat row-major]}.
Flat state dict keys (Ember's Optimizer.stateDict scheme): "state.<i>.<name>" for the state of the i-th
parameter counted across groups in order, "param_groups.<g>.<name>" for group hyperparameters (booleans as
0/1 float64, betas as a float64 pair, None values left out, "params" as int64 indices).
"""

import json
import math
import os

import torch
from torch import optim
from torch.nn.utils import clip_grad_norm_, clip_grad_value_

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "framework", "core", "src", "test", "resources", "optim")

F64 = torch.float64
F32 = torch.float32
I64 = torch.int64
DTYPE_NAMES = {F64: "float64", F32: "float32", I64: "int64"}

torch.set_num_threads(1)
GEN = torch.Generator().manual_seed(1234)


def randn(shape, dtype):
    return torch.randn(tuple(shape), generator=GEN, dtype=F64).to(dtype)


def encode(t):
    t = t.detach().contiguous()
    flat = t.reshape(-1).tolist()
    if t.dtype == I64:
        flat = [int(v) for v in flat]
    else:
        flat = [float(v) for v in flat]
    return {"shape": list(t.shape), "dtype": DTYPE_NAMES[t.dtype], "data": flat}


def flat_state_dict(opt):
    """PyTorch's nested optimizer state dict in Ember's flat key scheme."""
    sd = opt.state_dict()
    out = {}
    for i in sorted(sd["state"]):
        for name, value in sd["state"][i].items():
            if value is None:
                continue
            if not isinstance(value, torch.Tensor):
                value = torch.tensor(float(value), dtype=F32)  # RMSprop's int step
            out["state.%d.%s" % (i, name)] = encode(value)
    for g, group in enumerate(sd["param_groups"]):
        for name, value in group.items():
            if value is None:
                continue
            key = "param_groups.%d.%s" % (g, name)
            if name == "params":
                out[key] = encode(torch.tensor(value, dtype=I64))
            elif isinstance(value, (tuple, list)):
                out[key] = encode(torch.tensor([float(v) for v in value], dtype=F64))
            else:
                out[key] = encode(torch.tensor(float(value), dtype=F64))
    return out


# ----------------------------------------------------------------------------
# Optimizers
# ----------------------------------------------------------------------------

OPTIMIZERS = {"SGD": optim.SGD, "Adam": optim.Adam, "AdamW": optim.AdamW,
              "RMSprop": optim.RMSprop, "Adagrad": optim.Adagrad}
SHAPES = [(2, 3), (3,), (1,)]
STEPS = 3


def optimizer_case(name, optimizer, options, dtype, groups=None, none_grad=None):
    """groups: list of (param indices, overrides); none_grad: (step, param) whose grad is None."""
    if groups is None:
        groups = [(list(range(len(SHAPES))), {})]
    init = [randn(s, dtype) for s in SHAPES]
    grads = [[randn(s, dtype) for s in SHAPES] for _ in range(STEPS)]
    params = [p.clone().requires_grad_(True) for p in init]
    group_dicts = [dict(params=[params[i] for i in idx], **over) for idx, over in groups]
    opt = OPTIMIZERS[optimizer](group_dicts, **options)
    expected, states, grad_json = [], {}, []
    for step in range(STEPS):
        step_grads = []
        for i, p in enumerate(params):
            if none_grad == (step, i):
                p.grad = None
                step_grads.append(None)
            else:
                p.grad = grads[step][i].clone()
                step_grads.append(encode(grads[step][i]))
        grad_json.append(step_grads)
        opt.step()
        expected.append([encode(p) for p in params])
        if step >= 1:
            states[str(step + 1)] = flat_state_dict(opt)
    return {"name": name, "optimizer": optimizer, "dtype": DTYPE_NAMES[dtype], "options": options,
            "groups": [{"params": idx, "options": over} for idx, over in groups],
            "params": [encode(p) for p in init], "grads": grad_json, "expected": expected,
            "states": states}


def optimizer_cases():
    cases = []
    combos = [
        ("SGD", "plain", {"lr": 0.1}),
        ("SGD", "momentum", {"lr": 0.1, "momentum": 0.9}),
        ("SGD", "momentum_dampening", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3}),
        ("SGD", "nesterov", {"lr": 0.05, "momentum": 0.8, "nesterov": True}),
        ("SGD", "weight_decay", {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.01}),
        ("SGD", "maximize", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.1, "maximize": True}),
        ("Adam", "default", {}),
        ("Adam", "lr_betas_eps", {"lr": 0.01, "betas": (0.8, 0.95), "eps": 1e-6}),
        ("Adam", "weight_decay", {"lr": 0.01, "weight_decay": 0.1}),
        ("Adam", "amsgrad", {"lr": 0.01, "amsgrad": True}),
        ("Adam", "maximize", {"lr": 0.01, "weight_decay": 0.05, "maximize": True}),
        ("AdamW", "default", {}),
        ("AdamW", "weight_decay_amsgrad", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}),
        ("AdamW", "maximize", {"lr": 0.02, "betas": (0.5, 0.9), "maximize": True}),
        ("RMSprop", "default", {}),
        ("RMSprop", "momentum", {"lr": 0.01, "momentum": 0.9}),
        ("RMSprop", "centered", {"lr": 0.01, "alpha": 0.9, "centered": True}),
        ("RMSprop", "centered_momentum_wd", {"lr": 0.01, "momentum": 0.5, "centered": True, "weight_decay": 0.1,
                                             "eps": 1e-6}),
        ("RMSprop", "maximize", {"lr": 0.01, "maximize": True}),
        ("Adagrad", "default", {}),
        ("Adagrad", "lr_decay_wd", {"lr": 0.1, "lr_decay": 0.5, "weight_decay": 0.1}),
        ("Adagrad", "initial_accumulator", {"lr": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-6}),
        ("Adagrad", "maximize", {"lr": 0.1, "maximize": True}),
    ]
    for dtype in (F32, F64):
        for optimizer, label, options in combos:
            name = "%s_%s_%s" % (optimizer, label, DTYPE_NAMES[dtype])
            cases.append(optimizer_case(name, optimizer, options, dtype))
    # two parameter groups with their own hyperparameters, and a parameter without a gradient at one step
    two_groups = {
        "SGD": ({"lr": 0.1, "momentum": 0.9}, {"lr": 0.01, "nesterov": True}),
        "Adam": ({"lr": 0.01}, {"lr": 0.001, "betas": (0.5, 0.6), "amsgrad": True}),
        "AdamW": ({"lr": 0.01}, {"lr": 0.05, "weight_decay": 0.5}),
        "RMSprop": ({"lr": 0.01, "momentum": 0.5}, {"lr": 0.02, "centered": True}),
        "Adagrad": ({"lr": 0.1}, {"lr": 0.5, "lr_decay": 0.1}),
    }
    for dtype in (F32, F64):
        for optimizer, (options, overrides) in two_groups.items():
            name = "%s_two_groups_%s" % (optimizer, DTYPE_NAMES[dtype])
            cases.append(optimizer_case(name, optimizer, options, dtype,
                                        groups=[([0, 2], {}), ([1], overrides)], none_grad=(1, 2)))
    return cases


# ----------------------------------------------------------------------------
# Schedulers
# ----------------------------------------------------------------------------

def scheduler_case(name, scheduler, args, optimizer="SGD", opt_options=None, group_lrs=(0.1, 0.01),
                   steps=30, metrics=None):
    if opt_options is None:
        opt_options = {"momentum": 0.9}
    params = [torch.zeros(2, requires_grad=True) for _ in group_lrs]
    opt = OPTIMIZERS[optimizer]([{"params": [p], "lr": lr} for p, lr in zip(params, group_lrs)],
                                **opt_options)
    kwargs = dict(args)
    if scheduler == "ReduceLROnPlateau":
        sched = optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
    else:
        sched = getattr(optim.lr_scheduler, scheduler)(opt, **kwargs)

    def momenta():
        if optimizer in ("Adam", "AdamW"):
            return [g["betas"][0] for g in opt.param_groups]
        return [g.get("momentum", 0.0) for g in opt.param_groups]

    lrs = [[g["lr"] for g in opt.param_groups]]
    moms = [momenta()]
    for i in range(steps):
        opt.step()  # no grads: nothing moves, but PyTorch wants optimizer.step() before scheduler.step()
        if metrics is not None:
            sched.step(metrics[i])
        else:
            sched.step()
        lrs.append([g["lr"] for g in opt.param_groups])
        moms.append(momenta())
    case = {"name": name, "scheduler": scheduler, "args": args, "optimizer": optimizer,
            "optimizer_options": opt_options, "group_lrs": list(group_lrs), "steps": steps,
            "lrs": lrs, "momenta": moms}
    if metrics is not None:
        case["metrics"] = metrics
    return case


def scheduler_cases():
    c = []
    c.append(scheduler_case("StepLR_default_gamma", "StepLR", {"step_size": 7}))
    c.append(scheduler_case("StepLR_gamma", "StepLR", {"step_size": 3, "gamma": 0.5}))
    c.append(scheduler_case("MultiStepLR", "MultiStepLR", {"milestones": [5, 12, 12, 20], "gamma": 0.3}))
    c.append(scheduler_case("ExponentialLR", "ExponentialLR", {"gamma": 0.9}))
    c.append(scheduler_case("CosineAnnealingLR", "CosineAnnealingLR", {"T_max": 10}))
    c.append(scheduler_case("CosineAnnealingLR_eta_min", "CosineAnnealingLR", {"T_max": 7, "eta_min": 0.001}))
    c.append(scheduler_case("LinearLR_default", "LinearLR", {}))
    c.append(scheduler_case("LinearLR_args", "LinearLR", {"start_factor": 0.1, "end_factor": 0.9,
                                                          "total_iters": 12}))
    c.append(scheduler_case("OneCycleLR_cos_sgd", "OneCycleLR", {"max_lr": 0.5, "total_steps": 30}))
    c.append(scheduler_case("OneCycleLR_linear_adam", "OneCycleLR",
                            {"max_lr": [0.01, 0.02], "total_steps": 25, "pct_start": 0.2,
                             "anneal_strategy": "linear", "div_factor": 10.0, "final_div_factor": 100.0},
                            optimizer="Adam", opt_options={}, steps=25))
    c.append(scheduler_case("OneCycleLR_three_phase", "OneCycleLR",
                            {"max_lr": 1.0, "total_steps": 30, "three_phase": True, "base_momentum": 0.8,
                             "max_momentum": 0.9}))
    c.append(scheduler_case("OneCycleLR_no_momentum_cycle", "OneCycleLR",
                            {"max_lr": 0.3, "total_steps": 30, "cycle_momentum": False},
                            optimizer="Adagrad", opt_options={}))
    # ReduceLROnPlateau: metrics that improve, stall, improve slightly (below threshold), and so on
    metrics = [1.0, 0.9, 0.8, 0.8, 0.79995, 0.8, 0.81, 0.7, 0.7, 0.7, 0.7, 0.7, 0.69, 0.7, 0.7,
               0.7, 0.7, 0.7, 0.7, 0.7, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
    c.append(scheduler_case("ReduceLROnPlateau_default", "ReduceLROnPlateau", {}, metrics=metrics))
    c.append(scheduler_case("ReduceLROnPlateau_min_rel", "ReduceLROnPlateau",
                            {"patience": 2, "factor": 0.5, "cooldown": 1, "min_lr": [0.02, 0.001]},
                            metrics=metrics))
    c.append(scheduler_case("ReduceLROnPlateau_min_abs", "ReduceLROnPlateau",
                            {"patience": 1, "threshold": 0.05, "threshold_mode": "abs", "min_lr": 0.005},
                            metrics=metrics))
    acc = [0.1, 0.2, 0.3, 0.3, 0.31, 0.3, 0.29, 0.5, 0.5, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6,
           0.61, 0.6, 0.6, 0.6, 0.6, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]
    c.append(scheduler_case("ReduceLROnPlateau_max_rel", "ReduceLROnPlateau",
                            {"mode": "max", "patience": 2, "threshold": 0.1}, metrics=acc))
    c.append(scheduler_case("ReduceLROnPlateau_max_abs_eps", "ReduceLROnPlateau",
                            {"mode": "max", "patience": 0, "threshold_mode": "abs", "factor": 0.9,
                             "eps": 0.002}, metrics=acc))
    return c


# ----------------------------------------------------------------------------
# Gradient clipping
# ----------------------------------------------------------------------------

def clip_cases():
    cases = []
    for dtype in (F32, F64):
        for norm_type in (2.0, 1.0, 3.0, "inf"):
            for max_norm in (0.5, 100.0):
                grads = [randn(s, dtype) for s in SHAPES]
                params = [torch.zeros(s, dtype=dtype, requires_grad=True) for s in SHAPES] + \
                         [torch.zeros(2, dtype=dtype, requires_grad=True)]  # one without a grad
                for p, g in zip(params, grads):
                    p.grad = g.clone()
                nt = math.inf if norm_type == "inf" else norm_type
                total = clip_grad_norm_(params, max_norm, norm_type=nt)
                cases.append({"name": "norm_%s_%s_%s" % (norm_type, max_norm, DTYPE_NAMES[dtype]),
                              "kind": "norm", "dtype": DTYPE_NAMES[dtype], "max_norm": max_norm,
                              "norm_type": norm_type, "grads": [encode(g) for g in grads],
                              "total_norm": encode(total), "clipped": [encode(p.grad) for p in params[:3]]})
        grads = [randn(s, dtype) for s in SHAPES]
        params = [torch.zeros(s, dtype=dtype, requires_grad=True) for s in SHAPES]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        clip_grad_value_(params, 0.7)
        cases.append({"name": "value_%s" % DTYPE_NAMES[dtype], "kind": "value", "dtype": DTYPE_NAMES[dtype],
                      "clip_value": 0.7, "grads": [encode(g) for g in grads],
                      "clipped": [encode(p.grad) for p in params]})
    return cases


# ----------------------------------------------------------------------------
# Error messages
# ----------------------------------------------------------------------------

def message(fn):
    try:
        fn()
    except (ValueError, KeyError, RuntimeError) as e:
        return str(e)
    raise AssertionError("expected an error")


def error_cases():
    p = [torch.zeros(2, requires_grad=True)]
    bad = [
        ("SGD", {"lr": -1.0}), ("SGD", {"lr": 0.1, "momentum": -0.5}),
        ("SGD", {"lr": 0.1, "weight_decay": -0.1}), ("SGD", {"lr": 0.1, "nesterov": True}),
        ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.5, "nesterov": True}),
        ("Adam", {"lr": -1.0}), ("Adam", {"eps": -1.0}), ("Adam", {"betas": (1.0, 0.999)}),
        ("Adam", {"betas": (-0.1, 0.999)}), ("Adam", {"betas": (0.9, 1.5)}), ("Adam", {"weight_decay": -0.1}),
        ("AdamW", {"lr": -0.5}), ("AdamW", {"betas": (0.9, -0.1)}), ("AdamW", {"weight_decay": -1.0}),
        ("RMSprop", {"lr": -1.0}), ("RMSprop", {"eps": -1.0}), ("RMSprop", {"momentum": -0.5}),
        ("RMSprop", {"weight_decay": -1.0}), ("RMSprop", {"alpha": -0.5}),
        ("Adagrad", {"lr": -1.0}), ("Adagrad", {"lr_decay": -0.5}), ("Adagrad", {"weight_decay": -1.0}),
        ("Adagrad", {"initial_accumulator_value": -1.0}), ("Adagrad", {"eps": -1.0}),
    ]
    cases = []
    for optimizer, kwargs in bad:
        name = "%s_%s" % (optimizer, "_".join("%s=%s" % kv for kv in kwargs.items()))
        cases.append({"name": name, "optimizer": optimizer, "options": kwargs,
                      "message": message(lambda: OPTIMIZERS[optimizer](p, **kwargs))})
    other = {
        "empty_params": message(lambda: optim.SGD([], lr=0.1)),
        "non_leaf": message(lambda: optim.SGD([p[0] * 2], lr=0.1)),
        "duplicate_param_across_groups": message(
            lambda: optim.SGD([{"params": p}, {"params": p}], lr=0.1)),
        "load_group_count": message(lambda: optim.SGD(p, lr=0.1).load_state_dict(
            optim.SGD([{"params": p}, {"params": [torch.zeros(1, requires_grad=True)]}], lr=0.1).state_dict())),
        "load_group_size": message(lambda: optim.SGD(p, lr=0.1).load_state_dict(
            optim.SGD(p + [torch.zeros(1, requires_grad=True)], lr=0.1).state_dict())),
        "LinearLR_start_factor": message(lambda: optim.lr_scheduler.LinearLR(optim.SGD(p, lr=0.1),
                                                                              start_factor=1.5)),
        "LinearLR_end_factor": message(lambda: optim.lr_scheduler.LinearLR(optim.SGD(p, lr=0.1),
                                                                            end_factor=-0.5)),
        "ReduceLROnPlateau_factor": message(lambda: optim.lr_scheduler.ReduceLROnPlateau(
            optim.SGD(p, lr=0.1), factor=1.0)),
        "OneCycleLR_total_steps": message(lambda: optim.lr_scheduler.OneCycleLR(
            optim.SGD(p, lr=0.1), max_lr=1.0, total_steps=0)),
        "OneCycleLR_pct_start": message(lambda: optim.lr_scheduler.OneCycleLR(
            optim.SGD(p, lr=0.1), max_lr=1.0, total_steps=10, pct_start=1.5)),
        "OneCycleLR_no_momentum": message(lambda: optim.lr_scheduler.OneCycleLR(
            optim.Adagrad(p), max_lr=1.0, total_steps=10)),
        "OneCycleLR_max_lr_count": message(lambda: optim.lr_scheduler.OneCycleLR(
            optim.SGD(p, lr=0.1), max_lr=[1.0, 2.0], total_steps=10)),
    }

    def overstep():
        s = optim.lr_scheduler.OneCycleLR(optim.SGD(p, lr=0.1), max_lr=1.0, total_steps=3)
        for _ in range(4):
            s.step()
    other["OneCycleLR_overstep"] = message(overstep)
    return {"optimizers": cases, "other": other}


def write(name, obj, per_line_key=None):
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, name)
    with open(path, "w") as f:
        if per_line_key:
            lines = [json.dumps(c, allow_nan=False, separators=(",", ":")) for c in obj]
            f.write('{"%s": [\n' % per_line_key + ",\n".join(lines) + "\n]}\n")
        else:
            f.write(json.dumps(obj, allow_nan=False, indent=1) + "\n")
    print("wrote", os.path.relpath(path, ROOT), os.path.getsize(path), "bytes")


def main():
    import warnings
    warnings.simplefilter("ignore")
    write("optimizers.json", optimizer_cases(), "cases")
    write("schedulers.json", scheduler_cases(), "cases")
    write("clip.json", clip_cases(), "cases")
    write("errors.json", error_cases())


if __name__ == "__main__":
    main()
