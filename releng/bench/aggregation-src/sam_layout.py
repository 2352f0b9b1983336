#!/usr/bin/env python3
"""Trainable tensors of SAM ViT-B as FedSAM (everything) and FedMSA (adapters + mask decoder) send them.

Prints one line per tensor, "name dim dim ...", in the order of the model's state dict.
  sam_layout.py fedsam   -> 93,735,472 parameters
  sam_layout.py fedmsa   -> 11,159,268 parameters
"""
import sys

D, DEPTH, MLP, GLOBAL_BLOCKS, WINDOW, GRID = 768, 12, 3072, (2, 5, 8, 11), 14, 64


def linear(name, n_in, n_out, bias=True):
    yield name + ".weight", (n_out, n_in)
    if bias:
        yield name + ".bias", (n_out,)


def norm(name, n):
    yield name + ".weight", (n,)
    yield name + ".bias", (n,)


def image_encoder(adapters):
    p = "image_encoder."
    if not adapters:
        yield p + "pos_embed", (1, GRID, GRID, D)
        yield p + "patch_embed.proj.weight", (D, 3, 16, 16)
        yield p + "patch_embed.proj.bias", (D,)
    for i in range(DEPTH):
        b = f"{p}blocks.{i}."
        if not adapters:
            yield from norm(b + "norm1", D)
            yield from linear(b + "attn.qkv", D, 3 * D)
            yield from linear(b + "attn.proj", D, D)
            rel = 2 * (GRID if i in GLOBAL_BLOCKS else WINDOW) - 1
            yield b + "attn.rel_pos_h", (rel, D // 12)
            yield b + "attn.rel_pos_w", (rel, D // 12)
            yield from norm(b + "norm2", D)
            yield from linear(b + "mlp.lin1", D, MLP)
            yield from linear(b + "mlp.lin2", MLP, D)
        else:
            for a in ("Space_Adapter", "MLP_Adapter"):
                yield from linear(b + a + ".D_fc1", D, D // 4)
                yield from linear(b + a + ".D_fc2", D // 4, D)
    if not adapters:
        yield p + "neck.0.weight", (256, D, 1, 1)
        yield from norm(p + "neck.1", 256)
        yield p + "neck.2.weight", (256, 256, 3, 3)
        yield from norm(p + "neck.3", 256)


def prompt_encoder():
    p = "prompt_encoder."
    for i in range(4):
        yield f"{p}point_embeddings.{i}.weight", (1, 256)
    yield p + "not_a_point_embed.weight", (1, 256)
    yield p + "mask_downscaling.0.weight", (4, 1, 2, 2)
    yield p + "mask_downscaling.0.bias", (4,)
    yield from norm(p + "mask_downscaling.1", 4)
    yield p + "mask_downscaling.3.weight", (16, 4, 2, 2)
    yield p + "mask_downscaling.3.bias", (16,)
    yield from norm(p + "mask_downscaling.4", 16)
    yield p + "mask_downscaling.6.weight", (256, 16, 1, 1)
    yield p + "mask_downscaling.6.bias", (256,)
    yield p + "no_mask_embed.weight", (1, 256)


def attention(name, downsample):
    inner = 256 // downsample
    for proj in ("q_proj", "k_proj", "v_proj"):
        yield from linear(f"{name}.{proj}", 256, inner)
    yield from linear(name + ".out_proj", inner, 256)


def mlp(name, n_in, hidden, n_out, layers):
    dims = [n_in] + [hidden] * (layers - 1) + [n_out]
    for i in range(layers):
        yield from linear(f"{name}.layers.{i}", dims[i], dims[i + 1])


def mask_decoder():
    p = "mask_decoder."
    t = p + "transformer."
    for i in range(2):
        b = f"{t}layers.{i}."
        yield from attention(b + "self_attn", 1)
        yield from norm(b + "norm1", 256)
        yield from attention(b + "cross_attn_token_to_image", 2)
        yield from norm(b + "norm2", 256)
        yield from linear(b + "mlp.lin1", 256, 2048)
        yield from linear(b + "mlp.lin2", 2048, 256)
        yield from norm(b + "norm3", 256)
        yield from norm(b + "norm4", 256)
        yield from attention(b + "cross_attn_image_to_token", 2)
    yield from attention(t + "final_attn_token_to_image", 2)
    yield from norm(t + "norm_final_attn", 256)
    yield p + "iou_token.weight", (1, 256)
    yield p + "mask_tokens.weight", (4, 256)
    yield p + "output_upscaling.0.weight", (256, 64, 2, 2)
    yield p + "output_upscaling.0.bias", (64,)
    yield from norm(p + "output_upscaling.1", 64)
    yield p + "output_upscaling.3.weight", (64, 32, 2, 2)
    yield p + "output_upscaling.3.bias", (32,)
    for i in range(4):
        yield from mlp(f"{p}output_hypernetworks_mlps.{i}", 256, 256, 32, 3)
    yield from mlp(p + "iou_prediction_head", 256, 256, 4, 3)


def layout(kind):
    if kind == "fedsam":
        return [*image_encoder(False), *prompt_encoder(), *mask_decoder()]
    if kind == "fedmsa":
        return [*image_encoder(True), *mask_decoder()]
    raise SystemExit(f"unknown layout '{kind}' (fedsam or fedmsa)")


def count(tensors):
    total = 0
    for _, shape in tensors:
        n = 1
        for d in shape:
            n *= d
        total += n
    return total


if __name__ == "__main__":
    for name, shape in layout(sys.argv[1]):
        print(name, *shape)
