"""Epoch checkpoints: ``OUTPUT_DIR/checkpoint-epoch-N`` holds the model (TextAttack's layout),
``optimizer.pt`` (optimizer, scheduler, every process's random states, by rank) and
``trainer_state.json`` (epoch, step, best score, history, method). A killed run resumes from the
latest one and loses at most one epoch. Only files this module wrote are read
(``torch.load(weights_only=True)``: tensors and plain containers, never arbitrary pickles)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import torch

from textattack_bat.training import distributed, random_states
from textattack_bat.training.representations import unwrap

STATE_FILE = "trainer_state.json"
OPTIMIZER_FILE = "optimizer.pt"


def checkpoint_dir(output_dir: str | Path, epoch: int) -> Path:
    return Path(output_dir) / f"checkpoint-epoch-{epoch}"


def list_checkpoints(output_dir: str | Path) -> list[tuple[int, Path]]:
    """``(epoch, path)`` of each complete checkpoint in ``output_dir``, oldest first."""
    found = []
    for path in Path(output_dir).glob("checkpoint-epoch-*"):
        if (path / STATE_FILE).is_file() and path.name.rsplit("-", 1)[-1].isdigit():
            found.append((int(path.name.rsplit("-", 1)[-1]), path))
    return sorted(found)


def save_training_state(path: Path, optimizer, scheduler, rng: list[dict], state: dict) -> None:
    """Write what resuming needs beside the model already saved in ``path``."""
    torch.save(
        {
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict() if scheduler else None,
            "random_states": rng,
        },
        path / OPTIMIZER_FILE,
    )
    (path / STATE_FILE).write_text(json.dumps(state, indent=1))


def load_checkpoint(path: Path, model, optimizer, scheduler) -> dict:
    """Load the model, optimizer, scheduler and this process's random states from ``path``;
    returns its ``trainer_state.json``."""
    state = json.loads((path / STATE_FILE).read_text())
    inner = unwrap(model)
    if hasattr(inner, "from_pretrained"):
        inner.load_state_dict(type(inner).from_pretrained(str(path)).state_dict())
    else:
        inner.load_state_dict(torch.load(path / "pytorch_model.bin", weights_only=True))
    saved = torch.load(path / OPTIMIZER_FILE, weights_only=True)
    optimizer.load_state_dict(saved["optimizer"])
    if scheduler is not None and saved["scheduler"] is not None:
        scheduler.load_state_dict(saved["scheduler"])
    if "random_states" in saved:
        states = saved["random_states"]
        if len(states) != distributed.processes():
            warnings.warn(
                f"{path} was written by {len(states)} process(es), this run has "
                f"{distributed.processes()}: the resumed run is not an exact continuation.",
                stacklevel=3,
            )
        random_states.restore(states[min(distributed.rank(), len(states) - 1)])
    else:  # checkpoints written before every generator was saved
        torch.set_rng_state(saved["torch_rng"])
    return state
