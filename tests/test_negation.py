"""Negation inserted or removed at one verb, on real NLTK tags and lemminflect. Every input and
every expected output is written by hand: the complete set of one-edit candidates; and the
one-edit budget of the negation recipes."""

from collections import OrderedDict

import pytest
from textattack.shared import AttackedText

from textattack_bat import MaxEdits, WordDeletionNegation, WordInsertionNegation, WordNegation
from textattack_bat.lexicon import negation


def candidates(transformation, text: str, columns=None) -> set[str]:
    attacked = AttackedText(OrderedDict(columns) if columns else text)
    out = transformation(attacked)
    if columns:
        return {tuple(t._text_input.values()) for t in out}
    return {t.text for t in out}


INSERTIONS = [
    # be and modals: full and contracted forms
    (
        "A man is playing a guitar.",
        {"A man is not playing a guitar.", "A man isn't playing a guitar."},
    ),
    ("The dogs were wet.", {"The dogs were not wet.", "The dogs weren't wet."}),
    ("I am tired.", {"I am not tired."}),
    ("The girl can swim.", {"The girl cannot swim.", "The girl can't swim."}),
    ("A woman will win.", {"A woman will not win.", "A woman won't win."}),
    # do-support for finite main verbs: present 3rd person, past, present plural
    ("The boy plays soccer.", {"The boy does not play soccer.", "The boy doesn't play soccer."}),
    ("She played the piano.", {"She did not play the piano.", "She didn't play the piano."}),
    ("Dogs run fast.", {"Dogs do not run fast.", "Dogs don't run fast."}),
    # have: auxiliary before a participle, main verb otherwise
    ("He has eaten.", {"He has not eaten.", "He hasn't eaten."}),
    ("He has a car.", {"He does not have a car.", "He doesn't have a car."}),
    # base form, gerund and participle without an auxiliary
    ("A man wearing a hat.", {"A man not wearing a hat."}),
    (
        "He wants to sleep.",
        {"He does not want to sleep.", "He doesn't want to sleep.", "He wants not to sleep."},
    ),
    # a capitalised sentence start (a question): only the contraction
    ("Is the man sleeping?", {"Isn't the man sleeping?", "Is the man not sleeping?"}),
    # already negated: nothing
    ("The man is not sleeping.", set()),
    ("The man isn't sleeping.", set()),
    ("He never sleeps.", set()),
]


@pytest.mark.parametrize("text,expected", INSERTIONS)
def test_insertion_candidates(text, expected):
    assert candidates(WordInsertionNegation(), text) == expected


DELETIONS = [
    ("The man is not sleeping.", {"The man is sleeping."}),
    ("The man isn't sleeping.", {"The man is sleeping."}),
    ("The boy doesn't play soccer.", {"The boy plays soccer."}),
    ("The boy does not play soccer.", {"The boy plays soccer."}),
    ("She didn't play the piano.", {"She played the piano."}),
    ("Dogs don't run.", {"Dogs run."}),
    ("The girl can't swim.", {"The girl can swim."}),
    ("The girl cannot swim.", {"The girl can swim."}),
    ("A woman won't win.", {"A woman will win."}),
    ("Can't he swim?", {"Can he swim?"}),
    ("Doesn't he play?", {"Does he play?"}),
    ("He never sleeps.", {"He sleeps."}),
    ("Never give up.", {"Give up."}),
    ("There are no dogs.", {"There are dogs."}),
    # not a negation to remove
    ("He is not only tall but also strong.", set()),
    ("He has no car.", set()),  # "no" before a singular noun: deleting it breaks the sentence
    ("The man is sleeping.", set()),
]


@pytest.mark.parametrize("text,expected", DELETIONS)
def test_deletion_candidates(text, expected):
    assert candidates(WordDeletionNegation(), text) == expected


def test_one_edit_per_candidate_and_only_at_allowed_indices():
    """Each candidate is one negation edit; a word outside ``indices_to_modify`` is not edited."""
    text = AttackedText("The boy plays soccer and the girl is not happy.")
    inserted = WordInsertionNegation()(text)
    assert {t.text for t in inserted} == {
        "The boy does not play soccer and the girl is not happy.",
        "The boy doesn't play soccer and the girl is not happy.",
    }
    deleted = WordDeletionNegation()(text)
    assert {t.text for t in deleted} == {"The boy plays soccer and the girl is happy."}
    only_boy = WordDeletionNegation()(text, indices_to_modify={2})
    assert only_boy == []


def test_each_column_is_negated_on_its_own():
    columns = {"premise": "A man sleeps on a bench.", "hypothesis": "A man is awake."}
    assert candidates(WordInsertionNegation(), "", columns) == {
        ("A man does not sleep on a bench.", "A man is awake."),
        ("A man doesn't sleep on a bench.", "A man is awake."),
        ("A man sleeps on a bench.", "A man is not awake."),
        ("A man sleeps on a bench.", "A man isn't awake."),
    }


BOTH_DIRECTIONS = [
    # a verb to negate and a negation to remove in one sentence: both edits, one at a time
    (
        "The boy plays soccer and the girl is not happy.",
        {
            "The boy does not play soccer and the girl is not happy.",
            "The boy doesn't play soccer and the girl is not happy.",
            "The boy plays soccer and the girl is happy.",
        },
    ),
    ("He played the piano.", {"He did not play the piano.", "He didn't play the piano."}),
    ("She was not running.", {"She was running."}),
    ("They don't know.", {"They know."}),
    ("Two women aren't talking.", {"Two women are talking."}),
    # a participle and a capitalised gerund at the start of a sentence
    ("A dog covered in mud sleeps.", {"A dog not covered in mud sleeps."}),
    (
        "Playing chess is fun.",
        {"Not playing chess is fun.", "Playing chess is not fun.", "Playing chess isn't fun."},
    ),
    ("Never give up.", {"Give up."}),
]


@pytest.mark.parametrize("text,expected", BOTH_DIRECTIONS)
def test_word_negation_gives_insertions_and_removals(text, expected):
    assert candidates(WordNegation(), text) == expected


def test_only_words_with_an_edit_are_offered():
    """The indices a word-importance ranking sees: the verb and the negation, hand-counted."""
    text = AttackedText("The boy plays soccer and the girl is not happy.")
    assert WordNegation()(text, return_indices=True) == {2, 8}  # plays, not
    assert WordNegation()(AttackedText("A tall tree in a park."), return_indices=True) == set()


def test_copies_of_a_text_are_the_transformations_candidates():
    text = "A man isn't playing a guitar, and he plays soccer."
    expected = (
        "A man is playing a guitar, and he plays soccer.",
        "A man isn't playing a guitar, and he does not play soccer.",
        "A man isn't playing a guitar, and he doesn't play soccer.",
    )
    assert negation.copies(text) == expected  # word order: "isn't" (index 2) before "plays"
    assert candidates(WordNegation(), text) == set(expected)


def test_one_edit_budget():
    """An edit that changes three words counts once; a text one edit away offers no word."""
    original = AttackedText("The boy plays soccer.")
    edited = next(t for t in WordNegation()(original) if t.text == "The boy does not play soccer.")
    assert len(edited.all_words_diff(original)) > 1  # what MaxWordsPerturbed(1) would reject
    assert MaxEdits(1)(original, WordNegation()) == {0, 1, 2, 3}
    assert MaxEdits(1)(edited, WordNegation()) == set()
    assert WordNegation()(edited, [MaxEdits(1)]) == []
    assert [t.text for t in WordNegation()(edited, [MaxEdits(2)])] == ["The boy plays soccer."]
    with pytest.raises(ValueError, match="max_edits=0"):
        MaxEdits(0)
