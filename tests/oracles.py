"""Independent oracles for antonym checks: NLTK's WordNet API and lemminflect, called directly
(never the package's WordNetAntonyms)."""

from __future__ import annotations


def lemmas(word: str) -> set[str]:
    """The word and its lemmas by WordNet's morphy and by lemminflect (e.g. evillest -> evil)."""
    from lemminflect import getAllLemmas, getAllLemmasOOV
    from nltk.corpus import wordnet as wn

    word = word.lower()
    found = {word} | {wn.morphy(word, pos) for pos in "nvar"} - {None}
    found |= {lemma for forms in getAllLemmas(word).values() for lemma in forms}
    for upos in ("ADJ", "VERB", "NOUN", "ADV"):
        found |= {lemma for forms in getAllLemmasOOV(word, upos).values() for lemma in forms}
    return found


def is_wordnet_antonym(old: str, new: str) -> bool:
    """Some lemma of some WordNet synset of ``old`` has an antonym that is a lemma of ``new``."""
    from nltk.corpus import wordnet as wn

    old_lemmas, new_lemmas = lemmas(old), lemmas(new)
    for lemma_name in old_lemmas:
        for synset in wn.synsets(lemma_name):
            for lemma in synset.lemmas():
                if any(a.name().lower() in new_lemmas for a in lemma.antonyms()):
                    return True
    return False


NEGATORS = r"\b(?:not|never|no|cannot)\b|n't\b"  # hand-listed negation markers


def negation_markers(text: str) -> int:
    """How many negation markers ``text`` holds (``not``, ``n't``, ``never``, ``no``, ``cannot``)."""
    import re

    return len(re.findall(NEGATORS, text, flags=re.IGNORECASE))
