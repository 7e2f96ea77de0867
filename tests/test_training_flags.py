"""TextAttack's training flags do what TextAttack documents or are refused with one line; the
best-model rule compares like with like. A tiny random BERT (``killed_training.tiny_model``)."""

from __future__ import annotations

import json

import pytest
import torch
from killed_training import ANTONYMS, SYNONYMS, held_out, tiny_model, train
from safetensors.torch import load_file

from textattack_bat import BATTrainer, BATTrainingArgs
from textattack_bat.lexicon.tables import SynonymTable
from textattack_bat.training.arguments import SettingError


def trainer(output_dir, eval_dataset=held_out, cls=BATTrainer, **settings) -> BATTrainer:
    args = BATTrainingArgs(
        **{
            "per_device_train_batch_size": 16,
            "antonym_senses": "all",
            "output_dir": str(output_dir),
            **settings,
        }
    )
    return cls(
        tiny_model(),
        "classification",
        train,
        eval_dataset,
        args,
        synonym_table=SynonymTable(SYNONYMS),
        antonym_table=SynonymTable(ANTONYMS),
    )


@pytest.mark.parametrize(
    "flag,value",
    [
        ("attack_epoch_interval", 2),
        ("alpha", 0.5),
        ("num_train_adv_examples", 100),
        ("query_budget_train", 50),
        ("attack_num_workers_per_device", 2),
    ],
)
def test_textattack_flags_for_attack_generated_examples_are_refused(flag, value):
    with pytest.raises(SettingError, match=f"{flag}={value}") as error:
        BATTrainingArgs(**{flag: value})
    assert "\n" not in str(error.value) and "leave it at" in str(error.value)


def test_early_stopping_without_an_evaluation_set_is_refused(tmp_path):
    with pytest.raises(SettingError, match="early_stopping_epochs=2 needs an evaluation set"):
        trainer(tmp_path, eval_dataset=None, early_stopping_epochs=2)


def test_the_best_model_rule_leaves_cross_entropy_epochs_out_when_perturbed_ones_follow(tmp_path):
    run = trainer(tmp_path, eval_dataset=None, num_epochs=3, num_clean_epochs=1)
    assert run.best_model_score({"epoch": 1, "train_loss": 0.1, "train_ce": 0.1}) is None
    assert run.best_model_score({"epoch": 2, "train_loss": 1.9, "train_ce": 0.7}) == -0.7
    with_eval = trainer(tmp_path)
    assert with_eval.best_model_score({"epoch": 1, "train_ce": 0.7, "eval_accuracy": 0.5}) == 0.5
    only_clean = trainer(tmp_path, eval_dataset=None, num_epochs=2, num_clean_epochs=2)
    assert only_clean.best_model_score({"epoch": 1, "train_loss": 0.4, "train_ce": 0.4}) == -0.4


@pytest.mark.slow
def test_early_stopping_stops_as_textattack_and_a_rerun_stays_stopped(tmp_path):
    # learning rate 0: the evaluation accuracy never improves after epoch 1
    settings = {"num_epochs": 6, "learning_rate": 0.0, "early_stopping_epochs": 1}
    history = trainer(tmp_path, **settings).train()
    assert [record["epoch"] for record in history] == [1, 2, 3]  # TextAttack: stop when 2 > 1
    again = trainer(tmp_path, **settings).train()
    assert [record["epoch"] for record in again] == [1, 2, 3]
    assert "Stopping early before epoch 4" in (tmp_path / "train_log.txt").read_text()


class FirstEpochBest(BATTrainer):
    def best_model_score(self, record: dict) -> float:
        return -record["epoch"]


@pytest.mark.slow
def test_load_best_model_at_end_ends_with_the_best_epochs_weights(tmp_path):
    run = trainer(
        tmp_path, cls=FirstEpochBest, num_epochs=2, learning_rate=1e-3, load_best_model_at_end=True
    )
    run.train()
    best = load_file(str(tmp_path / "best_model" / "model.safetensors"))
    epoch_1 = load_file(str(tmp_path / "checkpoint-epoch-1" / "model.safetensors"))
    epoch_2 = load_file(str(tmp_path / "checkpoint-epoch-2" / "model.safetensors"))
    last = load_file(str(tmp_path / "last_model" / "model.safetensors"))
    final = run.model_wrapper.model.state_dict()
    assert any(not torch.equal(epoch_1[k], epoch_2[k]) for k in epoch_1)  # it trained
    for name in epoch_1:
        assert torch.equal(best[name], epoch_1[name])
        assert torch.equal(last[name], epoch_1[name])
        assert torch.equal(final[name], epoch_1[name])
    state = json.loads((tmp_path / "checkpoint-epoch-2" / "trainer_state.json").read_text())
    assert state["best"]["epoch"] == 1
