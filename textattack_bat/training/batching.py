"""Length-grouped batches (``BATTrainingArgs.group_by_length``).

Random batches of SNLI pairs hold about 1.8 tokens for every real one, length-grouped ones about
1.0 (``bench/results/training_step.md``): each row is padded to the batch's longest. Grouping rows of similar length, as transformers' ``LengthGroupedSampler``
does, removes most of that padding while every row is still seen once per epoch, in a seeded
random order of batches.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import transformers

from textattack_bat.errors import UsageError
from textattack_bat.models import model_inputs, unwrap

GROUP_BATCHES = 50  # batches per sorted group, as transformers' LengthGroupedSampler


def input_lengths(model_wrapper, texts: Sequence[tuple[str, ...]], max_length: int) -> list[int]:
    """Each row's model input length: tokens up to ``max_length`` for a transformers model,
    words for any other (TextAttack's LSTM/CNN). What ``group_by_length`` sorts by."""
    if not isinstance(unwrap(model_wrapper.model), transformers.PreTrainedModel):
        return [sum(len(column.split()) for column in row) for row in texts]
    ids = model_wrapper.tokenizer(model_inputs(texts), truncation=True, max_length=max_length)
    return [len(row) for row in ids["input_ids"]]


def length_grouped(
    order: Sequence[int],
    lengths: Sequence[int],
    step: int,
    generator: torch.Generator,
    group_batches: int = GROUP_BATCHES,
) -> list[int]:
    """``order`` rearranged into runs of ``step`` rows of similar length: cut it into groups of
    ``group_batches * step`` rows, sort each group by length (longest first; ties keep their
    order), cut the groups into runs of ``step`` and shuffle the full runs with ``generator``. A
    last, shorter run stays last."""
    if step <= 0 or group_batches <= 0:
        raise UsageError(f"step and group_batches must be > 0, got {step} and {group_batches}.")
    size = group_batches * step
    runs: list[list[int]] = []
    for start in range(0, len(order), size):
        group = sorted(order[start : start + size], key=lambda i: -lengths[i])
        runs += [group[i : i + step] for i in range(0, len(group), step)]
    last = [runs.pop()] if runs and len(runs[-1]) < step else []
    shuffled = torch.randperm(len(runs), generator=generator).tolist()
    return [i for run in [runs[k] for k in shuffled] + last for i in run]
