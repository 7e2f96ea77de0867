"""One home for a one-edit copy: the texts an attack tries one step from an example.

``AttackCopies(transformation, constraints)`` applied to an example (a tuple of column texts)
gives what TextAttack's ``Attack.get_transformations`` gives on the original: the
transformation under the pre-transformation constraints, then every other constraint checked
against the original, the original itself left out. The recipes expose their transformation and
constraints (:func:`textattack_bat.attack.recipes.antonym_swap`, ``negation_edit``), so BAT's
training copies are drawn from the very candidates the attack tries, by the same code.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import NamedTuple

from textattack.constraints import PreTransformationConstraint
from textattack.shared import AttackedText
from textattack.transformations import Transformation

from textattack_bat.attack.engine import attacked_text
from textattack_bat.errors import UsageError

Example = tuple[str, ...]


class Swap(NamedTuple):
    """One copy: the copy's column texts, the column changed, the index of the first word it
    replaced (in the example's ``AttackedText.words``) and that word."""

    example: Example
    column: int
    index: int
    word: str


def example_text(example: Example, columns: Sequence[str] | None = None) -> AttackedText:
    """``example`` as TextAttack's dataset would hand it to an attack: an ``AttackedText`` of its
    columns (``columns`` names them; by default ``text`` for one column, else ``premise``,
    ``hypothesis`` for two and ``column0, column1, ...`` beyond). Names matter only to a
    column rule; words, tags and windows are the same under any names."""
    if columns is None:
        columns = (
            ("text",)
            if len(example) == 1
            else ("premise", "hypothesis")
            if len(example) == 2
            else tuple(f"column{i}" for i in range(len(example)))
        )
    if len(columns) != len(example):
        raise UsageError(
            f"{len(example)} column texts but {len(columns)} column names {list(columns)}: "
            "give one name per column."
        )
    return attacked_text(OrderedDict(zip(columns, example)))


class AttackCopies:
    """Every one-edit copy an attack with ``transformation`` and ``constraints`` tries on an
    example, in the transformation's order (cached per example).

    ``copies(example) -> (Swap, ...)``; ``prefetch(examples)`` lets the transformation prepare
    bulk work (the ``context`` sense policy encodes all sentences in one call) before the
    row-by-row calls.
    """

    def __init__(
        self,
        transformation: Transformation,
        constraints: Sequence = (),
        columns: Sequence[str] | None = None,
    ):
        self.transformation = transformation
        self.pre = [c for c in constraints if isinstance(c, PreTransformationConstraint)]
        self.post = [c for c in constraints if not isinstance(c, PreTransformationConstraint)]
        self.columns = None if columns is None else tuple(columns)
        self._cache: dict[Example, tuple[Swap, ...]] = {}

    def __call__(self, example: Example) -> tuple[Swap, ...]:
        example = tuple(example)
        if example not in self._cache:
            self._cache[example] = self._find(example)
        return self._cache[example]

    def prefetch(self, examples: Sequence[Example]) -> None:
        """Bulk preparation for the examples not yet cached (the transformation's ``prefetch``,
        where it has one)."""
        prefetch = getattr(self.transformation, "prefetch", None)
        new = [tuple(e) for e in examples if tuple(e) not in self._cache]
        if prefetch is not None and new:
            prefetch([example_text(e, self.columns) for e in dict.fromkeys(new)])

    def _find(self, example: Example) -> tuple[Swap, ...]:
        original = example_text(example, self.columns)
        texts = [t for t in self.transformation(original, self.pre) if t.text != original.text]
        for constraint in self.post:  # as Attack.filter_transformations, current = original
            if not texts:
                break
            texts = constraint.call_many(texts, original)
        swaps, seen = [], set()
        for text in texts:
            copy = tuple(text._text_input.values())
            if copy in seen:
                continue
            seen.add(copy)
            column = next(i for i, (a, b) in enumerate(zip(example, copy)) if a != b)
            index = min(text.attack_attrs["newly_modified_indices"], default=-1)
            swaps.append(Swap(copy, column, index, original.words[index] if index >= 0 else ""))
        return tuple(swaps)
