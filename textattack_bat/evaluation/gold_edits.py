"""Gold-edit evaluation: does the model follow human-made label-changing edits?

Input: JSON Lines rows ``premise, hypothesis, label, edited_label`` and the edited side(s):
``edited_hypothesis`` and/or ``edited_premise`` (a missing one is the original), e.g. the human
label-changing edits of counterfactually-augmented SNLI (Kaushik et al. 2020), which rewrite
either the premise or the hypothesis. Reported, each as a :class:`~textattack_bat.evaluation.rates.Rate`
with its 95% Wilson interval:

- accuracy on the originals and on the edits;
- kept rate: among originals the model classifies correctly, the share whose prediction the edit
  leaves unchanged. A person confirmed that the edit changes the label, so a kept prediction is an
  undersensitive error: lower is better. Also per edited side (``premise``, ``hypothesis``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from textattack_bat.datasets import read_jsonl_rows
from textattack_bat.errors import UsageError
from textattack_bat.evaluation.rates import Rate
from textattack_bat.models import predict_labels

FIELDS = ("premise", "hypothesis", "label", "edited_label")
EDITED_FIELDS = ("edited_premise", "edited_hypothesis")
SIDES = ("premise", "hypothesis")


@dataclass(frozen=True)
class GoldEdit:
    premise: str
    hypothesis: str
    label: int
    edited_hypothesis: str
    edited_label: int
    edited_premise: str | None = None  # None: the premise is not edited
    edited: str | None = None  # the side the file names (CAD's `edited` field)

    @property
    def new_premise(self) -> str:
        return self.premise if self.edited_premise is None else self.edited_premise

    @property
    def side(self) -> str:
        """The file's ``edited`` field when given, else ``premise`` when the premise changed,
        else ``hypothesis``."""
        if self.edited is not None:
            return self.edited
        return "premise" if self.new_premise != self.premise else "hypothesis"


def load_gold_edits(path: str | Path) -> list[GoldEdit]:
    """Read and check a gold-edit file; a bad row raises a ValueError naming it and the fix."""
    rows = read_jsonl_rows(path)
    if not rows:
        raise UsageError(f"{path}: no gold edits.")
    edits = []
    for number, row in enumerate(rows, start=1):
        missing = [name for name in FIELDS if name not in row]
        if not any(name in row for name in EDITED_FIELDS):
            missing.append(" or ".join(EDITED_FIELDS))
        if missing:
            raise UsageError(
                f"{path}, row {number}: missing field(s) {missing}; a gold edit needs "
                f"{list(FIELDS)} and the edited side ({' and/or '.join(EDITED_FIELDS)})."
            )
        for name in ("label", "edited_label"):
            if not isinstance(row[name], int) or isinstance(row[name], bool):
                raise UsageError(
                    f"{path}, row {number}: {name} {row[name]!r} is not an integer label id."
                )
        if row.get("edited", "hypothesis") not in SIDES:
            raise UsageError(
                f"{path}, row {number}: edited {row['edited']!r}; it names the edited side, "
                f"one of {list(SIDES)}."
            )
        edits.append(
            GoldEdit(
                row["premise"],
                row["hypothesis"],
                row["label"],
                row.get("edited_hypothesis", row["hypothesis"]),
                row["edited_label"],
                row.get("edited_premise"),
                row.get("edited"),
            )
        )
    return edits


@dataclass
class GoldEditReport:
    source: str
    original_accuracy: Rate
    edited_accuracy: Rate
    kept: Rate
    kept_by_side: dict[str, Rate] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "original_accuracy": self.original_accuracy.to_dict(),
            "edited_accuracy": self.edited_accuracy.to_dict(),
            "kept_rate": self.kept.to_dict(),
            "kept_rate_by_side": {side: r.to_dict() for side, r in self.kept_by_side.items()},
        }

    def rows(self) -> list[tuple[str, str]]:
        rows = [
            ("gold edits: accuracy on originals", self.original_accuracy.format()),
            ("gold edits: accuracy on edits", self.edited_accuracy.format()),
            ("gold edits: kept rate (lower is better)", self.kept.format()),
        ]
        if len(self.kept_by_side) > 1:
            rows += [
                (f"gold edits: kept rate, {side} edits", rate.format())
                for side, rate in self.kept_by_side.items()
            ]
        return rows


def evaluate_gold_edits(
    model_wrapper, edits: Sequence[GoldEdit] | str | Path, source: str = ""
) -> GoldEditReport:
    """Accuracy on originals and edits, and the kept rate (overall and per edited side), of
    ``model_wrapper`` on ``edits``."""
    if isinstance(edits, (str, Path)):
        source = source or str(edits)
        edits = load_gold_edits(edits)
    original = predict_labels(model_wrapper, [(e.premise, e.hypothesis) for e in edits])
    edited = predict_labels(model_wrapper, [(e.new_premise, e.edited_hypothesis) for e in edits])
    labels = np.array([e.label for e in edits])
    edited_labels = np.array([e.edited_label for e in edits])
    correct = original == labels
    kept = correct & (edited == original)
    sides = np.array([e.side for e in edits])
    return GoldEditReport(
        source=source,
        original_accuracy=Rate(int(correct.sum()), len(edits)),
        edited_accuracy=Rate(int((edited == edited_labels).sum()), len(edits)),
        kept=Rate(int(kept.sum()), int(correct.sum())),
        kept_by_side={
            side: Rate(int((kept & (sides == side)).sum()), int((correct & (sides == side)).sum()))
            for side in SIDES
            if (sides == side).any()
        },
    )
