"""Sense policies of the antonym look-up on real WordNet, real sentences and the real MiniLM
encoder. Expected senses and antonyms are written by hand from WordNet 3.0's glosses."""

from __future__ import annotations

import json
import re

import nltk
import numpy as np
import pytest
from textattack.shared import AttackedText

from textattack_bat.attack.transformations import WordSwapAntonym
from textattack_bat.lexicon.antonyms import WordNetAntonyms
from textattack_bat.lexicon.senses import (
    DEFAULT_SENSES,
    SENSE_POLICIES,
    ContextSenses,
    get_policy,
    shares_collocation,
)

WORKED = "The legislature was instrumental in effecting changes"
PIANO = "A man is playing an instrumental piece on the piano"


def offered(sentence: str, word: str, senses) -> list[str]:
    text = AttackedText(sentence)
    index = text.words.index(word)
    swap = WordSwapAntonym(senses=senses)
    return [t.words[index] for t in swap(text, indices_to_modify=[index])]


@pytest.mark.parametrize("policy", SENSE_POLICIES)
def test_plain_antonyms_survive_every_policy(policy):
    assert "cold" in offered("The water is hot", "hot", policy)
    assert "sits" in offered("He stands up", "stands", policy)


def test_context_scorer_picks_the_sense_of_the_sentence():
    from nltk.corpus import wordnet as wn

    policy = ContextSenses()
    musical, means = wn.synset("instrumental.a.01"), wn.synset("implemental.s.01")
    for sentence, right, wrong in ((WORKED, means, musical), (PIANO, musical, means)):
        words = sentence.split()
        scores = policy.scores([musical, means], words, words.index("instrumental"))
        score = dict(zip([musical, means], scores))
        assert score[right] > score[wrong], sentence


def test_worked_example_loses_vocal_under_the_default_context():
    # "instrumental" = "serving as a means": "vocal" is the antonym of the musical sense only.
    assert offered(WORKED, "instrumental", "all") == ["vocal"]
    assert offered(WORKED, "instrumental", "context") == []
    assert offered(PIANO, "instrumental", "context") == ["vocal"]
    # the encoder alone cannot tell the two senses apart within the margin ...
    assert offered(WORKED, "instrumental", ContextSenses(collocations=False)) == ["vocal"]
    # ... a margin of 0 can, but it loses human edits (bench/results/antonym_senses)
    strict = ContextSenses(margin=0.0, collocations=False)
    assert offered(WORKED, "instrumental", strict) == []
    assert offered(PIANO, "instrumental", strict) == ["vocal"]


def test_collocations_read_from_wordnet_examples():
    from nltk.corpus import wordnet as wn

    musical, means = wn.synset("instrumental.a.01"), wn.synset("implemental.s.01")
    words = WORKED.split()
    index = words.index("instrumental")
    # means: "instrumental in solving the crime" shares "instrumental in"
    assert shares_collocation(means, words, index)
    assert not shares_collocation(musical, words, index)  # "instrumental compositions"
    assert not shares_collocation(means, words, index, exclude="instrumental in solving the crime")
    # articles, "be" and pronouns are no collocation: "is hot", "She buries" say nothing of the
    # sense (bury.v.05's examples have "she buries", yet "She buries the past" is forget.v.01)
    water = "The water is hot".split()
    assert not any(shares_collocation(s, water, 3) for s in wn.synsets("hot", pos="a"))
    past = "She buries the past".split()
    assert not any(shares_collocation(s, past, 1) for s in wn.synsets("bury", pos="v"))


def test_cad_recall_of_the_shipped_edits(shared_data):
    """The default policy, and `context` at its shipped margin, still offer the human's antonym
    for >= 95% of the CAD-SNLI edits that the authors' rule (`all`) offers."""
    rows = [json.loads(line) for line in (shared_data / "cad_snli_antonym_edits.jsonl").open()]
    assert len(rows) == 110

    def found(policy) -> set[int]:
        lookups = [
            WordNetAntonyms(keep_case=False, senses=policy),
            WordNetAntonyms(inflect=False, keep_case=False, senses=policy),
        ]
        hits = set()
        for i, row in enumerate(rows):
            tokens = re.findall(r"[A-Za-z]+", row["hypothesis"])
            old, new = row["swap"]
            index = next(k for k, t in enumerate(tokens) if t.lower() == old)
            tag = nltk.pos_tag(tokens)[index][1]
            if any(new in lookup(old, tag, (tokens, index)) for lookup in lookups):
                hits.add(i)
        return hits

    reachable = found("all")
    assert len(reachable) >= 100  # the 7 misses: "outdoors" tagged as a noun
    # the policy a recipe's transformation uses when none is given, and `context` as shipped
    for policy in (WordSwapAntonym().senses, get_policy("context")):
        kept = found(policy)
        assert kept <= reachable
        assert len(kept) >= 0.95 * len(reachable), (policy, len(kept), len(reachable))


@pytest.mark.slow
def test_sampler_and_table_keep_a_subset_of_the_authors_antonyms(shared_data):
    from textattack_bat.datasets import load_jsonl_dataset
    from textattack_bat.lexicon.tables import build_antonym_table, vocabulary
    from textattack_bat.training.samplers import AntonymSampler

    dataset = load_jsonl_dataset(shared_data / "snli_validation.jsonl", limit=150)
    rows = [dataset[i] for i in range(len(dataset))]
    texts = [t for inputs, _ in rows for t in inputs.values()]
    table = build_antonym_table(vocabulary(texts))
    with pytest.raises(ValueError, match="needs the corpus"):
        build_antonym_table(vocabulary(texts), senses="lesk")
    lesk_table = build_antonym_table(vocabulary(texts), senses="lesk", sentences=texts)
    assert lesk_table.metadata["senses"] == "lesk"
    assert all(set(c) <= set(table[w]) for w, c in lesk_table.items())
    assert sum(map(len, lesk_table.values())) < sum(map(len, table.values()))

    examples = [tuple(inputs.values()) for inputs, _ in rows]
    labels = [label for _, label in rows]
    everything = AntonymSampler(table, skip_labels=[1], senses="all")
    context = AntonymSampler(table, skip_labels=[1], senses="context")
    copies, mask = context(examples, labels, epoch=0)
    assert mask.sum() >= 20
    removed = 0
    for example in examples:
        for text in example:
            spots_all = {(s, e): set(o) for s, e, o in everything.spots(text)}
            for start, end, options in context.spots(text):
                assert set(options) <= spots_all[(start, end)]
                removed += len(spots_all[(start, end)]) - len(options)
            removed += len(set(spots_all) - {(s, e) for s, e, _ in context.spots(text)})
    assert removed > 0  # the policy filtered something on real rows


def test_recipe_names_and_reports_carry_the_policy(fresh_nli_model_dir, shared_data):
    from textattack import attack_args

    from textattack_bat.datasets import load_jsonl_dataset
    from textattack_bat.evaluation.robustness import evaluate_robustness
    from textattack_bat.models import load_classifier

    model = load_classifier(fresh_nli_model_dir, num_labels=3)
    names = attack_args.ATTACK_RECIPE_NAMES
    for policy in SENSE_POLICIES:
        for base in ("antonym-under-nli", "antonym-under-nli-improve", "antonym-under-qqp"):
            path = names[f"{base}-senses-{policy}"]
            attack = eval(
                f"{path}.build(model_wrapper)", vars(attack_args), {"model_wrapper": model}
            )
            assert attack.transformation.senses == policy
            assert f"(senses):  {policy}" in str(attack)
    default = eval(
        f"{names['antonym-under-nli']}.build(model_wrapper)",
        vars(attack_args),
        {"model_wrapper": model},
    )
    assert default.transformation.senses == DEFAULT_SENSES

    dataset = load_jsonl_dataset(shared_data / "snli_test.jsonl", limit=6)
    report = evaluate_robustness(
        model, dataset, 6, synonym=False, antonym_options={"senses": "lesk"}, progress=False
    )
    assert report.settings["antonym_senses"] == "lesk"
    assert "antonym sense policy: lesk" in report.to_markdown()


def test_sense_description_with_lemma_names():
    from nltk.corpus import wordnet as wn

    from textattack_bat.lexicon.senses import describe

    means = wn.synset("implemental.s.01")
    assert describe(means, lemmas=True).startswith("implemental, instrumental, subservient: ")
    assert describe(means, lemmas=True).endswith(describe(means))
    assert not describe(means).startswith("implemental")


def test_one_default_policy_from_cli_to_sampler():
    """Every component left without a policy uses the same one: the recipe's transformation,
    BAT's settings and sampler, and the bare WordNet look-up (before, the sampler used ``all``)."""
    from textattack_bat.cli import build_parser
    from textattack_bat.training.arguments import BATTrainingArgs
    from textattack_bat.training.samplers import AntonymSampler

    table = {"hot": ("cold",)}
    evaluate = build_parser().parse_args(["evaluate", "--model", "m", "--dataset", "glue^mnli"])
    names = {
        "cli evaluate": evaluate.antonym_senses,
        "BATTrainingArgs": BATTrainingArgs(output_dir="unused").antonym_senses,
        "AntonymSampler": AntonymSampler(table).policy.name,
        "WordNetAntonyms": WordNetAntonyms().policy.name,
        "WordSwapAntonym": WordSwapAntonym().senses,
    }
    assert set(names.values()) == {"context"}, names
    assert AntonymSampler(table, senses="all").policy.name == "all"
    with pytest.raises(ValueError, match="choose one of all, first-sense, lesk, context"):
        AntonymSampler(table, senses="every")


@pytest.mark.slow
def test_description_synsets_hold_every_sense_of_words_with_antonyms():
    """By hand from WordNet 3.0: "instrumental" (antonym "vocal" in its musical sense) and "hot"
    bring all their senses, each once; "giraffe" has no antonym in any sense."""
    from nltk.corpus import wordnet as wn

    from textattack_bat.lexicon.senses import description_synsets

    synsets = description_synsets()
    held = set(synsets)
    assert set(wn.synsets("instrumental")) <= held  # implemental.s.01 has no antonym itself
    assert set(wn.synsets("hot")) <= held
    assert not set(wn.synsets("giraffe")) & held
    names = [s.name() for s in synsets]
    assert names == sorted(set(names))


@pytest.mark.slow
def test_description_table_gives_the_encoders_vectors_and_the_same_decisions(
    monkeypatch, tmp_path, mnli_rows, capsys
):
    """A table of the senses of the words of 40 real MNLI rows, built in a fresh cache (the full
    table's build is timed in bench/results/antonym_attack.md): its vectors are stock
    sentence-transformers encodings of the descriptions; a sampler whose policy reads it keeps
    exactly the copies of one that encodes every description, and sends the encoder sentences
    only; ``doctor`` reports it."""
    from nltk.corpus import wordnet as wn
    from sentence_transformers import SentenceTransformer

    from textattack_bat import cli, resources
    from textattack_bat.lexicon import senses
    from textattack_bat.lexicon.tables import build_antonym_table, vocabulary
    from textattack_bat.training.samplers import AntonymSampler

    examples = [(r["premise"], r["hypothesis"]) for r in mnli_rows[:40]]
    labels = [r["label"] for r in mnli_rows[:40]]
    table = build_antonym_table(vocabulary(t for e in examples for t in e))
    words = set(table) | {"instrumental"}
    synsets = tuple(sorted({s for w in words for s in wn.synsets(w)}, key=lambda s: s.name()))
    monkeypatch.setenv("TA_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(senses, "description_synsets", lambda: synsets)
    monkeypatch.setattr(senses, "_TABLES", {})

    def doctor_line() -> list[str]:
        cli.main(["doctor"])
        out = capsys.readouterr().out.splitlines()
        return next(line for line in out if "sense-description-table" in line).split()

    assert doctor_line()[1:3] == ["not", "built"]
    descriptions = {senses.describe(s) for s in synsets}
    assert cli.main(["build-sense-table", "--device", "cpu"]) == 0
    out = capsys.readouterr().out.splitlines()
    printed = next(line for line in out if " sense descriptions in " in line).split()
    assert int(printed[0]) == len(descriptions) > 200
    assert printed[4] == str(senses.description_table_path())
    assert senses.description_table_path().is_file()
    reading = ContextSenses()
    assert doctor_line()[1:] == ["found", str(senses.description_table_path())]

    stock = SentenceTransformer(str(resources.minilm_path()), device="cpu")
    picked = [wn.synset("instrumental.a.01"), wn.synset("implemental.s.01")]
    expected = stock.encode([senses.describe(s) for s in picked], normalize_embeddings=True)
    stored = senses.description_table()
    for synset, vector in zip(picked, expected):
        assert np.allclose(stored[senses.describe(synset)], vector, atol=1e-5)

    def run(policy):
        encoded = []
        encode = policy._encode_new
        policy._encode_new = lambda texts: encoded.extend(texts) or encode(texts)
        sampler = AntonymSampler(table, skip_labels=[1], seed=3, senses=policy)
        return sampler(examples, labels, epoch=0), encoded

    (copies, mask), read = run(reading)
    (live_copies, live_mask), live = run(ContextSenses(table=False))
    assert copies == live_copies and np.array_equal(mask, live_mask) and mask.sum() >= 10
    assert not descriptions & set(read)
    assert len(descriptions & set(live)) > 50
    assert sorted(read) == sorted(t for t in live if t not in descriptions)


def _two_word_table_cache(monkeypatch, tmp_path, min_rows: int):
    """An empty cache in ``tmp_path``, a description table of the senses of "hot" and
    "instrumental" only (so that a build stays small) and ``TABLE_MIN_ROWS = min_rows``."""
    from nltk.corpus import wordnet as wn

    from textattack_bat.lexicon import senses

    synsets = tuple(sorted({*wn.synsets("hot"), *wn.synsets("instrumental")}, key=str))
    monkeypatch.setenv("TA_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(senses, "description_synsets", lambda: synsets)
    monkeypatch.setattr(senses, "_TABLES", {})
    monkeypatch.setattr(senses, "TABLE_MIN_ROWS", min_rows)
    return senses


def test_evaluate_builds_the_sense_table_for_large_runs_only(
    monkeypatch, tmp_path, fresh_nli_model_dir, shared_data
):
    """``evaluate`` builds the table when it attacks ``TABLE_MIN_ROWS`` rows or more (set to 4
    here, with a table of two words' senses, so that the run stays small)."""
    from textattack_bat import cli

    senses = _two_word_table_cache(monkeypatch, tmp_path, min_rows=4)
    argv = ["evaluate", "--model", str(fresh_nli_model_dir), "--dataset-from-file",
            str(shared_data / "snli_test.jsonl"), "--no-synonym", "--no-negation",
            "--output-dir", str(tmp_path / "out"), "--num-examples"]  # fmt: skip
    assert cli.main([*argv, "3"]) == 0
    assert not senses.description_table_path().exists()
    assert cli.main([*argv, "4", "--antonym-senses", "all"]) == 0
    assert not senses.description_table_path().exists()
    assert cli.main([*argv, "4"]) == 0
    assert senses.description_table_path().is_file()


def test_bat_training_builds_the_sense_table_for_large_datasets_only(monkeypatch, tmp_path):
    """A BAT epoch with the default policy builds the table first when the training set has
    ``TABLE_MIN_ROWS`` rows or more (set to 8 here, with a table of two words' senses); with
    7 rows, or with ``antonym_senses="all"``, it does not."""
    from textattack_bat import BATTrainer, BATTrainingArgs, load_jsonl_dataset
    from textattack_bat.datasets import shipped_path
    from textattack_bat.lexicon.tables import SynonymTable
    from textattack_bat.models import load_classifier

    senses = _two_word_table_cache(monkeypatch, tmp_path, min_rows=8)

    def epoch(rows: int, policy: str) -> bool:
        train = load_jsonl_dataset(shipped_path("snli_train_sample.jsonl"), limit=rows)
        args = BATTrainingArgs(output_dir=str(tmp_path / f"{rows}-{policy}"), num_epochs=1,
                               per_device_train_batch_size=8, antonym_senses=policy)  # fmt: skip
        model = load_classifier(None, num_labels=3, seed=0)
        BATTrainer(model, "classification", train, None, args, synonym_table=SynonymTable({})).train()  # fmt: skip
        return senses.description_table_path().is_file()

    assert not epoch(7, "context")
    assert not epoch(8, "all")
    assert epoch(8, "context")


def test_every_context_policy_shares_the_processs_one_encoder():
    """A per-epoch evaluation builds a new policy; it must not load a second MiniLM."""
    from textattack_bat.lexicon.senses import ContextSenses

    first, second = ContextSenses(), ContextSenses(margin=0.01)
    assert first._encoder() is second._encoder()
