"""Only the same run resumes: a checkpoint carries the run's fingerprint; a torn checkpoint is
skipped for the one before it; checkpoint files are written atomically."""

from __future__ import annotations

import json
import os

import pytest
import torch
from training import tiny_bat_trainer

from textattack_bat import atomic
from textattack_bat.training.checkpoints import ResumeMismatch, fingerprint

ROWS = [
    (("A happy man sleeps on a bench.", "A man is outside."), 0),
    (("A happy child.", "A child."), 2),
] * 4
ANTONYMS = {"happy": ("unhappy",)}


def snapshot(folder) -> dict:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
    }


@pytest.mark.slow
def test_a_different_run_stops_before_writing_and_names_what_differs(tmp_path):
    first = tiny_bat_trainer(ROWS, tmp_path, ANTONYMS, num_clean_epochs=1)  # cross-entropy
    first.train()
    before = snapshot(tmp_path)
    second = tiny_bat_trainer(ROWS, tmp_path, ANTONYMS, learning_rate=1e-3)
    with pytest.raises(ResumeMismatch) as error:
        second.train()
    message = str(error.value)
    assert "\n" not in message
    assert "learning_rate 2e-05 -> 0.001" in message and "num_clean_epochs 1 -> 0" in message
    assert "--output-dir" in message and "resume=False" in message
    assert snapshot(tmp_path) == before  # nothing written
    # resume=False starts over in the same folder
    tiny_bat_trainer(ROWS, tmp_path, ANTONYMS, learning_rate=1e-3, resume=False).train()


@pytest.mark.slow
def test_a_torn_checkpoint_is_skipped_and_the_run_ends_as_the_uninterrupted_one(tmp_path):
    whole = tiny_bat_trainer(ROWS, tmp_path / "whole", ANTONYMS, num_epochs=2)
    whole.train()
    expected = {k: v.clone() for k, v in whole.model_wrapper.model.state_dict().items()}

    torn_dir = tmp_path / "torn"
    tiny_bat_trainer(ROWS, torn_dir, ANTONYMS, num_epochs=2).train()
    state = torn_dir / "checkpoint-epoch-2" / "trainer_state.json"
    state.write_text(state.read_text()[:40])  # as a kill inside a non-atomic write would leave it
    resumed = tiny_bat_trainer(ROWS, torn_dir, ANTONYMS, num_epochs=2)
    with pytest.warns(RuntimeWarning, match="checkpoint-epoch-2 is incomplete or torn"):
        history = resumed.train()
    assert [h["epoch"] for h in history] == [1, 2]
    weights = resumed.model_wrapper.model.state_dict()
    for name, tensor in expected.items():
        torch.testing.assert_close(weights[name], tensor, rtol=0, atol=1e-6, msg=name)


def test_the_fingerprint_ignores_where_a_run_logs_and_sees_what_it_learns():
    from textattack_bat import BATTrainingArgs

    texts, labels = [("a", "b")], [0]
    base = fingerprint(BATTrainingArgs(output_dir="x"), "m", texts, labels, 1)
    elsewhere = BATTrainingArgs(output_dir="y", log_to_tb=True, logging_interval_step=7)
    assert fingerprint(elsewhere, "m", texts, labels, 1) == base
    assert fingerprint(BATTrainingArgs(output_dir="x"), "m", texts, [1], 1) != base
    assert fingerprint(BATTrainingArgs(output_dir="x"), "m", texts, labels, 2) != base
    assert fingerprint(BATTrainingArgs(output_dir="x", margin=0.5), "m", texts, labels, 1) != base


def test_an_atomic_write_leaves_the_old_file_when_it_fails(tmp_path):
    path = atomic.write_text(tmp_path / "state.json", json.dumps({"epoch": 1}))

    def fail(temporary):
        temporary.write_text('{"epo')
        raise KeyboardInterrupt  # a kill in the middle of the write

    with pytest.raises(KeyboardInterrupt):
        atomic.write_with(path, fail)
    assert json.loads(path.read_text()) == {"epoch": 1}
    assert os.listdir(tmp_path) == ["state.json"]  # no partial file left behind
