"""Reducing per-row loss values to a scalar."""

from __future__ import annotations

import torch

from textattack_bat.training import distributed


def masked_mean(values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean of ``values`` over rows where ``mask`` is 1; exactly 0 (with zero, finite gradients)
    when no row is valid. The authors divided by the mask sum directly, which is NaN then.

    Under DistributedDataParallel (W processes) the valid rows are counted over all processes,
    ``W * local_sum / global_count``: DDP's gradient average then equals the gradient of the
    global masked mean, as a single process would compute it on the whole global batch."""
    mask = mask.to(values.dtype)
    count = distributed.global_sum(mask.sum())
    scale = distributed.processes()
    return scale * (values * mask).sum() / count.clamp(min=1.0)
