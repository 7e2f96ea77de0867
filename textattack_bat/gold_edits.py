"""Gold-edit evaluation: does the model follow human-made label-changing edits?

Input: JSON Lines rows ``premise, hypothesis, label, edited_hypothesis, edited_label`` (e.g. the
one-word antonym edits of counterfactually-augmented SNLI, Kaushik et al. 2020). Reported, each
as a :class:`~textattack_bat.rates.Rate` with its 95% Wilson interval:

- accuracy on the originals and on the edits;
- kept rate: among originals the model classifies correctly, the share whose prediction the edit
  leaves unchanged. A person confirmed that the edit changes the label, so a kept prediction is an
  undersensitive error: lower is better.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from textattack_bat.datasets import read_jsonl_rows
from textattack_bat.models import predict_labels
from textattack_bat.rates import Rate

FIELDS = ("premise", "hypothesis", "label", "edited_hypothesis", "edited_label")


@dataclass(frozen=True)
class GoldEdit:
    premise: str
    hypothesis: str
    label: int
    edited_hypothesis: str
    edited_label: int


def load_gold_edits(path: str | Path) -> list[GoldEdit]:
    """Read and check a gold-edit file; a bad row raises a ValueError naming it and the fix."""
    rows = read_jsonl_rows(path)
    if not rows:
        raise ValueError(f"{path}: no gold edits.")
    edits = []
    for number, row in enumerate(rows, start=1):
        missing = [name for name in FIELDS if name not in row]
        if missing:
            raise ValueError(
                f"{path}, row {number}: missing field(s) {missing}; a gold edit needs {list(FIELDS)}."
            )
        for name in ("label", "edited_label"):
            if not isinstance(row[name], int) or isinstance(row[name], bool):
                raise ValueError(
                    f"{path}, row {number}: {name} {row[name]!r} is not an integer label id."
                )
        edits.append(GoldEdit(*(row[name] for name in FIELDS)))
    return edits


@dataclass
class GoldEditReport:
    source: str
    original_accuracy: Rate
    edited_accuracy: Rate
    kept: Rate

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "original_accuracy": self.original_accuracy.to_dict(),
            "edited_accuracy": self.edited_accuracy.to_dict(),
            "kept_rate": self.kept.to_dict(),
        }

    def rows(self) -> list[tuple[str, str]]:
        return [
            ("gold edits: accuracy on originals", self.original_accuracy.format()),
            ("gold edits: accuracy on edits", self.edited_accuracy.format()),
            ("gold edits: kept rate (lower is better)", self.kept.format()),
        ]


def evaluate_gold_edits(
    model_wrapper, edits: Sequence[GoldEdit] | str | Path, source: str = ""
) -> GoldEditReport:
    """Accuracy on originals and edits, and the kept rate, of ``model_wrapper`` on ``edits``."""
    if isinstance(edits, (str, Path)):
        source = source or str(edits)
        edits = load_gold_edits(edits)
    original = predict_labels(model_wrapper, [(e.premise, e.hypothesis) for e in edits])
    edited = predict_labels(model_wrapper, [(e.premise, e.edited_hypothesis) for e in edits])
    labels = np.array([e.label for e in edits])
    edited_labels = np.array([e.edited_label for e in edits])
    correct = original == labels
    return GoldEditReport(
        source=source,
        original_accuracy=Rate(int(correct.sum()), len(edits)),
        edited_accuracy=Rate(int((edited == edited_labels).sum()), len(edits)),
        kept=Rate(int((correct & (edited == original)).sum()), int(correct.sum())),
    )
