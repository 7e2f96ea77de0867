"""Per-epoch samplers on real MNLI rows with real WordNet."""

import re

import numpy as np
import pytest

from textattack_bat.lexicon.tables import SynonymTable, build_antonym_table, vocabulary
from textattack_bat.training.samplers import (
    AntonymSampler,
    EitherSampler,
    NegationSampler,
    SynonymSampler,
)

WORD = re.compile(r"[A-Za-z]+")


@pytest.fixture(scope="module")
def rows(mnli_rows):
    examples = [(r["premise"], r["hypothesis"]) for r in mnli_rows[:300]]
    return examples, [r["label"] for r in mnli_rows[:300]]


@pytest.fixture(scope="module")
def antonym_table(rows):
    return build_antonym_table(vocabulary(t for e in rows[0] for t in e))


def toy_synonyms(words):
    """A real-word table: each vocabulary word maps to its WordNet synonyms in the same vocabulary."""
    from nltk.corpus import wordnet as wn

    vocab = set(words)
    table = {}
    for word in words:
        synonyms = {
            lemma.name().lower() for s in wn.synsets(word) for lemma in s.lemmas()
        } & vocab - {word}
        if synonyms:
            table[word] = tuple(sorted(synonyms))
    return SynonymTable(table)


def test_synonym_copies_only_use_table_words_and_keep_layout(rows):
    examples, _ = rows
    table = toy_synonyms(vocabulary(t for e in examples for t in e))
    copies, mask = SynonymSampler(table, seed=3)(examples, epoch=1)
    assert 0 < mask.mean() <= 1
    for original, copy, m in zip(examples, copies, mask):
        assert (copy != original) == bool(m)
        for a, b in zip(original, copy):
            assert WORD.sub("w", a) == WORD.sub("w", b)  # punctuation and spacing kept
            for old, new in zip(WORD.findall(a), WORD.findall(b)):
                if old != new:
                    assert new.lower() in table[old.lower()]
                    assert new[0].isupper() == old[0].isupper()


def wordnet_antonyms(word: str) -> set[str]:
    """Straight from NLTK (the oracle): the one-word antonyms of every lemma of every sense."""
    from nltk.corpus import wordnet as wn

    return {
        antonym.name().lower()
        for synset in wn.synsets(word)
        for lemma in synset.lemmas()
        for antonym in lemma.antonyms()
        if "_" not in antonym.name()
    }


def test_antonym_copies_differ_in_exactly_one_wordnet_antonym(rows, antonym_table):
    from nltk.corpus import wordnet as wn

    examples, labels = rows
    copies, mask = AntonymSampler(antonym_table, skip_labels=[1], seed=0, senses="all")(
        examples, labels, epoch=0
    )
    assert mask.sum() > 100
    for original, copy, label, m in zip(examples, copies, labels, mask):
        if label == 1:
            assert m == 0 and copy == original
            continue
        if m == 0:
            assert copy == original
            continue
        changed = [
            (a, b)
            for col_a, col_b in zip(original, copy)
            for a, b in zip(WORD.findall(col_a), WORD.findall(col_b))
            if a != b
        ]
        assert len(changed) == 1, (original, copy)
        old, new = changed[0]
        found = wordnet_antonyms(old.lower())
        base_forms = {new.lower()} | {wn.morphy(new.lower(), pos) for pos in "nvar"}
        assert base_forms & found, (old, new, sorted(found))  # inflected like the original


def test_same_seed_same_output_and_epochs_differ(rows, antonym_table):
    examples, labels = rows
    table = toy_synonyms(vocabulary(t for e in examples for t in e))
    a = SynonymSampler(table, seed=7)(examples, epoch=2)
    b = SynonymSampler(table, seed=7)(examples, epoch=2)
    c = SynonymSampler(table, seed=7)(examples, epoch=3)
    assert a[0] == b[0] and np.array_equal(a[1], b[1]) and a[0] != c[0]
    x = AntonymSampler(antonym_table, seed=1, senses="all")(examples, labels, epoch=0)
    y = AntonymSampler(antonym_table, seed=1, senses="all")(examples, labels, epoch=0)
    assert x[0] == y[0]


def test_context_sampler_encodes_an_epoch_in_one_call_with_the_same_copies(rows, antonym_table):
    """The default (``context``) policy: one encoder call prepares the sense decisions of every
    attacked row, and the copies equal those of a sampler that decides word by word (one call
    per new sentence and its senses, as before the bulk step)."""
    examples, labels = rows[0][:80], rows[1][:80]

    def run(bulk: bool):
        sampler = AntonymSampler(antonym_table, skip_labels=[1], seed=3)
        if not bulk:
            sampler.prepare = lambda examples, labels: None
        calls = []
        encode = sampler.policy._encode_new
        sampler.policy._encode_new = lambda texts: calls.append(len(texts)) or encode(texts)
        return (
            sampler(examples, labels, epoch=0),
            calls,
            sampler.candidate_lists(examples, labels, 1, 3),
        )

    (bulk_copies, bulk_mask), bulk_calls, bulk_lists = run(True)
    (copies, mask), calls, lists = run(False)
    assert len(bulk_calls) == 1 and len(calls) > 40
    assert sum(bulk_calls) == sum(calls)  # the same texts, encoded once each either way
    assert bulk_copies == copies and np.array_equal(bulk_mask, mask) and mask.sum() > 20
    assert bulk_lists == lists


def test_rows_without_antonyms_are_masked(antonym_table):
    copies, mask = AntonymSampler(antonym_table, senses="all")([("The cat sat.", "A dog.")], [0])
    assert mask.tolist() == [0.0] and copies == [("The cat sat.", "A dog.")]


@pytest.mark.parametrize("k,changed", [(1, 1), (2, 2), (10, 4)])
def test_synonym_copies_change_exactly_min_k_and_the_swappable_words(k, changed):
    """``max_words=k``: a copy differs in min(k, swappable occurrences) words, each a synonym
    other than the word itself; the four swappable occurrences are counted by hand."""
    table = SynonymTable({"big": ("large",), "dog": ("hound", "canine"), "happy": ("glad",)})
    example = ("The big dog is happy.", "A dog sleeps.")  # big, dog, happy, dog
    allowed = {"big": {"large"}, "dog": {"hound", "canine"}, "happy": {"glad"}}
    for seed in range(5):
        (copy,), mask = SynonymSampler(table, seed=seed, max_words=k)([example])
        swaps = [
            (a, b)
            for col_a, col_b in zip(example, copy)
            for a, b in zip(WORD.findall(col_a), WORD.findall(col_b))
            if a != b
        ]
        assert len(swaps) == changed and mask.tolist() == [1.0], (seed, copy)
        assert all(b in allowed[a] for a, b in swaps), swaps


# Hand-written rows: (premise, hypothesis), label, and every one-edit negation copy by hand.
NEGATION_ROWS = [
    (
        ("A man sleeps on a bench.", "A man is awake."),
        0,
        {
            ("A man does not sleep on a bench.", "A man is awake."),
            ("A man doesn't sleep on a bench.", "A man is awake."),
            ("A man sleeps on a bench.", "A man is not awake."),
            ("A man sleeps on a bench.", "A man isn't awake."),
        },
    ),
    (("Dogs run.", "Cats are not happy."), 2, {("Dogs do not run.", "Cats are not happy."),
                                                ("Dogs don't run.", "Cats are not happy."),
                                                ("Dogs run.", "Cats are happy.")}),
    (("A tall tree.", "Some green grass."), 0, set()),  # no verb, no negation
    (("A woman is singing.", "A woman sings."), 1, set()),  # a skipped label
]  # fmt: skip


def test_negation_copies_are_one_hand_written_edit_and_masked_where_none():
    examples = [row for row, _, _ in NEGATION_ROWS]
    labels = [label for _, label, _ in NEGATION_ROWS]
    for epoch in range(5):
        copies, mask = NegationSampler(skip_labels=[1], seed=0)(examples, labels, epoch)
        assert mask.tolist() == [1.0, 1.0, 0.0, 0.0]
        for (row, _, expected), copy in zip(NEGATION_ROWS, copies):
            assert copy in expected if expected else copy == row
    drawn = {NegationSampler([1], seed=s)(examples[:1], labels[:1])[0][0] for s in range(40)}
    assert drawn == NEGATION_ROWS[0][2]  # every edit of either column is drawn


def test_either_sampler_takes_the_kind_a_row_has_and_mixes_where_it_has_both():
    """Row 0 has an antonym (happy) and negation edits; row 1 only an antonym (no verb); row 2
    only negation edits; row 3 neither."""
    antonyms = AntonymSampler({"happy": ["unhappy"]}, senses="all")
    examples = [
        ("A happy man sleeps on a bench.", "A man."),
        ("A happy child.", "A child."),
        ("A man sleeps on a bench.", "A man."),
        ("A tall tree.", "Grass."),
    ]
    sources = []
    for seed in range(30):
        copies, mask = EitherSampler([antonyms, NegationSampler()], seed=seed)(examples, [0] * 4)
        assert mask.tolist() == [1.0, 1.0, 1.0, 0.0]
        assert copies[1] == ("A unhappy child.", "A child.")  # one word swapped, nothing else
        assert copies[2] in {
            ("A man does not sleep on a bench.", "A man."),
            ("A man doesn't sleep on a bench.", "A man."),
        }
        assert copies[3] == examples[3]
        sources.append("unhappy" in copies[0][0])
    assert 5 < sum(sources) < 25  # both kinds for the row that has both, about half each
