"""`textattack-bat evaluate` as a user runs it, bad input, plots, the callback. (The CLI demo end
to end: ``test_reproducibility.py``; the demo's three arms: ``test_demo.py``.)"""

import json
import os
import subprocess

import pytest
from conftest import ROOT, script


def run_cli(*args, timeout=1500):
    env = {**os.environ}
    return subprocess.run(
        [script("textattack-bat"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=timeout,
    )


def independent_accuracy(model_dir, rows):
    import torch
    import transformers

    tokenizer = transformers.AutoTokenizer.from_pretrained(model_dir)
    model = transformers.AutoModelForSequenceClassification.from_pretrained(model_dir).eval()
    with torch.no_grad():
        batch = tokenizer(
            [r["premise"] for r in rows],
            [r["hypothesis"] for r in rows],
            padding=True,
            truncation=True,
            max_length=128,
            return_tensors="pt",
        )
        predictions = model(**batch).logits.argmax(-1).tolist()
    return sum(p == r["label"] for p, r in zip(predictions, rows)) / len(rows)


@pytest.mark.slow
def test_evaluate_cli_on_real_mnli_in_one_process_and_under_torchrun(
    nli_model_dir, shared_data, mnli_rows, tmp_path
):
    """21 MNLI rows (an odd count: the two torchrun blocks are 10 and 11 rows)."""
    mnli = shared_data / "mnli_validation_matched_0_7999.jsonl"
    evaluate = ["evaluate", "--model", str(nli_model_dir), "--dataset-from-file", str(mnli),
                "--num-examples", "21"]  # fmt: skip
    run = run_cli(*evaluate, "--output-dir", str(tmp_path))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "antonym ASR (paper definition)" in run.stdout and "synonym ASR" in run.stdout
    assert "negation ASR (improve-only, authors)" in run.stdout  # on by default
    report = json.loads((tmp_path / "robustness.json").read_text())
    assert (tmp_path / "robustness.md").read_text().count("|") > 20
    keys = ("antonym_asr_paper_definition", "antonym_asr_improve_only", "synonym_asr")
    for key in keys + ("negation_asr_paper_definition", "negation_asr_improve_only"):
        counts = report[key]
        assert counts["succeeded"] + counts["failed"] + counts["skipped"] == 21, key
        assert counts["attacked"] >= 1, key  # a rate over no attacked row would check nothing
        assert counts["success_rate"] == pytest.approx(counts["succeeded"] / counts["attacked"])
    assert report["accuracy"] == pytest.approx(independent_accuracy(nli_model_dir, mnli_rows[:21]))
    # improve-only succeeds only where the paper's definition does: strictly fewer or equal, and
    # the paper's definition must have succeeded somewhere for that to say anything
    paper_succeeded = report["antonym_asr_paper_definition"]["succeeded"]
    assert 1 <= paper_succeeded, report["antonym_asr_paper_definition"]
    assert report["antonym_asr_improve_only"]["succeeded"] <= paper_succeeded
    neutral_or_wrong = report["antonym_asr_paper_definition"]["skipped"]
    assert neutral_or_wrong >= sum(r["label"] == 1 for r in mnli_rows[:21])

    # two gloo processes under torchrun: each attacks its block, rank 0 writes the merged report,
    # which is the one-process report but for the wall time and the process count
    ddp_dir = tmp_path / "torchrun"
    torchrun = subprocess.run(
        [script("torchrun"), "--standalone", "--nproc_per_node", "2", "-m", "textattack_bat.cli",
         *evaluate, "--output-dir", str(ddp_dir)],
        capture_output=True, text=True, cwd=ROOT, timeout=900,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )  # fmt: skip
    assert torchrun.returncode == 0, torchrun.stdout[-3000:] + torchrun.stderr[-3000:]
    assert torchrun.stdout.count("wrote ") == 1, torchrun.stdout[-3000:]  # rank 0 alone
    merged = json.loads((ddp_dir / "robustness.json").read_text())
    assert merged["settings"].pop("processes") == 2 and "processes" not in report["settings"]
    for one in (merged, report):
        one.pop("seconds")
    assert merged == report


@pytest.mark.slow
def test_evaluate_bad_input(fresh_nli_model_dir, shared_data, tmp_path, capsys):
    """Exit status 2 and a message that names the problem: a missing model in its own process,
    as a user runs it; the rest through ``cli.main`` in this process (the same code path, without
    a process start each)."""
    from textattack_bat.cli import main

    nli_model_dir = fresh_nli_model_dir
    mnli = str(shared_data / "mnli_validation_matched_0_7999.jsonl")
    missing = run_cli(
        "evaluate", "--model", str(tmp_path / "no-model"), "--dataset-from-file", mnli,
        "--no-synonym",
    )  # fmt: skip
    assert missing.returncode == 2 and "does not exist or has no config.json" in missing.stderr

    def refused(rows: str, *extra: str) -> str:
        data = tmp_path / "rows.jsonl"
        data.write_text(rows + "\n")
        argv = ["evaluate", "--model", str(nli_model_dir), "--dataset-from-file", str(data),
                "--no-synonym", "--output-dir", str(tmp_path / "out"), *extra]  # fmt: skip
        assert main(argv) == 2
        assert not (tmp_path / "out").exists()
        return capsys.readouterr().err

    columns = refused('{"foo": "a", "bar": "b", "label": 0}')
    assert "Cannot tell the task from columns ['bar', 'foo', 'label']" in columns
    small = '{"premise": "A man sleeps.", "hypothesis": "A man is awake.", "label": 2}'
    assert "num_examples=5 but the dataset has only 1 rows" in refused(small, "--num-examples", "5")
    assert "--batch-size 0: give an integer >= 1" in refused(
        small, "--num-examples", "1", "--batch-size", "0"
    )
    qqp = '{"question1": "How do I cook rice?", "question2": "How is rice cooked?", "label": 1}'
    assert "has 3 labels but the dataset has 2" in refused(qqp)


@pytest.mark.slow
def test_robustness_callback_reuses_its_sentence_encoder_across_epochs(
    nli_model_dir, shared_data, tmp_path
):
    from types import SimpleNamespace

    from test_constraints import CountingEncodes

    from textattack_bat.attack.constraints import EncodingCache
    from textattack_bat.datasets import load_jsonl_dataset
    from textattack_bat.evaluation.robustness import RobustnessCallback
    from textattack_bat.models import load_classifier

    dataset = load_jsonl_dataset(shared_data / "mnli_validation_matched_0_7999.jsonl", limit=12)
    trainer = SimpleNamespace(
        model_wrapper=load_classifier(nli_model_dir, num_labels=3),
        training_args=SimpleNamespace(output_dir=str(tmp_path)),
        history=[],
    )
    callback = RobustnessCallback(
        dataset, 12, synonym_options={"embedding": "glove"}, output_dir=tmp_path
    )
    first = callback(trainer, 1)
    encoder = callback._sentence_encoder
    assert isinstance(encoder, EncodingCache) and len(encoder._memo) > 0
    counter = CountingEncodes(encoder)
    second = callback(trainer, 2)  # the same model again: the same attacks, every window memoized
    assert callback._sentence_encoder is encoder and counter.sentences == 0
    assert second == first and first["synonym_asr"] is not None
    log = json.loads((tmp_path / "robustness_log.json").read_text())
    assert [e["epoch"] for e in log] == [1, 2]
    assert log[0]["report"]["settings"]["synonym_sentence_encoder"].startswith("CachedSBERT(")

    # a resumed run (a new process: a new callback) keeps the epochs its history holds
    trainer.history = [{"epoch": 1}, {"epoch": 2}]
    RobustnessCallback(dataset, 12, synonym=False, output_dir=tmp_path)(trainer, 3)
    log = json.loads((tmp_path / "robustness_log.json").read_text())
    assert [e["epoch"] for e in log] == [1, 2, 3]
    assert log[0]["synonym_asr"] == first["synonym_asr"]
    # started over (resume=False: an empty history): the old entries are not this run's
    trainer.history = []
    RobustnessCallback(dataset, 12, synonym=False, output_dir=tmp_path)(trainer, 1)
    log = json.loads((tmp_path / "robustness_log.json").read_text())
    assert [e["epoch"] for e in log] == [1]


def test_usage_errors_exit_2_and_name_the_fix(capsys):
    """A wrong dataset argument is a usage error: exit status 2, as argparse's."""
    from textattack_bat import cli

    datasets = str(ROOT / "recipes" / "datasets.py")
    for argv in (
        ["evaluate", "--model", "some-model", "--dataset-from-file", f"{datasets}^nope"],
        ["build-tables", "--dataset-from-file", f"{datasets}^nope", "--out", "unused"],
    ):
        assert cli.main([*argv, "--device", "cpu"]) == 2
        err = capsys.readouterr().err
        assert f"textattack-bat {argv[0]}: error: {datasets} defines no variable 'nope': " in err
        assert f"give --dataset-from-file {datasets}^VARIABLE" in err
    with pytest.raises(ValueError, match=r"no dataset: give --dataset NAME\[\^SUBSET\]"):
        cli.load_dataset_arg(None, None, None)
