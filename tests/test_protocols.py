"""Issue 7: both antonym-ASR protocols, by name, in the API and from one evaluation pass."""

import pytest
from fakes import KeywordModel
from test_goal_functions import attack_one, confidence_after_bad
from textattack.attack_results import FailedAttackResult, SuccessfulAttackResult

from textattack_bat.attack.recipes import AntonymUnderChen2022
from textattack_bat.attack.search_methods import GreedyWordSwapWIRProtocols
from textattack_bat.evaluation.robustness import evaluate_robustness

CASES = {  # p(label) after the swap: (paper definition, improve-only)
    "kept at lower confidence": (0.6, (True, False)),
    "kept at higher confidence": (0.95, (True, True)),
    "every swap flips": (0.2, (False, False)),
}


@pytest.mark.parametrize("case", CASES)
def test_each_protocol_by_its_recipe_option(case):
    p_after, (paper, improve_only) = CASES[case]
    expected = lambda ok: SuccessfulAttackResult if ok else FailedAttackResult
    assert isinstance(
        attack_one(confidence_after_bad(p_after), "The food was good", 0), expected(paper)
    )
    assert isinstance(
        attack_one(confidence_after_bad(p_after), "The food was good", 0, improve_only=True),
        expected(improve_only),
    )


@pytest.mark.parametrize("case", CASES)
def test_one_pass_search_gives_both_outcomes(case):
    p_after, (paper, improve_only) = CASES[case]
    from textattack.shared import AttackedText

    model = KeywordModel(confidence_after_bad(p_after))
    attack = AntonymUnderChen2022.build(
        model, search_method=GreedyWordSwapWIRProtocols(wir_method="delete"), senses="all"
    )
    result = attack.attack(AttackedText("The food was good"), 0)
    assert isinstance(result, SuccessfulAttackResult) == paper
    assert result.perturbed_result.improve_only_succeeded == improve_only


def test_one_pass_matches_separate_runs_when_an_early_swap_raises_confidence_but_flips():
    # word 1 (old -> new/young): raises p(label 0) yet flips; word 2 (good -> bad): keeps the label.
    # improve-only accepts whichever raises p first in ranking order; check the search agrees with
    # TextAttack's own greedy search in improve-only mode on the same example.
    def rule(words):  # three classes: a swap can raise p(label 0) and still flip the prediction
        if words & {"new", "young"}:
            return [0.42, 0.58, 0.0]
        if words & {"bad", "evil"}:
            return [0.45, 0.30, 0.25]
        return [0.40, 0.35, 0.25]

    from textattack.shared import AttackedText

    text = AttackedText("The old food was good")
    legacy = AntonymUnderChen2022.build(
        KeywordModel(rule), wir_method="random", improve_only=True, senses="all"
    )
    one_pass = AntonymUnderChen2022.build(
        KeywordModel(rule),
        search_method=GreedyWordSwapWIRProtocols(wir_method="random"),
        senses="all",
    )
    import numpy as np

    outcomes = []
    for seed in range(8):  # random ranking: both searches see the same order for the same seed
        np.random.seed(seed)
        expected = isinstance(legacy.attack(text, 0), SuccessfulAttackResult)
        np.random.seed(seed)
        result = one_pass.attack(text, 0)
        assert result.perturbed_result.improve_only_succeeded == expected, seed
        assert isinstance(
            result, SuccessfulAttackResult
        )  # the paper definition always finds good -> bad
        outcomes.append(expected)
    assert set(outcomes) == {True, False}  # the order decides the improve-only outcome


def test_evaluate_robustness_counts_both_protocols():
    model = KeywordModel(confidence_after_bad(0.6))
    import textattack

    dataset = textattack.datasets.Dataset(
        [("The food was good", 0), ("The food was good", 1), ("A good meal", 0)]
    )
    report = evaluate_robustness(model, dataset, synonym=False, progress=False)
    assert report.num_examples == 3 and report.correct == 2
    assert report.antonym.succeeded == 2 and report.antonym.skipped == 1
    assert report.antonym_improve_only.failed == 2 and report.antonym_improve_only.succeeded == 0
    assert report.antonym.success_rate == 1.0 and report.antonym_improve_only.success_rate == 0.0


NEGATION_ROWS = [("The food was good", 0), ("The food was good", 1), ("A good meal", 0)]


@pytest.mark.parametrize(
    "rule,paper,improve_only",
    [
        # blind to negation: "The food was not good" keeps label 0 at the same confidence, so the
        # paper's definition succeeds and improve-only (nothing raises p) fails
        (lambda words: [0.9, 0.05, 0.05], 1, 0),
        # negation flips the prediction: every edit fails under both protocols
        (lambda words: [0.1, 0.1, 0.8] if words & {"not", "wasn"} else [0.9, 0.05, 0.05], 0, 0),
        # "not" (but not "wasn't") raises p(0): both protocols succeed at "was not"
        (lambda words: [0.95, 0.03, 0.02] if "not" in words else [0.6, 0.2, 0.2], 1, 1),
    ],
)
def test_evaluate_robustness_counts_the_negation_attack(rule, paper, improve_only):
    """Row 0: "was" can be negated; row 1: predicted 0, labelled 1, skipped; row 2: no verb, no
    edit, so attacked and failed. Counts by hand for each model."""
    import textattack

    dataset = textattack.datasets.Dataset(NEGATION_ROWS)
    report = evaluate_robustness(
        KeywordModel(rule), dataset, synonym=False, progress=False, negation=True
    )
    assert (report.negation.succeeded, report.negation.failed, report.negation.skipped) == (
        paper,
        2 - paper,
        1,
    )
    assert (report.negation_improve_only.succeeded, report.negation_improve_only.failed) == (
        improve_only,
        2 - improve_only,
    )
    table = dict((row[0], row[1]) for row in report.rows())
    assert table["negation ASR (paper definition)"] == report.negation.rate.format()
    assert report.to_dict()["negation_asr_improve_only"]["succeeded"] == improve_only
    assert report.metrics()["negation_asr"] == paper / 2


def test_negation_is_left_out_unless_asked():
    import textattack

    dataset = textattack.datasets.Dataset(NEGATION_ROWS)
    report = evaluate_robustness(
        KeywordModel(lambda words: [0.9, 0.05, 0.05]), dataset, synonym=False, progress=False
    )
    assert report.negation is None and report.to_dict()["negation_asr_paper_definition"] is None
    assert "negation ASR (paper definition)" not in dict((r[0], r[1]) for r in report.rows())


@pytest.mark.slow
@pytest.mark.parametrize("family", ["AntonymUnderNLI", "NegationUnderNLI"])
def test_one_pass_equals_two_separate_runs_on_a_real_model(family, nli_model_dir, shared_data):
    """On the fine-tuned MiniLM with gradient word ranking: the one-pass search's two outcomes
    are, row by row, those of TextAttack's own greedy search run once per protocol."""
    import textattack
    from textattack.shared import AttackedText

    from textattack_bat.attack import recipes
    from textattack_bat.datasets import example_columns, load_jsonl_dataset
    from textattack_bat.models import load_classifier

    model = load_classifier(nli_model_dir, num_labels=3)
    rows = load_jsonl_dataset(shared_data / "snli_test.jsonl", limit=40)
    recipe = getattr(recipes, family)
    paper, improve = recipe.build(model), recipe.build(model, improve_only=True)
    one_pass = recipe.build(model, search_method=GreedyWordSwapWIRProtocols(wir_method="gradient"))
    assert paper.search_method.wir_method == "gradient"
    outcomes = {"paper": [], "improve": []}
    for inputs, label in rows:
        result = one_pass.attack(AttackedText(inputs), label)
        if isinstance(result, textattack.attack_results.SkippedAttackResult):
            assert isinstance(paper.attack(AttackedText(inputs), label), type(result))
            continue
        expected_paper = paper.attack(AttackedText(inputs), label)
        expected_improve = improve.attack(AttackedText(inputs), label)
        succeeded = textattack.attack_results.SuccessfulAttackResult
        assert isinstance(result, succeeded) == isinstance(expected_paper, succeeded), inputs
        if isinstance(result, succeeded):  # the same label-keeping edit
            assert result.perturbed_text() == expected_paper.perturbed_text(), example_columns(
                inputs
            )
        assert result.perturbed_result.improve_only_succeeded == isinstance(
            expected_improve, succeeded
        ), inputs
        outcomes["paper"].append(isinstance(result, succeeded))
        outcomes["improve"].append(result.perturbed_result.improve_only_succeeded)
    # both outcomes occur under each protocol, so the equality was tested both ways
    assert set(outcomes["paper"]) == {True, False} or set(outcomes["improve"]) == {True, False}
    assert len(outcomes["paper"]) >= 10, (
        f"{len(outcomes['paper'])} attacked rows: too few to compare"
    )
