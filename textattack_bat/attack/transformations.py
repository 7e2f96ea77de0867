"""Word swaps: WordNet antonyms (undersensitivity) and table look-ups (synonym or antonym tables);
negation inserted or removed at one verb (or either)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

from textattack.shared import AttackedText
from textattack.transformations import WordSwap

from textattack_bat.lexicon import negation
from textattack_bat.lexicon.antonyms import WordNetAntonyms, match_case
from textattack_bat.lexicon.senses import SensePolicy
from textattack_bat.lexicon.tokens import penn_tags as _penn_tags


@lru_cache(maxsize=4096)
def _column_words(column: str) -> tuple[str, ...]:
    return tuple(AttackedText(column).words)


def column_context(text: AttackedText, index: int) -> tuple[tuple[str, ...], int]:
    """The words of the input column holding ``text.words[index]`` and its index there."""
    start = 0
    for column in text._text_input.values():
        words = _column_words(column)
        if index < start + len(words):
            return words, index - start
        start += len(words)
    return tuple(text.words), index  # tokenisation across columns disagreed: the whole text


def penn_tags(text: AttackedText) -> tuple[str, ...]:
    """Penn Treebank tags of ``text.words``, tagged column by column (cached)."""
    tags: list[str] = []
    for column in text._text_input.values():
        tags.extend(_penn_tags(_column_words(column)))
    if len(tags) != len(text.words):  # tokenisation across columns disagreed: tag all at once
        return _penn_tags(tuple(text.words))
    return tuple(tags)


class EditableIndicesOnly:
    """A transformation mix-in that offers only the words it has an edit for: the modifiable
    indices are those passing the pre-transformation constraints *and* :meth:`_editable`, so a
    word-importance ranking never spends a model query on a word it cannot change."""

    def __call__(
        self,
        current_text,
        pre_transformation_constraints=(),
        indices_to_modify=None,
        shifted_idxs=False,
        return_indices=False,
    ):
        indices = super().__call__(
            current_text,
            pre_transformation_constraints,
            indices_to_modify,
            shifted_idxs,
            return_indices=True,
        )
        indices = {i for i in indices if self._editable(current_text, i)}
        if return_indices:
            return indices
        return super().__call__(current_text, [], indices)

    def _editable(self, text: AttackedText, index: int) -> bool:
        raise NotImplementedError


class SwappableWordSwap(EditableIndicesOnly, WordSwap):
    """A WordSwap that offers only the words it has a candidate for."""

    def _editable(self, text: AttackedText, index: int) -> bool:
        return bool(self._candidates(text, index))

    def _candidates(self, text: AttackedText, index: int) -> list[str]:
        """Replacements for ``text.words[index]`` (context-free by default)."""
        return self._get_replacement_words(text.words[index])


class WordSwapAntonym(SwappableWordSwap):
    """Swap a word for one of its WordNet antonyms (see :mod:`textattack_bat.lexicon.antonyms`).

    Only words that have an antonym are offered for modification, so the search never ranks or
    queries words it cannot swap.

    Args:
        inflect: inflect the antonym like the original (bigger -> smaller); False gives bare
            WordNet lemmas as in the authors' code.
        keep_case: keep the original's casing (Good -> Bad).
        use_pos: restrict WordNet synsets to the word's part of speech in context.
        senses: which senses of the word in its sentence give antonyms
            (:mod:`textattack_bat.lexicon.senses`: ``all``, ``first-sense``, ``lesk``, ``context``).
    """

    def __init__(
        self,
        inflect: bool = True,
        keep_case: bool = True,
        use_pos: bool = True,
        senses: str | SensePolicy | None = None,
    ):
        super().__init__()
        self.inflect = inflect
        self.keep_case = keep_case
        self.use_pos = use_pos
        self.antonyms = WordNetAntonyms(inflect=inflect, keep_case=keep_case, senses=senses)
        self.senses = self.antonyms.senses

    def _candidates(self, text: AttackedText, index: int) -> list[str]:
        word, tag = text.words[index], (penn_tags(text)[index] if self.use_pos else None)
        if not self.antonyms.policy.needs_context or not self.antonyms.has_antonym(word, tag):
            return self.antonyms(word, tag)  # no sentence needed, or no sense has an antonym
        return self.antonyms(word, tag, column_context(text, index))

    def prefetch(self, texts: Sequence[AttackedText]) -> None:
        """Prepare, in one call, the sense decisions :meth:`_candidates` makes on every word of
        ``texts`` (the ``context`` policy encodes all their sentences at once)."""
        if not self.antonyms.policy.needs_context:
            return
        sentences = []
        for text in texts:
            for column in text._text_input.values():
                words = _column_words(column)
                tags = _penn_tags(words) if self.use_pos else (None,) * len(words)
                sentences.append((words, tags, range(len(words))))
        self.antonyms.prefetch_sentences(sentences)

    def _get_transformations(self, current_text, indices_to_modify):
        transformed = []
        for index in sorted(indices_to_modify):
            for word in self._candidates(current_text, index):
                transformed.append(current_text.replace_word_at_index(index, word))
        return transformed

    def _get_replacement_words(self, word):  # WordSwap's abstract hook; PoS-free look-up
        return self.antonyms(word)

    def extra_repr_keys(self):
        return ["inflect", "keep_case", "use_pos", "senses"]


class WordSwapTable(SwappableWordSwap):
    """Swap a word for its entries in a perturbation table (``{word: [candidates]}``).

    Look-ups are case-insensitive and candidates take the original's casing, so capitalised
    words are perturbed too (the authors' version never matched them). Only words with at least
    one candidate are modifiable, so a word-importance ranking never spends a query on the others.

    Args:
        table: a :class:`~textattack_bat.lexicon.tables.PerturbationTable` or a plain mapping.
        max_candidates: at most this many candidates per word (table order), -1 for all.
    """

    def __init__(self, table: Mapping[str, Sequence[str]], max_candidates: int = -1):
        super().__init__()
        self.table = table
        self.max_candidates = max_candidates

    def _get_replacement_words(self, word: str) -> list[str]:
        entries = self.table.get(word.lower(), ())
        if self.max_candidates >= 0:
            entries = entries[: self.max_candidates]
        return [match_case(word, entry) for entry in entries if entry != word.lower()]

    def extra_repr_keys(self):
        return ["max_candidates"]


class _Negation(EditableIndicesOnly, WordSwap):
    """One negation edit per candidate (:mod:`textattack_bat.lexicon.negation`), made at a word of
    ``indices_to_modify``; each column is tagged on its own, so no rule looks across columns.
    Only words with an edit are offered for modification. A ``WordSwap`` (an edit replaces a word
    by zero to three words) so that TextAttack's greedy word-ranking searches accept it."""

    rule = None  # negation.insertions, negation.deletions or negation.edits

    @property
    def deterministic(self) -> bool:
        return True

    @staticmethod
    def _place(text: AttackedText, index: int) -> tuple[tuple[str, ...], int, int]:
        """``(column words, index in them, the column's first word)`` of ``text.words[index]``."""
        words, local = column_context(text, index)
        return words, local, index - local

    def _editable(self, text: AttackedText, index: int) -> bool:
        words, local, _ = self._place(text, index)
        return bool(type(self).rule(words, _penn_tags(words), local))

    def _get_transformations(self, current_text: AttackedText, indices_to_modify):
        places = (self._place(current_text, i) for i in sorted(indices_to_modify))
        return negation.edited_texts(current_text, places, type(self).rule)


class WordInsertionNegation(_Negation):
    """Negate one verb: ``is -> is not / isn't``, ``plays -> does not play / doesn't play``,
    ``can swim -> cannot swim / can't swim``, ``playing -> not playing`` (Niu & Bansal 2018)."""

    rule = staticmethod(negation.insertions)


class WordDeletionNegation(_Negation):
    """Remove one negation: ``isn't -> is``, ``doesn't play -> plays``, ``won't -> will``,
    ``never`` and ``no`` (before a plural noun) deleted; ``not only`` kept."""

    rule = staticmethod(negation.deletions)


class WordNegation(_Negation):
    """Insert or remove one negation: the candidates of :class:`WordInsertionNegation` and
    :class:`WordDeletionNegation` together, in word order (the negation recipes' transformation)."""

    rule = staticmethod(negation.edits)
