"""Shared words, implied labels and shared-word antonym positions on hand-labelled rows."""

import random

import pytest

from textattack_bat.tasks import TASKS
from textattack_bat.training.relevance import inferred_label, is_shared
from textattack_bat.training.samplers import AntonymSampler

NLI = dict(TASKS["snli"].antonym_flips)
QQP = dict(TASKS["qqp"].antonym_flips)


@pytest.mark.parametrize(
    ("example", "column", "word", "shared"),
    [
        (("A man sleeps outside.", "A man is outside."), 1, "outside", True),
        (("A man in a red shirt sleeps.", "A man sleeps."), 0, "red", False),
        (("Two men are running.", "A man runs."), 1, "man", True),  # lemma match: men / man
        (("Two men are running.", "A man runs."), 1, "runs", True),  # running / runs
        (("A dog barks.", "An animal is loud."), 1, "loud", False),
        (("How do I learn Python?",), 0, "learn", False),  # one column: nothing is shared
    ],
)
def test_shared_words_by_hand(example, column, word, shared):
    assert is_shared(example, column, word) is shared


def test_implied_labels_by_hand():
    # hand-labelled: "A man sleeps outside." / "A man is outside." (entailment) -> "... inside."
    # contradicts; the same swap of a word the premise lacks gives no label
    assert inferred_label(NLI, 0, shared=True) == 2
    assert inferred_label(NLI, 0, shared=False) is None
    assert inferred_label(NLI, 2, shared=True) is None  # a contradiction may become anything
    assert inferred_label(QQP, 1, shared=True) == 0  # duplicate -> not duplicate
    assert inferred_label(QQP, 0, shared=True) is None


def test_shared_positions_swap_only_shared_words():
    table = {"tall": ["short"], "man": ["woman"], "outside": ["inside"], "sleeps": ["wakes"]}
    example = ("A tall man sleeps outside.", "A man is outside.")
    shared = AntonymSampler(table, positions="shared", senses="all")
    everywhere = AntonymSampler(table, positions="any", senses="all")
    copies = {shared.perturb(example, random.Random(seed)) for seed in range(60)}
    assert copies == {
        ("A tall woman sleeps outside.", "A man is outside."),
        ("A tall man sleeps inside.", "A man is outside."),
        ("A tall man sleeps outside.", "A woman is outside."),
        ("A tall man sleeps outside.", "A man is inside."),
    }
    anywhere = {everywhere.perturb(example, random.Random(seed)) for seed in range(200)}
    assert ("A short man sleeps outside.", "A man is outside.") in anywhere
    candidates = shared.candidates(example, random.Random(0), k=10)
    assert {c.example for c in candidates} == copies and all(c.shared for c in candidates)
    # no shared word with an antonym: every word is allowed again
    assert shared.perturb(("A tall man sleeps.", "Someone rests."), random.Random(0)) is not None
    with pytest.raises(ValueError, match="positions='overlap'"):
        AntonymSampler(table, positions="overlap")
