#!/usr/bin/python3
"""Generate torchvision golden fixtures for Ember's image transforms and image decoding.

Writes, under vision/src/test/resources/transforms/:
  functional.json   deterministic transforms (torchvision.transforms.functional, tensor path), read by
                    vision/src/test/java/dev/ember/vision/transforms/FunctionalGoldenTest.java
  images/*.png, *.jpg  tiny test images (generated here, plus one real Fashion-MNIST picture)
  images.json       what each image decodes to, read by vision/src/test/java/dev/ember/vision/io/ImageDecodeGoldenTest.java

How to run (from the repository root):

    apt-get install -y python3-torchvision dataset-fashion-mnist
    /usr/bin/python3 tools/make_transforms_golden.py

Uses Debian's torchvision 0.14 (tensor path: bilinear resize without antialiasing, align_corners=False) and
Pillow. Output is deterministic: re-running produces identical bytes.

functional.json schema: {"cases": [...]}, one case per line:
  {"name", "fn" (torchvision.transforms.functional name), "args" (keyword arguments as passed),
   "input": tensor, "output": tensor}
A tensor is {"shape", "dtype", "data"} with flat row-major data; floats use Python's repr (exact round trip).

images.json schema: {"images": [{"file", "pil_mode", "size": [w, h], "jpeg": bool,
   "decoded": {read mode name: tensor (C, H, W) float32 in [0, 1]}}]}
The expected tensors come from Pillow: mode AUTO keeps gray as 1 channel and colour as 3 (alpha dropped),
UNCHANGED keeps alpha, RGB/GRAY/RGB_ALPHA/GRAY_ALPHA convert like Pillow's convert("RGB")/("L")/("RGBA")/
("LA"). 16-bit gray is scaled by 1/65535 (Pillow's own conversions would clip it to 8 bits, Ember keeps the
precision). JPEG expectations are Pillow's libjpeg-turbo decode; Java's decoder may differ by a level or two
(on these files it agrees exactly), so the test allows a small difference.
"""

import gzip
import json
import os

import numpy as np
import torch
import torchvision.transforms.functional as TF
from PIL import Image
from torchvision.transforms import InterpolationMode

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "vision", "src", "test", "resources", "transforms")
IMAGE_DIR = os.path.join(OUT_DIR, "images")
FASHION = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"

torch.manual_seed(0)
torch.set_num_threads(1)
GEN = torch.Generator().manual_seed(0)
DTYPE_NAMES = {torch.float32: "float32", torch.float64: "float64"}


def rand(*shape, dtype=torch.float32):
    return torch.rand(tuple(shape), generator=GEN, dtype=torch.float64).to(dtype)


def encode(t):
    t = t.detach().contiguous()
    return {"shape": list(t.shape), "dtype": DTYPE_NAMES[t.dtype],
            "data": [float(v) for v in t.reshape(-1).tolist()]}


CASES = []


def case(name, fn, inp, **args):
    out = getattr(TF, fn)(inp, **{k: (InterpolationMode(v) if k == "interpolation" else v)
                                  for k, v in args.items()})
    CASES.append({"name": name, "fn": fn, "args": args, "input": encode(inp), "output": encode(out)})


def hue_input():
    """RGB pixels that reach every branch of rgb -> hsv -> rgb: gray, max shared by two channels, each channel
    the max, black, white, plus random ones."""
    special = torch.tensor([
        [0.5, 0.5, 0.5], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [0.8, 0.8, 0.2], [0.8, 0.2, 0.8],
        [0.2, 0.8, 0.8], [0.9, 0.1, 0.3], [0.1, 0.9, 0.3], [0.3, 0.1, 0.9], [0.25, 0.75, 0.75],
        [1.0, 0.0, 0.0], [0.0, 1.0, 0.0],
    ], dtype=torch.float64)
    rnd = rand(12, 3, dtype=torch.float64)
    pixels = torch.cat([special, rnd]).t().reshape(3, 4, 6)
    return pixels.to(torch.float32)


def make_cases():
    x = rand(3, 5, 7)
    batch = rand(2, 3, 4, 6)
    gray = rand(1, 6, 5)

    # normalize
    case("normalize_rgb", "normalize", x, mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
    case("normalize_one_value", "normalize", gray, mean=[0.5], std=[0.25])
    case("normalize_batch", "normalize", batch, mean=[0.1, 0.2, 0.3], std=[0.9, 1.1, 2.0])
    case("normalize_float64", "normalize", x.to(torch.float64), mean=[0.3, 0.4, 0.5], std=[0.2, 0.3, 0.7])

    # resize: bilinear (antialias off, the tensor path's default) up and down, int size = shorter side
    case("resize_up", "resize", x, size=[9, 11], interpolation="bilinear")
    case("resize_down", "resize", rand(3, 12, 10), size=[5, 4], interpolation="bilinear")
    case("resize_mixed", "resize", x, size=[3, 10], interpolation="bilinear")
    case("resize_short_side_wide", "resize", rand(2, 6, 9), size=4, interpolation="bilinear")
    case("resize_short_side_tall", "resize", rand(1, 10, 7), size=5, interpolation="bilinear")
    case("resize_batch", "resize", batch, size=[7, 3], interpolation="bilinear")
    case("resize_float64", "resize", x.to(torch.float64), size=[8, 4], interpolation="bilinear")
    case("resize_nearest_up", "resize", x, size=[8, 12], interpolation="nearest")
    case("resize_nearest_down", "resize", rand(2, 9, 11), size=[4, 5], interpolation="nearest")

    # crops (Python's round() rounds half to even: a 7 -> 4 centre crop starts at round(1.5) = 2)
    case("center_crop_odd", "center_crop", rand(3, 7, 8), output_size=[4, 3])
    case("center_crop_even", "center_crop", rand(3, 9, 6), output_size=[4, 4])
    case("center_crop_round_half_down", "center_crop", rand(1, 9, 9), output_size=[4, 4])
    case("center_crop_larger_pads", "center_crop", rand(2, 3, 4), output_size=[6, 7])
    case("center_crop_batch", "center_crop", batch, output_size=[2, 3])
    case("crop_inside", "crop", x, top=1, left=2, height=3, width=4)
    case("crop_out_of_bounds", "crop", x, top=-2, left=4, height=6, width=5)

    # pad, every mode and padding form
    case("pad_constant_int", "pad", x, padding=2, fill=0.5, padding_mode="constant")
    case("pad_constant_lr_tb", "pad", x, padding=[1, 3], fill=0.0, padding_mode="constant")
    case("pad_constant_ltrb", "pad", batch, padding=[1, 2, 3, 0], fill=-1.0, padding_mode="constant")
    case("pad_edge", "pad", x, padding=[2, 1, 0, 3], padding_mode="edge")
    case("pad_reflect", "pad", x, padding=[3, 1, 2, 4], padding_mode="reflect")
    case("pad_symmetric", "pad", x, padding=[5, 2, 7, 4], padding_mode="symmetric")
    case("pad_symmetric_batch", "pad", batch, padding=[1, 2], padding_mode="symmetric")

    # flips
    case("hflip", "hflip", x)
    case("vflip", "vflip", batch)

    # resized crop (what RandomResizedCrop does once its box is drawn)
    case("resized_crop", "resized_crop", rand(3, 10, 12), top=2, left=3, height=6, width=7, size=[5, 5])

    # colour, torchvision's tensor formulas
    hx = hue_input()
    for f in (0.0, 0.5, 1.7):
        case(f"brightness_{f}", "adjust_brightness", x, brightness_factor=f)
    case("brightness_gray", "adjust_brightness", gray, brightness_factor=1.3)
    for f in (0.0, 0.3, 1.8):
        case(f"contrast_{f}", "adjust_contrast", x, contrast_factor=f)
    case("contrast_gray", "adjust_contrast", gray, contrast_factor=0.6)
    case("contrast_batch", "adjust_contrast", batch, contrast_factor=1.5)
    for f in (0.0, 0.4, 2.0):
        case(f"saturation_{f}", "adjust_saturation", x, saturation_factor=f)
    case("saturation_batch", "adjust_saturation", batch, saturation_factor=0.7)
    for f in (-0.5, -0.3, 0.0, 0.1, 0.45, 0.5):
        case(f"hue_{f}", "adjust_hue", hx, hue_factor=f)
    case("hue_batch", "adjust_hue", batch, hue_factor=0.2)
    case("hue_float64", "adjust_hue", hx.to(torch.float64), hue_factor=-0.15)
    case("rgb_to_grayscale", "rgb_to_grayscale", x, num_output_channels=1)
    case("rgb_to_grayscale_3", "rgb_to_grayscale", batch, num_output_channels=3)

    # ColorJitter's composite with a fixed order and fixed factors (what one random draw applies)
    out = TF.adjust_hue(TF.adjust_brightness(TF.adjust_contrast(TF.adjust_saturation(hx, 1.3), 0.7), 1.2), -0.1)
    CASES.append({"name": "color_jitter_fixed", "fn": "color_jitter",
                  "args": {"order": [2, 1, 0, 3], "brightness": 1.2, "contrast": 0.7, "saturation": 1.3,
                           "hue": -0.1},
                  "input": encode(hx), "output": encode(out)})


# ----------------------------------------------------------------------------------------------- images

def pixels(h, w, c, seed):
    """Smooth gradients plus a little noise, as uint8 (h, w, c): compresses like a picture, not like noise."""
    rng = np.random.RandomState(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    chans = []
    for k in range(c):
        base = 40 + 170 * ((xx * (k + 1) + yy * (3 - k % 3)) % (w + h)) / (w + h)
        chans.append(base + rng.randint(-20, 21, size=(h, w)))
    return np.clip(np.stack(chans, axis=-1), 0, 255).astype(np.uint8)


def to_chw(arr, scale=255.0):
    arr = np.asarray(arr, dtype=np.float64)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    return torch.from_numpy(arr / scale).permute(2, 0, 1).to(torch.float32)


def fashion_image(index):
    with gzip.open(FASHION, "rb") as f:
        data = f.read()
    n, h, w = (int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(3))
    assert 0 <= index < n
    start = 16 + index * h * w
    return np.frombuffer(data[start:start + h * w], dtype=np.uint8).reshape(h, w)


def save(img, name, **kwargs):
    path = os.path.join(IMAGE_DIR, name)
    img.save(path, **kwargs)
    return path


def decoded_modes(img, raw16=None):
    """The tensors each read mode should give, computed with Pillow's conversions."""
    mode = img.mode
    out = {}
    if raw16 is not None:  # 16-bit gray: Ember keeps the precision (x / 65535)
        g = to_chw(raw16, 65535.0)
        out["AUTO"] = out["UNCHANGED"] = out["GRAY"] = g
        out["RGB"] = g.expand(3, -1, -1).contiguous()
        return out
    rgb = to_chw(img.convert("RGB"))
    if mode in ("L", "LA"):
        out["AUTO"] = to_chw(img.convert("L"))
        out["GRAY"] = out["AUTO"]
    else:
        out["AUTO"] = rgb
        out["GRAY"] = to_chw(img.convert("L"))
    out["RGB"] = rgb
    out["UNCHANGED"] = {
        "L": lambda: to_chw(img), "LA": lambda: to_chw(img), "RGB": lambda: rgb,
        "RGBA": lambda: to_chw(img), "P": lambda: to_chw(img.convert("RGBA" if "transparency" in img.info else "RGB")),
    }[mode]()
    if mode in ("RGBA", "LA", "P"):
        out["RGB_ALPHA"] = to_chw(img.convert("RGBA"))
        out["GRAY_ALPHA"] = to_chw(img.convert("LA"))
    return out


def make_images():
    os.makedirs(IMAGE_DIR, exist_ok=True)
    entries = []

    def add(name, img, jpeg=False, raw16=None):
        reopened = Image.open(os.path.join(IMAGE_DIR, name))
        reopened.load()
        modes = decoded_modes(reopened, raw16)
        entries.append({"file": name, "pil_mode": reopened.mode, "size": list(reopened.size), "jpeg": jpeg,
                        "decoded": {k: encode(v) for k, v in sorted(modes.items())}})

    rgb = Image.fromarray(pixels(5, 7, 3, 1), "RGB")
    save(rgb, "rgb.png", optimize=False)
    add("rgb.png", rgb)

    gray = Image.fromarray(pixels(6, 4, 1, 2)[:, :, 0], "L")
    save(gray, "gray.png", optimize=False)
    add("gray.png", gray)

    rgba = Image.fromarray(pixels(4, 5, 4, 3), "RGBA")
    save(rgba, "rgba.png", optimize=False)
    add("rgba.png", rgba)

    la = Image.fromarray(pixels(3, 4, 2, 4), "LA")
    save(la, "gray_alpha.png", optimize=False)
    add("gray_alpha.png", la)

    pal = Image.fromarray(pixels(5, 6, 3, 5), "RGB").quantize(colors=7, method=Image.Quantize.MEDIANCUT, dither=0)
    save(pal, "palette.png", optimize=False)
    add("palette.png", pal)

    raw16 = (pixels(3, 4, 1, 6)[:, :, 0].astype(np.uint16) * 257 + np.arange(12).reshape(3, 4)).astype(np.uint16)
    img16 = Image.fromarray(raw16, "I;16")
    save(img16, "gray16.png")
    add("gray16.png", img16, raw16=raw16)

    rgb_big = Image.fromarray(pixels(12, 16, 3, 7), "RGB")
    save(rgb_big, "rgb.jpg", quality=95, subsampling=0)
    add("rgb.jpg", rgb_big, jpeg=True)
    save(rgb_big, "rgb420.jpg", quality=75)  # Pillow's default 4:2:0 chroma subsampling
    add("rgb420.jpg", rgb_big, jpeg=True)

    boot = fashion_image(0)  # Fashion-MNIST test image 0, an ankle boot (MIT licence, Zalando SE)
    boot_img = Image.fromarray(boot, "L")
    save(boot_img, "fashion_boot.png", optimize=False)
    add("fashion_boot.png", boot_img)
    save(boot_img, "fashion_boot.jpg", quality=90)
    add("fashion_boot.jpg", boot_img, jpeg=True)

    return entries


def write_lines(path, key, items):
    lines = [json.dumps(c, allow_nan=False, separators=(",", ":")) for c in items]
    with open(path, "w") as f:
        f.write('{"' + key + '": [\n' + ",\n".join(lines) + "\n]}\n")


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    make_cases()
    write_lines(os.path.join(OUT_DIR, "functional.json"), "cases", CASES)
    write_lines(os.path.join(OUT_DIR, "images.json"), "images", make_images())
    print(f"{len(CASES)} transform cases, images in {IMAGE_DIR}")


if __name__ == "__main__":
    main()
