#!/usr/bin/python3
"""Golden fixtures for the ember-vision models (dev.ember.vision.models), from Debian's python3-torchvision.

Run: /usr/bin/python3 tools/make_vision_golden.py   (apt-get install -y python3-torchvision)
Writes vision/src/test/resources/vision-golden/.

Full torchvision weights are too big to commit (VGG-11 is 507 MB), so for resnet18, vgg11, efficientnet_b0 and
a small ViT this script fills every state-dict entry with pseudo-random values from a counter-based SplitMix64
stream that the Java test (VisionGoldenTest) reimplements bit for bit, and records a manifest (key, shape,
dtype, seed, offset, scale per tensor) plus the eval-mode logits for an input drawn from the same stream:

    z_i  = splitmix64_mix(seed + i * 0x9E3779B97F4A7C15 mod 2^64),  i = 1, 2, ..., numel
    u_i  = (z_i >> 40) * 2^-24                       in [0, 1), exact in float32 and float64
    v_i  = float32(offset + scale * (2 u_i - 1))     computed in float64, rounded once

Scales keep activations O(1): weights with 2+ dims U(+-sqrt(6 / fan_in)) (He, fan_in = numel / shape[0]),
1-D weights (norm scales) 1 +- 0.25, running_var 1 +- 0.5 (positive), other 1-D tensors +- 0.1,
num_batches_tracked 0. The Java side builds the Ember model, checks its state-dict keys and shapes equal the
manifest's exactly, fills the same values, loads them with loadStateDict, runs in eval mode and compares.
Logits are given from torch in float32 (what the issue compares, 1e-4) and in float64 (the exact reference).

Two small models are also written as real safetensors files (torch's own initialisation, the ViT's zero head
re-drawn so logits are not trivially zero) with their logits, to prove that dev.ember.io.SafeTensors loads a
PyTorch-written file into the Ember models: lenet5.safetensors (the LeNet-5 layout of dev.ember.vision.models.LeNet5)
and vit_small.safetensors.
"""
import json
import math
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torchvision

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vision", "src", "test", "resources",
                   "vision-golden")
GAMMA = 0x9E3779B97F4A7C15
C1 = 0xBF58476D1CE4E5B9
C2 = 0x94D049BB133111EB
MASK64 = (1 << 64) - 1
CHUNK = 1 << 22


def fnv1a53(text):
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & MASK64
    return h & ((1 << 53) - 1)


def splitmix_uniform(seed, n):
    """u_i for i = 1..n as float64, vectorised with wrapping uint64 arithmetic."""
    out = np.empty(n, dtype=np.float64)
    with np.errstate(over="ignore"):
        for start in range(0, n, CHUNK):
            stop = min(n, start + CHUNK)
            i = np.arange(start + 1, stop + 1, dtype=np.uint64)
            z = np.uint64(seed) + i * np.uint64(GAMMA)
            z = (z ^ (z >> np.uint64(30))) * np.uint64(C1)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(C2)
            z = z ^ (z >> np.uint64(31))
            out[start:stop] = (z >> np.uint64(40)).astype(np.float64) * 2.0 ** -24
    return out


def values(seed, offset, scale, shape):
    n = int(np.prod(shape)) if len(shape) else 1
    u = splitmix_uniform(seed, n)
    return (offset + scale * (2.0 * u - 1.0)).astype(np.float32).reshape(shape)


def rule(key, shape, gain):
    """(offset, scale) for a floating-point state-dict entry; gain scales the weights with 2+ dims."""
    if len(shape) >= 2:
        fan_in = int(np.prod(shape[1:]))
        return 0.0, gain * math.sqrt(6.0 / fan_in)
    if key.endswith("running_var"):
        return 1.0, 0.5
    if key.endswith("weight"):
        return 1.0, 0.25
    return 0.0, 0.1


def fill(model, gain, key_gains=None):
    """Fills every state-dict entry; returns the manifest entries in state_dict order."""
    entries = []
    state = {}
    for key, t in model.state_dict().items():
        shape = list(t.shape)
        if t.dtype == torch.int64:
            entries.append({"key": key, "shape": shape, "dtype": "int64", "value": 0})
            state[key] = torch.zeros_like(t)
            continue
        assert t.dtype == torch.float32, (key, t.dtype)
        seed = fnv1a53(key)
        offset, scale = rule(key, shape, gain * (key_gains or {}).get(key, 1.0))
        entries.append({"key": key, "shape": shape, "dtype": "float32", "seed": seed, "offset": offset,
                        "scale": scale})
        state[key] = torch.from_numpy(values(seed, offset, scale, shape))
    model.load_state_dict(state, strict=True)
    return entries


def floats(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def golden(name, model, input_shape, builder, gain, key_gains=None):
    """gain (and key_gains per key) keep the logits O(1): deep nets explode or vanish with plain He scales."""
    torch.manual_seed(0)
    entries = fill(model, gain, key_gains)
    model.eval()
    input_seed = fnv1a53("input:" + name)
    x = torch.from_numpy(values(input_seed, 0.0, 1.0, input_shape))
    with torch.no_grad():
        y32 = model(x)
        y64 = model.double()(x.double())
    err32 = (y32.double() - y64).abs().max().item()
    print(f"{name}: {sum(int(np.prod(e['shape'])) for e in entries):,} state values, logits {tuple(y32.shape)}, "
          f"std {y64.std().item():.3f}, max |logit| {y64.abs().max().item():.3f}, torch fp32 vs fp64 {err32:.2e}")
    doc = {
        "model": name,
        "builder": builder,
        "num_parameters": sum(p.numel() for p in model.parameters()),
        "input": {"shape": list(input_shape), "seed": input_seed, "offset": 0.0, "scale": 1.0},
        "tensors": entries,
        "logits_shape": list(y32.shape),
        "logits": floats(y32),
        "logits_float64": floats(y64),
        "torch_float32_vs_float64": err32,
    }
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(doc, f)


# ---------------------------------------------------------------- real safetensors files

DTYPES = {torch.float32: "F32", torch.int64: "I64"}


def save_safetensors(path, state):
    """The safetensors format: u64 header length, JSON header, raw little-endian data."""
    header = {}
    blobs = []
    offset = 0
    for key, t in state.items():
        data = t.detach().contiguous().numpy().tobytes()
        header[key] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * ((8 - len(head) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)


class LeNet5(nn.Module):
    """The layout of dev.ember.vision.models.LeNet5."""

    def __init__(self, num_classes=10, in_channels=1):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(in_channels, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                                        nn.Linear(84, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x))


def real_file(name, model, input_shape, builder):
    model.eval()
    path = os.path.join(OUT, name + ".safetensors")
    save_safetensors(path, model.state_dict())
    x = torch.randn(*input_shape)
    with torch.no_grad():
        y = model(x)
    doc = {"model": name, "builder": builder, "num_parameters": sum(p.numel() for p in model.parameters()),
           "input_shape": list(input_shape), "input": floats(x), "logits_shape": list(y.shape), "logits": floats(y)}
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(doc, f)
    print(f"{name}: {os.path.getsize(path):,} bytes of safetensors, {doc['num_parameters']:,} parameters")


SMALL_VIT = {"image_size": 32, "patch_size": 8, "num_layers": 2, "num_heads": 4, "hidden_dim": 64, "mlp_dim": 128}


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(2)
    m = torchvision.models
    golden("resnet18", m.resnet18(num_classes=1000), (2, 3, 64, 64), {"num_classes": 1000}, 0.75)
    # features come out small (SiLU, sigmoid gates) and gains above ~1.15 blow up, so the head is scaled instead
    golden("efficientnet_b0", m.efficientnet_b0(num_classes=1000), (2, 3, 64, 64), {"num_classes": 1000}, 1.0,
           {"classifier.1.weight": 10.0})
    golden("vgg11", m.vgg11(num_classes=1000), (1, 3, 64, 64), {"num_classes": 1000}, 1.0)
    golden("vit_small_config", m.VisionTransformer(num_classes=10, **SMALL_VIT), (2, 3, 32, 32),
           dict(num_classes=10, **SMALL_VIT), 1.0)

    torch.manual_seed(1)
    real_file("lenet5", LeNet5(), (2, 1, 28, 28), {"num_classes": 10, "in_channels": 1})
    torch.manual_seed(2)
    vit = m.VisionTransformer(num_classes=10, **SMALL_VIT)
    with torch.no_grad():  # torchvision starts the head at zero; a random head makes the logits informative
        vit.heads.head.weight.normal_(0, 0.2)
        vit.heads.head.bias.normal_(0, 0.2)
    real_file("vit_small", vit, (2, 3, 32, 32), dict(num_classes=10, **SMALL_VIT))

    # structure of every factory: state-dict keys (in order) and shapes, and the parameter count
    arch = {}
    for name in ["resnet18", "resnet34", "resnet50", "vgg11", "vgg11_bn", "vgg16", "vgg16_bn", "efficientnet_b0",
                 "vit_b_16"]:
        arch[name] = describe(getattr(m, name)())
    arch["lenet5"] = describe(LeNet5())
    with open(os.path.join(OUT, "architectures.json"), "w") as f:
        json.dump(arch, f, separators=(",", ":"))
    print({k: v["num_parameters"] for k, v in arch.items()})


def describe(model):
    return {"num_parameters": sum(p.numel() for p in model.parameters()),
            "state": [[k, list(v.shape)] for k, v in model.state_dict().items()]}


if __name__ == "__main__":
    main()
