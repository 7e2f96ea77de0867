"""What a synonym candidate must pass: ``filter(word, candidate) -> bool`` (True keeps it).

Embedding neighbours are similar words, not only synonyms. The filters remove what is certainly
not a meaning-preserving swap of ``word`` (both lower case):

- ``antonym``: a WordNet antonym of the word in any sense (also in another inflection: bigger ->
  smaller), or a pair of the PPDB / WordNet antonym files;
- ``function-word``: a function word (stopword, auxiliary) for a word that is not one;
- ``inflection``: another form of the word itself (dog -> dogs, play -> played);
- ``form``: a word that cannot take the word's part of speech and inflection (big -> larger, dog
  -> hounds, big -> money): the two must share a Penn tag among the forms lemminflect knows for
  them; a word lemminflect does not know passes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence

from textattack_bat.errors import UsageError

SynonymFilter = Callable[[str, str], bool]

DEFAULT_FILTERS = ("antonym", "function-word", "inflection", "form")


@functools.lru_cache(maxsize=1)
def _wordnet():
    from textattack_bat import resources

    return resources.wordnet()  # checked once: the check looks on disk


@functools.lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    """TextFooler's stopwords, the auxiliaries and NLTK's English stopwords (bundled corpus)."""
    from nltk.corpus import stopwords

    from textattack_bat import resources
    from textattack_bat.lexicon.stopwords import AUXILIARIES, TEXTFOOLER_STOPWORDS

    resources.require_nltk("stopwords")
    return TEXTFOOLER_STOPWORDS | AUXILIARIES | frozenset(stopwords.words("english"))


@functools.lru_cache(maxsize=2**17)
def lemmas(word: str) -> frozenset[str]:
    """The word and its lemmas (lemminflect's, and WordNet's morphy for each PoS)."""
    from lemminflect import getAllLemmas

    wordnet = _wordnet()
    found = {word}
    for forms in getAllLemmas(word).values():
        found.update(forms)
    for pos in "nvar":
        lemma = wordnet.morphy(word, pos)
        if lemma:
            found.add(lemma)
    return frozenset(found)


@functools.lru_cache(maxsize=2**17)
def penn_forms(word: str) -> frozenset[str]:
    """Penn tags the word can have as a form of one of its lemmas ('larger' -> {'JJR'})."""
    from lemminflect import getAllInflections, getAllLemmas

    tags = set()
    for upos, forms in getAllLemmas(word).items():
        for lemma in forms:
            for tag, inflected in getAllInflections(lemma, upos=upos).items():
                if word == inflected[0]:  # the preferred spelling only ('dog' is no NNS)
                    tags.add(tag)
    return frozenset(tags)


class NotAntonym:
    """Drops WordNet antonyms (of any sense, any inflection) and antonym-file pairs."""

    name = "antonym"

    def __init__(self, sources: Sequence[str] = ("ppdb", "wordnet")):
        from textattack_bat.lexicon.antonyms import WordNetAntonyms
        from textattack_bat.lexicon.lexical import antonym_pairs_of_files

        self._wordnet = WordNetAntonyms(inflect=False, keep_case=False)
        by_word: dict[str, list[str]] = {}
        for a, b in sorted(antonym_pairs_of_files(tuple(sources))):
            by_word.setdefault(a, []).append(b)
        self._files = {a: frozenset(bs) for a, bs in by_word.items()}
        self._cache: dict[str, frozenset[str]] = {}

    def antonym_lemmas(self, word: str) -> frozenset[str]:
        """Antonyms of every lemma of ``word``, from WordNet and the antonym files."""
        if word not in self._cache:
            found: set[str] = set()
            for lemma in lemmas(word):
                found.update(self._wordnet(lemma))
                found.update(self._files.get(lemma, ()))
            self._cache[word] = frozenset(found)
        return self._cache[word]

    def __call__(self, word: str, candidate: str) -> bool:
        return not (lemmas(candidate) & self.antonym_lemmas(word))


class NotFunctionWord:
    """Drops function words (stopwords, auxiliaries) from the set of a content word."""

    name = "function-word"

    def __init__(self):
        self.words = function_words()

    def __call__(self, word: str, candidate: str) -> bool:
        return word in self.words or candidate not in self.words


class NotInflection:
    """Drops other forms of the word itself (a shared lemma)."""

    name = "inflection"

    def __call__(self, word: str, candidate: str) -> bool:
        return not (lemmas(word) & lemmas(candidate))


class SameForm:
    """Keeps a candidate that can take one of the word's part-of-speech-and-inflection tags."""

    name = "form"

    def __call__(self, word: str, candidate: str) -> bool:
        tags, other = penn_forms(word), penn_forms(candidate)
        return not tags or not other or bool(tags & other)


FILTERS: dict[str, type] = {
    f.name: f for f in (NotAntonym, NotFunctionWord, NotInflection, SameForm)
}


def build_filters(filters: Iterable[str | SynonymFilter] = DEFAULT_FILTERS) -> list[SynonymFilter]:
    """Filter instances from names (:data:`FILTERS`) or callables."""
    built = []
    for f in filters:
        if isinstance(f, str):
            if f not in FILTERS:
                raise UsageError(
                    f"Unknown synonym filter {f!r}; choose from {sorted(FILTERS)} "
                    "(or pass a callable (word, candidate) -> bool)."
                )
            f = FILTERS[f]()
        built.append(f)
    return built


def filter_names(filters: Iterable[SynonymFilter]) -> list[str]:
    return [getattr(f, "name", getattr(f, "__name__", type(f).__name__)) for f in filters]


def synonym_statistics(entries: Mapping[str, Sequence[str]]) -> dict:
    """Per-table figures: words, share with a candidate, mean set size, and the shares of
    candidates that are WordNet synonyms of the word in some sense (a shared synset; other forms
    of the word itself not counted), antonyms (:class:`NotAntonym`'s rule), and function words
    in the sets of content words."""
    wordnet = _wordnet()
    antonym, function_word, inflection = NotAntonym(), NotFunctionWord(), NotInflection()
    pairs = [(w, c) for w in sorted(entries) for c in entries[w]]
    n = max(len(pairs), 1)
    synsets: dict[str, frozenset] = {}

    def senses(word: str) -> frozenset:
        if word not in synsets:
            synsets[word] = frozenset(wordnet.synsets(word))
        return synsets[word]

    shares = {
        "wordnet_synonym_share": sum(
            inflection(w, c) and bool(senses(w) & senses(c)) for w, c in pairs
        ),
        "antonym_share": sum(not antonym(w, c) for w, c in pairs),
        "function_word_share": sum(not function_word(w, c) for w, c in pairs),
    }
    return {
        "words": len(entries),
        "with_candidates": round(sum(bool(c) for c in entries.values()) / max(len(entries), 1), 4),
        "mean_set_size": round(len(pairs) / max(len(entries), 1), 3),
        **{name: round(count / n, 4) for name, count in shares.items()},
    }
