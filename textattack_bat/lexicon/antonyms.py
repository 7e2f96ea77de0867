"""WordNet antonym candidates: the one candidate logic shared by the antonym WordSwap, the
antonym table and the BAT antonym sampler.

Rule (Chen, Ji & Evans 2022, section 2): for each synset of the word, each lemma's antonyms;
multi-word antonyms are dropped; the word itself is never a candidate. Beyond the authors:
synsets are restricted to the word's part of speech in context when the tagger's PoS is one
WordNet knows the word in; the antonym is inflected like the original (bigger -> smaller,
buries -> remembers, via lemminflect) and takes the original's casing (Good -> Bad).
Candidate order is WordNet's (deterministic, independent of PYTHONHASHSEED). Which senses give
antonyms is a sense policy (:mod:`textattack_bat.lexicon.senses`); ``all`` is the authors' rule.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from functools import lru_cache

from textattack_bat.lexicon.senses import SensePolicy, get_policy
from textattack_bat.lexicon.tokens import WORD, penn_tags

# Penn Treebank tag prefix -> WordNet PoS
_PENN_TO_WORDNET = {"JJ": "a", "RB": "r", "NN": "n", "VB": "v"}
# Penn tags whose form is an inflection of the lemma (the others are base forms)
_INFLECTED_TAGS = frozenset({"JJR", "JJS", "RBR", "RBS", "NNS", "VBD", "VBG", "VBN", "VBZ"})


def wordnet_pos(penn_tag: str | None) -> str | None:
    """'VBZ' -> 'v', 'JJR' -> 'a', 'DT' -> None."""
    if not penn_tag:
        return None
    return _PENN_TO_WORDNET.get(penn_tag[:2])


def match_case(template: str, word: str) -> str:
    """Give ``word`` the casing of ``template``: Good/bad -> Bad, GOOD/bad -> BAD."""
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _tagged_spots(text: str, wanted: Container[str]) -> tuple[list, tuple[str, ...], list[int]]:
    """The word matches of ``text``, their Penn tags (only when some word is wanted) and the
    indices of the words whose lower-case form is in ``wanted``."""
    matches = list(WORD.finditer(text))
    spots = [i for i, m in enumerate(matches) if m.group(0).lower() in wanted]
    tags = penn_tags(tuple(m.group(0) for m in matches)) if spots else ()
    return matches, tags, spots


class WordNetAntonyms:
    """Callable antonym lookup: ``antonyms("bigger", "JJR") -> ["smaller", "littler"]``.

    With a sense policy other than ``all`` (:mod:`textattack_bat.lexicon.senses`) and the word's sentence
    (``context=(words, index)``), only the senses the policy keeps for that sentence give
    antonyms; without a sentence every sense is kept.

    Args:
        inflect: inflect antonym lemmas like the original word (False: bare lemmas, as the authors).
        keep_case: give candidates the original's casing.
        senses: sense policy name or :class:`~textattack_bat.lexicon.senses.SensePolicy`.
        indirect: a satellite adjective sense (WordNet ``s``, no antonym of its own) takes the
            antonyms of its head sense (scorching -> cold via hot); False: it gives none.
    """

    def __init__(
        self,
        inflect: bool = True,
        keep_case: bool = True,
        senses: str | SensePolicy | None = None,
        indirect: bool = False,
    ):
        from textattack_bat import resources

        resources.wordnet()  # fail now, with the fix, when WordNet is missing
        self.inflect = inflect
        self.keep_case = keep_case
        self.policy = get_policy(senses)
        self.indirect = indirect

    @property
    def senses(self) -> str:
        return self.policy.name

    def __getstate__(self) -> dict:
        return dict(self.__dict__)  # no reader in the state: the instance pickles for workers

    def __call__(
        self,
        word: str,
        penn_tag: str | None = None,
        context: tuple[Sequence[str], int] | None = None,
    ) -> list[str]:
        candidates = self._candidates(word, penn_tag, context)
        if self.keep_case:
            candidates = [match_case(word, c) for c in candidates]
        return candidates

    def has_antonym(
        self,
        word: str,
        penn_tag: str | None = None,
        context: tuple[Sequence[str], int] | None = None,
    ) -> bool:
        return bool(self._candidates(word, penn_tag, context))

    def in_text(self, text: str, wanted: Container[str]) -> list[tuple[int, int, list[str]]]:
        """``(start, end, antonyms)`` for each word of ``text`` whose lower-case form is in
        ``wanted``: the antonyms offered for it in this sentence (``text`` tagged once)."""
        matches, tags, spots = _tagged_spots(text, wanted)
        tokens = [m.group(0) for m in matches]
        return [
            (matches[i].start(), matches[i].end(), self(tokens[i], tags[i], (tokens, i)))
            for i in spots
        ]

    def prefetch(self, texts: Sequence[str], wanted: Container[str]) -> None:
        """Prepare the sense decisions that :meth:`in_text` makes on each of ``texts`` (the
        ``context`` policy encodes all their sentences and senses in one call)."""
        if self.policy.name == "all":
            return
        sentences = []
        for text in texts:
            matches, tags, spots = _tagged_spots(text, wanted)
            sentences.append(([m.group(0) for m in matches], tags, spots))
        self.prefetch_sentences(sentences)

    def prefetch_sentences(
        self, sentences: Sequence[tuple[Sequence[str], Sequence[str], Sequence[int]]]
    ) -> None:
        """:meth:`prefetch` for tokenised sentences: ``(tokens, Penn tags, indices)``, the
        decisions for ``tokens[i]`` in context, ``i`` in indices, prepared in one call."""
        if self.policy.name == "all":
            return
        requests = []
        for tokens, tags, indices in sentences:
            for i in indices:
                word, pos = tokens[i].lower(), wordnet_pos(tags[i])
                if self._lemma_antonyms(word, pos):
                    requests.append((self._synsets(word, pos), tokens, i))
        self.policy.prefetch(requests)

    def _candidates(self, word, penn_tag, context) -> tuple[str, ...]:
        word, pos = word.lower(), wordnet_pos(penn_tag)
        lemmas = self._lemma_antonyms(word, pos)  # every sense: a superset of any policy's
        if lemmas and self.policy.name != "all":
            if context is not None or not self.policy.needs_context:
                words, index = context if context is not None else ((), 0)
                kept = self.policy.select(self._synsets(word, pos), words, index)
                lemmas = self._antonyms_of(word, tuple(kept))
        return self._inflect(lemmas, word, penn_tag if self.inflect else None)

    def _synsets(self, word: str, pos: str | None) -> tuple:
        return synsets_of(word, pos)

    def _lemma_antonyms(self, word: str, pos: str | None) -> tuple[str, ...]:
        return antonyms_of(word, synsets_of(word, pos), self.indirect)

    def _antonyms_of(self, word: str, synsets) -> tuple[str, ...]:
        return antonyms_of(word, tuple(synsets), self.indirect)

    def _inflect(self, lemmas: tuple[str, ...], word: str, penn_tag: str | None) -> tuple[str, ...]:
        return inflect_like(lemmas, word, penn_tag)


# WordNet look-ups, cached by value (not on instances, which a cache would keep alive).


@lru_cache(maxsize=2**16)
def synsets_of(word: str, pos: str | None) -> tuple:
    """WordNet's synsets of ``word`` in ``pos``; every PoS where that gives none."""
    from nltk.corpus import wordnet

    synsets = wordnet.synsets(word, pos=pos) if pos else []
    if not synsets:  # PoS unknown, or WordNet does not know the word in that PoS
        synsets = wordnet.synsets(word)
    return tuple(synsets)


@lru_cache(maxsize=2**16)
def antonyms_of(word: str, synsets: tuple, indirect: bool = False) -> tuple[str, ...]:
    """The one-word antonym lemmas of ``synsets``' lemmas (with ``indirect``, a satellite
    adjective's also through its head senses), lower-cased, first seen first, ``word`` left out."""
    seen: dict[str, None] = {}
    for synset in synsets:
        sources = [synset]
        if indirect and synset.pos() == "s":
            sources += synset.similar_tos()
        for source in sources:
            for lemma in source.lemmas():
                for antonym in lemma.antonyms():
                    name = antonym.name()
                    if name.isalpha() and name.lower() != word:  # no multi-word, hyphenated
                        seen.setdefault(name.lower(), None)
    return tuple(seen)


@lru_cache(maxsize=2**16)
def inflect_like(lemmas: tuple[str, ...], word: str, penn_tag: str | None) -> tuple[str, ...]:
    """Each lemma inflected for ``penn_tag`` (lemminflect), as ``word`` is; ``word`` itself and
    forms that are not one alphabetic word left out; bare lemmas for an uninflected tag."""
    if penn_tag not in _INFLECTED_TAGS:
        return lemmas
    from lemminflect import getInflection

    inflected: dict[str, None] = {}
    for lemma in lemmas:
        forms = getInflection(lemma, tag=penn_tag)
        form = forms[0] if forms else lemma
        if form.isalpha() and form != word:
            inflected.setdefault(form, None)
    return tuple(inflected)
