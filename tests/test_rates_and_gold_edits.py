"""Wilson intervals against published values; the gold-edit evaluation on the shipped CAD edits."""

import json
from dataclasses import astuple

import numpy as np
import pytest
from fakes import KeywordModel

from textattack_bat.evaluation.gold_edits import GoldEdit, evaluate_gold_edits, load_gold_edits
from textattack_bat.evaluation.rates import Rate, wilson_interval


@pytest.mark.parametrize(
    "k,n,low,high",
    [
        (5, 10, 0.2366, 0.7634),  # Wilson (1927) / Newcombe (1998) table values
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (50, 100, 0.4038, 0.5962),
        (81, 263, 0.2553, 0.3662),  # Newcombe (1998), example (a)
    ],
)
def test_wilson_interval_matches_published_values(k, n, low, high):
    got = wilson_interval(k, n)
    assert got == pytest.approx((low, high), abs=1e-4)


def test_rate_reporting_and_bad_counts():
    rate = Rate(115, 200)
    assert rate.value == 0.575
    assert (
        rate.format() == "57.5% (115/200, 95% CI 50.6-64.1)"
    )  # by hand: centre 0.5736, half 0.0679
    assert rate.to_dict()["n"] == 200 and rate.to_dict()["count"] == 115
    assert Rate(0, 0).to_dict() == {"rate": None, "count": 0, "n": 0, "ci95": None}
    assert Rate(0, 0).format() == "-"
    assert rate.cell() == "57.5 [50.6, 64.1] (115/200)" and Rate(0, 0).cell() == "-"
    assert Rate.from_dict(rate.to_dict()) == rate
    assert Rate.from_dict({"succeeded": 3, "failed": 1, "attacked": 4}) == Rate(3, 4)
    assert Rate(50, 100).overlaps(Rate(60, 100)) and not Rate(20, 100).overlaps(Rate(60, 100))
    with pytest.raises(ValueError, match="0 <= successes <= trials"):
        wilson_interval(3, 2)


def test_gold_edits_counts_by_hand(tmp_path):
    """A keyword model on four hand-written edits: predicts contradiction iff 'indoors', 'sits' or
    'woman' is in the pair, else entailment."""
    rows = [
        {
            "premise": "A man runs outside.",
            "hypothesis": "A man is outdoors.",
            "label": 0,
            "edited_hypothesis": "A man is indoors.",
            "edited_label": 2,
        },  # correct, flips: not kept
        {
            "premise": "A boy stands.",
            "hypothesis": "A boy stands.",
            "label": 0,
            "edited_hypothesis": "A boy kneels.",
            "edited_label": 2,
        },  # correct, kept (undersensitive)
        {
            "premise": "A man sits.",
            "hypothesis": "A man stands.",
            "label": 2,
            "edited_hypothesis": "A man sits.",
            "edited_label": 0,
        },  # correct (sits in premise), kept
        {
            "premise": "A girl sings.",
            "hypothesis": "A woman sings.",
            "label": 0,
            "edited_hypothesis": "A man sings.",
            "edited_label": 2,
        },  # original wrong: not counted
    ]
    path = tmp_path / "edits.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    model = KeywordModel(
        lambda w: [0.0, 0.0, 1.0] if w & {"indoors", "sits", "woman"} else [1.0, 0.0, 0.0]
    )
    report = evaluate_gold_edits(model, path)
    assert (report.original_accuracy.successes, report.original_accuracy.trials) == (3, 4)
    # edits: indoors -> 2 (right), kneels -> 0 (wrong), sits -> 2 (wrong), man -> 0 (wrong)
    assert (report.edited_accuracy.successes, report.edited_accuracy.trials) == (1, 4)
    assert (report.kept.successes, report.kept.trials) == (2, 3)
    assert report.to_dict()["kept_rate"]["ci95"] == pytest.approx(list(wilson_interval(2, 3)))


def test_bad_gold_edit_file_is_reported(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"premise": "a", "hypothesis": "b", "label": 0}\n')
    with pytest.raises(
        ValueError,
        match=r"row 1: missing field\(s\) \['edited_label', 'edited_premise or edited_hypothesis'\]",
    ):
        load_gold_edits(path)


def test_shipped_cad_edits_on_minilm(shared_data):
    """All 110 human antonym edits load; a real (fresh-head) MiniLM gets its numbers from one
    independent forward pass per side."""
    import torch
    import transformers

    from textattack_bat.models import load_classifier

    edits = load_gold_edits(shared_data / "cad_snli_antonym_edits.jsonl")
    assert len(edits) == 110 and all(e.label != e.edited_label for e in edits)
    torch.manual_seed(0)
    wrapper = load_classifier(None, num_labels=3)
    report = evaluate_gold_edits(wrapper, edits)
    model, tokenizer = wrapper.model.eval(), wrapper.tokenizer
    assert isinstance(tokenizer, transformers.PreTrainedTokenizerBase)
    with torch.no_grad():

        def argmax(hypotheses):
            batch = tokenizer(
                [e.premise for e in edits], hypotheses, padding=True, return_tensors="pt"
            )
            return model(**batch).logits.argmax(-1).numpy()

        original, edited = (
            argmax([e.hypothesis for e in edits]),
            argmax([e.edited_hypothesis for e in edits]),
        )
    labels = np.array([e.label for e in edits])
    correct = original == labels
    assert report.original_accuracy.successes == int(correct.sum())
    assert report.kept.trials == int(correct.sum())
    assert report.kept.successes == int((correct & (original == edited)).sum())


def test_premise_side_edits_are_counted_by_hand(tmp_path):
    """CAD's format: one side edited, per-side kept rates. Keyword model as above."""
    rows = [
        {
            "premise": "A man runs outside.",
            "hypothesis": "A man is outdoors.",
            "label": 0,
            "edited_premise": "A man runs indoors.",
            "edited_hypothesis": "A man is outdoors.",
            "edited_label": 2,
            "edited": "premise",
        },  # correct; the edited premise brings 'indoors': flips, not kept
        {
            "premise": "A boy stands.",
            "hypothesis": "A boy stands.",
            "label": 0,
            "edited_premise": "A boy kneels.",
            "edited_hypothesis": "A boy stands.",
            "edited_label": 2,
            "edited": "premise",
        },  # correct, kept
        {
            "premise": "A man sits.",
            "hypothesis": "A man stands.",
            "label": 2,
            "edited_premise": "A man sits.",
            "edited_hypothesis": "A man sits.",
            "edited_label": 0,
            "edited": "hypothesis",
        },  # correct, kept
    ]
    path = tmp_path / "edits.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    model = KeywordModel(
        lambda w: [0.0, 0.0, 1.0] if w & {"indoors", "sits", "woman"} else [1.0, 0.0, 0.0]
    )
    edits = load_gold_edits(path)
    assert [e.side for e in edits] == ["premise", "premise", "hypothesis"]
    report = evaluate_gold_edits(model, edits)
    assert (report.kept.successes, report.kept.trials) == (2, 3)
    premise, hypothesis = report.kept_by_side["premise"], report.kept_by_side["hypothesis"]
    assert (premise.successes, premise.trials) == (1, 2)
    assert (hypothesis.successes, hypothesis.trials) == (1, 1)
    assert report.to_dict()["kept_rate_by_side"]["premise"]["count"] == 1


def test_shared_cad_files_load_with_both_sides(shared_data):
    dev = load_gold_edits(shared_data / "cad_snli_edits_dev.jsonl")
    test = load_gold_edits(shared_data / "cad_snli_edits_test.jsonl")
    assert (len(dev), len(test)) == (792, 1568)
    raw = [json.loads(line) for line in (shared_data / "cad_snli_edits_dev.jsonl").open()]
    assert [e.side for e in dev] == [r["edited"] for r in raw]
    # the side follows the text where the file does not name it (one dev row's edit is a no-op)
    derived = [GoldEdit(*astuple(e)[:6]).side for e in dev]
    assert sum(a != b for a, b in zip(derived, (r["edited"] for r in raw))) == 1
