"""Linguistic constraints: the synonym and antonym word pairs that counter-fitting fits to.

Sources, by the name ``sources=`` takes:

- ``ppdb``: PPDB 2.0 synonym and antonym pairs, the constraint files of Mrkšić et al. (NAACL
  2016), shipped in ``data/lexical`` (attribution and licences in its README);
- ``wordnet``: WordNet 3.0 antonym pairs (the same release's ``wordnet_antonyms.txt``, plus the
  antonym rule of :class:`~textattack_bat.lexicon.antonyms.WordNetAntonyms` applied to exact lemma names)
  and WordNet synonym pairs: two single-word lemma names sharing a synset that is among the first
  ``wordnet_max_senses`` senses of both words, whose original cosine is at least
  ``min_synonym_cosine`` (rare senses chain unrelated words: woman / char, year / class), and
  the same pairs inflected alike (big / large -> bigger / larger);
- ``morphology``: each WordNet lemma with its inflected forms (dog / dogs, run / ran), the
  inflectional ATTRACT rule of morph-fitting (Vulić et al., ACL 2017), from lemminflect.

A pair that is both a synonym and an antonym pair is an antonym pair. Pairs are row indices of
an :class:`~textattack_bat.lexicon.embeddings.Embedding`, each pair once (i < j), in sorted order, so the
same files and vectors give the same arrays in every process.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from textattack_bat.errors import MissingFileError, UsageError
from textattack_bat.lexicon.embeddings import Embedding

SOURCES = ("ppdb", "wordnet", "morphology")
# source -> (synonym files, antonym files) under data/lexical
CONSTRAINT_FILES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ppdb": (("ppdb_synonyms.txt",), ("ppdb_antonyms.txt",)),
    "wordnet": ((), ("wordnet_antonyms.txt",)),
    "morphology": ((), ()),
}


def constraint_dir() -> Path:
    from textattack_bat import resources

    return resources.PACKAGE_DATA / "lexical"


def check_sources(sources: Iterable[str]) -> tuple[str, ...]:
    """The source names, validated, in :data:`SOURCES` order."""
    sources = tuple(sources)
    unknown = sorted(set(sources) - set(SOURCES))
    if unknown or not sources:
        raise UsageError(
            f"Unknown constraint source(s) {unknown or sources!r}; choose from {list(SOURCES)}, "
            "e.g. sources=('ppdb', 'wordnet')."
        )
    return tuple(s for s in SOURCES if s in sources)


def constraint_files(sources: Iterable[str] = SOURCES) -> list[Path]:
    """The data files the ``sources`` read, sorted by name."""
    names = {
        name
        for source in check_sources(sources)
        for group in CONSTRAINT_FILES[source]
        for name in group
    }
    return [constraint_dir() / name for name in sorted(names)]


@functools.lru_cache(maxsize=8)
def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def constraint_checksums(sources: Iterable[str] = SOURCES) -> dict[str, str]:
    """``file name -> SHA-256`` of every constraint file the ``sources`` read."""
    return {path.name: _sha256(path) for path in constraint_files(sources)}


def read_pairs(path: str | Path) -> list[tuple[str, str]]:
    """The ``word word`` pairs of a constraint file, lower-cased, in file order."""
    path = Path(path)
    if not path.is_file():
        raise MissingFileError(
            f"Constraint file {path} does not exist; reinstall textattack-bat "
            "(pip install --force-reinstall textattack-bat) or pass the files' folder."
        )
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        words = line.split()
        if not words:
            continue
        if len(words) != 2:
            raise UsageError(
                f"{path}:{number}: {len(words)} fields; a constraint file has one "
                "'word word' pair a line."
            )
        pairs.append((words[0].lower(), words[1].lower()))
    return pairs


@functools.lru_cache(maxsize=4)
def antonym_pairs_of_files(sources: tuple[str, ...] = SOURCES) -> frozenset[tuple[str, str]]:
    """Every antonym pair of the ``sources``' files, in both orders."""
    pairs: set[tuple[str, str]] = set()
    for source in check_sources(sources):
        for name in CONSTRAINT_FILES[source][1]:
            for a, b in read_pairs(constraint_dir() / name):
                pairs.update({(a, b), (b, a)})
    return frozenset(pairs)


@dataclass(frozen=True)
class LinguisticConstraints:
    """``synonyms`` and ``antonyms``: ``(n, 2)`` int64 row-index arrays of one embedding."""

    synonyms: np.ndarray
    antonyms: np.ndarray
    sources: tuple[str, ...]
    counts: dict = field(default_factory=dict)  # pairs per source and kind, before merging


def linguistic_constraints(
    embedding: Embedding,
    sources: Iterable[str] = SOURCES,
    wordnet_max_senses: int | None = 2,
    min_synonym_cosine: float = 0.4,
) -> LinguisticConstraints:
    """The synonym and antonym pairs of ``sources`` among the words of ``embedding``."""
    sources = check_sources(sources)
    index = embedding.index
    synonyms: set[tuple[int, int]] = set()
    antonyms: set[tuple[int, int]] = set()
    counts: dict[str, int] = {}
    for source in sources:
        synonym_files, antonym_files = CONSTRAINT_FILES[source]
        found = _indexed(
            (pair for name in synonym_files for pair in read_pairs(constraint_dir() / name)), index
        )
        if synonym_files:
            counts[f"{source}_synonyms"] = len(found)
        synonyms |= found
        found = _indexed(
            (pair for name in antonym_files for pair in read_pairs(constraint_dir() / name)), index
        )
        if source == "wordnet":
            wordnet_synonyms, rule_antonyms = _wordnet_pairs(embedding, wordnet_max_senses)
            found |= rule_antonyms
            wordnet_synonyms = {
                (i, j)
                for i, j in wordnet_synonyms
                if float(embedding.vectors[i] @ embedding.vectors[j]) >= min_synonym_cosine
            }
            counts["wordnet_synonyms"] = len(wordnet_synonyms)
            synonyms |= wordnet_synonyms
        if source == "morphology":
            inflections = _inflection_pairs(embedding)
            counts["morphology_synonyms"] = len(inflections)
            synonyms |= inflections
        if antonym_files or source == "wordnet":
            counts[f"{source}_antonyms"] = len(found)
        antonyms |= found
    synonyms -= antonyms
    return LinguisticConstraints(_pair_array(synonyms), _pair_array(antonyms), sources, counts)


def _indexed(pairs: Iterable[tuple[str, str]], index: dict[str, int]) -> set[tuple[int, int]]:
    out = set()
    for a, b in pairs:
        i, j = index.get(a), index.get(b)
        if i is not None and j is not None and i != j:
            out.add((min(i, j), max(i, j)))
    return out


def _wordnet_pairs(
    embedding: Embedding, max_senses: int | None
) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """WordNet synonym pairs (shared synset among both words' first ``max_senses`` senses) and
    antonym pairs (each lemma of each sense of a word: its antonyms), on exact lemma names."""
    from textattack_bat import resources

    wordnet = resources.wordnet()
    index = embedding.index
    names = set(wordnet.all_lemma_names())
    words = [w for w in embedding.words if w in names]
    every = {w: [lemma.synset() for lemma in wordnet.lemmas(w)] for w in words}
    senses = {w: set(synsets[:max_senses]) for w, synsets in every.items()}
    synonyms: set[tuple[int, int]] = set()
    antonyms: set[tuple[int, int]] = set()
    for word in words:
        i = index[word]
        for synset in every[word]:
            for lemma in synset.lemmas():
                other = lemma.name().lower()
                j = index.get(other)
                if j is not None and j != i and synset in senses[word]:
                    if synset in senses.get(other, ()):
                        synonyms.add((min(i, j), max(i, j)))
                        synonyms |= _inflected_pairs(word, other, synset.pos(), index)
                for antonym in lemma.antonyms():
                    j = index.get(antonym.name().lower())
                    if j is not None and j != i:
                        antonyms.add((min(i, j), max(i, j)))
    return synonyms, antonyms


# WordNet PoS -> the Penn tags of its inflected forms
_INFLECTIONS = {
    "n": ("NNS",),
    "v": ("VBD", "VBG", "VBN", "VBZ"),
    "a": ("JJR", "JJS"),
    "s": ("JJR", "JJS"),
    "r": ("RBR", "RBS"),
}


def _inflected_pairs(a: str, b: str, pos: str, index: dict[str, int]) -> set[tuple[int, int]]:
    """Synonyms ``a``, ``b`` inflected alike (big/large -> bigger/larger), when both forms are
    words of ``index``."""
    from lemminflect import getInflection

    pairs = set()
    for tag in _INFLECTIONS.get(pos, ()):
        forms_a, forms_b = getInflection(a, tag=tag), getInflection(b, tag=tag)
        if forms_a and forms_b:
            i, j = index.get(forms_a[0]), index.get(forms_b[0])
            if i is not None and j is not None and i != j:
                pairs.add((min(i, j), max(i, j)))
    return pairs


def _inflection_pairs(embedding: Embedding) -> set[tuple[int, int]]:
    """(lemma, inflected form) pairs, both words of the embedding, the lemma a WordNet lemma."""
    from lemminflect import getAllInflections

    from textattack_bat import resources

    names = set(resources.wordnet().all_lemma_names())
    index = embedding.index
    pairs = set()
    for word in embedding.words:
        if word in names:
            i = index[word]
            for forms in getAllInflections(word).values():
                for form in forms:
                    j = index.get(form)
                    if j is not None and j != i:
                        pairs.add((min(i, j), max(i, j)))
    return pairs


def _pair_array(pairs: set[tuple[int, int]]) -> np.ndarray:
    return np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
