"""The contrastive term's linear warm-up (``contrastive_warmup_steps``): weights by step, by hand."""

from __future__ import annotations

import pytest
from training import tiny_bat_trainer

from textattack_bat import BATTrainingArgs
from textattack_bat.training.arguments import SettingError
from textattack_bat.training.optimizers import linear_warmup


def test_linear_warmup_weights_by_step():
    assert [linear_warmup(s, 4) for s in range(6)] == [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    assert [linear_warmup(s, 0) for s in range(3)] == [1.0, 1.0, 1.0]
    assert linear_warmup(-2, 4) == 0.0  # a cross-entropy epoch before BAT starts


def test_a_negative_warmup_is_refused():
    with pytest.raises(SettingError, match="contrastive_warmup_steps=-1"):
        BATTrainingArgs(contrastive_warmup_steps=-1)


@pytest.mark.slow
def test_the_trainer_ramps_the_term_from_the_first_bat_step(tmp_path):
    """8 rows, batch 4: 2 optimizer steps an epoch; one cross-entropy epoch (global steps 0, 1),
    then BAT with a 3-step warm-up: factors 0, 1/3 (epoch 2), 2/3, 1 (epoch 3)."""
    rows = [
        (("A happy man sleeps on a bench.", "A man is outside."), 0),
        (("A happy child.", "A child."), 2),
    ] * 4
    trainer = tiny_bat_trainer(
        rows,
        tmp_path,
        {"happy": ("unhappy",)},
        num_epochs=3,
        num_clean_epochs=1,
        per_device_train_batch_size=4,
        contrastive_warmup_steps=3,
    )
    history = trainer.train()
    assert "train_contrastive_factor" not in history[0]
    assert history[1]["train_contrastive_factor"] == pytest.approx((0 + 1 / 3) / 2)
    assert history[2]["train_contrastive_factor"] == pytest.approx((2 / 3 + 1) / 2)
