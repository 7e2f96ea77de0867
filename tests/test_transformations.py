"""WordSwapTable: table candidates, casing, and only words with candidates offered to the search."""

from collections import OrderedDict

from textattack.constraints.pre_transformation import StopwordModification
from textattack.shared import AttackedText

from textattack_bat.attack.transformations import WordSwapTable

TABLE = {"movie": ("film", "picture"), "great": ("terrific",), "a": ("one",)}


def test_table_swaps_keep_case_and_respect_max_candidates():
    text = AttackedText("Great movie")
    swapped = {t.text for t in WordSwapTable(TABLE)(text)}
    assert swapped == {"Terrific movie", "Great film", "Great picture"}
    assert {t.text for t in WordSwapTable(TABLE, max_candidates=1)(text)} == {
        "Terrific movie",
        "Great film",
    }


def test_only_words_with_candidates_are_modifiable_across_columns():
    text = AttackedText(
        OrderedDict(premise="Tonight a great movie", hypothesis="The movie was long")
    )
    transformation = WordSwapTable(TABLE)
    assert transformation(text, return_indices=True) == {1, 2, 3, 5}  # not Tonight, The, was, long
    stopwords = [StopwordModification(stopwords={"a"})]
    assert transformation(text, stopwords, return_indices=True) == {2, 3, 5}
    assert transformation(text, stopwords, indices_to_modify=[5, 6], return_indices=True) == {5}
    swapped = {t.words[5] for t in transformation(text, stopwords, indices_to_modify=[5, 6])}
    assert swapped == {"film", "picture"}
