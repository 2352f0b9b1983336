#!/usr/bin/python3
"""The PyTorch half of releng/bench/sam-step: the same architecture (releng/reference/sam_reference.py),
shapes, losses and Adam; prints median milliseconds per training step (sam-tiny warms up fifty times
as many steps, as on the DJL side), of one linear layer's matrix product, and the peak RSS.

  sam_step.py STEPS WARMUP
"""
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
import sam_reference as ref  # noqa: E402


def step_time(config, batch, steps, warmup, decode):
    w = ref.random_weights(config, 0)
    trainable = [t.requires_grad_() for n, t in w.items()
                 if (decode or n.startswith("image_encoder.")) and "gaussian_matrix" not in n]
    optimizer = torch.optim.Adam(trainable, lr=1e-4)
    s, low = config["image"], 4 * (config["image"] // config["patch"])
    g = torch.Generator().manual_seed(1)
    images = torch.randn((batch, 3, s, s), generator=g)
    target = torch.zeros((batch, 1, low, low))
    target[:, :, :low // 2, :] = 1
    times = []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        emb = ref.image_encoder(images, w, config)
        if decode:
            sparse, dense, image_pe = ref.prompt_encoder(w, config, batch=batch)
            masks, _ = ref.mask_decoder(emb, image_pe, sparse, dense, w, config, False)
            loss = F.binary_cross_entropy_with_logits(masks, target)
        else:
            loss = emb.square().mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if i >= warmup:
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[len(times) // 2]


def main():
    steps, warmup = int(sys.argv[1]), int(sys.argv[2])
    threads = int(os.environ.get("FEDFMS_THREADS", "0"))
    if threads > 0:
        torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    print("pytorch sam-tiny-b4 %.1f" % step_time(ref.CONFIGS["sam-tiny"], 4, steps, 50 * warmup, True))
    vitb = dict(ref.CONFIGS["sam-vit-b"], image=256)
    print("pytorch vit-b-encoder-256-b2 %.1f" % step_time(vitb, 2, steps, warmup, False))
    x, w, b = torch.randn(512, 768), torch.randn(2304, 768), torch.zeros(2304)
    times = []
    for i in range(3 + 4 * steps):
        t0 = time.perf_counter()
        F.linear(x, w, b)
        if i >= 3:
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    print("pytorch linear-512x768x2304 %.2f" % times[len(times) // 2])
    print("pytorch peak-rss-mb %.0f" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    print("pytorch version %s threads %d" % (torch.__version__, torch.get_num_threads()))


if __name__ == "__main__":
    main()
