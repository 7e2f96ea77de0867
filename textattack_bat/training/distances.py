"""Distances between representations, row by row: ``d(a, b)`` for ``a, b`` of shape (batch, dim)."""

from __future__ import annotations

import torch
from torch import nn

from textattack_bat.errors import UsageError


class CosineDistance(nn.Module):
    """``d(a, b) = 1 - cos(a, b)``, in [0, 2]. The paper's distance."""

    def __init__(self, eps: float = 1e-8):
        super().__init__()
        self.eps = eps

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return 1.0 - nn.functional.cosine_similarity(a, b, dim=-1, eps=self.eps)


class EuclideanDistance(nn.Module):
    """``d(a, b) = ||a - b||_2`` (with a small epsilon so the gradient at a == b is finite)."""

    def __init__(self, eps: float = 1e-12):
        super().__init__()
        self.eps = eps

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return torch.sqrt(((a - b) ** 2).sum(dim=-1) + self.eps)


DISTANCES = {"cosine": CosineDistance, "euclidean": EuclideanDistance}


def get_distance(name_or_module: str | nn.Module) -> nn.Module:
    if isinstance(name_or_module, nn.Module):
        return name_or_module
    if name_or_module not in DISTANCES:
        raise UsageError(f"Unknown distance {name_or_module!r}; choose one of {sorted(DISTANCES)}.")
    return DISTANCES[name_or_module]()
