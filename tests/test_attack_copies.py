"""BAT's aligned antonym copies are the antonym attack's candidates: checked against TextAttack's
own ``Attack.get_transformations`` on the recipe, and against hand-written copies."""

from __future__ import annotations

import random
from collections import OrderedDict

import numpy as np
import pytest
from fakes import KeywordModel
from textattack.shared import AttackedText
from training import tiny_bat_trainer

from textattack_bat.attack.copies import AttackCopies
from textattack_bat.attack.recipes import AntonymUnderChen2022, antonym_swap
from textattack_bat.training.samplers import AntonymSampler

# Inflected verbs (standing, walk), plurals (children, women), a comparative (bigger), a
# capitalised word (Good), an adverb (quickly) and an all-caps sentence start.
EXAMPLES = [
    ("A man is standing in the street.", "The children are running."),
    ("The dog is bigger than the cat.", "Good food was served quickly."),
    ("Two women walk on the long road.", "NOBODY is happy."),
]
# Copies a person writes for these words: the antonym inflected like the word, in its case.
HAND_WRITTEN = {
    ("A man is sitting in the street.", "The children are running."),
    ("A man is standing in the street.", "The parents are running."),
    ("The dog is smaller than the cat.", "Good food was served quickly."),
    ("The dog is bigger than the cat.", "Bad food was served quickly."),
    ("The dog is bigger than the cat.", "Good food was served slowly."),
    ("Two men walk on the long road.", "NOBODY is happy."),
    ("Two women walk on the short road.", "NOBODY is happy."),
    ("Two women walk on the long road.", "NOBODY is unhappy."),
}
# The paper's bare lemmas, which the attack never tries.
BARE_LEMMAS = {
    ("A man is sit in the street.", "The children are running."),
    ("A man is standing in the street.", "The parent are running."),
    ("The dog is small than the cat.", "Good food was served quickly."),
    ("The dog is bigger than the cat.", "bad food was served quickly."),
}
POLICIES = ("all", "first-sense", "lesk", pytest.param("context", marks=pytest.mark.slow))


def stock_candidates(policy: str, example) -> set[tuple[str, ...]]:
    """What TextAttack's ``Attack`` built by the recipe tries one step from the original."""
    attack = AntonymUnderChen2022.build(KeywordModel(lambda words: [1.0, 0.0, 0.0]), senses=policy)
    text = AttackedText(OrderedDict(zip(("premise", "hypothesis"), example)))
    return {
        tuple(t._text_input.values()) for t in attack.get_transformations(text, original_text=text)
    }


def aligned_sampler(policy: str, seed: int = 0) -> AntonymSampler:
    return AntonymSampler(copies=AttackCopies(*antonym_swap(senses=policy)), seed=seed)


@pytest.mark.parametrize("policy", POLICIES)
def test_aligned_candidates_are_the_attacks_own(policy):
    sampler = aligned_sampler(policy)
    total = 0
    for example in EXAMPLES:
        expected = stock_candidates(policy, example)
        found = [c.example for c in sampler.candidates(example, random.Random(0), k=10**6)]
        assert len(found) == len(set(found))
        assert set(found) == expected
        total += len(expected)
    assert total >= 9


def test_aligned_copies_are_inflected_and_cased_never_bare_lemmas():
    sampler = aligned_sampler("all")
    found = {
        c.example
        for example in EXAMPLES
        for c in sampler.candidates(example, random.Random(0), k=10**6)
    }
    assert HAND_WRITTEN <= found
    assert not BARE_LEMMAS & found


def test_the_sense_policy_decides_which_antonyms_a_word_gives():
    """``man`` in its first WordNet sense (adult male) has ``woman``; only its military sense has
    ``civilian``; ``first-sense`` keeps the first, ``all`` both."""
    example = EXAMPLES[0]

    def copies_of_man(policy: str) -> set[str]:
        copies = aligned_sampler(policy).candidates(example, random.Random(0), k=10**6)
        return {c.example[0].split()[1] for c in copies if c.word == "man"}

    assert copies_of_man("all") == {"woman", "civilian"}
    assert copies_of_man("first-sense") == {"woman"}


def test_aligned_draws_are_attack_candidates_one_word_and_cover_them():
    sampler = aligned_sampler("all", seed=5)
    expected = {e: stock_candidates("all", e) for e in EXAMPLES}
    seen = {e: set() for e in EXAMPLES}
    for epoch in range(60):
        copies, mask = sampler(EXAMPLES, [0, 2, 0], epoch)
        assert mask.tolist() == [1.0, 1.0, 1.0]
        for example, copy in zip(EXAMPLES, copies):
            assert copy in expected[example]
            seen[example].add(copy)
    # every word with a copy is drawn: the draw is a column, a word, then one of its copies
    for example in EXAMPLES:
        words = {c.word for c in sampler.candidates(example, random.Random(0), k=10**6)}
        drawn = {
            c.word
            for c in sampler.candidates(example, random.Random(0), k=10**6)
            if c.example in seen[example]
        }
        assert drawn == words
    again, _ = aligned_sampler("all", seed=5)(EXAMPLES, [0, 2, 0], 59)
    assert again == copies  # same seed and epoch, same copies (fresh sampler)


def test_aligned_sampler_skips_labels_and_rows_without_a_copy():
    sampler = AntonymSampler(
        copies=AttackCopies(*antonym_swap(senses="all")), skip_labels=[1], seed=0
    )
    rows = [EXAMPLES[0], EXAMPLES[1], ("It is.", "They are.")]
    copies, mask = sampler(rows, [1, 0, 0], epoch=0)
    assert mask.tolist() == [0.0, 1.0, 0.0]
    assert copies[0] == rows[0] and copies[2] == rows[2]


def test_a_sampler_needs_exactly_one_source(mnli_rows):
    with pytest.raises(ValueError, match="exactly one source"):
        AntonymSampler()
    with pytest.raises(ValueError, match="exactly one source"):
        AntonymSampler({"good": ("bad",)}, copies=AttackCopies(*antonym_swap(senses="all")))


@pytest.mark.slow
def test_aligned_context_sampler_encodes_an_epoch_in_one_call(mnli_rows):
    """With the ``context`` policy the attack's transformation prepares every row's sense
    decisions in one encoder call; the copies equal those decided word by word."""
    rows = mnli_rows[:60]
    examples = [(r["premise"], r["hypothesis"]) for r in rows]
    labels = [r["label"] for r in rows]

    def run(bulk: bool):
        sampler = aligned_sampler("context", seed=3)
        sampler.skip_labels = frozenset({1})
        if not bulk:
            sampler.prepare = lambda examples, labels: None
        policy = sampler.copies.transformation.antonyms.policy
        calls = []
        encode = policy._encode_new
        policy._encode_new = lambda texts: calls.append(len(texts)) or encode(texts)
        return sampler(examples, labels, epoch=0), calls

    (bulk_copies, bulk_mask), bulk_calls = run(True)
    (copies, mask), calls = run(False)
    assert len(bulk_calls) == 1 and len(calls) > 20
    assert bulk_copies == copies and np.array_equal(bulk_mask, mask) and mask.sum() > 15


@pytest.mark.slow
def test_bat_trainer_with_attack_copies_trains_on_the_attacks_candidates(tmp_path):
    """``antonym_copies="attack"``: the antonym copies of an epoch are the attack's candidates
    (not the table's bare lemmas); one epoch on them stays finite."""
    import math

    rows = list(zip(EXAMPLES, (0, 2, 0)))
    trainer = tiny_bat_trainer(
        rows,
        tmp_path,
        {"standing": ("stand",)},
        per_device_train_batch_size=3,
        antonym_copies="attack",
    )
    copies = trainer.perturb_epoch(1)
    assert copies["antonym_mask"].tolist() == [1.0, 1.0, 1.0]
    for example, copy in zip(EXAMPLES, copies["antonym_texts"]):
        assert copy in stock_candidates("all", example)
    history = trainer.train()
    assert math.isfinite(history[0]["train_triplet"])
