#!/usr/bin/python3
"""Pretrains sam-tiny centrally on a generated corpus of general shapes and textures, and writes the
checkpoint FedFMS ships (official SAM tensor names, torch.save format) with its provenance.

  pretrain_sam_tiny.py [--steps N] [--seed S] [--out DIR]

The corpus is deliberately unlike the synthetic hospital phantoms of org.fedfms.data.synthetic (one
grey body with an organ and a lesion): colour and grey images of 128 px whose backgrounds are random
textures (gratings, checkerboards, gradients, value noise, stripes, speckle) and whose target is one
random shape (polygon, star, ellipse, ring, rounded rectangle, cross, crescent, blob) filled with another
texture, often with unlabelled distractor shapes and lines around it. A third of the batches give the
target's box as a prompt (jittered), the rest are prompt-free (the product's default decoding), so both
the prompt encoder and prompt-free decoding are trained. Loss: BCE-with-logits (pos_weight 2, as the
product's trainer) + soft Dice on the 32x32 low-resolution mask of token 0, plus the IoU head's MSE.

The model is releng/reference/sam_reference.py's functional SAM in the sam-tiny configuration, which
matches the product's DJL port to 1e-4 (releng/reference/check-sam) and uses the official names, so the
checkpoint loads into FedFMS's sam-tiny as it is. Deterministic: every sample comes from its index and
the seed, torch runs single-threaded with a fixed seed. Runs on Debian's python3-torch (CPU).
"""
import argparse
import datetime
import hashlib
import json
import math
import os
import platform
import sys
import time
from collections import OrderedDict

import numpy as np
import torch
import torch.nn.functional as F

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.abspath(os.path.join(here, "..", ".."))
sys.path.insert(0, os.path.join(root, "releng", "reference"))
import sam_reference as ref  # noqa: E402

SIZE = 128
LOW = 32
CONFIG = ref.CONFIGS["sam-tiny"]
DEFAULT_OUT = os.path.join(root, "features", "org.fedfms.core.feature", "rootfiles", "weights")
NAME = "sam-tiny-pretrained"


# ------------------------------------------------------------------ corpus

def texture(rng, size):
    """A random texture [size, size, 3] in 0..1."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    kind = rng.integers(6)
    c0, c1 = rng.random(3), rng.random(3)
    if kind == 0:  # gratings
        t = np.zeros((size, size), np.float32)
        for _ in range(rng.integers(1, 4)):
            f, a, p = rng.uniform(2, 20), rng.uniform(0, np.pi), rng.uniform(0, 2 * np.pi)
            t += np.sin(2 * np.pi * f * (xx * np.cos(a) + yy * np.sin(a)) + p)
        t = (t - t.min()) / (np.ptp(t) + 1e-6)
    elif kind == 1:  # checkerboard
        k = rng.uniform(3, 16)
        a = rng.uniform(0, np.pi)
        u, v = xx * np.cos(a) + yy * np.sin(a), -xx * np.sin(a) + yy * np.cos(a)
        t = ((np.floor(u * k) + np.floor(v * k)) % 2).astype(np.float32)
    elif kind == 2:  # gradient
        a = rng.uniform(0, 2 * np.pi)
        t = xx * np.cos(a) + yy * np.sin(a)
        t = (t - t.min()) / (np.ptp(t) + 1e-6)
    elif kind == 3:  # value noise at a random scale
        n = rng.integers(3, 17)
        coarse = rng.random((n, n)).astype(np.float32)
        t = F.interpolate(torch.from_numpy(coarse)[None, None], size=(size, size), mode="bicubic",
                          align_corners=False)[0, 0].numpy()
        t = np.clip(t, 0, 1)
    elif kind == 4:  # stripes
        w = rng.uniform(0.02, 0.2)
        t = ((yy if rng.random() < 0.5 else xx) % w < w / 2).astype(np.float32)
    else:  # speckle on a flat tone
        t = np.full((size, size), rng.random(), np.float32) + rng.normal(0, 0.15, (size, size)).astype(np.float32)
        t = np.clip(t, 0, 1)
    return t[..., None] * c0 + (1 - t[..., None]) * c1


def shape_mask(rng, size, scale=1.0):
    """A random filled shape as a boolean mask, at a random place and size."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    r = rng.uniform(0.12, 0.38) * size * scale
    cx, cy = rng.uniform(r * 0.6, size - r * 0.6), rng.uniform(r * 0.6, size - r * 0.6)
    rot = rng.uniform(0, 2 * np.pi)
    dx, dy = xx - cx, yy - cy
    u, v = dx * np.cos(rot) + dy * np.sin(rot), -dx * np.sin(rot) + dy * np.cos(rot)
    ang, rad = np.arctan2(v, u), np.hypot(u, v)
    kind = rng.integers(8)
    if kind == 0:  # regular polygon
        n = rng.integers(3, 9)
        m = rad * np.cos(np.pi / n) / np.cos((ang % (2 * np.pi / n)) - np.pi / n) < r
    elif kind == 1:  # star
        n = rng.integers(4, 9)
        inner = rng.uniform(0.35, 0.7)
        t = np.abs(((ang * n / (2 * np.pi)) % 1) - 0.5) * 2
        m = rad < r * (inner + (1 - inner) * t)
    elif kind == 2:  # ellipse
        m = (u / r) ** 2 + (v / (r * rng.uniform(0.3, 1))) ** 2 < 1
    elif kind == 3:  # ring
        m = (rad < r) & (rad > r * rng.uniform(0.45, 0.75))
    elif kind == 4:  # rounded rectangle
        a, b, c = r, r * rng.uniform(0.3, 1), r * rng.uniform(0.05, 0.3)
        qx, qy = np.maximum(np.abs(u) - a + c, 0), np.maximum(np.abs(v) - b + c, 0)
        m = np.hypot(qx, qy) < c
    elif kind == 5:  # cross
        w = r * rng.uniform(0.2, 0.45)
        m = ((np.abs(u) < r) & (np.abs(v) < w)) | ((np.abs(v) < r) & (np.abs(u) < w))
    elif kind == 6:  # crescent
        off = r * rng.uniform(0.3, 0.7)
        m = (rad < r) & (np.hypot(u - off, v) > r * rng.uniform(0.6, 0.9))
    else:  # blob: radius modulated by random harmonics
        rr = np.ones_like(ang)
        for k in range(2, 6):
            rr += rng.uniform(-0.15, 0.15) * np.cos(k * ang + rng.uniform(0, 2 * np.pi))
        m = rad < r * rr
    return m


def sample(seed, index):
    """Image [128, 128, 3] in 0..255, target mask [128, 128] bool, box [4] (x0, y0, x1, y1)."""
    rng = np.random.default_rng([seed, index])
    img = texture(rng, SIZE)
    mask = np.zeros((SIZE, SIZE), bool)
    while mask.sum() < 40:
        mask = shape_mask(rng, SIZE)
    fill = texture(rng, SIZE)
    if rng.random() < 0.5:  # a clear contrast to the background
        fill = np.clip(fill * 0.3 + rng.random(3) * 0.7, 0, 1)
    soft = F.avg_pool2d(torch.from_numpy(mask.astype(np.float32))[None, None], 3, 1, 1)[0, 0].numpy()
    img = img * (1 - soft[..., None]) + fill * soft[..., None]
    for _ in range(rng.integers(0, 3)):  # unlabelled distractors beside the target
        d = shape_mask(rng, SIZE, 0.6) & ~mask
        img[d] = img[d] * 0.4 + rng.random(3) * 0.6
    if rng.random() < 0.4:  # a line across
        yy, xx = np.mgrid[0:SIZE, 0:SIZE]
        a, c = rng.uniform(0, np.pi), rng.uniform(0, SIZE)
        line = np.abs(xx * np.cos(a) + yy * np.sin(a) - c) < rng.uniform(0.5, 2)
        img[line & ~mask] = rng.random(3)
    img = img + rng.normal(0, rng.uniform(0, 0.06), img.shape)
    if rng.random() < 0.5:  # grey, as many scans are
        img = np.repeat(img.mean(-1, keepdims=True), 3, -1)
    ys, xs = np.nonzero(mask)
    box = np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], np.float32)
    return np.clip(img * 255, 0, 255).astype(np.float32), mask, box


def batch(seed, indexes, jitter_rng=None):
    imgs, masks, boxes = zip(*(sample(seed, i) for i in indexes))
    x = torch.from_numpy(np.stack(imgs)).permute(0, 3, 1, 2)
    x = (x - ref.MEAN) / ref.STD
    y = torch.from_numpy(np.stack(masks).astype(np.float32))[:, None]
    y = F.interpolate(y, size=(LOW, LOW), mode="nearest")
    b = torch.from_numpy(np.stack(boxes))
    if jitter_rng is not None:
        side = torch.stack([b[:, 2] - b[:, 0], b[:, 3] - b[:, 1], b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]], 1)
        b = b + torch.from_numpy(jitter_rng.normal(0, 0.1, b.shape).astype(np.float32)) * side
    return x, y, b.clamp(0, SIZE)


# ------------------------------------------------------------------ model

def init_weights(seed):
    """Standard initialisations under the official names: Kaiming-uniform linears/convs, unit norms,
    zero biases, N(0, 1) Fourier matrix and embeddings."""
    g = torch.Generator().manual_seed(seed)
    w = OrderedDict()
    for name, shape in ref.shapes(CONFIG).items():
        if "positional_encoding_gaussian_matrix" in name or name.endswith("embed.weight") \
                or "point_embeddings" in name or "tokens" in name:
            x = torch.randn(shape, generator=g)
        elif "rel_pos" in name or "pos_embed" in name:
            x = torch.zeros(shape)
        elif len(shape) == 1:
            is_norm = ("norm" in name or name.split(".")[-2] in ("1", "3", "4")) and name.endswith(".weight")
            x = torch.ones(shape) if is_norm and "mask_downscaling.3" not in name \
                and "output_upscaling.3" not in name else torch.zeros(shape)
        else:
            fan_in = shape[1] * (shape[2] * shape[3] if len(shape) == 4 else 1)
            if "output_upscaling" in name:
                fan_in = shape[0] * shape[2] * shape[3] // 4
            bound = 1 / math.sqrt(fan_in)
            x = (torch.rand(shape, generator=g) * 2 - 1) * bound
        w[name] = x.float().requires_grad_(True)
    return w


def forward(w, x, boxes):
    emb = ref.image_encoder(x, w, CONFIG)
    sparse, dense, image_pe = ref.prompt_encoder(w, CONFIG, boxes=boxes, batch=x.shape[0])
    masks, iou = ref.mask_decoder(emb, image_pe, sparse, dense, w, CONFIG, False)
    return masks, iou


def losses(masks, iou, y):
    bce = F.binary_cross_entropy_with_logits(masks, y, pos_weight=torch.tensor(2.0))
    p = torch.sigmoid(masks)
    dice = 1 - (2 * (p * y).sum((1, 2, 3)) + 1) / (p.sum((1, 2, 3)) + y.sum((1, 2, 3)) + 1)
    hard = (masks > 0).float()
    inter, union = (hard * y).sum((1, 2, 3)), ((hard + y) > 0).float().sum((1, 2, 3))
    actual_iou = (inter / union.clamp(min=1)).detach()
    return bce + dice.mean() + F.mse_loss(iou[:, 0], actual_iou), dice


def evaluate(w, seed, count):
    """Mean hard Dice of prompt-free and box-prompted predictions on held-out corpus samples."""
    out = {}
    with torch.no_grad():
        for mode in ("prompt-free", "box"):
            dices = []
            for s in range(0, count, 16):
                x, y, b = batch(seed, range(10_000_000 + s, 10_000_000 + min(count, s + 16)))
                masks, _ = forward(w, x, b if mode == "box" else None)
                hard = (masks > 0).float()
                d = (2 * (hard * y).sum((1, 2, 3)) + 1e-6) / (hard.sum((1, 2, 3)) + y.sum((1, 2, 3)) + 1e-6)
                dices += d.tolist()
            out[mode] = round(float(np.mean(dices)), 4)
    return out


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=20261207)
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    w = init_weights(args.seed)
    opt = torch.optim.Adam(list(w.values()), lr=args.lr)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / 100) * 0.5 * (1 + math.cos(math.pi * s / args.steps)))
    jitter = np.random.default_rng([args.seed, 1])
    start = time.time()
    recent = []
    for step in range(args.steps):
        idx = range(step * args.batch, (step + 1) * args.batch)
        prompted = step % 3 == 2
        x, y, b = batch(args.seed, idx, jitter if prompted else None)
        masks, iou = forward(w, x, b if prompted else None)
        loss, dice = losses(masks, iou, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        recent.append(loss.item())
        recent = recent[-100:]
        if step % 100 == 0 or step == args.steps - 1:
            print("step %5d  loss %.4f  (mean of last %d: %.4f)  %.0f s" % (
                step, loss.item(), len(recent), np.mean(recent), time.time() - start), flush=True)
    seconds = time.time() - start
    held_out = evaluate(w, args.seed, 128)
    state = OrderedDict((k, v.detach().clone()) for k, v in w.items())
    pth = os.path.join(args.out, NAME + ".pth")
    torch.save(state, pth)
    provenance = OrderedDict([
        ("weights", NAME + ".pth"),
        ("sha256", sha256(pth)),
        ("model", "sam-tiny"),
        ("format", "PyTorch state dict (torch.save zip), official SAM tensor names, float32"),
        ("tensors", len(state)),
        ("parameters", int(sum(v.numel() for v in state.values()))),
        ("script", "releng/pretrain/pretrain_sam_tiny.py"),
        ("script_sha256", sha256(os.path.abspath(__file__))),
        ("command", "releng/pretrain/pretrain_sam_tiny.py --steps %d --batch %d --lr %g --seed %d" % (
            args.steps, args.batch, args.lr, args.seed)),
        ("seed", args.seed),
        ("corpus", "generated general shapes (polygons, stars, ellipses, rings, rounded rectangles, crosses, "
                   "crescents, blobs) on random textures (gratings, checkerboards, gradients, value noise, "
                   "stripes, speckle), colour and grey, with unlabelled distractors; 128 px; sample i of seed s "
                   "is generated from (s, i) alone; no medical images"),
        ("samples_seen", args.steps * args.batch),
        ("steps", args.steps),
        ("batch", args.batch),
        ("optimizer", "Adam lr %g, 100 warm-up steps, cosine decay" % args.lr),
        ("loss", "BCE-with-logits (pos_weight 2) + soft Dice on the 32x32 mask of token 0, + MSE of the IoU head; "
                 "every third batch box-prompted (jittered 10 %), the others prompt-free"),
        ("final_loss", round(float(np.mean(recent)), 4)),
        ("final_loss_over", "the last %d steps" % len(recent)),
        ("held_out_dice", held_out),
        ("seconds", round(seconds, 1)),
        ("torch", torch.__version__),
        ("threads", 1),
        ("machine", platform.machine()),
        ("written", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")),
    ])
    with open(os.path.join(args.out, NAME + ".json"), "w") as f:
        json.dump(provenance, f, indent=2)
        f.write("\n")
    print(json.dumps(provenance, indent=2))


if __name__ == "__main__":
    main()
