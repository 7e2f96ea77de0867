"""Checkpoints: ``OUTPUT_DIR/checkpoint-epoch-N`` after an epoch and, with
``checkpoint_interval_steps``, ``OUTPUT_DIR/checkpoint-step-S`` inside one. Each holds the model
(TextAttack's layout), ``optimizer.pt`` (optimizer, scheduler, every process's random states, by
rank) and ``trainer_state.json`` (epoch, batches done in it, step, best score, history, the
epoch's running sums, fingerprint). A checkpoint folder is written whole or not at all
(:func:`textattack_bat.atomic.write_dir`). A killed run resumes from the latest one to the same
final weights as an uninterrupted run; only the same run (:func:`fingerprint`) resumes, and an
unreadable checkpoint is skipped, with a warning, for the one before it. Only files this module
wrote are read (``torch.load(weights_only=True)``: tensors and plain containers, never arbitrary
pickles)."""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import torch

from textattack_bat import atomic
from textattack_bat.errors import UsageError
from textattack_bat.training import distributed, random_states
from textattack_bat.training.arguments import SettingError
from textattack_bat.training.representations import unwrap

STATE_FILE = "trainer_state.json"
OPTIMIZER_FILE = "optimizer.pt"


def checkpoint_dir(output_dir: str | Path, epoch: int, step: int | None = None) -> Path:
    """``checkpoint-epoch-EPOCH`` (an epoch done), or ``checkpoint-step-STEP`` (inside one)."""
    name = f"checkpoint-epoch-{epoch}" if step is None else f"checkpoint-step-{step}"
    return Path(output_dir) / name


def _progress(state: dict) -> tuple[int, int]:
    """How far a checkpoint got: (optimizer steps, 1 if its epoch was done)."""
    return int(state.get("global_step", 0)), int(state.get("batches") is None)


def list_checkpoints(output_dir: str | Path, warn: bool = False) -> list[tuple[dict, Path]]:
    """``(state, path)`` of each readable checkpoint in ``output_dir``, the least advanced first;
    with ``warn``, each unreadable one is named in a ``RuntimeWarning`` and skipped."""
    found = []
    folders = [
        *Path(output_dir).glob("checkpoint-epoch-*"),
        *Path(output_dir).glob("checkpoint-step-*"),
    ]
    for path in sorted(folders):
        if not path.name.rsplit("-", 1)[-1].isdigit() or not path.is_dir():
            continue
        state = read_state(path)
        if state is None:
            if warn:
                warnings.warn(
                    f"{path} is incomplete or torn ({STATE_FILE} unreadable); skipped, resuming "
                    "from the checkpoint before it.",
                    RuntimeWarning,
                    stacklevel=3,
                )
            continue
        found.append((state, path))
    return sorted(found, key=lambda item: (_progress(item[0]), item[1].name))


def save_training_state(path: Path, optimizer, scheduler, rng: list[dict], state: dict) -> None:
    """Write what resuming needs beside the model already saved in ``path``, each file
    atomically, ``trainer_state.json`` (the mark of a complete checkpoint) last."""
    saved = {
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict() if scheduler else None,
        "random_states": rng,
    }
    atomic.write_with(path / OPTIMIZER_FILE, lambda temporary: torch.save(saved, temporary))
    atomic.write_text(path / STATE_FILE, json.dumps(state, indent=1))


# TrainingArgs fields left out of the fingerprint: where and how a run logs and saves, and
# num_epochs, so that a finished run can be extended (its schedule recomputed for the new total).
NOT_IN_FINGERPRINT = frozenset(
    {
        "num_epochs",
        "output_dir",
        "resume",
        "checkpoint_interval_steps",
        "checkpoint_interval_epochs",
        "save_last",
        "log_to_tb",
        "tb_log_dir",
        "log_to_wandb",
        "wandb_project",
        "logging_interval_step",
    }
)


class ResumeMismatch(SettingError):
    """The checkpoints in ``output_dir`` belong to a run with other settings."""


def fingerprint(args, model_name: str, texts, labels, processes: int) -> dict:
    """Everything that changes a run's result: every training setting but
    :data:`NOT_IN_FINGERPRINT`, the model, a digest of the training rows, the process count
    (JSON values)."""
    settings = {k: v for k, v in asdict(args).items() if k not in NOT_IN_FINGERPRINT}
    rows = json.dumps([list(map(list, texts)), [int(y) for y in labels]]).encode()
    found = {
        **settings,
        "model": model_name,
        "dataset_sha256": hashlib.sha256(rows).hexdigest(),
        "processes": processes,
    }
    return json.loads(json.dumps(found, default=str))


def check_resume(output_dir: str | Path, current: dict) -> None:
    """Raise :class:`ResumeMismatch` (one line: the differing fields and the two ways out)
    when the latest checkpoint in ``output_dir`` was written by a run with another
    :func:`fingerprint`; a checkpoint from before fingerprints is compared by its method."""
    found = list_checkpoints(output_dir)
    if not found:
        return
    state = found[-1][0]
    saved = state.get("fingerprint") or {"method": state.get("method")}
    differing = [
        f"{k} {saved[k]!r} -> {current.get(k)!r}"
        for k in sorted(saved)
        if saved[k] != current.get(k)
    ]
    if differing:
        raise ResumeMismatch(
            f"{output_dir} holds checkpoints of another run ({'; '.join(differing)}): use a new "
            "--output-dir, or resume=False (--attack NAME^resume=False) to start over."
        )


def read_state(path: Path) -> dict | None:
    """The ``trainer_state.json`` of the checkpoint ``path``, or None where it is unreadable."""
    try:
        state = json.loads((path / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return state if isinstance(state, dict) else None


def load_weights(path: Path, model) -> None:
    """Set ``model``'s weights to those saved in the folder ``path`` (TextAttack's layout: a
    transformers model's files, or ``pytorch_model.bin``)."""
    inner = unwrap(model)
    if hasattr(inner, "from_pretrained"):
        inner.load_state_dict(type(inner).from_pretrained(str(path)).state_dict())
    else:
        inner.load_state_dict(torch.load(path / "pytorch_model.bin", weights_only=True))


def load_checkpoint(path: Path, model, optimizer, scheduler) -> tuple[dict, Callable[[], None]]:
    """Load the model, optimizer and scheduler from ``path``; returns its ``trainer_state.json``
    and a function that sets this process's random generators to the checkpoint's (called by the
    trainer when its loop reaches the checkpoint's point: a data loader draws a seed when it
    starts)."""
    state = read_state(path)
    if state is None:
        raise UsageError(f"{path / STATE_FILE} is unreadable")
    load_weights(path, model)
    saved = torch.load(path / OPTIMIZER_FILE, weights_only=True)
    optimizer.load_state_dict(saved["optimizer"])
    if scheduler is not None and saved["scheduler"] is not None:
        scheduler.load_state_dict(saved["scheduler"])
    if "random_states" not in saved:  # checkpoints written before every generator was saved
        return state, lambda: torch.set_rng_state(saved["torch_rng"])
    states = saved["random_states"]
    if len(states) != distributed.processes():
        warnings.warn(
            f"{path} was written by {len(states)} process(es), this run has "
            f"{distributed.processes()}: the resumed run is not an exact continuation.",
            stacklevel=3,
        )
    return state, lambda: random_states.restore(states[min(distributed.rank(), len(states) - 1)])
