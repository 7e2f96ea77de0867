"""The demo on a tiny run: three arms from one warm start, both sensitivities, the picture."""

from __future__ import annotations

import json

import pytest
from textattack.models.wrappers import HuggingFaceModelWrapper

from textattack_bat.datasets import read_jsonl_rows, shipped_path
from textattack_bat.evaluation.plots import sensitivity_figure
from textattack_bat.models import load_classifier


def test_trade_off_points_are_the_arms_rates():
    """Hand-written rates: each arm is drawn at (synonym ASR, antonym ASR) in percent."""
    arms = {
        "normal": {"synonym_asr": 0.40, "synonym_asr_ci95": [0.34, 0.46],
                   "antonym_asr": 0.92, "antonym_asr_ci95": [0.89, 0.94],
                   "antonym_asr_improve_only": 0.74, "antonym_asr_improve_only_ci95": [0.70, 0.77]},
        "safer": {"synonym_asr": 0.25, "synonym_asr_ci95": [0.20, 0.31],
                  "antonym_asr": 0.95, "antonym_asr_ci95": [0.93, 0.97],
                  "antonym_asr_improve_only": 0.80, "antonym_asr_improve_only_ci95": [0.76, 0.83]},
    }  # fmt: skip
    ax = sensitivity_figure(arms).axes[0]
    points = [float(v) for c in ax.containers for v in c.lines[0].get_xydata()[0]]
    assert points == pytest.approx([40, 92, 40, 74, 25, 95, 25, 80])
    low, high = ax.containers[2].lines[2][1].get_segments()[0][:, 1]  # safer's y interval
    assert (low, high) == pytest.approx((93, 97))


def test_an_arm_with_no_attacked_row_is_named_not_drawn(tmp_path):
    """A small run can leave a rate without an attacked row (value and interval None): the
    figure is still written, the other arm drawn, the empty one named in the legend."""
    from textattack_bat.evaluation.plots import plot_sensitivities

    arms = {
        "normal": {"synonym_asr": 0.40, "synonym_asr_ci95": [0.34, 0.46],
                   "antonym_asr": 0.92, "antonym_asr_ci95": [0.89, 0.94],
                   "antonym_asr_improve_only": 0.74, "antonym_asr_improve_only_ci95": [0.70, 0.77]},
        "bat": {"synonym_asr": None, "synonym_asr_ci95": None,
                "antonym_asr": None, "antonym_asr_ci95": None,
                "antonym_asr_improve_only": None, "antonym_asr_improve_only_ci95": None},
    }  # fmt: skip
    ax = sensitivity_figure(arms).axes[0]
    points = [float(v) for c in ax.containers for v in c.lines[0].get_xydata()[0]]
    assert points == pytest.approx([40, 92, 40, 74])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "bat (paper definition): no attacked row, not plotted" in labels
    assert plot_sensitivities(arms, tmp_path / "tradeoff.png").stat().st_size > 0


def _summary(succeeded: int, attacked: int) -> dict:
    return {"success_rate": succeeded / attacked, "succeeded": succeeded, "attacked": attacked}


def test_the_table_shows_negation_columns_only_when_evaluated():
    """Hand-written counts in, the formatted rates out: ``demo --negation`` adds two columns."""
    from textattack_bat.demo import format_comparison
    from textattack_bat.evaluation.rates import Rate

    report = {
        "antonym_asr_paper_definition": _summary(90, 100),
        "antonym_asr_improve_only": _summary(70, 100),
        "negation_asr_paper_definition": _summary(60, 100),
        "negation_asr_improve_only": _summary(5, 100),
        "synonym_asr": _summary(30, 80),
        "gold_edits": None,
        "representation": {"pull": 0.1, "push": 0.5},
    }
    settings = {"train_size": 10, "warm_start_epochs": 1, "epochs": 2, "arms": {"bat": "BAT"},
                "embedding": "e", "eval_size": 100, "attack_examples": 100,
                "synonym_examples": 80}  # fmt: skip
    results = {"bat": {"report": report, "clean_accuracy": Rate(75, 100).to_dict()}}
    with_negation = format_comparison({**results, "settings": {**settings, "negation": True}})
    header, rule, row = with_negation.splitlines()[2:5]
    assert "negation ASR (paper def.)" in header and "negation ASR (improve-only)" in header
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[4:6] == [Rate(60, 100).format(), Rate(5, 100).format()]
    assert len(cells) == header.count("|") - 1 == rule.count("|") - 1
    without = format_comparison({**results, "settings": settings})
    assert "negation" not in without and Rate(60, 100).format() not in without


@pytest.mark.slow
def test_tiny_demo_trains_three_arms_and_measures_both_sensitivities(tmp_path, monkeypatch):
    from textattack_bat import demo
    from textattack_bat.demo import run_demo

    loaded = []  # what each model is loaded from: the warm start's head is fresh, each arm its output

    def recording_load(path, *args, **kwargs):
        loaded.append(path)
        return load_classifier(path, *args, **kwargs)

    monkeypatch.setattr(demo, "load_classifier", recording_load)
    results = run_demo(
        train_size=48,
        eval_size=30,
        attack_examples=30,
        synonym_examples=12,
        epochs=2,
        warm_start_epochs=1,
        output_dir=tmp_path,
        tsne_examples=8,
    )
    assert list(results["settings"]["arms"]) == ["normal", "safer", "bat"]
    assert loaded == [None] + [tmp_path / "warm-start" / "last_model"] * 3  # one shared warm start
    methods = {
        arm: json.loads((tmp_path / arm / "training_args.json").read_text())
        for arm in ("normal", "safer", "bat")
    }
    assert methods["safer"]["method"] == "safer" and methods["safer"]["num_clean_epochs"] == 0
    assert methods["bat"]["method"] == "bat-triplet" and methods["bat"]["num_clean_epochs"] == 0
    assert methods["normal"]["num_clean_epochs"] == methods["normal"]["num_epochs"] == 1
    for arm in ("normal", "safer", "bat"):
        report = results[arm]["report"]
        synonym = report["synonym_asr"]
        counts = synonym["succeeded"] + synonym["failed"] + synonym["skipped"]
        assert counts == 12, synonym  # the first 12 rows, not the 30 the antonym attack saw
        antonym = report["antonym_asr_paper_definition"]
        assert antonym["succeeded"] + antonym["failed"] + antonym["skipped"] == 30
    table = (tmp_path / "demo_results.md").read_text().splitlines()
    header = next(line for line in table if line.startswith("| training"))
    assert "synonym ASR" in header
    assert [line.split("|")[1].strip() for line in table if line.startswith("| ")][1:] == [
        "normal",
        "safer",
        "bat",
    ]
    for name in ("tradeoff.png", "representations_tsne.png"):
        assert (tmp_path / name).stat().st_size > 10_000
    # eval_size == attack_examples: the accuracy is the report's, and it is the saved model's
    # accuracy on those rows, counted here with TextAttack's own wrapper
    rows = read_jsonl_rows(shipped_path("snli_eval_sample.jsonl"), limit=30)
    for arm in ("normal", "safer", "bat"):
        saved = load_classifier(tmp_path / arm / "last_model", num_labels=3)
        stock = HuggingFaceModelWrapper(saved.model, saved.tokenizer)
        logits = stock([(r["premise"], r["hypothesis"]) for r in rows])
        correct = sum(int(p) == r["label"] for p, r in zip(logits.argmax(dim=1), rows))
        assert results[arm]["clean_accuracy"]["n"] == 30
        assert results[arm]["clean_accuracy"]["count"] == correct, arm


def test_the_demo_sets_the_device_it_is_given_before_any_work(tmp_path):
    import textattack
    import torch

    from textattack_bat.demo import run_demo
    from textattack_bat.errors import UsageError

    with pytest.raises(UsageError, match="--device tpu"):
        run_demo(device="tpu", output_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()
    before = textattack.shared.utils.device
    textattack.shared.utils.device = torch.device("meta")
    try:
        with pytest.raises(UsageError, match="--train-size 1000000"):  # stops after the device
            run_demo(device="cpu", train_size=10**6, output_dir=tmp_path / "out")
        assert textattack.shared.utils.device == torch.device("cpu")
    finally:
        textattack.shared.utils.device = before
