"""Counter-fitting word vectors to WordNet synonym and antonym constraints, offline.

TextAttack's counter-fitted vectors (the paper's synonym source) are a download; plain GloVe is
not a synonym space (cos(big, large) = 0.68 in GloVe 6B-50d, below its 200 nearest words, and
cos(good, bad) = 0.8). This module applies the counter-fitting procedure of Mrkšić et al.
(NAACL 2016, "Counter-fitting Word Vectors to Linguistic Constraints") to any
:class:`~textattack_bat.embeddings.Embedding`, with constraints from the local WordNet. With
``d(x, y) = 1 - cos(x, y)`` and the original vectors ``x⁰``::

    AR  = Σ_{(u,w) ∈ A}  max(0, δ - d(x_u, x_w))                       antonym repel, δ = 1
    SA  = Σ_{(u,w) ∈ S}  max(0, d(x_u, x_w) - γ)                       synonym attract, γ = 0
    VSP = Σ_{(i,j) ∈ N}  max(0, d(x_i, x_j) - d(x⁰_i, x⁰_j))           vector space preservation
    N   = {(i, j): d(x⁰_i, x⁰_j) < ρ}, ρ = 0.2, for i in a constraint
    loss = AR + SA + VSP, minimised with Adam (full batch).

Constraints (our choices, not the paper's PPDB): A = each word's WordNet antonyms (the antonym
WordSwap's rule); S = pairs of single-word lemmas sharing a WordNet synset that is among the first
``max_senses`` (2) senses of both words, with original cosine at least ``min_synonym_cosine`` (0.4),
never an antonym pair. Rare senses chain unrelated words together (woman / char, year / class /
category), and attraction to distance 0 then collapses whole chains: both filters are there for
that. The result is cached as ``.npy`` + JSON under ``TA_CACHE_DIR``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from textattack_bat.embeddings import Embedding


@dataclass(frozen=True)
class CounterFittingConfig:
    """Hyper-parameters of the objective (module docstring); defaults are the paper's, except the
    optimiser (Adam, ``steps`` full-batch steps) and the synonym filter."""

    antonym_margin: float = 1.0  # δ
    synonym_margin: float = 0.0  # γ
    neighbourhood: float = 0.2  # ρ
    min_synonym_cosine: float = 0.4
    max_senses: int | None = 2
    steps: int = 100
    learning_rate: float = 0.03
    seed: int = 0


def wordnet_constraints(
    embedding: Embedding, min_synonym_cosine: float = 0.4, max_senses: int | None = 2
) -> tuple[np.ndarray, np.ndarray]:
    """``(synonym_pairs, antonym_pairs)`` as ``(n, 2)`` row-index arrays, each pair once (i < j).

    Synonyms: two words sharing a synset that is among the first ``max_senses`` (WordNet's
    most frequent senses) of both, with original cosine >= ``min_synonym_cosine``."""
    from textattack_bat import resources
    from textattack_bat.antonyms import WordNetAntonyms

    wordnet = resources.wordnet()
    antonyms = WordNetAntonyms(inflect=False, keep_case=False)
    index, vectors = embedding.index, embedding.vectors
    synonym_pairs: set[tuple[int, int]] = set()
    antonym_pairs: set[tuple[int, int]] = set()
    senses = {word: wordnet.synsets(word) for word in index}
    for word, i in index.items():
        for synset in senses[word][:max_senses]:
            for lemma in synset.lemmas():
                other = lemma.name().lower()
                j = index.get(other)
                if j is not None and j != i and synset in senses[other][:max_senses]:
                    synonym_pairs.add((min(i, j), max(i, j)))
        for antonym in antonyms(word):
            j = index.get(antonym)
            if j is not None and j != i:
                antonym_pairs.add((min(i, j), max(i, j)))
    synonym_pairs -= antonym_pairs
    synonym_pairs = {
        (i, j) for i, j in synonym_pairs if float(vectors[i] @ vectors[j]) >= min_synonym_cosine
    }
    return _pair_array(synonym_pairs), _pair_array(antonym_pairs)


def _pair_array(pairs: set[tuple[int, int]]) -> np.ndarray:
    return np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)


def counter_fit(
    embedding: Embedding,
    synonym_pairs: np.ndarray,
    antonym_pairs: np.ndarray,
    config: CounterFittingConfig = CounterFittingConfig(),
    progress: bool = False,
    device=None,
) -> Embedding:
    """Counter-fitted copy of ``embedding`` (see the module docstring for the objective), computed
    on ``device`` (default: TextAttack's device, so CUDA when present)."""
    import torch
    import torch.nn.functional as F

    from textattack_bat import resources

    device = device or resources.default_device()

    if len(synonym_pairs) + len(antonym_pairs) == 0:
        raise ValueError(
            f"No WordNet synonym or antonym pair among the words of {embedding.source}; nothing to fit."
        )
    torch.manual_seed(config.seed)
    original = torch.from_numpy(embedding.vectors).to(device)
    synonyms = torch.from_numpy(synonym_pairs).to(device)
    antonyms = torch.from_numpy(antonym_pairs).to(device)
    constrained = torch.unique(torch.cat([synonyms.flatten(), antonyms.flatten()]))
    neighbours = _neighbour_pairs(original, constrained, 1.0 - config.neighbourhood)
    original_distance = 1.0 - _cosine(original, neighbours)

    vectors = original.clone().requires_grad_(True)
    optimizer = torch.optim.Adam([vectors], lr=config.learning_rate)
    steps = range(config.steps)
    if progress:
        from tqdm import tqdm

        steps = tqdm(steps, desc="counter-fitting", unit="step")
    for _ in steps:
        optimizer.zero_grad()
        repel = F.relu(config.antonym_margin - (1.0 - _cosine(vectors, antonyms))).sum()
        attract = F.relu((1.0 - _cosine(vectors, synonyms)) - config.synonym_margin).sum()
        preserve = F.relu((1.0 - _cosine(vectors, neighbours)) - original_distance).sum()
        (repel + attract + preserve).backward()
        optimizer.step()
    fitted = vectors.detach().cpu().numpy()
    if not np.isfinite(fitted).all():
        raise FloatingPointError(
            "Counter-fitting diverged (non-finite vectors); lower the learning rate."
        )
    return Embedding(
        list(embedding.words), fitted, f"{embedding.source}, counter-fitted to WordNet"
    )


def _cosine(vectors, pairs):
    import torch.nn.functional as F

    return F.cosine_similarity(vectors[pairs[:, 0]], vectors[pairs[:, 1]], dim=1)


def _neighbour_pairs(vectors, rows, min_cosine: float, chunk: int = 2048):
    """Pairs (i, j), i in ``rows``, j any other word with cos(x⁰_i, x⁰_j) >= ``min_cosine``."""
    import torch

    pairs = []
    for start in range(0, len(rows), chunk):
        block = rows[start : start + chunk]
        similarity = vectors[block] @ vectors.T
        similarity[torch.arange(len(block), device=vectors.device), block] = -1.0
        i, j = torch.nonzero(similarity >= min_cosine, as_tuple=True)
        pairs.append(torch.stack([block[i], j], dim=1))
    return (
        torch.cat(pairs) if pairs else torch.zeros((0, 2), dtype=torch.int64, device=vectors.device)
    )


# --------------------------------------------------------------------------- cache


def cache_dir() -> Path:
    from textattack_bat import resources

    return resources.textattack_cache_dir() / "textattack_bat" / "counterfitted"


def counter_fitted(
    embedding: Embedding,
    config: CounterFittingConfig = CounterFittingConfig(),
    progress: bool = False,
) -> Embedding:
    """:func:`counter_fit` with WordNet constraints, cached on disk by (words, vectors, config)."""
    digest = hashlib.sha256()
    digest.update("\n".join(embedding.words).encode())
    digest.update(np.ascontiguousarray(embedding.vectors).tobytes())
    digest.update(json.dumps(asdict(config), sort_keys=True).encode())
    key = digest.hexdigest()[:20]
    vectors_path, meta_path = cache_dir() / f"{key}.npy", cache_dir() / f"{key}.json"
    if not (vectors_path.is_file() and meta_path.is_file()):
        _fit_and_save(embedding, config, vectors_path, meta_path, progress)
    meta = json.loads(meta_path.read_text())
    return Embedding(meta["words"], np.load(vectors_path, allow_pickle=False), meta["source"])


def _fit_and_save(
    embedding: Embedding,
    config: CounterFittingConfig,
    vectors_path: Path,
    meta_path: Path,
    progress: bool,
) -> None:
    synonym_pairs, antonym_pairs = wordnet_constraints(
        embedding, config.min_synonym_cosine, config.max_senses
    )
    fitted = counter_fit(embedding, synonym_pairs, antonym_pairs, config, progress=progress)
    vectors_path.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "source": fitted.source,
        "config": asdict(config),
        "synonym_pairs": len(synonym_pairs),
        "antonym_pairs": len(antonym_pairs),
        "words": fitted.words,
    }
    # written to temporary names, then renamed: a concurrent reader never sees half a file
    partial = vectors_path.with_suffix(f".{os.getpid()}.partial.npy")
    np.save(partial, fitted.vectors, allow_pickle=False)
    os.replace(partial, vectors_path)
    partial = meta_path.with_suffix(f".{os.getpid()}.partial")
    partial.write_text(json.dumps(meta))
    os.replace(partial, meta_path)
