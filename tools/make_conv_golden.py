#!/usr/bin/python3
"""Generate PyTorch golden fixtures for Ember's convolution, pooling and normalisation layers.

Writes framework/core/src/test/resources/conv/layers.json, read by
framework/core/src/test/java/dev/ember/nn/ConvGoldenTest.java.

How to run (from the repository root):

    /usr/bin/python3 tools/make_conv_golden.py

Requires Debian's PyTorch package (CPU, torch 1.13): apt-get install -y python3-torch.
Output is deterministic: re-running produces identical bytes.

Schema: {"layers": [...], "functions": [...]}, one case per line.
A layer case:
  {"name", "layer" (PyTorch class name), "args" (constructor keyword arguments as given to PyTorch;
   numbers stay numbers and tuples become lists, so "printed as given" reprs can be rebuilt),
   "dtype", "repr" (str(module)), "state_dict" (initial parameters and buffers, name -> tensor),
   "steps": [{"train", "input", "output", "grad_output", "input_grad",
              "param_grads" (name -> tensor), "buffers" (name -> tensor after the step)}]}
Each step starts with zeroed parameter gradients and a fresh input leaf; "train" is module.train(mode).
A function case (torch.nn.functional):
  {"name", "fn", "args", "inputs": [tensor], "output", "grad_output", "grads": [tensor]}
A tensor is {"shape", "dtype", "data"} with flat row-major data; floats use Python's repr (exact round trip).
"""

import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "framework", "core", "src", "test", "resources", "conv")
OUT_FILE = os.path.join(OUT_DIR, "layers.json")

F64 = torch.float64
F32 = torch.float32
DTYPE_NAMES = {F64: "float64", F32: "float32", torch.int64: "int64"}

torch.manual_seed(0)
torch.set_num_threads(1)
GEN = torch.Generator().manual_seed(0)


def randn(*shape, dtype=F64):
    return torch.randn(tuple(shape), generator=GEN, dtype=F64).to(dtype)


def encode(t):
    t = t.detach().contiguous()
    flat = t.reshape(-1).tolist()
    if t.dtype == torch.int64:
        flat = [int(v) for v in flat]
    else:
        flat = [float(v) for v in flat]
    return {"shape": list(t.shape), "dtype": DTYPE_NAMES[t.dtype], "data": flat}


def jsonable(v):
    if isinstance(v, tuple):
        return list(v)
    return v


LAYERS = {
    "Conv1d": nn.Conv1d, "Conv2d": nn.Conv2d, "ConvTranspose2d": nn.ConvTranspose2d,
    "MaxPool1d": nn.MaxPool1d, "MaxPool2d": nn.MaxPool2d, "AvgPool2d": nn.AvgPool2d,
    "AdaptiveAvgPool2d": nn.AdaptiveAvgPool2d, "BatchNorm1d": nn.BatchNorm1d,
    "BatchNorm2d": nn.BatchNorm2d, "GroupNorm": nn.GroupNorm,
}


def layer_case(name, layer, args, input_shapes, modes=None, dtype=F64, perturb=False):
    """One layer, run on a fresh random input per entry of input_shapes with the matching train mode."""
    module = LAYERS[layer](**args).to(dtype)
    if perturb:  # give affine normalisation parameters non-trivial values
        with torch.no_grad():
            for p in module.parameters():
                p.copy_(randn(*p.shape, dtype=dtype))
    modes = modes or [True] * len(input_shapes)
    case = {
        "name": name, "layer": layer, "args": {k: jsonable(v) for k, v in args.items()},
        "dtype": DTYPE_NAMES[dtype], "repr": str(module),
        "state_dict": {k: encode(v) for k, v in module.state_dict().items()},
        "steps": [],
    }
    for shape, train in zip(input_shapes, modes):
        module.train(train)
        module.zero_grad(set_to_none=True)
        x = randn(*shape, dtype=dtype).requires_grad_(True)
        out = module(x)
        g = randn(*out.shape, dtype=dtype)
        out.backward(g)
        case["steps"].append({
            "train": train, "input": encode(x), "output": encode(out), "grad_output": encode(g),
            "input_grad": encode(x.grad),
            "param_grads": {k: encode(p.grad) for k, p in module.named_parameters()},
            "buffers": {k: encode(b) for k, b in module.named_buffers()},
        })
    return case


def function_case(name, fn, args, inputs):
    leaves = [t.clone().requires_grad_(True) for t in inputs]
    out = FUNCTIONS[fn](leaves, args)
    g = randn(*out.shape, dtype=out.dtype)
    out.backward(g)
    return {"name": name, "fn": fn, "args": args, "inputs": [encode(t) for t in leaves], "output": encode(out),
            "grad_output": encode(g), "grads": [encode(t.grad) for t in leaves]}


FUNCTIONS = {
    "unfold": lambda ins, a: F.unfold(ins[0], a["kernel_size"], a["dilation"], a["padding"], a["stride"]),
    "fold": lambda ins, a: F.fold(ins[0], a["output_size"], a["kernel_size"], a["dilation"], a["padding"],
                                  a["stride"]),
    "pad": lambda ins, a: F.pad(ins[0], a["pad"], mode=a["mode"], value=a.get("value", 0.0))
    if a["mode"] == "constant" else F.pad(ins[0], a["pad"], mode=a["mode"]),
    "conv2d": lambda ins, a: F.conv2d(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a["stride"],
                                      a["padding"], a["dilation"], a["groups"]),
    "conv_transpose2d": lambda ins, a: F.conv_transpose2d(ins[0], ins[1], ins[2] if len(ins) > 2 else None,
                                                          a["stride"], a["padding"], a["output_padding"],
                                                          a["groups"], a["dilation"]),
    "batch_norm": lambda ins, a: F.batch_norm(ins[0], None, None, ins[1], ins[2], True, 0.1, a["eps"]),
    "group_norm": lambda ins, a: F.group_norm(ins[0], a["num_groups"], ins[1], ins[2], a["eps"]),
}


def layers():
    c = []
    # convolutions
    c.append(layer_case("conv1d_basic", "Conv1d", dict(in_channels=3, out_channels=4, kernel_size=3), [(2, 3, 7)]))
    c.append(layer_case("conv1d_stride_pad_dil_groups", "Conv1d",
                        dict(in_channels=4, out_channels=6, kernel_size=3, stride=2, padding=1, dilation=2, groups=2,
                             bias=False), [(2, 4, 9)]))
    c.append(layer_case("conv1d_same_even_kernel", "Conv1d",
                        dict(in_channels=2, out_channels=3, kernel_size=4, padding="same"), [(2, 2, 6)]))
    c.append(layer_case("conv1d_unbatched_reflect", "Conv1d",
                        dict(in_channels=2, out_channels=2, kernel_size=3, padding=2, padding_mode="reflect"),
                        [(2, 5)]))
    c.append(layer_case("conv2d_basic", "Conv2d", dict(in_channels=3, out_channels=4, kernel_size=3), [(1, 3, 5, 5)]))
    c.append(layer_case("conv2d_stride_pad_dil_groups", "Conv2d",
                        dict(in_channels=4, out_channels=6, kernel_size=(3, 2), stride=(2, 1), padding=(1, 2),
                             dilation=(1, 2), groups=2), [(1, 4, 7, 6)]))
    c.append(layer_case("conv2d_depthwise", "Conv2d",
                        dict(in_channels=3, out_channels=6, kernel_size=3, padding=1, groups=3, bias=False),
                        [(1, 3, 4, 5)]))
    c.append(layer_case("conv2d_same_dilated", "Conv2d",
                        dict(in_channels=2, out_channels=4, kernel_size=(3, 4), padding="same", dilation=(2, 1)),
                        [(1, 2, 5, 6)]))
    c.append(layer_case("conv2d_valid", "Conv2d",
                        dict(in_channels=2, out_channels=3, kernel_size=(2, 3), padding="valid"), [(2, 2, 4, 5)]))
    for mode in ("reflect", "replicate", "circular"):
        c.append(layer_case("conv2d_padding_mode_" + mode, "Conv2d",
                            dict(in_channels=2, out_channels=2, kernel_size=3, padding=(1, 2), padding_mode=mode),
                            [(1, 2, 4, 5)]))
    c.append(layer_case("conv2d_same_circular", "Conv2d",
                        dict(in_channels=1, out_channels=2, kernel_size=(2, 3), padding="same",
                             padding_mode="circular"), [(2, 1, 4, 4)]))
    c.append(layer_case("conv2d_unbatched", "Conv2d",
                        dict(in_channels=2, out_channels=3, kernel_size=2, stride=2), [(2, 5, 5)]))
    c.append(layer_case("conv2d_float32_lenet", "Conv2d", dict(in_channels=1, out_channels=6, kernel_size=5),
                        [(1, 1, 9, 9)], dtype=F32))
    c.append(layer_case("conv_transpose2d_basic", "ConvTranspose2d",
                        dict(in_channels=3, out_channels=4, kernel_size=3), [(1, 3, 3, 4)]))
    c.append(layer_case("conv_transpose2d_full", "ConvTranspose2d",
                        dict(in_channels=4, out_channels=6, kernel_size=(3, 2), stride=(2, 3), padding=(1, 0),
                             output_padding=(1, 2), groups=2, dilation=(2, 1)), [(1, 4, 2, 3)]))
    c.append(layer_case("conv_transpose2d_output_padding_beyond_padding", "ConvTranspose2d",
                        dict(in_channels=2, out_channels=3, kernel_size=3, stride=2, output_padding=1, bias=False),
                        [(1, 2, 3, 3)]))
    c.append(layer_case("conv_transpose2d_output_padding_from_dilation", "ConvTranspose2d",
                        dict(in_channels=2, out_channels=2, kernel_size=3, stride=1, padding=1, output_padding=1,
                             dilation=2), [(1, 2, 3, 4)]))
    c.append(layer_case("conv_transpose2d_unbatched_float32", "ConvTranspose2d",
                        dict(in_channels=2, out_channels=3, kernel_size=2, stride=2), [(2, 3, 3)], dtype=F32))
    # pools
    c.append(layer_case("maxpool1d_pad", "MaxPool1d", dict(kernel_size=3, stride=2, padding=1), [(2, 3, 8)]))
    c.append(layer_case("maxpool1d_ceil_dilation", "MaxPool1d",
                        dict(kernel_size=2, stride=2, padding=1, dilation=2, ceil_mode=True), [(1, 2, 8)]))
    c.append(layer_case("maxpool2d_default", "MaxPool2d", dict(kernel_size=2), [(2, 3, 4, 6)]))
    c.append(layer_case("maxpool2d_ceil_pad", "MaxPool2d",
                        dict(kernel_size=3, stride=2, padding=1, ceil_mode=True), [(1, 2, 6, 7)]))
    c.append(layer_case("maxpool2d_ceil_partial", "MaxPool2d", dict(kernel_size=2, ceil_mode=True), [(1, 2, 5, 5)]))
    c.append(layer_case("maxpool2d_tuples_dilation", "MaxPool2d",
                        dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2)), [(2, 2, 7, 6)]))
    c.append(layer_case("maxpool2d_unbatched", "MaxPool2d", dict(kernel_size=3, stride=1), [(2, 4, 4)]))
    c.append(layer_case("maxpool2d_float32", "MaxPool2d", dict(kernel_size=2), [(1, 3, 6, 6)], dtype=F32))
    c.append(layer_case("avgpool2d_default", "AvgPool2d", dict(kernel_size=2), [(2, 3, 4, 6)]))
    c.append(layer_case("avgpool2d_ceil_exclude_pad", "AvgPool2d",
                        dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
                        [(1, 2, 6, 7)]))
    c.append(layer_case("avgpool2d_ceil_include_pad", "AvgPool2d",
                        dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=True),
                        [(1, 2, 6, 7)]))
    c.append(layer_case("avgpool2d_tuples_divisor", "AvgPool2d",
                        dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), divisor_override=2), [(2, 2, 5, 4)]))
    c.append(layer_case("adaptive_avgpool2d_nondivisible", "AdaptiveAvgPool2d", dict(output_size=3), [(2, 2, 7, 5)]))
    c.append(layer_case("adaptive_avgpool2d_tuple", "AdaptiveAvgPool2d", dict(output_size=(2, 4)), [(1, 3, 5, 7)]))
    c.append(layer_case("adaptive_avgpool2d_global_unbatched", "AdaptiveAvgPool2d", dict(output_size=1),
                        [(3, 4, 3)]))
    # normalisation: train, train, eval (running stats after each step)
    tte = [True, True, False]
    c.append(layer_case("batchnorm1d_2d_input", "BatchNorm1d", dict(num_features=4), [(5, 4)] * 3, tte,
                        perturb=True))
    c.append(layer_case("batchnorm1d_3d_input", "BatchNorm1d", dict(num_features=3), [(4, 3, 5)] * 3, tte,
                        perturb=True))
    c.append(layer_case("batchnorm1d_cumulative_no_affine", "BatchNorm1d",
                        dict(num_features=3, momentum=None, affine=False), [(4, 3)] * 3, tte))
    c.append(layer_case("batchnorm1d_no_running_stats", "BatchNorm1d",
                        dict(num_features=3, eps=1e-3, track_running_stats=False), [(4, 3, 2)] * 2, [True, False],
                        perturb=True))
    c.append(layer_case("batchnorm2d", "BatchNorm2d", dict(num_features=3), [(4, 3, 3, 2)] * 3, tte, perturb=True))
    c.append(layer_case("batchnorm2d_momentum", "BatchNorm2d", dict(num_features=2, momentum=0.3, eps=1e-4),
                        [(2, 2, 3, 3)] * 3, tte, perturb=True))
    c.append(layer_case("batchnorm2d_float32", "BatchNorm2d", dict(num_features=3), [(4, 3, 3, 2)] * 3, tte,
                        dtype=F32, perturb=True))
    c.append(layer_case("groupnorm", "GroupNorm", dict(num_groups=2, num_channels=4), [(3, 4, 5)], perturb=True))
    c.append(layer_case("groupnorm_4d_no_affine", "GroupNorm", dict(num_groups=3, num_channels=6, affine=False),
                        [(2, 6, 2, 3)]))
    c.append(layer_case("groupnorm_one_group_eps", "GroupNorm", dict(num_groups=1, num_channels=3, eps=1e-3),
                        [(2, 3, 4)], perturb=True))
    return c


def functions():
    c = []
    c.append(function_case("unfold_all_args", "unfold",
                           dict(kernel_size=[2, 3], dilation=[2, 1], padding=[1, 2], stride=[2, 3]),
                           [randn(1, 3, 6, 7)]))
    c.append(function_case("fold_all_args", "fold",
                           dict(output_size=[5, 6], kernel_size=[3, 2], dilation=[1, 2], padding=[1, 0],
                                stride=[2, 1]), [randn(1, 12, 12)]))
    c.append(function_case("pad_constant_negative", "pad", dict(pad=[2, -1, -1, 1], mode="constant", value=1.5),
                           [randn(2, 3, 4)]))
    for mode in ("reflect", "replicate", "circular"):
        c.append(function_case("pad_" + mode, "pad", dict(pad=[2, 1, 1, 3], mode=mode), [randn(1, 2, 4, 5)]))
    c.append(function_case("conv2d_functional_groups", "conv2d",
                           dict(stride=[1, 2], padding=[2, 1], dilation=[2, 1], groups=3),
                           [randn(1, 6, 5, 6), randn(3, 2, 2, 3), randn(3)]))
    c.append(function_case("conv_transpose2d_functional", "conv_transpose2d",
                           dict(stride=[2, 1], padding=[1, 1], output_padding=[1, 0], groups=1, dilation=[1, 2]),
                           [randn(2, 3, 3, 4), randn(3, 2, 3, 3), randn(2)]))
    c.append(function_case("batch_norm_functional_training", "batch_norm", dict(eps=1e-5),
                           [randn(3, 2, 4), randn(2), randn(2)]))
    c.append(function_case("group_norm_functional", "group_norm", dict(num_groups=2, eps=1e-5),
                           [randn(2, 4, 3), randn(4), randn(4)]))
    return c


def main():
    data = {"layers": layers(), "functions": functions()}
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(OUT_FILE, "w") as f:
        f.write('{"layers": [\n')
        f.write(",\n".join(json.dumps(c) for c in data["layers"]))
        f.write('\n], "functions": [\n')
        f.write(",\n".join(json.dumps(c) for c in data["functions"]))
        f.write("\n]}\n")
    print("wrote %s (%d layer cases, %d function cases, %d bytes)" % (
        OUT_FILE, len(data["layers"]), len(data["functions"]), os.path.getsize(OUT_FILE)))


if __name__ == "__main__":
    main()
