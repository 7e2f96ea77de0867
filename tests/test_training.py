"""SAFER and BAT training: CLI as a user runs it, Python API, resume, bad input."""

import json
import math
import os
import subprocess

import pytest
import torch
from conftest import ROOT, script
from training import tiny_bat_trainer

from textattack_bat import BATTrainer, BATTrainingArgs, SAFERTrainer, load_jsonl_dataset
from textattack_bat.datasets import shipped_path
from textattack_bat.lexicon.tables import SynonymTable
from textattack_bat.models import load_classifier
from textattack_bat.training.representations import RepresentationError


def snli(limit, offset=0, name="snli_train_sample.jsonl"):
    return load_jsonl_dataset(shipped_path(name), limit=limit, offset=offset)


@pytest.mark.slow
@pytest.mark.parametrize(
    "method,terms",
    [
        ("bat-triplet", ["train_ce", "train_contrastive", "train_triplet"]),
        ("bat-pairwise", ["train_ce", "train_contrastive", "train_pull", "train_push"]),
        ("safer", ["train_ce"]),
    ],
)
def test_textattack_train_cli(method, terms, tmp_path):
    from textattack_bat import resources

    out_dir = tmp_path / method
    env = {**os.environ, "TEXTATTACK_BAT_LIMIT": "64"}
    run = subprocess.run(
        [
            script("textattack"),
            "train",
            "--model-name-or-path",
            str(resources.minilm_path()),
            "--model-num-labels",
            "3",
            "--dataset-from-file",
            "recipes/datasets.py",
            "--attack",
            method,
            "--num-epochs",
            "1",
            "--per-device-train-batch-size",
            "16",
            "--output-dir",
            str(out_dir),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=1200,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-4000:]
    assert "Eval accuracy:" in output
    assert f"{method} preset (paper) for flags not given" in output
    assert "Running clean epoch" not in output  # TextAttack's base Trainer loop did not run
    assert (out_dir / "checkpoint-epoch-1" / "trainer_state.json").is_file()
    assert (out_dir / "checkpoint-epoch-1" / "config.json").is_file()
    history = json.loads((out_dir / "history.json").read_text())
    assert len(history) == 1
    for term in terms:
        assert math.isfinite(history[0][term]), term
    args = json.loads((out_dir / "training_args.json").read_text())
    assert args["per_device_train_batch_size"] == 16  # explicit flag kept
    assert args["weight_decay"] == 0.0 and args["num_warmup_steps"] == 0  # paper preset applied
    assert args["learning_rate"] == (3e-5 if method == "safer" else 2e-5)


@pytest.mark.slow
def test_interrupted_run_resumes_from_the_last_checkpoint(tmp_path):
    train, evaluation = snli(32), snli(16, name="snli_eval_sample.jsonl")
    args = dict(
        method="bat-triplet",
        num_epochs=2,
        per_device_train_batch_size=16,
        output_dir=str(tmp_path),
        embedding="glove",
    )

    def crash_in_epoch_2(trainer, epoch):
        if epoch == 2:
            raise KeyboardInterrupt("simulated kill during epoch 2")

    first = BATTrainer(
        load_classifier(None, num_labels=3),
        "classification",
        train,
        evaluation,
        BATTrainingArgs(**args),
        epoch_callbacks=[crash_in_epoch_2],
    )
    with pytest.raises(KeyboardInterrupt):
        first.train()
    assert (tmp_path / "checkpoint-epoch-1" / "trainer_state.json").is_file()
    assert not (tmp_path / "checkpoint-epoch-2").exists()
    saved_epoch_1 = json.loads((tmp_path / "checkpoint-epoch-1" / "trainer_state.json").read_text())

    seen = []
    resumed = BATTrainer(
        load_classifier(None, num_labels=3),
        "classification",
        train,
        evaluation,
        BATTrainingArgs(**args),
        epoch_callbacks=[lambda t, e: seen.append(e)],
    )
    restored = {}
    original_restore = resumed._restore

    def spy(model, optimizer, scheduler):
        result = original_restore(model, optimizer, scheduler)
        restored["weight"] = model.classifier.weight.detach().clone()
        return result

    resumed._restore = spy
    history = resumed.train()
    assert seen == [2]
    assert [h["epoch"] for h in history] == [1, 2]
    assert history[0] == saved_epoch_1["history"][0]
    checkpoint = load_classifier(tmp_path / "checkpoint-epoch-1", num_labels=3).model
    assert torch.equal(restored["weight"], checkpoint.classifier.weight)


def test_bad_input_is_reported_clearly(tmp_path):
    two_labels = load_classifier(None, num_labels=2)
    with pytest.raises(ValueError, match=r"labels \['2'\] outside the model's 2 outputs"):
        BATTrainer(
            two_labels, "classification", snli(64), None, BATTrainingArgs(output_dir=str(tmp_path))
        )
    with pytest.raises(ValueError, match="empty"):
        BATTrainer(
            load_classifier(None, num_labels=3),
            "classification",
            _empty(),
            None,
            BATTrainingArgs(output_dir=str(tmp_path)),
        )


def _empty():
    import textattack

    return textattack.datasets.Dataset([], input_columns=["premise", "hypothesis"])


class NoHiddenStates(torch.nn.Module):
    def forward(self, ids):
        return torch.zeros(len(ids), 3)


def test_model_without_a_representation_is_refused(tmp_path):
    from textattack.models.wrappers import PyTorchModelWrapper

    wrapper = PyTorchModelWrapper(NoHiddenStates(), tokenizer=lambda texts: [[0] for _ in texts])
    with pytest.raises(
        RepresentationError, match="No representation before the classification layer"
    ):
        BATTrainer(
            wrapper, "classification", snli(8), None, BATTrainingArgs(output_dir=str(tmp_path))
        )


@pytest.mark.slow
def test_low_table_coverage_warns_and_batch_size_one_stays_finite(tmp_path):
    args = BATTrainingArgs(
        method="bat-pairwise",
        num_epochs=1,
        per_device_train_batch_size=1,
        output_dir=str(tmp_path),
        save_last=False,
    )
    trainer = BATTrainer(
        load_classifier(None, num_labels=3),
        "classification",
        snli(6),
        None,
        args,
        synonym_table=SynonymTable({"zyzzyva": ("aardvark",)}),
    )
    with pytest.warns(RuntimeWarning, match=r"covers only 0.0% of the training vocabulary"):
        history = trainer.train()
    assert all(math.isfinite(v) for k, v in history[0].items() if k.startswith("train_"))


@pytest.mark.slow
def test_safer_python_api(tmp_path):
    from nltk.corpus import wordnet as wn

    from textattack_bat.lexicon.tables import vocabulary

    train = snli(48)
    words = vocabulary(t for (inputs, _) in train for t in inputs.values())
    table = SynonymTable(
        {
            w: tuple(
                sorted(
                    {
                        lemma.name().lower()
                        for s in wn.synsets(w)
                        for lemma in s.lemmas()
                        if lemma.name().isalpha()
                    }
                    - {w}
                )
            )
            for w in words
        }
    )
    args = BATTrainingArgs(
        method="safer", num_epochs=1, per_device_train_batch_size=16, output_dir=str(tmp_path)
    )
    history = SAFERTrainer(
        load_classifier(None, num_labels=3),
        "classification",
        train,
        snli(16, name="snli_eval_sample.jsonl"),
        args,
        synonym_table=table,
    ).train()
    assert math.isfinite(history[0]["train_ce"]) and 0 <= history[0]["eval_accuracy"] <= 1


def test_command_line_precedence(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from textattack_bat.plugin.train_command import CONFIG_ENV, trainer_from_command_line

    defaults = BATTrainingArgs.__mro__[
        1
    ]()  # TextAttack's TrainingArgs defaults, as the CLI parser has them
    cli = SimpleNamespace(
        **{
            **defaults.__dict__,
            "output_dir": str(tmp_path),
            "learning_rate": 7e-5,
            "model_max_length": None,
        }
    )
    config = tmp_path / "bat.json"
    config.write_text(
        json.dumps({"per_device_train_batch_size": 4, "learning_rate": 9e-5, "margin": 0.5})
    )
    monkeypatch.setenv(CONFIG_ENV, str(config))
    wrapper = load_classifier(None, num_labels=3)
    trainer = trainer_from_command_line(
        "bat-triplet",
        {"margin": 0.7},
        wrapper,
        "classification",
        snli(8),
        None,
        cli,
        argv=["train", "--learning-rate", "7e-5"],
    )
    args = trainer.training_args
    assert args.weight_decay == 0.0 and args.num_clean_epochs == 0  # preset (flag not given)
    assert args.per_device_train_batch_size == 4  # config file beats the preset
    assert args.learning_rate == 7e-5  # an explicit flag beats the config file
    assert args.margin == 0.7  # NAME^key=value beats everything
    config.write_text(json.dumps({"lambda": 2}))
    with pytest.raises(ValueError, match=r"Unknown bat-triplet setting\(s\) \['lambda'\]"):
        trainer_from_command_line(
            "bat-triplet", {}, wrapper, "classification", snli(8), None, cli, argv=[]
        )


@pytest.mark.slow
def test_a_killed_and_resumed_run_equals_an_uninterrupted_one(tmp_path):
    """Same seed: killed after epoch 1 (during epoch 2's evaluation) and resumed, the run ends
    with the same weights, optimizer state and history as a run that was never interrupted;
    Python's and NumPy's generators continue too (a callback draws from both every epoch)."""
    import random

    import numpy as np
    import torch

    train, evaluation = snli(32), snli(16, name="snli_eval_sample.jsonl")

    def draw(trainer, epoch):
        return {"python_draw": random.random(), "numpy_draw": float(np.random.rand())}

    def run(out, callbacks=(draw,)):
        torch.manual_seed(0)  # the same fresh head in every run
        args = BATTrainingArgs(method="bat-triplet", num_epochs=2, per_device_train_batch_size=16,
                               output_dir=str(out), embedding="glove")  # fmt: skip
        model = load_classifier(None, num_labels=3)
        return BATTrainer(
            model, "classification", train, evaluation, args, epoch_callbacks=callbacks
        )

    def crash_in_epoch_2(trainer, epoch):
        if epoch == 2:
            raise KeyboardInterrupt("simulated kill")

    uninterrupted = run(tmp_path / "a").train()
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path / "b", [draw, crash_in_epoch_2]).train()
    resumed = run(tmp_path / "b").train()

    assert len(resumed) == len(uninterrupted) == 2
    for got, expected in zip(resumed, uninterrupted):
        assert got.keys() == expected.keys()
        for key in expected:
            assert got[key] == pytest.approx(expected[key], abs=1e-6), key
    from safetensors.torch import load_file

    a, b = (
        load_file(str(tmp_path / run_dir / "last_model" / "model.safetensors")) for run_dir in "ab"
    )
    assert max(float((a[k] - b[k]).abs().max()) for k in a) <= 1e-6
    opt_a, opt_b = (
        torch.load(tmp_path / d / "checkpoint-epoch-2" / "optimizer.pt", weights_only=True)
        for d in "ab"
    )
    assert opt_a["scheduler"] == opt_b["scheduler"]
    for state_a, state_b in zip(
        opt_a["optimizer"]["state"].values(), opt_b["optimizer"]["state"].values()
    ):
        for key in ("exp_avg", "exp_avg_sq"):
            assert float((state_a[key] - state_b[key]).abs().max()) <= 1e-6


def test_fresh_head_is_initialised_from_the_seed():
    """Two loads with the same seed start from the same weights (the demo's and the benchmarks'
    `--seed`); another seed gives another head; the global random state is left alone."""
    import torch

    from textattack_bat.models import load_classifier

    def head(seed):
        wrapper = load_classifier(None, num_labels=3, seed=seed)
        return wrapper.model.classifier.weight.detach().clone()

    torch.manual_seed(123)
    expected_next = torch.rand(3)
    torch.manual_seed(123)
    first = head(0)
    assert torch.equal(torch.rand(3), expected_next)  # global RNG untouched
    assert torch.equal(head(0), first)
    assert not torch.equal(head(1), first)


@pytest.mark.parametrize(
    "epochs,clean,expected",
    [
        (2, 2, "2 cross-entropy epochs (no perturbed copies)"),
        (1, 1, "1 cross-entropy epoch (no perturbed copies)"),
        (3, 0, "bat-triplet, 3 epochs"),
        (3, 1, "1 cross-entropy epoch, then bat-triplet for 2"),
    ],
)
def test_the_log_names_cross_entropy_epochs_as_such(epochs, clean, expected):
    from textattack_bat.training.arguments import training_plan

    args = BATTrainingArgs(method="bat-triplet", num_epochs=epochs, num_clean_epochs=clean)
    assert training_plan(args) == expected


NEGATIVE_ROWS = [  # (premise, hypothesis), label; hand-written
    (("A happy man sleeps on a bench.", "A man is outside."), 0),
    (("A happy child.", "A child."), 2),  # an antonym (happy), no verb
    (("A man sleeps on a bench.", "A man is awake."), 2),  # verbs, no antonym in the table
    (("A man is singing.", "A man sings."), 1),  # neutral: no negative
]
NEGATION_COPIES = {  # row -> every one-edit negation copy, by hand
    0: {
        ("A happy man does not sleep on a bench.", "A man is outside."),
        ("A happy man doesn't sleep on a bench.", "A man is outside."),
        ("A happy man sleeps on a bench.", "A man is not outside."),
        ("A happy man sleeps on a bench.", "A man isn't outside."),
    },
    2: {
        ("A man does not sleep on a bench.", "A man is awake."),
        ("A man doesn't sleep on a bench.", "A man is awake."),
        ("A man sleeps on a bench.", "A man is not awake."),
        ("A man sleeps on a bench.", "A man isn't awake."),
    },
}
ANTONYM_COPIES = {
    0: {("A unhappy man sleeps on a bench.", "A man is outside.")},
    1: {("A unhappy child.", "A child.")},
}


@pytest.mark.parametrize(
    "source,allowed,masked",
    [
        ("antonym", [ANTONYM_COPIES], [1, 1, 0, 0]),
        ("negation", [NEGATION_COPIES], [1, 0, 1, 0]),
        ("both", [ANTONYM_COPIES, NEGATION_COPIES], [1, 1, 1, 0]),
    ],
)
def test_bat_negatives_come_from_the_negative_source(tmp_path, source, allowed, masked):
    """The negative copy BAT trains on, per source, against hand-written copies; one training
    epoch on them stays finite."""
    trainer = tiny_bat_trainer(
        NEGATIVE_ROWS,
        tmp_path,
        {"happy": ("unhappy",)},
        per_device_train_batch_size=4,
        negative_source=source,
    )
    copies = trainer.perturb_epoch(1)
    assert copies["antonym_mask"].tolist() == masked
    for row, copy in enumerate(copies["antonym_texts"]):
        expected = set().union(*(kind.get(row, set()) for kind in allowed))
        assert copy in expected if masked[row] else copy == NEGATIVE_ROWS[row][0]
    history = trainer.train()
    assert math.isfinite(history[0]["train_triplet"]) and history[0]["train_push"] > 0


def test_safer_trains_on_its_resampled_copies(tmp_path):
    """The texts SAFER's cross-entropy sees are the synonym copies: with the table man -> guy,
    each is its original with some "man" turned into "guy" (checked by hand: turn them back),
    and some rows do change. A step that ignored the copies would see only originals."""
    import textattack

    rows = [
        (("A man sleeps on a bench.", "A man is outside."), 0),
        (("The man plays a guitar.", "A man plays music."), 0),
        (("A man and a woman walk.", "Nobody walks."), 2),
        (("Man in a red hat.", "A man wears a hat."), 0),
    ] * 2
    dataset = textattack.datasets.Dataset(rows, input_columns=["premise", "hypothesis"])
    args = BATTrainingArgs(
        method="safer",
        num_epochs=2,
        num_clean_epochs=1,
        per_device_train_batch_size=4,
        output_dir=str(tmp_path),
        save_last=False,
    )
    trainer = SAFERTrainer(
        load_classifier(None, num_labels=3, seed=0),
        "classification",
        dataset,
        None,
        args,
        synonym_table=SynonymTable({"man": ("guy",)}),
    )
    seen = {1: [], 2: []}
    step = trainer.cross_entropy_step

    def recording_step(model, tokenizer, texts, targets):
        seen[trainer._epoch].extend(texts)
        return step(model, tokenizer, texts, targets)

    trainer.cross_entropy_step = recording_step
    trainer.train()
    originals = {example for example, _ in rows}
    assert set(seen[1]) == originals  # the clean epoch: originals only
    back = lambda text: text.replace("guy", "man").replace("Guy", "Man")  # noqa: E731
    assert all(tuple(map(back, texts)) in originals for texts in seen[2])
    changed = [texts for texts in seen[2] if texts not in originals]
    assert 0 < len(changed) < len(seen[2]) and len(seen[2]) == len(rows)


@pytest.mark.slow
def test_textattack_train_reads_the_less_common_options(tmp_path):
    """Issue 27 item 13, through `textattack train` as a user runs it, on 24 shipped rows: one
    clean epoch then BAT, gradient accumulation over 2 batches of 8 (ceil(24 / 16) = 2 optimizer
    steps an epoch, by hand), a checkpoint every 2 epochs (so none after epoch 1 of 3, but the
    last), and the per-epoch robustness evaluation on 8 rows with the negation attack."""
    from textattack_bat import resources

    out = tmp_path / "run"
    run = subprocess.run(
        [script("textattack"), "train", "--model-name-or-path", str(resources.minilm_path()),
         "--model-num-labels", "3", "--dataset-from-file", "recipes/datasets.py",
         "--attack", "bat-triplet^robustness_eval_examples=8,robustness_eval_synonym=False,"
         "robustness_eval_negation=True",
         "--num-epochs", "3", "--num-clean-epochs", "1", "--per-device-train-batch-size", "8",
         "--gradient-accumulation-steps", "2", "--checkpoint-interval-epochs", "2",
         "--output-dir", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=1200,
        env={**os.environ, "TEXTATTACK_BAT_LIMIT": "24"},
    )  # fmt: skip
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    history = json.loads((out / "history.json").read_text())
    assert [h["epoch"] for h in history] == [1, 2, 3]
    assert "train_triplet" not in history[0] and "train_triplet" in history[1]
    checkpoints = sorted(p.name for p in out.glob("checkpoint-epoch-*"))
    assert checkpoints == ["checkpoint-epoch-2", "checkpoint-epoch-3"]
    state = json.loads((out / "checkpoint-epoch-2" / "trainer_state.json").read_text())
    assert state["global_step"] == 2 * 2
    log = json.loads((out / "robustness_log.json").read_text())
    assert [entry["epoch"] for entry in log] == [1, 2, 3]
    for entry in log:
        report = entry["report"]
        assert report["num_examples"] == 8 and report["synonym_asr"] is None
        negation = report["negation_asr_paper_definition"]
        assert negation["succeeded"] + negation["failed"] + negation["skipped"] == 8
