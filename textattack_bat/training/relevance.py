"""Relevant antonym positions, and the label an antonym swap there implies.

A one-word antonym swap changes the label of a pair only where the word matters to the other
side: in "A man is outside." / "A man is inside." the swapped word answers the premise, in
"A man in a red shirt sleeps." / "A man sleeps." a swap of *red* changes nothing. The signal used
here is lexical overlap: a word is *shared* when one of its lemmas (WordNet's morphy,
lemminflect) is a lemma of some word of another column. For a shared word the task registry
(:attr:`~textattack_bat.tasks.Task.antonym_flips`) gives the implied label: NLI entailment ->
contradiction, paraphrase duplicate -> not duplicate; any other row gets no label (None).
"""

from __future__ import annotations

from collections.abc import Sequence

from textattack_bat.lexicon.synonym_filters import lemmas
from textattack_bat.lexicon.tokens import WORD


def text_lemmas(text: str) -> frozenset[str]:
    """Every lemma of every word of ``text`` (lower-cased)."""
    return frozenset(lemma for m in WORD.finditer(text) for lemma in lemmas(m.group(0).lower()))


def is_shared(example: Sequence[str], column: int, word: str) -> bool:
    """Whether a lemma of ``word`` (from ``example[column]``) occurs in another column."""
    others = frozenset().union(*(text_lemmas(t) for c, t in enumerate(example) if c != column))
    return bool(lemmas(word.lower()) & others)


def inferred_label(flips: dict[int, int], label: int, shared: bool) -> int | None:
    """The label of a copy whose antonym swap hit a shared word (``flips[label]``), else None."""
    return flips.get(int(label)) if shared else None
