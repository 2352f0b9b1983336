#!/usr/bin/python3
"""An independent PyTorch re-implementation of SAM's forward pass, for checking FedFMS's DJL port.

Written from the architecture as published (image encoder ViT with windowed/global attention and
decomposed relative positions, random-Fourier prompt encoder, two-way transformer mask decoder); it
uses PyTorch's own ConvTranspose2d, GELU and LayerNorm kernels, so it checks the port's equivalents.

  sam_reference.py weights MODEL OUT.npz [--seed N]      random official-format weights for MODEL
  sam_reference.py image H W OUT.npy [--seed N]          a random H x W x 3 image of 0..255 values
  sam_reference.py predict MODEL WEIGHTS.npz IMAGE.npy OUT_PREFIX [--prompt P] [--multimask]
        writes OUT_PREFIX.masks.npy [K, L, L] and OUT_PREFIX.iou.npy [K], as fedfms:predict does
  sam_reference.py compare A.npy B.npy [--tol T]         max |A - B|; exit 1 above the tolerance

MODEL is sam-tiny, sam-vit-b, sam-vit-l or sam-vit-h. Runs on Debian's python3-torch (CPU, fp32).
"""
import argparse
import math
import sys

import numpy as np
import torch
import torch.nn.functional as F

CONFIGS = {
    # image, patch, dim, depth, heads, mlp, window, global blocks, prompt dim, mask channels,
    # decoder depth, decoder heads, decoder mlp, iou depth, iou hidden
    "sam-tiny": dict(image=128, patch=16, dim=64, depth=4, heads=2, mlp=256, window=3, glob=(1, 3), pdim=32,
                     mask_ch=16, ddepth=2, dheads=2, dmlp=64, iou_depth=3, iou_hidden=32),
    "sam-vit-b": dict(image=1024, patch=16, dim=768, depth=12, heads=12, mlp=3072, window=14, glob=(2, 5, 8, 11),
                      pdim=256, mask_ch=16, ddepth=2, dheads=8, dmlp=2048, iou_depth=3, iou_hidden=256),
    "sam-vit-l": dict(image=1024, patch=16, dim=1024, depth=24, heads=16, mlp=4096, window=14,
                      glob=(5, 11, 17, 23), pdim=256, mask_ch=16, ddepth=2, dheads=8, dmlp=2048, iou_depth=3,
                      iou_hidden=256),
    "sam-vit-h": dict(image=1024, patch=16, dim=1280, depth=32, heads=16, mlp=5120, window=14,
                      glob=(7, 15, 23, 31), pdim=256, mask_ch=16, ddepth=2, dheads=8, dmlp=2048, iou_depth=3,
                      iou_hidden=256),
}
MEAN = torch.tensor([123.675, 116.28, 103.53]).view(3, 1, 1)
STD = torch.tensor([58.395, 57.12, 57.375]).view(3, 1, 1)


def shapes(c):
    """Official tensor names and shapes of a configuration (parameters and the Fourier buffer)."""
    s = {}
    e = c["image"] // c["patch"]
    d, p = c["dim"], c["pdim"]

    def lin(name, i, o, bias=True):
        s[name + ".weight"] = (o, i)
        if bias:
            s[name + ".bias"] = (o,)

    def norm(name, n):
        s[name + ".weight"] = (n,)
        s[name + ".bias"] = (n,)

    s["image_encoder.pos_embed"] = (1, e, e, d)
    s["image_encoder.patch_embed.proj.weight"] = (d, 3, c["patch"], c["patch"])
    s["image_encoder.patch_embed.proj.bias"] = (d,)
    for i in range(c["depth"]):
        b = "image_encoder.blocks.%d." % i
        side = e if i in c["glob"] else c["window"]
        norm(b + "norm1", d)
        lin(b + "attn.qkv", d, 3 * d)
        lin(b + "attn.proj", d, d)
        s[b + "attn.rel_pos_h"] = (2 * side - 1, d // c["heads"])
        s[b + "attn.rel_pos_w"] = (2 * side - 1, d // c["heads"])
        norm(b + "norm2", d)
        lin(b + "mlp.lin1", d, c["mlp"])
        lin(b + "mlp.lin2", c["mlp"], d)
    s["image_encoder.neck.0.weight"] = (p, d, 1, 1)
    norm("image_encoder.neck.1", p)
    s["image_encoder.neck.2.weight"] = (p, p, 3, 3)
    norm("image_encoder.neck.3", p)
    s["prompt_encoder.pe_layer.positional_encoding_gaussian_matrix"] = (2, p // 2)
    for i in range(4):
        s["prompt_encoder.point_embeddings.%d.weight" % i] = (1, p)
    s["prompt_encoder.not_a_point_embed.weight"] = (1, p)
    m = c["mask_ch"]
    s["prompt_encoder.mask_downscaling.0.weight"] = (m // 4, 1, 2, 2)
    s["prompt_encoder.mask_downscaling.0.bias"] = (m // 4,)
    norm("prompt_encoder.mask_downscaling.1", m // 4)
    s["prompt_encoder.mask_downscaling.3.weight"] = (m, m // 4, 2, 2)
    s["prompt_encoder.mask_downscaling.3.bias"] = (m,)
    norm("prompt_encoder.mask_downscaling.4", m)
    s["prompt_encoder.mask_downscaling.6.weight"] = (p, m, 1, 1)
    s["prompt_encoder.mask_downscaling.6.bias"] = (p,)
    s["prompt_encoder.no_mask_embed.weight"] = (1, p)

    def attn(name, ds):
        lin(name + ".q_proj", p, p // ds)
        lin(name + ".k_proj", p, p // ds)
        lin(name + ".v_proj", p, p // ds)
        lin(name + ".out_proj", p // ds, p)

    t = "mask_decoder.transformer."
    for i in range(c["ddepth"]):
        b = t + "layers.%d." % i
        attn(b + "self_attn", 1)
        norm(b + "norm1", p)
        attn(b + "cross_attn_token_to_image", 2)
        norm(b + "norm2", p)
        lin(b + "mlp.lin1", p, c["dmlp"])
        lin(b + "mlp.lin2", c["dmlp"], p)
        norm(b + "norm3", p)
        norm(b + "norm4", p)
        attn(b + "cross_attn_image_to_token", 2)
    attn(t + "final_attn_token_to_image", 2)
    norm(t + "norm_final_attn", p)
    s["mask_decoder.iou_token.weight"] = (1, p)
    s["mask_decoder.mask_tokens.weight"] = (4, p)
    s["mask_decoder.output_upscaling.0.weight"] = (p, p // 4, 2, 2)
    s["mask_decoder.output_upscaling.0.bias"] = (p // 4,)
    norm("mask_decoder.output_upscaling.1", p // 4)
    s["mask_decoder.output_upscaling.3.weight"] = (p // 4, p // 8, 2, 2)
    s["mask_decoder.output_upscaling.3.bias"] = (p // 8,)
    for i in range(4):
        for j, (a, b) in enumerate([(p, p), (p, p), (p, p // 8)]):
            lin("mask_decoder.output_hypernetworks_mlps.%d.layers.%d" % (i, j), a, b)
    h = c["iou_hidden"]
    dims = [p] + [h] * (c["iou_depth"] - 1) + [4]
    for j in range(c["iou_depth"]):
        lin("mask_decoder.iou_prediction_head.layers.%d" % j, dims[j], dims[j + 1])
    return s


def random_weights(c, seed):
    """Weights with every tensor non-trivial (no zeros, no ones), scaled to keep activations moderate."""
    g = torch.Generator().manual_seed(seed)
    w = {}
    for name, shape in shapes(c).items():
        x = torch.randn(shape, generator=g)
        if "positional_encoding_gaussian_matrix" in name:
            pass
        elif name.endswith("norm1.weight") or ".norm" in name and name.endswith(".weight") or \
                name.endswith((".1.weight", ".3.weight", ".4.weight")) and len(shape) == 1:
            x = 1 + 0.1 * x
        elif len(shape) == 1 or "rel_pos" in name or "pos_embed" in name:
            x = 0.1 * x
        elif name.endswith("embed.weight") or "point_embeddings" in name or "tokens" in name:
            pass
        else:
            fan_in = shape[1] * (shape[2] * shape[3] if len(shape) == 4 else 1)
            if "output_upscaling" in name:
                fan_in = shape[0]
            x = x / math.sqrt(fan_in)
        w[name] = x.float()
    return w


def layer_norm_2d(x, w, b, eps=1e-6):
    u = x.mean(1, keepdim=True)
    s = (x - u).pow(2).mean(1, keepdim=True)
    return w[:, None, None] * ((x - u) / torch.sqrt(s + eps)) + b[:, None, None]


def lin(x, w, name):
    return F.linear(x, w[name + ".weight"], w.get(name + ".bias"))


def rel_table(table, n):
    idx = torch.arange(n)[:, None] - torch.arange(n)[None, :] + (n - 1)
    return table[idx]


def vit_attention(x, w, name, heads):
    b, h, wd, d = x.shape
    qkv = lin(x, w, name + ".qkv").reshape(b, h * wd, 3, heads, d // heads).permute(2, 0, 3, 1, 4)
    q, k, v = qkv.reshape(3, b * heads, h * wd, d // heads).unbind(0)
    logits = (q * (d // heads) ** -0.5) @ k.transpose(-2, -1)
    rq = q.reshape(b * heads, h, wd, d // heads)
    rel_h = torch.einsum("bhwc,hkc->bhwk", rq, rel_table(w[name + ".rel_pos_h"], h))
    rel_w = torch.einsum("bhwc,wkc->bhwk", rq, rel_table(w[name + ".rel_pos_w"], wd))
    logits = (logits.view(b * heads, h, wd, h, wd) + rel_h[..., None] + rel_w[:, :, :, None, :]).view(
        b * heads, h * wd, h * wd)
    out = logits.softmax(-1) @ v
    out = out.view(b, heads, h, wd, d // heads).permute(0, 2, 3, 1, 4).reshape(b, h, wd, d)
    return lin(out, w, name + ".proj")


def vit_block(x, w, name, heads, window):
    shortcut = x
    x = F.layer_norm(x, (x.shape[-1],), w[name + ".norm1.weight"], w[name + ".norm1.bias"], 1e-6)
    b, h, wd, c = x.shape
    if window:
        ph, pw = (-h) % window, (-wd) % window
        x = F.pad(x, (0, 0, 0, pw, 0, ph))
        hp, wp = h + ph, wd + pw
        x = x.view(b, hp // window, window, wp // window, window, c).permute(0, 1, 3, 2, 4, 5).reshape(
            -1, window, window, c)
    x = vit_attention(x, w, name + ".attn", heads)
    if window:
        x = x.view(b, hp // window, wp // window, window, window, c).permute(0, 1, 3, 2, 4, 5).reshape(
            b, hp, wp, c)[:, :h, :wd, :]
    x = shortcut + x
    y = F.layer_norm(x, (c,), w[name + ".norm2.weight"], w[name + ".norm2.bias"], 1e-6)
    return x + lin(F.gelu(lin(y, w, name + ".mlp.lin1")), w, name + ".mlp.lin2")


def image_encoder(img, w, c):
    x = F.conv2d(img, w["image_encoder.patch_embed.proj.weight"], w["image_encoder.patch_embed.proj.bias"],
                 stride=c["patch"]).permute(0, 2, 3, 1)
    x = x + w["image_encoder.pos_embed"]
    for i in range(c["depth"]):
        x = vit_block(x, w, "image_encoder.blocks.%d" % i, c["heads"], 0 if i in c["glob"] else c["window"])
    x = x.permute(0, 3, 1, 2)
    x = layer_norm_2d(F.conv2d(x, w["image_encoder.neck.0.weight"]), w["image_encoder.neck.1.weight"],
                      w["image_encoder.neck.1.bias"])
    x = F.conv2d(x, w["image_encoder.neck.2.weight"], padding=1)
    return layer_norm_2d(x, w["image_encoder.neck.3.weight"], w["image_encoder.neck.3.bias"])


def fourier(coords, w):
    g = w["prompt_encoder.pe_layer.positional_encoding_gaussian_matrix"]
    z = 2 * np.pi * ((2 * coords - 1) @ g)
    return torch.cat([torch.sin(z), torch.cos(z)], dim=-1)


def prompt_encoder(w, c, points=None, labels=None, boxes=None, batch=1):
    size = c["image"]
    e = size // c["patch"]
    pe = "prompt_encoder."
    sparse = torch.zeros((batch, 0, c["pdim"]))
    if points is not None:
        pts = points + 0.5
        lab = labels
        if boxes is None:
            pts = torch.cat([pts, torch.zeros((1, 1, 2))], 1)
            lab = torch.cat([lab, -torch.ones((1, 1))], 1)
        emb = fourier(pts / size, w)
        emb[lab == -1] = 0.0
        emb[lab == -1] += w[pe + "not_a_point_embed.weight"]
        emb[lab == 0] += w[pe + "point_embeddings.0.weight"]
        emb[lab == 1] += w[pe + "point_embeddings.1.weight"]
        sparse = torch.cat([sparse, emb], 1)
    if boxes is not None:
        corners = fourier((boxes + 0.5).reshape(-1, 2, 2) / size, w)
        corners[:, 0, :] += w[pe + "point_embeddings.2.weight"]
        corners[:, 1, :] += w[pe + "point_embeddings.3.weight"]
        sparse = torch.cat([sparse, corners], 1)
    dense = w[pe + "no_mask_embed.weight"].reshape(1, -1, 1, 1).expand(batch, -1, e, e)
    ys, xs = torch.meshgrid(torch.arange(e, dtype=torch.float32), torch.arange(e, dtype=torch.float32),
                            indexing="ij")
    grid = torch.stack([(xs + 0.5) / e, (ys + 0.5) / e], dim=-1)
    image_pe = fourier(grid, w).permute(2, 0, 1).unsqueeze(0)
    return sparse, dense, image_pe


def token_attention(q, k, v, w, name, heads):
    q, k, v = lin(q, w, name + ".q_proj"), lin(k, w, name + ".k_proj"), lin(v, w, name + ".v_proj")

    def split(x):
        b, n, c = x.shape
        return x.reshape(b, n, heads, c // heads).transpose(1, 2)

    q, k, v = split(q), split(k), split(v)
    a = (q @ k.permute(0, 1, 3, 2)) / math.sqrt(q.shape[-1])
    out = a.softmax(-1) @ v
    b, h, n, ch = out.shape
    return lin(out.transpose(1, 2).reshape(b, n, h * ch), w, name + ".out_proj")


def ln(x, w, name, eps=1e-5):
    return F.layer_norm(x, (x.shape[-1],), w[name + ".weight"], w[name + ".bias"], eps)


def mask_decoder(emb, image_pe, sparse, dense, w, c, multimask):
    md = "mask_decoder."
    heads = c["dheads"]
    tokens = torch.cat([w[md + "iou_token.weight"], w[md + "mask_tokens.weight"]], 0).unsqueeze(0)
    tokens = torch.cat([tokens.expand(sparse.shape[0], -1, -1), sparse], 1)
    src = emb + dense
    b, ch, h, wd = src.shape
    keys = src.flatten(2).permute(0, 2, 1)
    kpe = image_pe.flatten(2).permute(0, 2, 1)
    queries = tokens
    t = md + "transformer."
    for i in range(c["ddepth"]):
        n = t + "layers.%d." % i
        if i == 0:
            queries = token_attention(queries, queries, queries, w, n + "self_attn", heads)
        else:
            q = queries + tokens
            queries = queries + token_attention(q, q, queries, w, n + "self_attn", heads)
        queries = ln(queries, w, n + "norm1")
        q, k = queries + tokens, keys + kpe
        queries = ln(queries + token_attention(q, k, keys, w, n + "cross_attn_token_to_image", heads), w, n + "norm2")
        queries = ln(queries + lin(F.relu(lin(queries, w, n + "mlp.lin1")), w, n + "mlp.lin2"), w, n + "norm3")
        q, k = queries + tokens, keys + kpe
        keys = ln(keys + token_attention(k, q, queries, w, n + "cross_attn_image_to_token", heads), w, n + "norm4")
    q, k = queries + tokens, keys + kpe
    queries = ln(queries + token_attention(q, k, keys, w, t + "final_attn_token_to_image", heads), w,
                 t + "norm_final_attn")
    up = keys.transpose(1, 2).reshape(b, ch, h, wd)
    up = F.conv_transpose2d(up, w[md + "output_upscaling.0.weight"], w[md + "output_upscaling.0.bias"], stride=2)
    up = F.gelu(layer_norm_2d(up, w[md + "output_upscaling.1.weight"], w[md + "output_upscaling.1.bias"]))
    up = F.gelu(F.conv_transpose2d(up, w[md + "output_upscaling.3.weight"], w[md + "output_upscaling.3.bias"],
                                   stride=2))
    hyper = []
    for i in range(4):
        x = queries[:, 1 + i, :]
        for j in range(3):
            x = lin(x, w, md + "output_hypernetworks_mlps.%d.layers.%d" % (i, j))
            x = F.relu(x) if j < 2 else x
        hyper.append(x)
    hyper = torch.stack(hyper, 1)
    b, cu, hu, wu = up.shape
    masks = (hyper @ up.view(b, cu, hu * wu)).view(b, -1, hu, wu)
    x = queries[:, 0, :]
    for j in range(c["iou_depth"]):
        x = lin(x, w, md + "iou_prediction_head.layers.%d" % j)
        x = F.relu(x) if j < c["iou_depth"] - 1 else x
    sl = slice(1, None) if multimask else slice(0, 1)
    return masks[:, sl], x[:, sl]


def predict(model, weights, image, prompt, multimask):
    c = CONFIGS[model]
    w = {k: torch.from_numpy(np.asarray(v, dtype=np.float32)) for k, v in np.load(weights).items()}
    img = torch.from_numpy(np.asarray(np.load(image), dtype=np.float32)).permute(2, 0, 1)
    img = (img - MEAN) / STD
    img = F.pad(img, (0, c["image"] - img.shape[2], 0, c["image"] - img.shape[1])).unsqueeze(0)
    points = labels = boxes = None
    kind, _, values = prompt.partition(":")
    v = [float(t) for t in values.split(",")] if values else []
    if kind == "box":
        boxes = torch.tensor([v], dtype=torch.float32)
    elif kind == "point":
        points, labels = torch.tensor([[v]], dtype=torch.float32), torch.ones((1, 1))
    with torch.no_grad():
        emb = image_encoder(img, w, c)
        sparse, dense, image_pe = prompt_encoder(w, c, points, labels, boxes)
        masks, iou = mask_decoder(emb, image_pe, sparse, dense, w, c, multimask)
    return masks[0].numpy(), iou[0].numpy()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("weights")
    a.add_argument("model", choices=CONFIGS)
    a.add_argument("out")
    a.add_argument("--seed", type=int, default=0)
    a = sub.add_parser("image")
    a.add_argument("h", type=int)
    a.add_argument("w", type=int)
    a.add_argument("out")
    a.add_argument("--seed", type=int, default=0)
    a = sub.add_parser("predict")
    a.add_argument("model", choices=CONFIGS)
    a.add_argument("weights")
    a.add_argument("image")
    a.add_argument("out")
    a.add_argument("--prompt", default="none")
    a.add_argument("--multimask", action="store_true")
    a = sub.add_parser("compare")
    a.add_argument("a")
    a.add_argument("b")
    a.add_argument("--tol", type=float, default=1e-4)
    args = ap.parse_args()
    torch.set_num_threads(max(1, torch.get_num_threads()))
    if args.cmd == "weights":
        w = random_weights(CONFIGS[args.model], args.seed)
        np.savez(args.out, **{k: v.numpy() for k, v in w.items()})
    elif args.cmd == "image":
        rng = np.random.default_rng(args.seed)
        np.save(args.out, rng.integers(0, 256, size=(args.h, args.w, 3)).astype(np.float32))
    elif args.cmd == "predict":
        masks, iou = predict(args.model, args.weights, args.image, args.prompt, args.multimask)
        np.save(args.out + ".masks.npy", masks.astype(np.float32))
        np.save(args.out + ".iou.npy", iou.astype(np.float32))
    else:
        x, y = np.load(args.a), np.load(args.b)
        if x.shape != y.shape:
            print("shapes differ: %s %s vs %s %s" % (args.a, x.shape, args.b, y.shape))
            sys.exit(1)
        d = float(np.max(np.abs(x.astype(np.float64) - y.astype(np.float64))))
        scale = float(np.max(np.abs(y)))
        ok = d <= args.tol
        print("max |diff| %.3g (values up to %.3g) %s %s: %s" % (d, scale, args.a.split("/")[-1],
                                                                  args.b.split("/")[-1], "ok" if ok else "TOO LARGE"))
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
