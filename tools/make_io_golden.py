#!/usr/bin/python3
"""Generate the file-format fixtures for Ember's dev.ember.io tests.

Writes into framework/core/src/test/resources/io/:

  mlp.safetensors   state_dict of torch.nn.Sequential(Linear(4, 8), ReLU(), Linear(8, 3)) (float32, seed 0),
                    metadata {"format": "pt"}
  mlp.json          {"input": T, "output": T}: a fixed input (5, 4) and the model's output for it
  dtypes.safetensors one tensor per dtype (F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL), a 0-dim and an empty one
  dtypes.json       {name: T} the expected values of dtypes.safetensors, widened as Ember reads them
  *.npy             written by numpy.save (C and Fortran order, several dtypes, big-endian, 0-dim, empty) and
                    numpy.lib.format.write_array with format versions 2.0 and 3.0
  arrays.npz        numpy.savez(a=..., b=...)            (stored entries)
  arrays_compressed.npz numpy.savez_compressed(a=..., b=...) (deflated entries)
  npy.json          {file name: T} the expected values of every .npy (and {"npz": {name: T}})

where T = {"shape": [...], "dtype": "float32" | "float64" | "int64" | "bool", "data": [row-major values]}.
Floats are written with Python's repr, so they round-trip exactly.

Debian has no python3-safetensors, so safetensors files are written here with struct + json in exactly the
reference implementation's layout (huggingface/safetensors, tensor.rs `prepare`): tensors sorted by
descending dtype order (BOOL < U8 < I8 < I16 < U16 < F16 < BF16 < I32 < U32 < F32 < F64 < I64 < U64), then
by name; compact JSON with "__metadata__" first; the header padded with spaces to a multiple of 8 bytes;
little-endian data back to back. Java's writer must reproduce mlp.safetensors byte for byte.

How to run (from the repository root), with Debian's python3-torch and python3-numpy:

    /usr/bin/python3 tools/make_io_golden.py

Output is deterministic (re-running produces identical bytes) except the timestamps inside the .npz files.
"""

import json
import os
import struct

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "framework", "core", "src", "test", "resources", "io")

ST_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32",
            "F64", "I64", "U64"]
ST_NAMES = {torch.bool: "BOOL", torch.uint8: "U8", torch.int8: "I8", torch.int16: "I16", torch.float16: "F16",
            torch.bfloat16: "BF16", torch.int32: "I32", torch.float32: "F32", torch.float64: "F64",
            torch.int64: "I64"}


def tensor_bytes(t):
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    a = t.numpy()
    return a.astype(a.dtype.newbyteorder("<")).tobytes()


def safetensors_bytes(tensors, metadata=None):
    items = sorted(tensors.items(),
                   key=lambda kv: (-ST_ORDER.index(ST_NAMES[kv[1].dtype]), kv[0].encode("utf-8")))
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    offset = 0
    blobs = []
    for name, t in items:
        data = tensor_bytes(t)
        header[name] = {"dtype": ST_NAMES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


def expected(t):
    """Values as Ember reads them: float16/bfloat16 -> float32, narrower ints -> int64."""
    t = t.detach()
    if t.dtype in (torch.float16, torch.bfloat16):
        t = t.float()
    elif t.dtype in (torch.uint8, torch.int8, torch.int16, torch.int32):
        t = t.long()
    name = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64", torch.bool: "bool"}[t.dtype]
    return {"shape": list(t.shape), "dtype": name, "data": t.reshape(-1).tolist()}


def expected_np(a):
    # np.array keeps 0-dim arrays 0-dim (np.ascontiguousarray would make them 1-d)
    return expected(torch.from_numpy(np.array(a, dtype=a.dtype.newbyteorder("="), order="C")))


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def write_json(name, obj):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


def mlp():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    x = torch.randn(5, 4)
    with torch.no_grad():
        y = model(x)
    write("mlp.safetensors", safetensors_bytes(dict(model.state_dict()), {"format": "pt"}))
    write_json("mlp.json", {"input": expected(x), "output": expected(y)})


def dtypes():
    g = torch.Generator().manual_seed(1)
    t = {
        "f64": torch.randn(2, 3, generator=g, dtype=torch.float64),
        "f32_scalar": torch.tensor(3.25, dtype=torch.float32),
        "f16": torch.tensor([1.5, -0.0009765625, 65504.0], dtype=torch.float16),
        "bf16": torch.tensor([1.0, -3.140625, 1e30], dtype=torch.bfloat16),
        "i64": torch.tensor([-(2 ** 63), 2 ** 53 + 1, -7, 2 ** 63 - 1], dtype=torch.int64),
        "i32": torch.tensor([[-2 ** 31, 2 ** 31 - 1]], dtype=torch.int32),
        "i16": torch.tensor([-32768, 32767], dtype=torch.int16),
        "i8": torch.tensor([-128, 127], dtype=torch.int8),
        "u8": torch.tensor([0, 255, 7], dtype=torch.uint8),
        "bool": torch.tensor([[True, False], [False, True]]),
        "empty": torch.zeros(0, 3, dtype=torch.float32),
    }
    write("dtypes.safetensors", safetensors_bytes(t))
    write_json("dtypes.json", {k: expected(v) for k, v in t.items()})


def npy():
    rng = np.random.default_rng(2)
    arrays = {
        "f32.npy": rng.standard_normal((2, 3)).astype("<f4"),
        "f64_fortran.npy": np.asfortranarray(rng.standard_normal((3, 4))),
        "f64_fortran3d.npy": np.asfortranarray(np.arange(24, dtype="<f8").reshape(2, 3, 4)),
        "i64.npy": np.array([-(2 ** 63), 2 ** 53 + 1, 5], dtype="<i8"),
        "bool.npy": np.array([[True, False, True]]),
        "i32.npy": np.array([-5, 2 ** 31 - 1], dtype="<i4"),
        "u8.npy": np.array([0, 200, 255], dtype="|u1"),
        "f16.npy": np.array([0.5, -2.0, 65504.0], dtype="<f2"),
        "f64_bigendian.npy": rng.standard_normal(3).astype(">f8"),
        "scalar.npy": np.array(2.5, dtype="<f8"),
        "empty.npy": np.zeros((0, 2), dtype="<f4"),
    }
    for name, a in arrays.items():
        np.save(os.path.join(OUT, name), a)
    for version in (2, 3):  # the newer header layouts (4-byte header length; v3: UTF-8 header)
        name = "f32_v%d.npy" % version
        with open(os.path.join(OUT, name), "wb") as f:
            np.lib.format.write_array(f, arrays["f32.npy"], version=(version, 0))
        arrays[name] = arrays["f32.npy"]
    a = rng.standard_normal((2, 2)).astype("<f4")
    b = np.arange(5, dtype="<i8")
    np.savez(os.path.join(OUT, "arrays.npz"), a=a, b=b)
    np.savez_compressed(os.path.join(OUT, "arrays_compressed.npz"), a=a, b=b)
    exp = {name: expected_np(arr) for name, arr in arrays.items()}
    exp["npz"] = {"a": expected_np(a), "b": expected_np(b)}
    write_json("npy.json", exp)


def main():
    os.makedirs(OUT, exist_ok=True)
    mlp()
    dtypes()
    npy()
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print("wrote", len(os.listdir(OUT)), "files,", total, "bytes, to", OUT)


if __name__ == "__main__":
    main()
