"""BAT's contrastive losses on representations h(.) before the classification layer.

x: original, x_o: synonym-perturbed copy (oversensitivity), x_u: antonym-perturbed copy
(undersensitivity), d: a distance from :mod:`textattack_bat.training.distances`, m: the margin (1 for the
cosine distance). Masks mark rows whose term is defined (a synonym or antonym swap exists and the
label is not skipped). Each term is the mean over its valid rows (:func:`masked_mean`); a batch
with no valid row contributes exactly 0, never NaN.
"""

from __future__ import annotations

import torch
from torch import nn

from textattack_bat.training.distances import get_distance
from textattack_bat.training.reductions import masked_mean


class PairwiseContrastiveLoss(nn.Module):
    """``L = alpha * mean_o[ d(h, h_o) ] + beta * mean_u[ max(0, m - d(h, h_u)) ]``

    ``mean_o`` runs over rows with a synonym copy, ``mean_u`` over rows with an antonym copy
    (each term needs its own copy only). Returns the loss and its two terms (unweighted) for
    logging.
    """

    #: the synonym copy is needed only on rows that also have an antonym copy
    positive_needs_negative = False

    def __init__(
        self,
        alpha: float = 1.0,
        beta: float = 1.2,
        margin: float = 1.0,
        distance: str | nn.Module = "cosine",
    ):
        super().__init__()
        self.alpha, self.beta, self.margin = alpha, beta, margin
        self.distance = get_distance(distance)

    def forward(self, anchor, positive, negative, positive_mask, negative_mask):
        pull = masked_mean(self.distance(anchor, positive), positive_mask)
        push = masked_mean(torch.relu(self.margin - self.distance(anchor, negative)), negative_mask)
        loss = self.alpha * pull + self.beta * push
        return loss, {"pull": pull.detach(), "push": push.detach()}


class TripletContrastiveLoss(nn.Module):
    """``L = lambda * mean_u[ max(0, d(h, h_o) + m - d(h, h_u)) ]``

    A triplet needs the antonym copy, so ``mean_u`` runs over rows with one (the authors masked
    only this negative side too). Rows without a synonym copy use ``h_o = h`` (x_o = x), i.e.
    ``d(h, h_o) = 0``: the positive mask only saves their forward pass. Returns the weighted loss
    and the unweighted ``triplet`` term, ``pull`` and ``push`` for logging.
    """

    #: the synonym copy is needed only on rows that also have an antonym copy
    positive_needs_negative = True

    def __init__(
        self, weight: float = 1.0, margin: float = 1.0, distance: str | nn.Module = "cosine"
    ):
        super().__init__()
        self.weight = weight
        self.margin = margin
        self.distance = get_distance(distance)

    def forward(self, anchor, positive, negative, positive_mask, negative_mask):
        positive = torch.where(positive_mask.bool().unsqueeze(-1), positive, anchor)
        d_pos = self.distance(anchor, positive) * positive_mask.to(anchor.dtype)
        d_neg = self.distance(anchor, negative)
        term = masked_mean(torch.relu(d_pos + self.margin - d_neg), negative_mask)
        return self.weight * term, {
            "triplet": term.detach(),
            "pull": masked_mean(d_pos, negative_mask * positive_mask).detach(),
            "push": masked_mean(d_neg, negative_mask).detach(),
        }
