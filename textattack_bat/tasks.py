"""The task registry: what each supported task is, written once.

For each task: its input columns, its label names in GLUE / Hugging Face order, the labels the
antonym attack skips (labels a one-word antonym swap cannot flip: NLI ``neutral``; for
paraphrase tasks only the positive class is attacked, as in Chen, Ji & Evans 2022), its Hugging
Face hub dataset and evaluation split, the recipe preset it shares, and the label a one-word
antonym swap of a word both columns share implies (``antonym_flips``: NLI entailment ->
contradiction, "A man is outside" / "A man is inside"; paraphrase duplicate -> not duplicate). Recipe presets and CLI
names (``antonym-under-<preset>``), skip-label inference, JSON Lines task detection, hub
loading and the demo derive from :data:`TASKS`: adding a task is one entry here (plus a test).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

NLI_LABELS = ("entailment", "neutral", "contradiction")
NLI_FLIPS = ((0, 2),)  # entailment -> contradiction


@dataclass(frozen=True)
class Task:
    name: str
    input_columns: tuple[str, ...]
    label_names: tuple[str, ...]
    antonym_skip_labels: tuple[int, ...]
    hub_dataset: tuple[str, str | None]  # (name, subset) for datasets.load_dataset
    eval_split: str = "validation"
    preset: str = ""  # recipe preset shared by tasks of the same format: antonym-under-<preset>
    antonym_flips: tuple[tuple[int, int], ...] = ()  # (label, label after a shared-word antonym)

    def flipped_label(self, label: int) -> int | None:
        """The label an antonym swap of a shared word implies for a row of ``label``, or None."""
        return dict(self.antonym_flips).get(int(label))

    @property
    def num_labels(self) -> int:
        return len(self.label_names)

    @classmethod
    def columns_only(cls, name: str, input_columns: Sequence[str]) -> Task:
        """A task known by its input columns only: any integer label ids, no antonym defaults."""
        return cls(name, tuple(input_columns), (), (), ("", None))


TASKS: dict[str, Task] = {
    task.name: task
    for task in (
        Task(
            "mnli",
            ("premise", "hypothesis"),
            NLI_LABELS,
            (1,),
            ("glue", "mnli"),
            "validation_matched",
            "nli",
            NLI_FLIPS,
        ),
        Task(
            "snli",
            ("premise", "hypothesis"),
            NLI_LABELS,
            (1,),
            ("snli", None),
            "validation",
            "nli",
            NLI_FLIPS,
        ),
        Task(
            "qqp",
            ("question1", "question2"),
            ("not_duplicate", "duplicate"),
            (0,),
            ("glue", "qqp"),
            preset="qqp",
            antonym_flips=((1, 0),),
        ),
        Task(
            "mrpc",
            ("sentence1", "sentence2"),
            ("not_equivalent", "equivalent"),
            (0,),
            ("glue", "mrpc"),
            preset="mrpc",
            antonym_flips=((1, 0),),
        ),
    )
}


def presets() -> dict[str, Task]:
    """Recipe preset name -> its first task (tasks sharing a preset share columns and labels)."""
    found: dict[str, Task] = {}
    for task in TASKS.values():
        found.setdefault(task.preset, task)
    return found


def task_for_columns(columns: Iterable[str]) -> Task | None:
    """The first task whose input columns are all among ``columns`` (NLI rows: ``mnli``)."""
    columns = set(columns)
    return next((task for task in TASKS.values() if set(task.input_columns) <= columns), None)


def task_for_label_names(label_names: Sequence[str] | None) -> Task | None:
    """The first task with exactly these label names (case-insensitive), else None."""
    names = tuple(str(name).lower() for name in (label_names or ()))
    return next((task for task in TASKS.values() if task.label_names == names), None)


def task_for_hub(name: str, subset: str | None) -> Task | None:
    return next(
        (task for task in TASKS.values() if task.hub_dataset == (name, subset or None)), None
    )
