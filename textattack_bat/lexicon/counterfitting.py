"""Counter-fitting word vectors to linguistic constraints, offline.

TextAttack's counter-fitted vectors (the paper's synonym source) are a download; plain GloVe is
not a synonym space (cos(good, bad) = 0.8 in GloVe 6B-50d). This module specialises any
:class:`~textattack_bat.lexicon.embeddings.Embedding` to the synonym (attract) and antonym (repel) pairs
of :mod:`textattack_bat.lexicon.lexical`. With original vectors ``x⁰`` and unit vectors ``x``:

``attract-repel`` (default; Mrkšić et al., TACL 2017, "Semantic Specialisation of
Distributional Word Vector Spaces using Monolingual and Cross-Lingual Constraints"). Each
mini-batch holds ``B`` attract or ``B`` repel pairs ``(x_l, x_r)``; ``t_l``, ``t_r`` are the
in-batch negatives, the batch's other words nearest to (attract) or farthest from (repel)
``x_l`` and ``x_r``::

    attract = Σ [δ_att + x_l·t_l - x_l·x_r]₊ + [δ_att + x_r·t_r - x_l·x_r]₊
    repel   = Σ [δ_rpl + x_l·x_r - x_l·t_l]₊ + [δ_rpl + x_l·x_r - x_r·t_r]₊
    loss    = attract or repel + λ Σ_{words w of the batch} ‖x⁰_w - x_w‖²

minimised with AdaGrad on the batch's rows, for ``epochs`` passes over the shuffled batches.

``counter-fitting`` (Mrkšić et al., NAACL 2016), with ``d(x, y) = 1 - cos(x, y)``, full batch::

    AR  = Σ_{(u,w) ∈ antonyms} [δ - d(x_u, x_w)]₊
    SA  = Σ_{(u,w) ∈ synonyms} [d(x_u, x_w) - γ]₊
    VSP = Σ_{(i,j) ∈ N} [d(x_i, x_j) - d(x⁰_i, x⁰_j)]₊,  N = {(i, j): d(x⁰_i, x⁰_j) < ρ}
    loss = AR + SA + VSP, minimised with Adam.

Both run on the CPU in one thread: multi-threaded and CUDA reductions add in varying order, and
the vectors must be byte-identical for the same inputs in every process. The result is cached as
``.npy`` + JSON under ``TA_CACHE_DIR``, keyed by the vectors, the configuration and the
checksums of the constraint files.
"""

from __future__ import annotations

import contextlib
from dataclasses import asdict, dataclass, field

import numpy as np

from textattack_bat.errors import UsageError
from textattack_bat.lexicon import cache_files
from textattack_bat.lexicon.embeddings import Embedding
from textattack_bat.lexicon.lexical import (
    SOURCES,
    LinguisticConstraints,
    check_sources,
    constraint_checksums,
    linguistic_constraints,
)

OBJECTIVES = ("attract-repel", "counter-fitting")
# Bumped when the fitting code changes what it computes: old cache entries are then not reused.
FIT_VERSION = 2


@dataclass(frozen=True)
class AttractRepel:
    """Hyper-parameters of ``attract-repel``: the paper's, except the learning rate (ours)."""

    attract_margin: float = 0.6  # δ_att
    repel_margin: float = 0.0  # δ_rpl
    regularisation: float = 1e-9  # λ
    batch_size: int = 50
    epochs: int = 5
    learning_rate: float = 0.05  # AdaGrad


@dataclass(frozen=True)
class CounterFitting2016:
    """Hyper-parameters of ``counter-fitting``: the paper's, except the optimiser (Adam)."""

    antonym_margin: float = 1.0  # δ
    synonym_margin: float = 0.0  # γ
    neighbourhood: float = 0.2  # ρ
    steps: int = 100
    learning_rate: float = 0.03


@dataclass(frozen=True)
class CounterFittingConfig:
    """The constraints (:func:`~textattack_bat.lexicon.lexical.linguistic_constraints`) and the objective."""

    objective: str = "attract-repel"
    sources: tuple[str, ...] = SOURCES
    wordnet_max_senses: int | None = 2
    min_synonym_cosine: float = 0.4
    attract_repel: AttractRepel = field(default_factory=AttractRepel)
    counter_fitting: CounterFitting2016 = field(default_factory=CounterFitting2016)
    seed: int = 0

    def __post_init__(self):
        if self.objective not in OBJECTIVES:
            raise UsageError(
                f"Unknown counter-fitting objective {self.objective!r}; choose from {list(OBJECTIVES)}."
            )
        object.__setattr__(self, "sources", check_sources(self.sources))

    def key_fields(self) -> dict:
        """What the fitted vectors depend on (the unused objective's settings excluded)."""
        fields = asdict(self)
        fields.pop("counter_fitting" if self.objective == "attract-repel" else "attract_repel")
        return fields


def constraints_for(embedding: Embedding, config: CounterFittingConfig) -> LinguisticConstraints:
    return linguistic_constraints(
        embedding, config.sources, config.wordnet_max_senses, config.min_synonym_cosine
    )


def counter_fit(
    embedding: Embedding,
    constraints: LinguisticConstraints | None = None,
    config: CounterFittingConfig = CounterFittingConfig(),
    progress: bool = False,
) -> Embedding:
    """Counter-fitted copy of ``embedding`` (module docstring); ``constraints`` default to the
    config's sources among the embedding's words."""
    import torch

    if constraints is None:
        constraints = constraints_for(embedding, config)
    if len(constraints.synonyms) + len(constraints.antonyms) == 0:
        raise UsageError(
            f"No synonym or antonym pair of {'+'.join(constraints.sources)} among the words of "
            f"{embedding.source}; nothing to fit."
        )
    with _one_cpu_thread():
        original = torch.from_numpy(embedding.vectors.copy())
        synonyms = torch.from_numpy(constraints.synonyms)
        antonyms = torch.from_numpy(constraints.antonyms)
        if config.objective == "attract-repel":
            fitted = _attract_repel(original, synonyms, antonyms, config, progress)
        else:
            fitted = _counter_fitting(original, synonyms, antonyms, config, progress)
    fitted = fitted.numpy()
    if not np.isfinite(fitted).all():
        raise FloatingPointError(
            "Counter-fitting diverged (non-finite vectors); lower the learning rate."
        )
    described = f"{config.objective} to {'+'.join(constraints.sources)}"
    return Embedding(list(embedding.words), fitted, f"{embedding.source}, {described}")


@contextlib.contextmanager
def _one_cpu_thread():
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _attract_repel(original, synonyms, antonyms, config: CounterFittingConfig, progress: bool):
    import torch
    import torch.nn.functional as F

    settings = config.attract_repel
    generator = torch.Generator().manual_seed(config.seed)
    vectors = original.clone()
    squared_gradients = torch.zeros_like(vectors)
    epochs = range(settings.epochs)
    if progress:
        from tqdm import tqdm

        epochs = tqdm(epochs, desc="attract-repel", unit="epoch")
    for _ in epochs:
        batches = []
        for attract, pairs in ((True, synonyms), (False, antonyms)):
            shuffled = pairs[torch.randperm(len(pairs), generator=generator)]
            batches += [
                (attract, shuffled[start : start + settings.batch_size])
                for start in range(0, len(shuffled), settings.batch_size)
            ]
        for b in torch.randperm(len(batches), generator=generator).tolist():
            attract, batch = batches[b]
            rows, inverse = torch.unique(batch.flatten(), return_inverse=True)
            leaf = vectors[rows].clone().requires_grad_(True)
            loss = _batch_loss(F.normalize(leaf, dim=1), inverse.view(-1, 2), attract, settings)
            loss = loss + settings.regularisation * ((leaf - original[rows]) ** 2).sum()
            (gradient,) = torch.autograd.grad(loss, leaf)
            squared_gradients[rows] += gradient * gradient
            step = settings.learning_rate * gradient / (squared_gradients[rows].sqrt() + 1e-10)
            vectors[rows] = leaf.detach() - step
    return F.normalize(vectors, dim=1)


def _batch_loss(unit, pairs, attract: bool, settings: AttractRepel):
    """The attract or repel term of one batch; ``pairs`` index rows of ``unit``."""
    import torch
    import torch.nn.functional as F

    left, right = unit[pairs[:, 0]], unit[pairs[:, 1]]
    words = torch.cat([pairs[:, 0], pairs[:, 1]])  # the batch's words, by row of ``unit``
    # a pair's own words (and their repeats elsewhere in the batch) are not negatives
    own = (words[None, :] == pairs[:, :1]) | (words[None, :] == pairs[:, 1:])
    candidates = torch.cat([left, right])
    to_left, to_right = left @ candidates.T, right @ candidates.T
    positive = (left * right).sum(dim=1)
    if attract:
        nearest_left = to_left.masked_fill(own, -2.0).max(dim=1).values
        nearest_right = to_right.masked_fill(own, -2.0).max(dim=1).values
        margin = settings.attract_margin
        return (
            F.relu(margin + nearest_left - positive) + F.relu(margin + nearest_right - positive)
        ).sum()
    farthest_left = to_left.masked_fill(own, 2.0).min(dim=1).values
    farthest_right = to_right.masked_fill(own, 2.0).min(dim=1).values
    margin = settings.repel_margin
    return (
        F.relu(margin + positive - farthest_left) + F.relu(margin + positive - farthest_right)
    ).sum()


def _counter_fitting(original, synonyms, antonyms, config: CounterFittingConfig, progress: bool):
    import torch
    import torch.nn.functional as F

    settings = config.counter_fitting
    torch.manual_seed(config.seed)
    constrained = torch.unique(torch.cat([synonyms.flatten(), antonyms.flatten()]))
    neighbours = _neighbour_pairs(original, constrained, 1.0 - settings.neighbourhood)
    original_distance = 1.0 - _cosine(original, neighbours)
    vectors = original.clone().requires_grad_(True)
    optimizer = torch.optim.Adam([vectors], lr=settings.learning_rate)
    steps = range(settings.steps)
    if progress:
        from tqdm import tqdm

        steps = tqdm(steps, desc="counter-fitting", unit="step")
    for _ in steps:
        optimizer.zero_grad()
        repel = F.relu(settings.antonym_margin - (1.0 - _cosine(vectors, antonyms))).sum()
        attract = F.relu((1.0 - _cosine(vectors, synonyms)) - settings.synonym_margin).sum()
        preserve = F.relu((1.0 - _cosine(vectors, neighbours)) - original_distance).sum()
        (repel + attract + preserve).backward()
        optimizer.step()
    return F.normalize(vectors.detach(), dim=1)


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
        similarity[torch.arange(len(block)), block] = -1.0
        i, j = torch.nonzero(similarity >= min_cosine, as_tuple=True)
        pairs.append(torch.stack([block[i], j], dim=1))
    return torch.cat(pairs) if pairs else torch.zeros((0, 2), dtype=torch.int64)


# --------------------------------------------------------------------------- cache


CACHE_KIND = "counterfitted"


def cache_key(embedding: Embedding, config: CounterFittingConfig) -> str:
    """Hash of the words, the vectors, the configuration and the constraint files' checksums."""
    import lemminflect

    fields = {
        "config": config.key_fields(),
        "constraint_files": constraint_checksums(config.sources),
        "lemminflect": getattr(lemminflect, "__version__", "?"),
        "fit_version": FIT_VERSION,
    }
    return cache_files.digest(
        fields,
        "\n".join(embedding.words).encode(),
        np.ascontiguousarray(embedding.vectors).tobytes(),
    )


def counter_fitted(
    embedding: Embedding,
    config: CounterFittingConfig = CounterFittingConfig(),
    progress: bool = False,
) -> Embedding:
    """:func:`counter_fit`, cached on disk (:func:`cache_key`, :mod:`~textattack_bat.lexicon.cache_files`)."""
    key = cache_key(embedding, config)
    entry = cache_files.read(CACHE_KIND, key)
    if entry is None:
        constraints = constraints_for(embedding, config)
        fitted = counter_fit(embedding, constraints, config, progress=progress)
        meta = {
            "source": fitted.source,
            "config": config.key_fields(),
            "constraint_files": constraint_checksums(config.sources),
            "synonym_pairs": len(constraints.synonyms),
            "antonym_pairs": len(constraints.antonyms),
            "pairs_by_source": constraints.counts,
            "words": fitted.words,
        }
        cache_files.write(CACHE_KIND, key, fitted.vectors, meta)
        entry = cache_files.read(CACHE_KIND, key)
    vectors, meta = entry
    return Embedding(meta["words"], vectors, meta["source"])
