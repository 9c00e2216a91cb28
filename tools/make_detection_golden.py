#!/usr/bin/python3
"""Generate golden fixtures for Ember's detection code (dev.ember.vision.detection).

Writes
  vision/src/test/resources/detection/boxes.json      torchvision.ops box operations, read by BoxOpsGoldenTest
  vision/src/test/resources/detection/centernet.json  CenterNet's target encoding and losses, read by
                                                       CenterNetGoldenTest
The CenterNet reference functions below (gaussian_radius, gaussian2D, draw_umich_gaussian, _neg_loss, RegL1Loss)
are transcribed from the CenterNet repository (xingyizhou/CenterNet, src/lib/utils/image.py and
src/lib/models/losses.py), with one documented change: boxes are not clipped to output_w - 1 (Ember keeps the
full box and clamps only the centre cell into the grid).

How to run (from the repository root):

    /usr/bin/python3 tools/make_detection_golden.py

Requires Debian's torchvision package (CPU): apt-get install -y python3-torchvision.
Output is deterministic: re-running produces identical bytes.

Schema: {"cases": [...]}, one case per line. A case is
  {"name", "op" (torchvision.ops function name), "inputs": {name -> tensor}, "args": {name -> number/string},
   "output": tensor}
A tensor is {"shape", "dtype", "data"} with flat row-major data; floats use Python's repr (exact round trip).
"""

import json
import math
import os

import numpy as np

import torch
import torchvision
from torchvision import ops

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "vision", "src", "test", "resources", "detection")
OUT_FILE = os.path.join(OUT_DIR, "boxes.json")
CENTERNET_FILE = os.path.join(OUT_DIR, "centernet.json")

DTYPE_NAMES = {torch.float64: "float64", torch.float32: "float32", torch.int64: "int64"}


def tensor(t):
    t = t.detach().contiguous()
    if t.dtype in (torch.float32, torch.float64):
        data = [float(v) for v in t.reshape(-1).tolist()]
    else:
        data = [int(v) for v in t.reshape(-1).tolist()]
    return {"shape": list(t.shape), "dtype": DTYPE_NAMES[t.dtype], "data": data}


def random_boxes(gen, n, size=100.0, max_wh=40.0, dtype=torch.float32):
    """xyxy boxes with positive width and height inside [0, size + max_wh]."""
    xy = torch.rand(n, 2, generator=gen, dtype=torch.float64) * size
    wh = torch.rand(n, 2, generator=gen, dtype=torch.float64) * max_wh + 1.0
    return torch.cat([xy, xy + wh], dim=1).to(dtype)


def clustered_boxes(gen, n, clusters, dtype=torch.float32):
    """Boxes jittered around a few centres, so that NMS has real overlaps to resolve."""
    centres = torch.rand(clusters, 2, generator=gen, dtype=torch.float64) * 80 + 10
    pick = torch.randint(0, clusters, (n,), generator=gen)
    c = centres[pick] + torch.randn(n, 2, generator=gen, dtype=torch.float64) * 3
    wh = torch.rand(n, 2, generator=gen, dtype=torch.float64) * 10 + 15
    return torch.cat([c - wh / 2, c + wh / 2], dim=1).to(dtype)


def main():
    gen = torch.Generator().manual_seed(0)
    cases = []

    # box_convert: every ordered pair of formats, from valid boxes expressed in the input format
    for dtype in (torch.float64, torch.float32):
        xyxy = random_boxes(gen, 7, dtype=dtype)
        for fin in ("xyxy", "xywh", "cxcywh"):
            src = ops.box_convert(xyxy, "xyxy", fin)
            for fout in ("xyxy", "xywh", "cxcywh"):
                cases.append({"name": "box_convert %s->%s %s" % (fin, fout, DTYPE_NAMES[dtype]),
                              "op": "box_convert", "inputs": {"boxes": tensor(src)},
                              "args": {"in_fmt": fin, "out_fmt": fout},
                              "output": tensor(ops.box_convert(src, fin, fout))})

    # box_area and box_iou: random, plus hand-made disjoint, nested, identical and touching pairs
    for dtype in (torch.float64, torch.float32):
        b = random_boxes(gen, 6, dtype=dtype)
        cases.append({"name": "box_area %s" % DTYPE_NAMES[dtype], "op": "box_area",
                      "inputs": {"boxes": tensor(b)}, "args": {}, "output": tensor(ops.box_area(b))})
        b1 = random_boxes(gen, 5, size=50, dtype=dtype)
        b2 = random_boxes(gen, 4, size=50, dtype=dtype)
        cases.append({"name": "box_iou random %s" % DTYPE_NAMES[dtype], "op": "box_iou",
                      "inputs": {"boxes1": tensor(b1), "boxes2": tensor(b2)}, "args": {},
                      "output": tensor(ops.box_iou(b1, b2))})
    special1 = torch.tensor([[0, 0, 10, 10], [0, 0, 10, 10], [2, 2, 4, 4], [0, 0, 10, 10]], dtype=torch.float64)
    special2 = torch.tensor([[20, 20, 30, 30], [0, 0, 10, 10], [0, 0, 10, 10], [10, 0, 20, 10], [5, 5, 15, 15]],
                            dtype=torch.float64)
    cases.append({"name": "box_iou disjoint/identical/nested/touching", "op": "box_iou",
                  "inputs": {"boxes1": tensor(special1), "boxes2": tensor(special2)}, "args": {},
                  "output": tensor(ops.box_iou(special1, special2))})

    # nms at several thresholds, on clustered boxes (many overlaps) and random ones
    for i, (n, clusters, thr) in enumerate([(20, 3, 0.5), (30, 4, 0.3), (30, 4, 0.7), (25, 25, 0.5),
                                            (12, 1, 0.0), (12, 2, 1.0)]):
        b = clustered_boxes(gen, n, clusters)
        s = torch.rand(n, generator=gen)
        cases.append({"name": "nms n=%d clusters=%d thr=%s" % (n, clusters, thr), "op": "nms",
                      "inputs": {"boxes": tensor(b), "scores": tensor(s)}, "args": {"iou_threshold": thr},
                      "output": tensor(ops.nms(b, s, thr))})
    # equal scores: torchvision sorts stably, so the earlier box wins
    b = torch.tensor([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60], [0, 0, 10, 10]], dtype=torch.float32)
    s = torch.tensor([0.5, 0.5, 0.5, 0.9], dtype=torch.float32)
    cases.append({"name": "nms equal scores", "op": "nms", "inputs": {"boxes": tensor(b), "scores": tensor(s)},
                  "args": {"iou_threshold": 0.5}, "output": tensor(ops.nms(b, s, 0.5))})
    empty = torch.zeros(0, 4)
    cases.append({"name": "nms empty", "op": "nms", "inputs": {"boxes": tensor(empty), "scores": tensor(torch.zeros(0))},
                  "args": {"iou_threshold": 0.5}, "output": tensor(ops.nms(empty, torch.zeros(0), 0.5))})

    # batched_nms: per-category suppression (same clusters, several categories)
    for i, (n, clusters, cats, thr) in enumerate([(30, 3, 3, 0.5), (40, 4, 2, 0.4), (20, 2, 5, 0.6)]):
        b = clustered_boxes(gen, n, clusters)
        s = torch.rand(n, generator=gen)
        idx = torch.randint(0, cats, (n,), generator=gen)
        cases.append({"name": "batched_nms n=%d categories=%d thr=%s" % (n, cats, thr), "op": "batched_nms",
                      "inputs": {"boxes": tensor(b), "scores": tensor(s), "idxs": tensor(idx)},
                      "args": {"iou_threshold": thr}, "output": tensor(ops.batched_nms(b, s, idx, thr))})

    # clip_boxes_to_image and remove_small_boxes
    b = random_boxes(gen, 8, size=80, max_wh=50, dtype=torch.float64) - 10
    cases.append({"name": "clip_boxes_to_image", "op": "clip_boxes_to_image", "inputs": {"boxes": tensor(b)},
                  "args": {"height": 60, "width": 70}, "output": tensor(ops.clip_boxes_to_image(b, (60, 70)))})
    b = random_boxes(gen, 10, max_wh=20, dtype=torch.float64)
    cases.append({"name": "remove_small_boxes", "op": "remove_small_boxes", "inputs": {"boxes": tensor(b)},
                  "args": {"min_size": 10.0}, "output": tensor(ops.remove_small_boxes(b, 10.0))})

    os.makedirs(OUT_DIR, exist_ok=True)
    with open(OUT_FILE, "w") as f:
        f.write('{"torch": %s, "torchvision": %s, "cases": [\n' % (json.dumps(torch.__version__),
                                                                   json.dumps(torchvision.__version__)))
        f.write(",\n".join(json.dumps(c) for c in cases))
        f.write("\n]}\n")
    print("wrote %d cases to %s" % (len(cases), OUT_FILE))
    centernet_cases()


# ---------------------------------------------------------------- CenterNet reference (see the module comment)

def gaussian_radius(det_size, min_overlap=0.7):
    height, width = det_size
    a1 = 1
    b1 = (height + width)
    c1 = width * height * (1 - min_overlap) / (1 + min_overlap)
    sq1 = np.sqrt(b1 ** 2 - 4 * a1 * c1)
    r1 = (b1 + sq1) / 2
    a2 = 4
    b2 = 2 * (height + width)
    c2 = (1 - min_overlap) * width * height
    sq2 = np.sqrt(b2 ** 2 - 4 * a2 * c2)
    r2 = (b2 + sq2) / 2
    a3 = 4 * min_overlap
    b3 = -2 * min_overlap * (height + width)
    c3 = (min_overlap - 1) * width * height
    sq3 = np.sqrt(b3 ** 2 - 4 * a3 * c3)
    r3 = (b3 + sq3) / 2
    return min(r1, r2, r3)


def gaussian2D(shape, sigma=1):
    m, n = [(ss - 1.) / 2. for ss in shape]
    y, x = np.ogrid[-m:m + 1, -n:n + 1]
    h = np.exp(-(x * x + y * y) / (2 * sigma * sigma))
    h[h < np.finfo(h.dtype).eps * h.max()] = 0
    return h


def draw_umich_gaussian(heatmap, center, radius, k=1):
    diameter = 2 * radius + 1
    gaussian = gaussian2D((diameter, diameter), sigma=diameter / 6)
    x, y = int(center[0]), int(center[1])
    height, width = heatmap.shape[0:2]
    left, right = min(x, radius), min(width - x, radius + 1)
    top, bottom = min(y, radius), min(height - y, radius + 1)
    masked_heatmap = heatmap[y - top:y + bottom, x - left:x + right]
    masked_gaussian = gaussian[radius - top:radius + bottom, radius - left:radius + right]
    if min(masked_gaussian.shape) > 0 and min(masked_heatmap.shape) > 0:
        np.maximum(masked_heatmap, masked_gaussian * k, out=masked_heatmap)
    return heatmap


def encode(boxes, labels, num_classes, height, width, stride=4):
    """CenterNet's ctdet targets for one image, boxes in input pixels (xyxy)."""
    oh, ow = height // stride, width // stride
    hm = np.zeros((num_classes, oh, ow), dtype=np.float32)
    wh = np.zeros((2, oh, ow), dtype=np.float32)
    reg = np.zeros((2, oh, ow), dtype=np.float32)
    mask = np.zeros((1, oh, ow), dtype=np.float32)
    for b, c in zip(boxes, labels):
        b = np.array(b, dtype=np.float64) / stride
        h, w = b[3] - b[1], b[2] - b[0]
        if h > 0 and w > 0:
            radius = max(0, int(gaussian_radius((math.ceil(h), math.ceil(w)))))
            ct = np.array([(b[0] + b[2]) / 2, (b[1] + b[3]) / 2])
            ct_int = np.clip(np.floor(ct).astype(np.int64), 0, [ow - 1, oh - 1])
            draw_umich_gaussian(hm[c], ct_int, radius)
            wh[:, ct_int[1], ct_int[0]] = w, h
            reg[:, ct_int[1], ct_int[0]] = ct - ct_int
            mask[0, ct_int[1], ct_int[0]] = 1
    return hm, wh, reg, mask


def neg_loss(pred, gt):
    pos_inds = gt.eq(1).float()
    neg_inds = gt.lt(1).float()
    neg_weights = torch.pow(1 - gt, 4)
    loss = 0
    pos_loss = torch.log(pred) * torch.pow(1 - pred, 2) * pos_inds
    neg_loss = torch.log(1 - pred) * torch.pow(pred, 2) * neg_weights * neg_inds
    num_pos = pos_inds.float().sum()
    pos_loss = pos_loss.sum()
    neg_loss = neg_loss.sum()
    if num_pos == 0:
        loss = loss - neg_loss
    else:
        loss = loss - (pos_loss + neg_loss) / num_pos
    return loss


def reg_l1(pred, target, mask):
    m = mask.expand_as(pred).to(pred.dtype)
    loss = torch.nn.functional.l1_loss(pred * m, target * m, reduction="sum")
    return loss / (m.sum() + 1e-4)


def centernet_cases():
    gen = torch.Generator().manual_seed(1)
    cases = []
    for h, w in [(3.0, 3.0), (6.5, 6.5), (2.0, 7.0), (10.0, 4.0), (1.0, 1.0), (16.0, 16.0)]:
        cases.append({"name": "gaussian_radius %sx%s" % (h, w), "op": "gaussian_radius",
                      "args": {"height": h, "width": w, "min_overlap": 0.7},
                      "output": float(gaussian_radius((h, w)))})
    # target encoding: boxes of the sizes the shapes dataset has, a box at the border, two in one class
    images = [
        ([[4.0, 6.0, 20.0, 22.0], [30.0, 30.0, 56.0, 56.0], [40.0, 2.0, 54.0, 18.0]], [0, 2, 2]),
        ([[0.0, 0.0, 12.0, 12.0], [45.5, 40.25, 64.0, 64.0]], [1, 1]),
        ([[10.0, 20.0, 34.0, 30.0]], [0]),
    ]
    hms, whs, regs, masks = [], [], [], []
    for boxes, labels in images:
        hm, wh, reg, mask = encode(boxes, labels, 3, 64, 64)
        hms.append(hm)
        whs.append(wh)
        regs.append(reg)
        masks.append(mask)
    cases.append({"name": "encode 3 images", "op": "encode", "args": {"num_classes": 3, "height": 64, "width": 64},
                  "boxes": [b for b, _ in images], "labels": [l for _, l in images],
                  "heatmap": tensor(torch.from_numpy(np.stack(hms))), "wh": tensor(torch.from_numpy(np.stack(whs))),
                  "reg": tensor(torch.from_numpy(np.stack(regs))), "mask": tensor(torch.from_numpy(np.stack(masks)))})
    # losses in float64: value and gradient with respect to the predictions
    target = torch.from_numpy(np.stack(hms)).double()
    for name, scale in [("focal_loss", 1.0), ("focal_loss saturated", 12.0)]:
        logits = (torch.randn(target.shape, generator=gen, dtype=torch.float64) * scale).requires_grad_(True)
        loss = neg_loss(torch.clamp(torch.sigmoid(logits), min=1e-4, max=1 - 1e-4), target)
        loss.backward()
        cases.append({"name": name, "op": "focal_loss", "inputs": {"logits": tensor(logits), "target": tensor(target)},
                      "output": float(loss), "grad": tensor(logits.grad)})
    no_pos = torch.zeros(1, 2, 4, 4, dtype=torch.float64)
    no_pos[0, 1, 1:3, 1:3] = 0.5
    logits = torch.randn(no_pos.shape, generator=gen, dtype=torch.float64).requires_grad_(True)
    loss = neg_loss(torch.clamp(torch.sigmoid(logits), min=1e-4, max=1 - 1e-4), no_pos)
    loss.backward()
    cases.append({"name": "focal_loss without objects", "op": "focal_loss",
                  "inputs": {"logits": tensor(logits), "target": tensor(no_pos)}, "output": float(loss),
                  "grad": tensor(logits.grad)})
    wh_t = torch.from_numpy(np.stack(whs)).double()
    mask = torch.from_numpy(np.stack(masks)).double()
    pred = (torch.randn(wh_t.shape, generator=gen, dtype=torch.float64) * 3).requires_grad_(True)
    loss = reg_l1(pred, wh_t, mask)
    loss.backward()
    cases.append({"name": "reg_l1", "op": "reg_l1", "inputs": {"pred": tensor(pred), "target": tensor(wh_t),
                  "mask": tensor(mask)}, "output": float(loss), "grad": tensor(pred.grad)})
    with open(CENTERNET_FILE, "w") as f:
        f.write('{"torch": %s, "cases": [\n' % json.dumps(torch.__version__))
        f.write(",\n".join(json.dumps(c) for c in cases))
        f.write("\n]}\n")
    print("wrote %d cases to %s" % (len(cases), CENTERNET_FILE))


if __name__ == "__main__":
    main()
