"""The synonym and antonym tables a trainer uses: loaded from ``BATTrainingArgs.synonym_table`` /
``antonym_table``, or built from the training vocabulary; each logged with its coverage of
that vocabulary, with a warning when the coverage is too small to perturb anything."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

from textattack.shared import logger

from textattack_bat.lexicon.tables import (
    AntonymTable,
    PerturbationTable,
    SynonymTable,
    build_antonym_table,
    build_synonym_table,
    load_embedding,
)

MIN_COVERAGE = 0.05  # below it most copies equal the original


def synonym_table(path: str | None, embedding: str, words: Sequence[str]) -> PerturbationTable:
    if path:
        return SynonymTable.load(path)
    logger.info("No synonym table given: building one from the training vocabulary.")
    vectors = load_embedding(embedding)
    logger.info(f"Synonym source: {vectors.source}.")
    return build_synonym_table(words, vectors, progress=True, vocabulary_source="training data")


def antonym_table(path: str | None, words: Sequence[str]) -> PerturbationTable:
    if path:
        return AntonymTable.load(path)
    return build_antonym_table(words, vocabulary_source="training data")


def report_coverage(table: PerturbationTable | Mapping, kind: str, words: Sequence[str]) -> float:
    """Log the share of ``words`` that ``table`` perturbs; warn below :data:`MIN_COVERAGE`."""
    coverage = (
        table.coverage(words)
        if hasattr(table, "coverage")
        else sum(bool(table.get(w)) for w in words) / max(len(words), 1)
    )
    logger.info(f"{kind} table covers {coverage:.1%} of the {len(words)} training words.")
    if coverage < MIN_COVERAGE:
        warnings.warn(
            f"The {kind} table covers only {coverage:.1%} of the training vocabulary: most "
            f"{kind} copies will equal the original. Check that the table matches the data.",
            RuntimeWarning,
            stacklevel=3,
        )
    return coverage
