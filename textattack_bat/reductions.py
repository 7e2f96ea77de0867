"""Reducing per-row loss values to a scalar."""

from __future__ import annotations

import torch


def masked_mean(values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean of ``values`` over rows where ``mask`` is 1; exactly 0 (with zero, finite gradients)
    when no row is valid. The authors divided by the mask sum directly, which is NaN then."""
    mask = mask.to(values.dtype)
    return (values * mask).sum() / mask.sum().clamp(min=1.0)
