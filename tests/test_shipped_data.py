"""What a pip-installed user points ``--dataset-from-file`` at: the shipped files, found by
``textattack-bat data-path``; the shipped TextAttack dataset file gives the tasks' columns."""

from __future__ import annotations

import subprocess
from pathlib import Path

import textattack
from conftest import script


def test_data_path_prints_each_shipped_file():
    listing = subprocess.run(
        [script("textattack-bat"), "data-path"], capture_output=True, text=True, timeout=120
    )
    assert listing.returncode == 0, listing.stderr
    paths = [Path(line.split()[-1]) for line in listing.stdout.splitlines()]
    assert {p.name for p in paths} >= {"datasets.py", "snli_eval_sample.jsonl"}
    assert all(p.is_file() for p in paths)
    one = subprocess.run(
        [script("textattack-bat"), "data-path", "datasets.py"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert Path(one.stdout.strip()) in paths


def test_the_shipped_dataset_file_gives_nli_datasets(monkeypatch):
    from textattack_bat.datasets import shipped_path

    monkeypatch.setenv("TEXTATTACK_BAT_LIMIT", "5")
    module = textattack.shared.utils.load_module_from_file(str(shipped_path("datasets.py")))
    for name in ("dataset", "train_dataset", "eval_dataset", "snli"):
        dataset = getattr(module, name)
        assert len(dataset) == 5 and dataset.input_columns == ("premise", "hypothesis")
        assert dataset.label_names == ["entailment", "neutral", "contradiction"]
