"""Exact undersensitivity semantics with a deterministic fake model."""

from collections import OrderedDict

import pytest
import textattack
from fakes import KeywordModel
from textattack.attack_results import (
    FailedAttackResult,
    SkippedAttackResult,
    SuccessfulAttackResult,
)
from textattack.goal_function_results import GoalFunctionResultStatus
from textattack.shared import AttackedText

from textattack_bat.attack.goal_functions import UndersensitivityClassification
from textattack_bat.attack.recipes import AntonymUnderChen2022


def attack_one(rule, text, label, wir_method="delete", **options):
    model = KeywordModel(rule)
    options.setdefault("senses", "all")  # search semantics, on the authors' candidate rule
    attack = AntonymUnderChen2022.build(model, wir_method=wir_method, **options)
    example = (
        AttackedText(text)
        if isinstance(text, str)
        else AttackedText(OrderedDict(zip(("premise", "hypothesis"), text)))
    )
    return attack.attack(example, label)


def confidence_after_bad(p_after):
    """p(label 0) is 0.9 on the original and ``p_after`` once `good` is swapped (bad or evil)."""
    return lambda words: [p_after, 1 - p_after] if words & {"bad", "evil"} else [0.9, 0.1]


def test_kept_label_at_lower_confidence_succeeds_by_definition_but_not_improve_only():
    result = attack_one(confidence_after_bad(0.6), "The food was good", 0)
    assert isinstance(result, SuccessfulAttackResult)
    assert result.perturbed_result.attacked_text.words[3] in {"bad", "evil"}
    legacy = attack_one(confidence_after_bad(0.6), "The food was good", 0, improve_only=True)
    assert isinstance(legacy, FailedAttackResult)


def test_kept_label_at_higher_confidence_succeeds_under_both():
    assert isinstance(
        attack_one(confidence_after_bad(0.95), "The food was good", 0), SuccessfulAttackResult
    )
    assert isinstance(
        attack_one(confidence_after_bad(0.95), "The food was good", 0, improve_only=True),
        SuccessfulAttackResult,
    )


def test_flipping_every_swap_fails_under_both():
    for improve_only in (False, True):
        result = attack_one(
            confidence_after_bad(0.2), "The food was good", 0, improve_only=improve_only
        )
        assert isinstance(result, FailedAttackResult)


def test_unchanged_text_never_succeeds():
    goal = UndersensitivityClassification(KeywordModel(lambda words: [0.99, 0.01]))
    result, _ = goal.init_attack_example(AttackedText("The food was good"), 0)
    assert result.goal_status == GoalFunctionResultStatus.SEARCHING
    again, _ = goal.get_result(AttackedText("The food was good"))
    assert again.goal_status != GoalFunctionResultStatus.SUCCEEDED


def test_misclassified_and_skipped_labels_are_skipped():
    rule = confidence_after_bad(0.95)
    assert isinstance(attack_one(rule, "The food was good", 1), SkippedAttackResult)
    assert isinstance(
        attack_one(rule, "The food was good", 0, skip_labels=[0]), SkippedAttackResult
    )


def test_never_more_than_one_word_in_either_column():
    # one swap flips the label; only two swaps would keep it. The attack must not combine them.
    original = {"the", "good", "soup", "was", "hot", "an", "old", "man", "ate"}

    def rule(words):
        return [0.3, 0.7] if len(original - words) == 1 else [0.99, 0.01]

    model = KeywordModel(rule)
    attack = AntonymUnderChen2022.build(model, wir_method="delete")
    pair = AttackedText(OrderedDict(premise="The good soup was hot", hypothesis="An old man ate"))
    result = attack.attack(pair, 0)
    assert isinstance(result, FailedAttackResult)
    swapped_queries = [q for q in model.queries if set(q.lower().split()) != original]
    assert swapped_queries, "the attack tried no swap"
    for query in swapped_queries:
        assert len(original - set(query.lower().split())) <= 1, query


def test_swap_may_land_in_either_column_and_columns_can_be_restricted():
    original = {"the", "good", "soup", "was", "hot", "an", "old", "man", "ate"}

    def rule(words):  # only old -> young (in the hypothesis) keeps the label
        if "young" in words:
            return [0.8, 0.2]
        return [0.9, 0.1] if original <= words else [0.1, 0.9]

    result = attack_one(rule, ("The good soup was hot", "An old man ate"), 0)
    assert isinstance(result, SuccessfulAttackResult)
    assert "young" in result.perturbed_result.attacked_text.text
    restricted = attack_one(
        rule, ("The good soup was hot", "An old man ate"), 0, modifiable_columns=["premise"]
    )
    assert isinstance(restricted, FailedAttackResult)
    with pytest.raises(ValueError, match="not input columns"):
        attack_one(
            rule, ("The good soup was hot", "An old man ate"), 0, modifiable_columns=["sentence1"]
        )


def test_single_column_dataset_works():
    result = attack_one(confidence_after_bad(0.95), "The food was good", 0)
    assert isinstance(result, SuccessfulAttackResult)


def test_bad_input_gets_clear_errors():
    with pytest.raises(ValueError, match="empty or whitespace-only"):
        attack_one(confidence_after_bad(0.9), "   ", 0)
    with pytest.raises(ValueError, match="outside the model's 2 outputs"):
        attack_one(confidence_after_bad(0.9), "The food was good", 5)
    with pytest.raises(ValueError, match="get_grad"):
        AntonymUnderChen2022.build(KeywordModel(lambda w: [1.0, 0.0]), wir_method="gradient")


def test_auto_wir_falls_back_to_deletion_without_gradients():
    attack = AntonymUnderChen2022.build(KeywordModel(lambda w: [1.0, 0.0]))
    assert attack.search_method.wir_method == "delete"
    assert isinstance(attack, textattack.Attack)
