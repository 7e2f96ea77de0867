"""Per-epoch perturbations for SAFER and BAT, drawn without querying the model.

Both samplers take a list of examples (tuples of column texts) and return the perturbed copies
plus a 0/1 mask (1 where the copy differs from the original). Word matching is case-insensitive
and the replacement takes the original's casing; everything between words (punctuation,
spacing) is kept. TextFooler's stopwords are never perturbed. Draws come from
``random.Random`` seeded by ``(seed, epoch)``: the same seed and epoch give the same output.
"""

from __future__ import annotations

import random
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from textattack_bat.errors import UsageError
from textattack_bat.lexicon.antonyms import WordNetAntonyms, match_case
from textattack_bat.lexicon.senses import SensePolicy, get_policy
from textattack_bat.lexicon.stopwords import TEXTFOOLER_STOPWORDS
from textattack_bat.lexicon.tokens import WORD

if TYPE_CHECKING:
    from textattack_bat.attack.copies import AttackCopies, Swap

Example = tuple[str, ...]


def _rng(seed: int, epoch: int) -> random.Random:
    return random.Random(seed * 1_000_003 + epoch)


class SynonymSampler:
    """SAFER-style copy: every word is resampled uniformly from ``{word} | table[word]``.

    With ``max_words=k``, only ``k`` randomly chosen word occurrences that have synonyms (across
    all columns) change, each to a uniformly drawn synonym other than the word itself: a copy
    that differs from the original in at most ``k`` words.
    """

    def __init__(
        self,
        table: Mapping[str, Sequence[str]],
        seed: int = 0,
        stopwords: Collection[str] = TEXTFOOLER_STOPWORDS,
        max_words: int | None = None,
    ):
        if max_words is not None and max_words < 1:
            raise UsageError(
                f"max_words={max_words}: give a positive number of words, or None for every word."
            )
        self.choices = {
            word: (word, *candidates)
            for word, candidates in table.items()
            if candidates and word not in stopwords
        }
        self.seed = seed
        self.max_words = max_words

    def perturb(self, text: str, rng: random.Random) -> str:
        choices = self.choices

        def resample(match: re.Match) -> str:
            word = match.group(0)
            options = choices.get(word.lower())
            if options is None:
                return word
            choice = options[int(rng.random() * len(options))]
            return (
                word if choice == options[0] else match_case(word, choice)
            )  # options[0] is the word

        return WORD.sub(resample, text)

    def perturb_some(self, example: Example, rng: random.Random) -> Example:
        """``max_words`` random word occurrences of ``example`` swapped for a synonym."""
        spots = [
            (column, match)
            for column, text in enumerate(example)
            for match in WORD.finditer(text)
            if len(self.choices.get(match.group(0).lower(), ())) > 1
        ]
        chosen = rng.sample(spots, min(self.max_words, len(spots)))
        columns = list(example)
        for column, match in sorted(chosen, key=lambda spot: (spot[0], -spot[1].start())):
            options = self.choices[match.group(0).lower()][1:]
            synonym = match_case(match.group(0), options[int(rng.random() * len(options))])
            text = columns[column]
            columns[column] = text[: match.start()] + synonym + text[match.end() :]
        return tuple(columns)

    def __call__(
        self, examples: Sequence[Example], epoch: int = 0
    ) -> tuple[list[Example], np.ndarray]:
        rng = _rng(self.seed, epoch)
        if self.max_words is None:
            copies = [
                tuple(self.perturb(column, rng) for column in example) for example in examples
            ]
        else:
            copies = [self.perturb_some(tuple(example), rng) for example in examples]
        mask = np.array(
            [copy != example for copy, example in zip(copies, examples)], dtype=np.float32
        )
        return copies, mask


class AntonymCopy(NamedTuple):
    """One one-word antonym copy of an example: which column and word changed, and whether the
    swapped word is shared with another column (:mod:`textattack_bat.training.relevance`)."""

    example: Example
    column: int
    word: str
    shared: bool


POSITIONS = ("any", "shared")
# what BAT's antonym copies are (BATTrainingArgs.antonym_copies): the antonym attack's
# candidates (inflected, cased, PoS-checked) or the paper's bare WordNet lemmas from a table
ANTONYM_COPIES = ("lemmas", "attack")
# where BAT's negative copies come from (BATTrainingArgs.negative_source)
NEGATIVE_SOURCES = ("antonym", "negation", "both")


class OneEditSampler:
    """A sampler of one-edit copies: :meth:`perturb` makes one copy of an example or None. Rows
    whose label is in ``skip_labels`` (NLI neutral, QQP not-duplicate) or that have no edit are
    returned unchanged with mask 0."""

    skip_labels: frozenset[int] = frozenset()
    seed: int = 0

    def perturb(self, example: Example, rng: random.Random) -> Example | None:
        raise NotImplementedError

    def prepare(self, examples: Sequence[Example], labels: Sequence[int]) -> None:
        """Work for all rows done in bulk before the row-by-row draws (none by default)."""

    def __call__(
        self, examples: Sequence[Example], labels: Sequence[int], epoch: int = 0
    ) -> tuple[list[Example], np.ndarray]:
        self.prepare(examples, labels)
        rng = _rng(self.seed, epoch)
        copies, mask = [], np.zeros(len(examples), dtype=np.float32)
        for i, (example, label) in enumerate(zip(examples, labels)):
            copy = None if int(label) in self.skip_labels else self.perturb(tuple(example), rng)
            copies.append(example if copy is None else copy)
            mask[i] = copy is not None
        return copies, mask


class AntonymSampler(OneEditSampler):
    """One-word antonym copy: a random column that has a word with an antonym, a random such
    word in it, a random antonym of it (rows with a skipped label or no such word: unchanged,
    mask 0).

    ``senses`` (:mod:`textattack_bat.lexicon.senses`; None: ``DEFAULT_SENSES``): with a policy
    other than ``all``, a word's
    antonyms are those of ``table`` that the policy offers for the word in its sentence (each
    distinct text is tagged and scored once per sampler). ``positions="shared"``: where the
    example has a word shared with another column that has an antonym, only such words are
    swapped (:mod:`textattack_bat.training.relevance`); ``any`` (the paper's) draws from every word.

    ``copies`` (an :class:`~textattack_bat.attack.copies.AttackCopies`, instead of ``table``):
    the candidates are exactly the copies the antonym attack tries on the example (inflected
    like the word, in its case, PoS-checked, under the attack's sense policy and stopwords), drawn
    the same way: a column, a word, one of its copies. ``senses`` and ``stopwords`` are then
    the attack's.
    """

    def __init__(
        self,
        table: Mapping[str, Sequence[str]] | None = None,
        skip_labels: Iterable[int] = (),
        seed: int = 0,
        stopwords: Collection[str] = TEXTFOOLER_STOPWORDS,
        senses: str | SensePolicy | None = None,
        positions: str = "any",
        copies: AttackCopies | None = None,
    ):
        if positions not in POSITIONS:
            raise UsageError(f"positions={positions!r}: choose one of {list(POSITIONS)}.")
        if (table is None) == (copies is None):
            raise UsageError(
                "AntonymSampler needs exactly one source: an antonym table (bare lemmas, the "
                "paper's copies) or copies=AttackCopies(...) (the attack's candidates)."
            )
        self.copies = copies
        table = {} if table is None else table
        self.antonyms = {w: tuple(c) for w, c in table.items() if c and w not in stopwords}
        self.skip_labels = frozenset(int(label) for label in skip_labels)
        self.seed = seed
        self.policy = get_policy(senses)
        self.positions = positions
        self._lookup = None
        self._spots: dict[str, tuple[tuple[int, int, tuple[str, ...]], ...]] = {}

    def spots(self, text: str) -> tuple[tuple[int, int, tuple[str, ...]], ...]:
        """``(start, end, antonyms)`` of each word of ``text`` that can be swapped."""
        if self.policy.name == "all":
            return tuple(
                (m.start(), m.end(), self.antonyms[m.group(0).lower()])
                for m in WORD.finditer(text)
                if m.group(0).lower() in self.antonyms
            )
        if text not in self._spots:
            self._spots[text] = self._spots_in_context(text)
        return self._spots[text]

    def _context_lookup(self) -> WordNetAntonyms:
        if self._lookup is None:
            self._lookup = WordNetAntonyms(inflect=False, keep_case=False, senses=self.policy)
        return self._lookup

    def prepare(self, examples: Sequence[Example], labels: Sequence[int]) -> None:
        """The sense decisions of every new text of the attacked rows, encoded in one call (the
        ``context`` policy); :meth:`spots` then finds them cached."""
        if self.copies is not None:
            kept = [e for e, label in zip(examples, labels) if int(label) not in self.skip_labels]
            self.copies.prefetch(kept)
            return
        if self.policy.name == "all":
            return
        new = {
            text: None
            for example, label in zip(examples, labels)
            if int(label) not in self.skip_labels
            for text in example
            if text not in self._spots
        }
        self._context_lookup().prefetch(list(new), self.antonyms)

    def _spots_in_context(self, text: str):
        found = []
        for start, end, offered in self._context_lookup().in_text(text, self.antonyms):
            options = tuple(a for a in self.antonyms[text[start:end].lower()] if a in offered)
            if options:
                found.append((start, end, options))
        return tuple(found)

    def _swaps(self, example: Example) -> list[tuple[Swap, bool]]:
        """The attack's copies of ``example`` with whether each swapped word is shared; only the
        shared ones when ``positions="shared"`` and there are any."""
        from textattack_bat.training.relevance import is_shared

        swaps = [(s, is_shared(example, s.column, s.word)) for s in self.copies(example)]
        if self.positions == "shared" and any(shared for _, shared in swaps):
            swaps = [s for s in swaps if s[1]]
        return swaps

    def _perturb_from_copies(self, example: Example, rng: random.Random) -> Example | None:
        swaps = [swap for swap, _ in self._swaps(example)]
        if not swaps:
            return None
        columns = sorted({s.column for s in swaps})
        column = columns[int(rng.random() * len(columns))]
        indices = sorted({s.index for s in swaps if s.column == column})
        index = indices[int(rng.random() * len(indices))]
        options = [s for s in swaps if s.index == index]
        return options[int(rng.random() * len(options))].example

    def _example_spots(self, example: Example) -> list[tuple[int, tuple, bool]]:
        """``(column, spot, shared)`` of every swappable word; only the shared ones when
        ``positions="shared"`` and there are any."""
        from textattack_bat.training.relevance import is_shared

        spots = [
            (column, spot, is_shared(example, column, text[spot[0] : spot[1]]))
            for column, text in enumerate(example)
            for spot in self.spots(text)
        ]
        if self.positions == "shared" and any(shared for _, _, shared in spots):
            spots = [s for s in spots if s[2]]
        return spots

    def perturb(self, example: Example, rng: random.Random) -> Example | None:
        if self.copies is not None:
            return self._perturb_from_copies(example, rng)
        if self.positions == "any":
            spots = [
                (column, spot) for column, text in enumerate(example) for spot in self.spots(text)
            ]
        else:
            spots = [(column, spot) for column, spot, _ in self._example_spots(example)]
        if not spots:
            return None
        columns = sorted({column for column, _ in spots})
        column = columns[int(rng.random() * len(columns))]
        in_column = [spot for c, spot in spots if c == column]
        start, end, options = in_column[int(rng.random() * len(in_column))]
        text = example[column]
        antonym = match_case(text[start:end], options[int(rng.random() * len(options))])
        swapped = text[:start] + antonym + text[end:]
        return example[:column] + (swapped,) + example[column + 1 :]

    def candidates(self, example: Example, rng: random.Random, k: int) -> list[AntonymCopy]:
        """Up to ``k`` distinct one-word antonym copies (every swap the sampler allows, in a
        random order drawn from ``rng``)."""
        if self.copies is not None:
            copies = [
                AntonymCopy(s.example, s.column, s.word, sh) for s, sh in self._swaps(example)
            ]
        else:
            copies = []
            for column, (start, end, options), shared in self._example_spots(example):
                text = example[column]
                for antonym in options:
                    swapped = text[:start] + match_case(text[start:end], antonym) + text[end:]
                    copy = example[:column] + (swapped,) + example[column + 1 :]
                    copies.append(AntonymCopy(copy, column, text[start:end], shared))
        rng.shuffle(copies)
        return copies[:k]

    def candidate_lists(
        self, examples: Sequence[Example], labels: Sequence[int], epoch: int, k: int
    ) -> list[list[AntonymCopy]]:
        """:meth:`candidates` of every row (none for a skipped label), for ``epoch``."""
        self.prepare(examples, labels)
        rng = _rng(self.seed, epoch)
        return [
            [] if int(label) in self.skip_labels else self.candidates(tuple(example), rng, k)
            for example, label in zip(examples, labels)
        ]


class NegationSampler(OneEditSampler):
    """One-edit negation copy: a random column that has a negation edit, a random one of its
    edits (:func:`textattack_bat.lexicon.negation.copies`: a negation inserted at a verb or
    removed, the candidates of the ``negation-under`` attack). Each distinct text is tagged and
    edited once per sampler."""

    def __init__(self, skip_labels: Iterable[int] = (), seed: int = 0):
        self.skip_labels = frozenset(int(label) for label in skip_labels)
        self.seed = seed
        self._copies: dict[str, tuple[str, ...]] = {}

    def copies(self, text: str) -> tuple[str, ...]:
        """Every one-edit negation of ``text``, in word order."""
        if text not in self._copies:
            from textattack_bat.lexicon import negation

            self._copies[text] = negation.copies(text)
        return self._copies[text]

    def perturb(self, example: Example, rng: random.Random) -> Example | None:
        columns = [column for column, text in enumerate(example) if self.copies(text)]
        if not columns:
            return None
        column = columns[int(rng.random() * len(columns))]
        options = self.copies(example[column])
        return (
            example[:column] + (options[int(rng.random() * len(options))],) + example[column + 1 :]
        )


class EitherSampler:
    """Each row's copy from one of ``samplers``: drawn uniformly among those that give the row a
    copy (mask 1), so a row that has only one kind of copy gets that one; mask 0 where none does.
    ``EitherSampler([antonyms, negations])`` is BAT's ``negative_source="both"``."""

    def __init__(self, samplers: Sequence[OneEditSampler], seed: int = 0):
        if not samplers:
            raise UsageError("EitherSampler needs at least one sampler.")
        self.samplers = tuple(samplers)
        self.seed = seed

    def __call__(
        self, examples: Sequence[Example], labels: Sequence[int], epoch: int = 0
    ) -> tuple[list[Example], np.ndarray]:
        drawn = [sampler(examples, labels, epoch) for sampler in self.samplers]
        rng = _rng(self.seed, epoch)
        copies, mask = [], np.zeros(len(examples), dtype=np.float32)
        for i, example in enumerate(examples):
            found = [k for k, (_, sampler_mask) in enumerate(drawn) if sampler_mask[i]]
            if len(found) > 1:
                found = [found[int(rng.random() * len(found))]]
            copies.append(drawn[found[0]][0][i] if found else example)
            mask[i] = bool(found)
        return copies, mask
