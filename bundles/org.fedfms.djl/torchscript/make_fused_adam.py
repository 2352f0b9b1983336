#!/usr/bin/python3
"""Writes fused_adam.pt, the TorchScript module MultiTensorAdam runs: one Adam or AdamW step over a list of
weights in a single libtorch call (torch._fused_adam_, PyTorch's multi-tensor kernel, the one
torch.optim.Adam(fused=True) uses), so that a step costs one call instead of a dozen operations per weight.

Run with Debian's python3-torch (1.13); libtorch 2.7.1 loads the module and has the CPU kernel.
  bundles/org.fedfms.djl/torchscript/make_fused_adam.py
"""
import os
from typing import List

import torch


class FusedAdam(torch.nn.Module):
    def forward(self, weights: List[torch.Tensor], gradients: List[torch.Tensor], means: List[torch.Tensor],
                variances: List[torch.Tensor], steps: List[torch.Tensor], lr: float, beta1: float, beta2: float,
                weight_decay: float, eps: float, decoupled: bool) -> int:
        # As torch.optim.Adam/AdamW: count the step, AdamW's decoupled decay first, then the Adam update (with
        # Adam's L2 term added to the gradient inside the kernel); the gradients are zeroed afterwards.
        torch._foreach_add_(steps, 1.0)
        l2 = weight_decay
        if decoupled:
            l2 = 0.0
            if weight_decay != 0.0:
                torch._foreach_mul_(weights, 1.0 - lr * weight_decay)
        torch._fused_adam_(weights, gradients, means, variances, [], steps, lr=lr, beta1=beta1, beta2=beta2,
                           weight_decay=l2, eps=eps, amsgrad=False, maximize=False)
        torch._foreach_zero_(gradients)
        return len(weights)


if __name__ == "__main__":
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fused_adam.pt")
    torch.jit.script(FusedAdam()).save(out)
    print("wrote", out)
