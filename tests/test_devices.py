"""Device selection: clear errors for devices this machine lacks; models land where reported."""

import subprocess

import pytest
import torch
from conftest import ROOT, script

from textattack_bat.resources import resolve_device


def test_cpu_and_auto_on_a_machine_without_cuda():
    assert resolve_device("cpu") == torch.device("cpu")
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected and resolve_device(None).type == expected


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error on a machine without CUDA")
def test_cuda_requested_without_cuda_is_a_clear_error():
    with pytest.raises(
        ValueError,
        match=r"^--device cuda: CUDA is not available on this machine .*use --device cpu\.$",
    ):
        resolve_device("cuda")


def test_bad_names_are_refused():
    with pytest.raises(ValueError, match="not a device name"):
        resolve_device("gpu0")
    with pytest.raises(ValueError, match="only cpu and cuda devices are supported"):
        resolve_device("meta")


def test_cuda_index_checked_against_a_fake_two_gpu_machine(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert resolve_device("auto") == torch.device("cuda")
    assert resolve_device("cuda:1") == torch.device("cuda:1")
    with pytest.raises(ValueError, match=r"this machine has 2 CUDA device\(s\), cuda:0..cuda:1"):
        resolve_device("cuda:2")


def test_load_classifier_puts_every_parameter_on_the_requested_device(monkeypatch):
    """The resolved device is routed to ``meta`` (where no model starts), so the test fails if
    the model is not moved; the device asked for and TextAttack's default both reach it."""
    from textattack_bat import models

    asked = []

    def resolve(name):
        asked.append(name)
        return torch.device("meta")

    monkeypatch.setattr(models.resources, "resolve_device", resolve)
    monkeypatch.setattr(models.resources, "default_device", lambda: torch.device("meta"))
    for device in ("cuda:1", None):
        wrapper = models.load_classifier(None, num_labels=3, device=device)
        assert {p.device.type for p in wrapper.model.parameters()} == {"meta"}, device
    assert asked == ["cuda:1"]


def test_evaluate_cli_refuses_a_missing_device_in_one_line(shared_data, tmp_path):
    if torch.cuda.is_available():
        pytest.skip("checks the error on a machine without CUDA")
    out = subprocess.run(
        [
            script("textattack-bat"),
            "evaluate",
            "--model",
            str(tmp_path),
            "--dataset-from-file",
            str(shared_data / "snli_test.jsonl"),
            "--device",
            "cuda:0",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert out.returncode == 2
    assert (
        out.stderr.strip()
        .splitlines()[-1]
        .startswith("textattack-bat evaluate: error: --device cuda:0: CUDA is not")
    )
    assert "Traceback" not in out.stderr


def test_the_context_sense_encoder_follows_textattacks_device(monkeypatch):
    """On a GPU machine run with ``--device cpu`` (TextAttack's device set to the CPU), the
    context policy's sentence encoder is built on the CPU too; an explicit device still wins."""
    import sentence_transformers
    import textattack

    from textattack_bat.lexicon.senses import ContextSenses

    built = []

    class Recorder:
        def __init__(self, model, device=None):
            built.append(device)

    from textattack_bat.lexicon import senses

    monkeypatch.setattr(sentence_transformers, "SentenceTransformer", Recorder)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(textattack.shared.utils, "device", torch.device("cpu"))
    senses.shared_encoder.cache_clear()  # one encoder per (model, device) and process
    try:
        first = ContextSenses()._encoder()
        assert ContextSenses(device="cpu")._encoder() is first
        assert built == ["cpu"]
    finally:
        senses.shared_encoder.cache_clear()


def test_the_trainer_moves_the_model_and_its_inputs_to_textattacks_device(monkeypatch, tmp_path):
    """TextAttack's device routed to ``meta`` (where no model starts): when the first epoch asks
    for its batches, every parameter is there, and so is every tokenised input; the test fails
    if the trainer leaves either on the CPU."""
    import textattack

    from textattack_bat import BATTrainer, BATTrainingArgs, load_jsonl_dataset
    from textattack_bat.datasets import shipped_path
    from textattack_bat.lexicon.tables import SynonymTable
    from textattack_bat.models import load_classifier

    class Reached(Exception):
        pass

    wrapper = load_classifier(None, num_labels=3, device="cpu")
    trainer = BATTrainer(
        wrapper,
        "classification",
        load_jsonl_dataset(shipped_path("snli_train_sample.jsonl"), limit=8),
        None,
        BATTrainingArgs(num_epochs=1, output_dir=str(tmp_path), save_last=False),
        synonym_table=SynonymTable({}),
        antonym_table=SynonymTable({}),
    )
    seen = {}

    def first_batches(*args):
        seen["parameters"] = {p.device.type for p in wrapper.model.parameters()}
        inputs = trainer._tokenize(wrapper.tokenizer, trainer.texts[:2])
        seen["inputs"] = {tensor.device.type for tensor in inputs.values()}
        raise Reached

    assert {p.device.type for p in wrapper.model.parameters()} == {"cpu"}
    monkeypatch.setattr(textattack.shared.utils, "device", torch.device("meta"))
    monkeypatch.setattr(trainer, "get_train_dataloader", first_batches)
    with pytest.raises(Reached):
        trainer.train()
    assert seen == {"parameters": {"meta"}, "inputs": {"meta"}}
