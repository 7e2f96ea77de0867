"""The task registry is the one source of columns, labels, skipped labels, presets and CLI names."""

import json

import pytest

from textattack_bat.datasets import default_skip_labels, detect_task, load_jsonl_dataset
from textattack_bat.tasks import TASKS, presets, task_for_hub

# Written by hand from the GLUE / SNLI dataset cards and the paper (section 2 of BAT_REFERENCE).
EXPECTED = {
    "mnli": (
        ("premise", "hypothesis"),
        ("entailment", "neutral", "contradiction"),
        (1,),
        "validation_matched",
    ),
    "snli": (
        ("premise", "hypothesis"),
        ("entailment", "neutral", "contradiction"),
        (1,),
        "validation",
    ),
    "qqp": (("question1", "question2"), ("not_duplicate", "duplicate"), (0,), "validation"),
    "mrpc": (("sentence1", "sentence2"), ("not_equivalent", "equivalent"), (0,), "validation"),
}


@pytest.mark.parametrize("name", sorted(TASKS))
def test_every_task_derives_everything(name):
    import textattack  # noqa: F401  (registers our recipe names with TextAttack's CLI)
    from textattack.attack_args import ATTACK_RECIPE_NAMES

    from textattack_bat.attack import recipes

    task = TASKS[name]
    assert (
        task.input_columns,
        task.label_names,
        task.antonym_skip_labels,
        task.eval_split,
    ) == EXPECTED[name]
    assert detect_task(task.input_columns + ("label",)).label_names == task.label_names
    assert task_for_hub(*task.hub_dataset) is task
    for family, cli in (("AntonymUnder", "antonym-under"), ("NegationUnder", "negation-under")):
        preset_class = getattr(recipes, f"{family}{task.preset.upper()}")
        assert preset_class.skip_labels == task.antonym_skip_labels
        assert not preset_class.improve_only
        assert getattr(recipes, f"{family}{task.preset.upper()}Improve").improve_only
        assert ATTACK_RECIPE_NAMES[f"{cli}-{task.preset}"].endswith(preset_class.__name__)
        assert f"{cli}-{task.preset}-improve" in ATTACK_RECIPE_NAMES


def test_presets_are_shared_by_tasks_of_one_format():
    assert sorted(presets()) == ["mrpc", "nli", "qqp"]


def test_mrpc_rows_load_and_skip_the_negative_class(tmp_path):
    rows = [
        {
            "sentence1": "The company reported a profit.",
            "sentence2": "The firm reported a profit.",
            "label": 1,
        },
        {"sentence1": "He left early.", "sentence2": "She stayed late.", "label": 0},
    ]
    path = tmp_path / "mrpc.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    dataset = load_jsonl_dataset(path)
    assert dataset.label_names == ["not_equivalent", "equivalent"]
    assert default_skip_labels(dataset) == (0,)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"sentence1": "a", "sentence2": "b", "label": 2}\n')
    with pytest.raises(ValueError, match="label 2 is out of range 0..1"):
        load_jsonl_dataset(bad)
