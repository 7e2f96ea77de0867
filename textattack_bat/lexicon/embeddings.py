"""Word vectors: the one container the synonym tables and counter-fitting share."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from textattack_bat.errors import UsageError


@dataclass
class Embedding:
    """Unit-normalised word vectors: ``words[i]`` has vector ``vectors[i]``."""

    words: list[str]
    vectors: np.ndarray
    source: str

    def __post_init__(self):
        if self.vectors.ndim != 2 or len(self.words) != self.vectors.shape[0]:
            raise UsageError(
                f"Embedding {self.source}: {len(self.words)} words but vectors of shape "
                f"{self.vectors.shape}; the vocabulary and the matrix must have one row per word."
            )
        norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)
        self.vectors = (self.vectors / np.maximum(norms, 1e-12)).astype(np.float32)
        self.index = {word: i for i, word in enumerate(self.words)}
