"""A training run killed with SIGKILL at 13 points (inside steps, inside each checkpoint file's
write, between a folder's two renames, inside the per-epoch evaluation and the copies), resumed
each time, ends with the uninterrupted run's weights and history; no kill leaves a checkpoint
that cannot be resumed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

SCRIPT = Path(__file__).with_name("killed_training.py")

# In order; each kill happens in a run resumed from what the kills before it left. The run has
# 6 optimizer steps per epoch, 3 epochs, a step checkpoint every 4 steps.
KILLS = [
    ("step", 3),  # epoch 1, nothing saved yet
    ("model:checkpoint-step", 1),  # the first step checkpoint: model written, nothing else
    ("file:optimizer.pt", 1),  # ... half its optimizer file
    ("file:trainer_state.json", 1),  # ... half its state
    ("evaluate", 1),  # epoch 1's evaluation (checkpoint-step-4 now complete)
    ("model:best_model", 1),  # the first best model, half assembled
    ("file:history.json", 1),
    ("file:trainer_state.json", 1),  # checkpoint-epoch-1's state
    ("copies", 2),  # epoch 2's perturbed copies (checkpoint-epoch-1 complete)
    ("step", 5),  # inside epoch 2, after checkpoint-step-8
    ("aside", 1),  # epoch 2's better model: the old best_model moved aside, the new not in
    ("model:checkpoint-epoch", 1),  # checkpoint-epoch-2, half assembled
    ("model:last_model", 1),  # after the last epoch
]


def run(output_dir: Path, *kill) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(output_dir), *map(str, kill)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


def assert_resumable(output_dir: Path) -> None:
    """Every checkpoint folder in ``output_dir`` loads into a fresh model and optimizer."""
    sys.path.insert(0, str(SCRIPT.parent))
    from killed_training import tiny_model

    from textattack_bat.training import checkpoints, optimizers

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an unreadable checkpoint warns
        found = checkpoints.list_checkpoints(output_dir, warn=True)
    folders = sorted(p for p in output_dir.glob("checkpoint-*"))
    assert [path for _, path in sorted(found, key=lambda f: f[1])] == folders
    for _, path in found:
        model = tiny_model().model
        optimizer, scheduler = optimizers.adamw(model, 1e-3, 0.0, 0, 18)
        checkpoints.load_checkpoint(path, model, optimizer, scheduler)


@pytest.mark.slow
def test_a_run_killed_at_13_points_ends_as_the_uninterrupted_one(tmp_path):
    whole = run(tmp_path / "whole")
    assert whole.returncode == 0, whole.stderr[-3000:]

    killed = tmp_path / "killed"
    for point, n in KILLS:
        result = run(killed, point, n)
        assert result.returncode == -signal.SIGKILL, (point, n, result.stderr[-3000:])
        assert_resumable(killed)
    result = run(killed)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Resuming from" in (killed / "train_log.txt").read_text()

    for folder in ("last_model", "best_model"):
        expected = load_file(str(tmp_path / "whole" / folder / "model.safetensors"))
        got = load_file(str(killed / folder / "model.safetensors"))
        assert expected.keys() == got.keys()
        for name in expected:
            assert torch.equal(got[name], expected[name]), (folder, name)
    history = json.loads((killed / "history.json").read_text())
    assert history == json.loads((tmp_path / "whole" / "history.json").read_text())
    assert [entry.name for entry in killed.iterdir() if entry.name.startswith(".")] == []
