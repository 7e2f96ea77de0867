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
