"""Negative miners: which of a row's antonym candidates BAT trains on.

Each miner maps, per row, the anchor representation ``a = h(x)`` (B, d), the distance to the
positive ``d_ap`` (B,), the candidate representations ``n_k = h(x_u^k)`` (B, K, d), which
candidates exist (B, K) and which keep the anchor's prediction (B, K) to one candidate index per
row (B,), -1 for a row without candidates. ``d`` is the training distance. As in
pytorch-metric-learning's miners and FaceNet (Schroff et al. 2015):

- ``random``: the first candidate (the sampler's order is random): the paper's method;
- ``hardest``: ``argmin_k d(a, n_k)``, the candidate closest to the original;
- ``semi-hard``: the closest candidate with ``d_ap < d(a, n_k) < d_ap + margin`` (it still
  violates the triplet margin but is not closer than the positive); the hardest when none is;
- ``kept``: the closest candidate whose prediction equals the original's (an undersensitive
  example the model makes now, as A2T takes the attack's successes for synonyms); the hardest
  when none is.
"""

from __future__ import annotations

import torch
from torch import nn

from textattack_bat.errors import UsageError
from textattack_bat.training.distances import get_distance

MINERS = ("random", "hardest", "semi-hard", "kept")


class NegativeMiner(nn.Module):
    """Picks one candidate per row; see the module docstring for ``strategy``."""

    def __init__(self, strategy: str = "hardest", margin: float = 1.0, distance="cosine"):
        super().__init__()
        if strategy not in MINERS:
            raise UsageError(f"Unknown negative miner {strategy!r}; choose one of {list(MINERS)}.")
        self.strategy, self.margin, self.distance = strategy, margin, get_distance(distance)

    @torch.no_grad()
    def forward(
        self,
        anchor: torch.Tensor,
        positive_distance: torch.Tensor,
        candidates: torch.Tensor,
        valid: torch.Tensor,
        kept: torch.Tensor,
    ) -> torch.Tensor:
        valid = valid.bool()
        has_any = valid.any(dim=1)
        if self.strategy == "random":
            choice = valid.float().argmax(dim=1)  # the first valid candidate
            return torch.where(has_any, choice, torch.full_like(choice, -1))
        d = self.distance(anchor.unsqueeze(1), candidates)  # (B, K)
        inf = torch.full_like(d, float("inf"))
        hardest = torch.where(valid, d, inf).argmin(dim=1)
        if self.strategy == "hardest":
            choice = hardest
        else:
            if self.strategy == "semi-hard":
                d_ap = positive_distance.unsqueeze(1)
                preferred = valid & (d > d_ap) & (d < d_ap + self.margin)
            else:  # kept
                preferred = valid & kept.bool()
            closest = torch.where(preferred, d, inf).argmin(dim=1)
            choice = torch.where(preferred.any(dim=1), closest, hardest)
        return torch.where(has_any, choice, torch.full_like(choice, -1))
