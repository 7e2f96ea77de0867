"""Representation diagnostics: how far BAT's copies sit from the original in h-space.

On a fixed sample with fixed perturbations (drawn once, epoch 0 of the samplers), for the rows
that have both a synonym copy x_o and a one-word antonym copy x_u:

    pull  = mean_i d(h(x_i), h(x_o,i))      (BAT lowers it)
    push  = mean_i d(h(x_i), h(x_u,i))      (BAT raises it)
    ratio = push / pull,  gap = push - pull

with d the training distance (1 - cos by default) on the training representation. This is the
quantity the paper's Figure 5 (t-SNE) shows qualitatively; a configuration whose push never
exceeds its pull cannot meet the triplet margin.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np
import torch

from textattack_bat.errors import UsageError
from textattack_bat.training.distances import get_distance
from textattack_bat.training.representations import encode
from textattack_bat.training.samplers import AntonymSampler, Example, SynonymSampler


class RepresentationProbe:
    """Fixed (x, x_o, x_u) triples; ``probe(model_wrapper)`` -> pull, push, ratio, gap, n.

    ``senses``: the sense policy of the antonym copies; give the one the model was trained with
    (``BATTrainingArgs.antonym_senses``), so that the probe measures the copies training used."""

    def __init__(
        self,
        examples: Sequence[Example],
        labels: Sequence[int],
        synonym_table: Mapping,
        antonym_table: Mapping,
        skip_labels: Collection[int] = (),
        max_examples: int = 200,
        representation: str = "cls",
        distance: str = "cosine",
        max_length: int = 128,
        seed: int = 0,
        senses: str | None = None,
    ):
        synonyms, synonym_mask = SynonymSampler(synonym_table, seed=seed)(examples, epoch=0)
        antonyms, antonym_mask = AntonymSampler(
            antonym_table, skip_labels, seed=seed + 1, senses=senses
        )(examples, labels, epoch=0)
        keep = np.flatnonzero(synonym_mask * antonym_mask)[:max_examples]
        if len(keep) == 0:
            raise UsageError(
                "No probe row has both a synonym and an antonym copy; check the tables and the data."
            )
        self.originals = [tuple(examples[i]) for i in keep]
        self.synonyms = [tuple(synonyms[i]) for i in keep]
        self.antonyms = [tuple(antonyms[i]) for i in keep]
        self.representation, self.max_length = representation, max_length
        self.distance_name = distance
        self.distance = get_distance(distance)

    def __len__(self) -> int:
        return len(self.originals)

    def distances(self, model_wrapper) -> tuple[np.ndarray, np.ndarray]:
        """Per-row d(h(x), h(x_o)) and d(h(x), h(x_u))."""
        h, h_o, h_u = (
            torch.as_tensor(encode(model_wrapper, texts, self.representation, self.max_length))
            for texts in (self.originals, self.synonyms, self.antonyms)
        )
        with torch.no_grad():
            return self.distance(h, h_o).numpy(), self.distance(h, h_u).numpy()

    def __call__(self, model_wrapper) -> dict:
        pull, push = (float(d.mean()) for d in self.distances(model_wrapper))
        return {
            "pull": pull,
            "push": push,
            "ratio": push / pull if pull > 0 else None,
            "gap": push - pull,
            "probe_rows": len(self),
            "probe_distance": self.distance_name,
            "probe_representation": self.representation,
        }
