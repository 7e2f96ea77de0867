"""Every recipe's Attack pickles (TextAttack's --parallel workers receive it pickled) and the
unpickled attack, here and in a spawned process, gives the same results on real SNLI rows."""

import multiprocessing
import pickle
from collections import OrderedDict

import pytest
import torch
from textattack.shared import AttackedText

from textattack_bat.datasets import load_jsonl_dataset


def outcome(result) -> tuple[str, str]:
    return type(result).__name__, result.perturbed_result.attacked_text.text


def attack_rows(attack, rows):
    return [
        outcome(attack.attack(AttackedText(OrderedDict(inputs)), label)) for inputs, label in rows
    ]


def _worker(payload, rows, queue):
    queue.put(attack_rows(pickle.loads(payload), rows))


def build(recipe):
    from textattack_bat.attack.recipes import (
        AntonymUnderNLI,
        AntonymUnderNLIImprove,
        SynonymOverChen2022,
    )
    from textattack_bat.models import load_classifier

    torch.manual_seed(0)
    model = load_classifier(None, num_labels=3, device="cpu")
    recipes = {
        "antonym-under-nli": lambda: AntonymUnderNLI.build(model),
        "antonym-under-nli-improve": lambda: AntonymUnderNLIImprove.build(model),
        "synonym-over": lambda: SynonymOverChen2022.build(model, embedding="glove"),
    }
    return recipes[recipe]()


@pytest.mark.slow
@pytest.mark.parametrize(
    "recipe", ["antonym-under-nli", "antonym-under-nli-improve", "synonym-over"]
)
def test_attack_pickles_and_gives_the_same_results(recipe, shared_data):
    rows = [
        (dict(inputs), label)
        for inputs, label in load_jsonl_dataset(shared_data / "snli_test.jsonl", limit=20)
    ]
    attack = build(recipe)
    expected = attack_rows(attack, rows)
    assert (
        sum(kind != "SkippedAttackResult" for kind, _ in expected) >= 5
    )  # the rows are really attacked
    payload = pickle.dumps(attack)
    assert attack_rows(pickle.loads(payload), rows) == expected
    if (
        recipe == "antonym-under-nli"
    ):  # one attack in a spawned process, as TextAttack's workers get it
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        worker = context.Process(target=_worker, args=(payload, rows[:6], queue))
        worker.start()
        got = queue.get(timeout=600)
        worker.join(timeout=60)
        assert worker.exitcode == 0 and got == expected[:6]
