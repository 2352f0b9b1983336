#!/usr/bin/python3
"""Runs the OFFICIAL Segment Anything implementation (facebookresearch/segment-anything, a checkout the
user provides; nothing is fetched) on official-format weights, for checking FedFMS's DJL port.

  official_sam.py CHECKOUT MODEL WEIGHTS.npz IMAGE.npy OUT_PREFIX [--prompt P] [--multimask]
        writes OUT_PREFIX.masks.npy [K, L, L] and OUT_PREFIX.iou.npy [K], as fedfms:predict does

The model is built from the official classes with MODEL's configuration (sam-tiny is a small
configuration of the same classes) and the weights are loaded with load_state_dict(strict=True), so a
name or shape that differs from the official checkpoint layout fails here. The image is HxWx3 at the
model's input size (longest side); it is normalised and padded by the official Sam.preprocess, and
prompts are encoded the way the official SamPredictor does (a point prompt gets its padding point).
"""
import argparse
import os
import sys
from functools import partial

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sam_reference import CONFIGS  # noqa: E402  (the shared table of configurations)


def build(checkout, c):
    # Import the official modeling package alone: segment_anything/__init__ pulls in torchvision.
    sys.path.insert(0, os.path.join(checkout, "segment_anything"))
    from modeling import ImageEncoderViT, MaskDecoder, PromptEncoder, Sam, TwoWayTransformer

    e = c["image"] // c["patch"]
    return Sam(
        image_encoder=ImageEncoderViT(
            img_size=c["image"], patch_size=c["patch"], embed_dim=c["dim"], depth=c["depth"],
            num_heads=c["heads"], mlp_ratio=c["mlp"] / c["dim"], out_chans=c["pdim"], qkv_bias=True,
            norm_layer=partial(torch.nn.LayerNorm, eps=1e-6), use_rel_pos=True, window_size=c["window"],
            global_attn_indexes=tuple(c["glob"])),
        prompt_encoder=PromptEncoder(
            embed_dim=c["pdim"], image_embedding_size=(e, e), input_image_size=(c["image"], c["image"]),
            mask_in_chans=c["mask_ch"]),
        mask_decoder=MaskDecoder(
            num_multimask_outputs=3,
            transformer=TwoWayTransformer(depth=c["ddepth"], embedding_dim=c["pdim"], mlp_dim=c["dmlp"],
                                          num_heads=c["dheads"]),
            transformer_dim=c["pdim"], iou_head_depth=c["iou_depth"], iou_head_hidden_dim=c["iou_hidden"]),
        pixel_mean=[123.675, 116.28, 103.53], pixel_std=[58.395, 57.12, 57.375]).eval()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkout")
    ap.add_argument("model", choices=CONFIGS)
    ap.add_argument("weights")
    ap.add_argument("image")
    ap.add_argument("out")
    ap.add_argument("--prompt", default="none")
    ap.add_argument("--multimask", action="store_true")
    a = ap.parse_args()
    sam = build(a.checkout, CONFIGS[a.model])
    state = {k: torch.from_numpy(np.asarray(v, dtype=np.float32)) for k, v in np.load(a.weights).items()}
    sam.load_state_dict(state, strict=True)

    img = torch.from_numpy(np.asarray(np.load(a.image), dtype=np.float32)).permute(2, 0, 1).contiguous()
    kind, _, values = a.prompt.partition(":")
    v = [float(t) for t in values.split(",")] if values else []
    points = boxes = None
    if kind == "box":
        boxes = torch.tensor([v], dtype=torch.float32)
    elif kind == "point":
        points = (torch.tensor([[v]], dtype=torch.float32), torch.ones((1, 1), dtype=torch.int))
    with torch.no_grad():
        emb = sam.image_encoder(sam.preprocess(img.unsqueeze(0)))
        sparse, dense = sam.prompt_encoder(points=points, boxes=boxes, masks=None)
        masks, iou = sam.mask_decoder(image_embeddings=emb, image_pe=sam.prompt_encoder.get_dense_pe(),
                                      sparse_prompt_embeddings=sparse, dense_prompt_embeddings=dense,
                                      multimask_output=a.multimask)
    np.save(a.out + ".masks.npy", masks[0].numpy().astype(np.float32))
    np.save(a.out + ".iou.npy", iou[0].numpy().astype(np.float32))


if __name__ == "__main__":
    main()
