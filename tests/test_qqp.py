"""QQP, on the shipped QQP rows of ../shared/data: the antonym attack skips not_duplicate and
swaps exactly one word for a WordNet antonym; BAT training masks not_duplicate rows.

The antonym oracle is NLTK's WordNet API called directly (morphy + lemma antonyms), not the
package's WordNetAntonyms.
"""

import re
from collections import OrderedDict

import pytest
import torch
from oracles import is_wordnet_antonym
from textattack.attack_results import SkippedAttackResult, SuccessfulAttackResult
from textattack.shared import AttackedText

from textattack_bat.datasets import load_jsonl_dataset

WORD = re.compile(r"[A-Za-z]+")


def test_independent_oracle_on_hand_pairs():
    assert is_wordnet_antonym("good", "bad") and is_wordnet_antonym("Increases", "decreases")
    assert is_wordnet_antonym("best", "evillest")  # best is in good.a.01; evil, superlative
    assert not is_wordnet_antonym("good", "nice") and not is_wordnet_antonym("man", "dog")


@pytest.mark.slow
def test_qqp_attack_skips_not_duplicate_and_swaps_one_antonym(shared_data):
    from textattack_bat.attack.recipes import AntonymUnderQQP
    from textattack_bat.models import load_classifier

    dataset = load_jsonl_dataset(shared_data / "qqp_validation_sample.jsonl")
    assert dataset.label_names == ["not_duplicate", "duplicate"]
    torch.manual_seed(0)
    model = load_classifier(None, num_labels=2)
    model.model.classifier.bias.data = torch.tensor(
        [-5.0, 5.0]
    )  # predicts duplicate: every duplicate row is attacked
    attack = AntonymUnderQQP.build(model)
    succeeded = 0
    for inputs, label in dataset:
        result = attack.attack(AttackedText(OrderedDict(inputs)), label)
        if label == 0:
            assert isinstance(result, SkippedAttackResult)
            continue
        assert not isinstance(result, SkippedAttackResult)
        if isinstance(result, SuccessfulAttackResult):
            succeeded += 1
            before = [w for text in inputs.values() for w in WORD.findall(text)]
            after = [
                w
                for text in result.perturbed_result.attacked_text._text_input.values()
                for w in WORD.findall(text)
            ]
            changed = [(a, b) for a, b in zip(before, after) if a != b]
            assert len(before) == len(after) and len(changed) == 1, changed
            assert is_wordnet_antonym(*changed[0]), changed
    duplicates = sum(label == 1 for _, label in dataset)
    assert duplicates >= 30 and succeeded >= 10  # the biased head keeps "duplicate" for most swaps


@pytest.mark.slow
def test_bat_training_on_qqp_masks_not_duplicate(shared_data, tmp_path):
    from textattack_bat.models import load_classifier
    from textattack_bat.training.arguments import BATTrainingArgs
    from textattack_bat.training.trainers import BATTrainer

    train = load_jsonl_dataset(shared_data / "qqp_train_sample200.jsonl", limit=64)
    args = BATTrainingArgs(method="bat-triplet", num_epochs=1, per_device_train_batch_size=16,
                           output_dir=str(tmp_path), embedding="glove")  # fmt: skip
    trainer = BATTrainer(load_classifier(None, num_labels=2), "classification", train, None, args)
    assert trainer.skip_labels == (0,)
    copies = trainer.perturb_epoch(1)
    labels = [label for _, label in train]
    assert all(mask == 0 for mask, label in zip(copies["antonym_mask"], labels) if label == 0)
    assert sum(copies["antonym_mask"]) > 0
    history = trainer.train()
    assert torch.isfinite(torch.tensor(history[0]["train_loss"])) and "train_triplet" in history[0]


@pytest.fixture(scope="module")
def two_label_model(tmp_path_factory):
    """MiniLM with a fresh, seeded 2-way head, saved: a real 2-label model directory."""
    from textattack_bat.models import load_classifier

    out = tmp_path_factory.mktemp("minilm-2")
    wrapper = load_classifier(None, num_labels=2, seed=0)
    wrapper.model.save_pretrained(out)
    wrapper.tokenizer.save_pretrained(out)
    return out


def cli(*args, env=None):
    import os
    import subprocess

    from conftest import ROOT, script

    return subprocess.run(
        [script(args[0]), *args[1:]], capture_output=True, text=True, cwd=ROOT, timeout=900,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


MRPC_ROWS = [  # hand-written: sentence1, sentence2, label (1 = equivalent)
    {"sentence1": "The company reported a large profit.", "sentence2": "The firm posted a big profit.", "label": 1},
    {"sentence1": "He is happy with the result.", "sentence2": "He likes the result.", "label": 1},
    {"sentence1": "Prices rose sharply in May.", "sentence2": "The weather was cold.", "label": 0},
    {"sentence1": "The team won the final game.", "sentence2": "The team won the last match.", "label": 1},
]  # fmt: skip


@pytest.mark.slow
def test_qqp_and_mrpc_end_to_end_with_a_two_label_model(two_label_model, shared_data, tmp_path):
    """Issue 27 item 12: `evaluate` on shipped QQP rows and on MRPC rows and `textattack attack
    --recipe antonym-under-qqp` run with a 2-label model; the negative class (label 0) is never
    attacked."""
    import csv
    import json

    qqp = shared_data / "qqp_validation_sample.jsonl"
    labels = [json.loads(line)["label"] for line in qqp.read_text().splitlines()[:12]]
    mrpc = tmp_path / "mrpc.jsonl"
    mrpc.write_text("".join(json.dumps(row) + "\n" for row in MRPC_ROWS))
    for rows, n, truth in ((qqp, 12, labels), (mrpc, 4, [r["label"] for r in MRPC_ROWS])):
        out = tmp_path / rows.stem
        run = cli("textattack-bat", "evaluate", "--model", str(two_label_model),
                  "--dataset-from-file", str(rows), "--num-examples", str(n), "--no-synonym",
                  "--output-dir", str(out))  # fmt: skip
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
        report = json.loads((out / "robustness.json").read_text())
        assert report["skip_labels"] == [0] and report["num_examples"] == n
        for key in ("antonym_asr_paper_definition", "negation_asr_paper_definition"):
            counts = report[key]
            assert counts["succeeded"] + counts["failed"] + counts["skipped"] == n, key
            assert counts["skipped"] >= truth.count(0), key  # every not-duplicate row
    log = tmp_path / "qqp.csv"
    run = cli("textattack", "attack", "--model", str(two_label_model), "--recipe",
              "antonym-under-qqp", "--dataset-from-file", "recipes/datasets.py",
              "--num-examples", "12", "--log-to-csv", str(log), "--disable-stdout",
              env={"TEXTATTACK_BAT_EVAL_FILE": str(qqp)})  # fmt: skip
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    with log.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 12
    for row, label in zip(rows, labels):
        assert float(row["ground_truth_output"]) == label
        if label == 0:
            assert row["result_type"] == "Skipped"


@pytest.mark.slow
def test_build_tables_and_offline_dataset_errors_name_the_fix(tmp_path):
    missing = cli("textattack-bat", "build-tables", "--dataset-from-file",
                  str(tmp_path / "no.jsonl"), "--out", str(tmp_path / "t"))  # fmt: skip
    assert missing.returncode == 2
    assert f"Dataset file {tmp_path / 'no.jsonl'} does not exist" in missing.stderr
    offline = cli("textattack-bat", "evaluate", "--model", str(tmp_path), "--dataset", "glue^qqp",
                  env={"HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"})  # fmt: skip
    assert offline.returncode == 2 and "Traceback" not in offline.stderr
    assert "use --dataset-from-file with a local JSON Lines file" in offline.stderr
