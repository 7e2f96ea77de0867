"""The batched attack engine against TextAttack's own ``Attacker`` (issue 25, item 2)."""

from collections import OrderedDict

import pytest
from fakes import KeywordModel
from textattack.shared import AttackedText

from textattack_bat.attack.engine import BatchedAttacker
from textattack_bat.attack.recipes import AntonymUnderChen2022, AntonymUnderNLI
from textattack_bat.attack.search_methods import GreedyWordSwapWIRProtocols


def outcome(result) -> tuple:
    """What a user reads off a result: its kind, the attacked text, the queries, and both
    protocols' outcomes and query counts."""
    final = result.perturbed_result
    return (
        type(result).__name__,
        final.attacked_text.text,
        final.num_queries,
        getattr(final, "improve_only_succeeded", None),
        getattr(final, "paper_queries", None),
        getattr(final, "improve_only_queries", None),
    )


@pytest.mark.slow
def test_engine_gives_what_textattacks_attacker_gives_on_240_snli_rows(nli_model_dir, shared_data):
    """The default antonym recipe (context senses, gradient ranking) with the both-protocols
    search, on 240 real SNLI test rows and a fine-tuned MiniLM: the engine and TextAttack's
    ``Attacker`` agree row by row (result kind, perturbed text, query counts, both protocols),
    while the engine makes far fewer, larger model calls."""
    import textattack

    from textattack_bat.datasets import read_jsonl_rows
    from textattack_bat.models import load_classifier

    model = load_classifier(nli_model_dir, num_labels=3)
    data = read_jsonl_rows(shared_data / "snli_test.jsonl", limit=240)
    rows = [
        (OrderedDict(premise=r["premise"], hypothesis=r["hypothesis"]), r["label"]) for r in data
    ]

    def build():
        return AntonymUnderNLI.build(
            model, search_method=GreedyWordSwapWIRProtocols(wir_method="gradient")
        )

    calls: list[int] = []
    hook = model.model.register_forward_pre_hook(
        lambda module, args, kwargs: calls.append(len(kwargs["input_ids"])), with_kwargs=True
    )
    try:
        dataset = textattack.datasets.Dataset(
            [(tuple(x.values()), y) for x, y in rows], input_columns=("premise", "hypothesis")
        )
        attack_args = textattack.AttackArgs(
            num_examples=len(rows), disable_stdout=True, silent=True
        )
        expected = textattack.Attacker(build(), dataset, attack_args).attack_dataset()
        attacker_calls, calls[:] = list(calls), []
        got = BatchedAttacker(build(), batch_size=64).attack_rows(rows)
    finally:
        hook.remove()

    assert [outcome(r) for r in got] == [outcome(r) for r in expected]
    kinds = [outcome(r)[0] for r in expected]
    improve = [outcome(r)[3] for r in expected if outcome(r)[0] != "SkippedAttackResult"]
    # the rows exercise every branch: skipped, succeeded and failed; improve-only both ways
    assert kinds.count("SuccessfulAttackResult") >= 40 and kinds.count("FailedAttackResult") >= 5
    assert kinds.count("SkippedAttackResult") >= 40
    assert improve.count(True) >= 20 and improve.count(False) >= 20
    # the same queries in far fewer, larger model calls
    assert sum(calls) >= 0.9 * sum(attacker_calls)
    assert len(calls) * 6 <= len(attacker_calls), (len(calls), len(attacker_calls))


def test_engine_raises_what_attack_raises_and_keeps_row_order():
    """A fake model for exact semantics: an empty row raises TextAttack's error for it (not a
    hang), and results come back in row order whatever finishes first."""

    def rule(words):
        return [0.9, 0.1] if "good" in words else [0.2, 0.8]

    attack = AntonymUnderChen2022.build(
        KeywordModel(rule), search_method=GreedyWordSwapWIRProtocols(wir_method="delete"),
        senses="all",
    )  # fmt: skip
    rows = [("The food was good", 0), ("A long and good and tasty meal was good", 0), ("Bad", 1)]
    alone = [attack.attack(AttackedText(x), y) for x, y in rows]
    got = BatchedAttacker(attack, batch_size=2, examples=2).attack_rows(rows)
    assert [outcome(r) for r in got] == [outcome(r) for r in alone]
    with pytest.raises(ValueError, match="Cannot attack an empty or whitespace-only text"):
        BatchedAttacker(attack, batch_size=4).attack_rows([*rows, ("   ", 0)])
    with pytest.raises(ValueError, match="batch_size=0"):
        BatchedAttacker(attack, batch_size=0)
