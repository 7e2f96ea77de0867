"""Contrastive losses against values computed by hand; masks; NaN safety."""

import itertools

import pytest
import torch

from textattack_bat.training.distances import CosineDistance, EuclideanDistance
from textattack_bat.training.losses import PairwiseContrastiveLoss, TripletContrastiveLoss

# rows: anchor h, positive h_o, negative h_u (2-d, easy cosines)
H = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
H_O = torch.tensor([[1.0, 1.0], [0.0, 1.0]])  # cos = 1/sqrt2, 1  -> d = 0.29289, 0
H_U = torch.tensor([[-1.0, 0.0], [1.0, 0.0]])  # cos = -1, 0     -> d = 2, 1
D_POS = [1 - 2**-0.5, 0.0]
D_NEG = [2.0, 1.0]


def hand_pairwise(alpha, beta, margin, pos_mask, neg_mask):
    pulls = [d for d, m in zip(D_POS, pos_mask) if m]
    pushes = [max(0.0, margin - d) for d, m in zip(D_NEG, neg_mask) if m]
    mean = lambda xs: sum(xs) / len(xs) if xs else 0.0
    return alpha * mean(pulls) + beta * mean(pushes)


def hand_triplet(margin, pos_mask, neg_mask):
    values = [
        max(0.0, (dp if mp else 0.0) + margin - dn)
        for dp, dn, mp, mn in zip(D_POS, D_NEG, pos_mask, neg_mask)
        if mn
    ]
    return sum(values) / len(values) if values else 0.0


MASKS = list(itertools.product([0.0, 1.0], repeat=2))


@pytest.mark.parametrize("pos_mask,neg_mask", list(itertools.product(MASKS, MASKS)))
@pytest.mark.parametrize("margin", [1.0, 1.5])
def test_pairwise_matches_hand_values(pos_mask, neg_mask, margin):
    loss, _ = PairwiseContrastiveLoss(alpha=1.0, beta=1.2, margin=margin)(
        H, H_O, H_U, torch.tensor(pos_mask), torch.tensor(neg_mask)
    )
    assert loss.item() == pytest.approx(
        hand_pairwise(1.0, 1.2, margin, pos_mask, neg_mask), abs=1e-6
    )


@pytest.mark.parametrize("pos_mask,neg_mask", list(itertools.product(MASKS, MASKS)))
@pytest.mark.parametrize("margin", [1.0, 1.5])
def test_triplet_matches_hand_values(pos_mask, neg_mask, margin):
    loss, _ = TripletContrastiveLoss(margin=margin)(
        H, H_O, H_U, torch.tensor(pos_mask), torch.tensor(neg_mask)
    )
    assert loss.item() == pytest.approx(hand_triplet(margin, pos_mask, neg_mask), abs=1e-6)


@pytest.mark.parametrize(
    "loss_fn",
    [
        PairwiseContrastiveLoss(),
        TripletContrastiveLoss(),
        TripletContrastiveLoss(distance="euclidean"),
    ],
)
def test_all_masked_batch_is_exactly_zero_with_finite_gradients(loss_fn):
    h = torch.randn(4, 8, requires_grad=True)
    zeros = torch.zeros(4)
    loss, terms = loss_fn(h, torch.randn(4, 8), torch.randn(4, 8), zeros, zeros)
    assert loss.item() == 0.0
    loss.backward()
    assert torch.isfinite(h.grad).all()
    assert all(torch.isfinite(v) for v in terms.values())


def test_identical_rows_and_zero_vectors_stay_finite():
    h = torch.zeros(3, 4, requires_grad=True)
    loss, _ = TripletContrastiveLoss()(h, h, torch.zeros(3, 4), torch.ones(3), torch.ones(3))
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(h.grad).all()


def test_distances():
    a, b = torch.tensor([[3.0, 4.0]]), torch.tensor([[0.0, 0.0]])
    assert EuclideanDistance()(a, b).item() == pytest.approx(5.0)
    assert CosineDistance()(
        torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 3.0]])
    ).item() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="Unknown distance"):
        PairwiseContrastiveLoss(distance="manhattan")


def test_each_loss_carries_its_weight_and_says_which_copies_it_needs():
    """lambda lives in the triplet loss as alpha/beta live in the pairwise loss. Hand values with
    h_o = h_u = h: d(h, h_o) = d(h, h_u) = 0, so each hinge is max(0, 0 + 1 - 0) = 1."""
    h = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    ones = torch.ones(2)
    unweighted, _ = TripletContrastiveLoss()(h, h, h, ones, ones)
    weighted, weighted_terms = TripletContrastiveLoss(weight=3.0)(h, h, h, ones, ones)
    assert unweighted.item() == pytest.approx(1.0) and weighted.item() == pytest.approx(3.0)
    assert weighted_terms["triplet"].item() == pytest.approx(1.0)  # the logged term is unweighted
    assert TripletContrastiveLoss().positive_needs_negative
    assert not PairwiseContrastiveLoss().positive_needs_negative
