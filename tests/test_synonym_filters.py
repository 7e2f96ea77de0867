"""Synonym filters on hand-written pairs (real WordNet, lemminflect and the shipped files)."""

import pytest

from textattack_bat.lexicon.synonym_filters import (
    NotAntonym,
    NotFunctionWord,
    NotInflection,
    SameForm,
    build_filters,
)


@pytest.mark.parametrize(
    ("word", "candidate", "kept"),
    [
        ("big", "large", True),
        ("big", "small", False),  # WordNet antonym
        ("bigger", "smaller", False),  # the antonym in another inflection
        ("good", "evil", False),  # the antonym of another sense
        ("accelerate", "slowing", False),  # a pair of wordnet_antonyms.txt
        ("imports", "exports", False),  # a pair of ppdb_antonyms.txt
        ("happy", "glad", True),
    ],
)
def test_not_antonym(word, candidate, kept):
    assert NotAntonym()(word, candidate) is kept


@pytest.mark.parametrize(
    ("word", "candidate", "kept"),
    [
        ("big", "is", False),
        ("big", "were", False),
        ("take", "was", False),
        ("large", "enough", False),
        ("big", "large", True),
        ("is", "was", True),  # a function word's set may hold function words
    ],
)
def test_not_function_word(word, candidate, kept):
    assert NotFunctionWord()(word, candidate) is kept


@pytest.mark.parametrize(
    ("word", "candidate", "kept"),
    [
        ("dog", "dogs", False),
        ("play", "played", False),
        ("man", "men", False),
        ("big", "biggest", False),
        ("big", "large", True),
        ("car", "automobile", True),
    ],
)
def test_not_inflection(word, candidate, kept):
    assert NotInflection()(word, candidate) is kept


@pytest.mark.parametrize(
    ("word", "candidate", "kept"),
    [
        ("big", "larger", False),  # JJ vs JJR
        ("bigger", "larger", True),
        ("dog", "hounds", False),  # NN vs NNS
        ("dogs", "hounds", True),
        ("big", "money", False),  # an adjective vs a noun
        ("walked", "strolled", True),
        ("xyzzyq", "large", True),  # a word lemminflect does not know passes
    ],
)
def test_same_form(word, candidate, kept):
    assert SameForm()(word, candidate) is kept


def test_unknown_filter_names_the_choices():
    with pytest.raises(ValueError, match=r"Unknown synonym filter 'pos'.*'antonym'"):
        build_filters(["antonym", "pos"])
    assert build_filters([len])[0] is len  # a callable is used as it is
