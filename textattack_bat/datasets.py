"""JSON Lines datasets (a registered task's columns, or single texts) as TextAttack datasets.

One JSON object per line. The task is recognised from the columns, by the task registry
(:mod:`textattack_bat.tasks`: MNLI/SNLI ``premise, hypothesis``; QQP ``question1, question2``;
MRPC ``sentence1, sentence2``), which also gives the label names; single-text rows have a
``sentence`` (or ``text``) column and any integer labels.

Rows with an empty text or a label outside the task's range raise a ValueError naming the line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import textattack

from textattack_bat import resources
from textattack_bat.errors import MissingFileError, UsageError
from textattack_bat.tasks import Task, task_for_columns, task_for_label_names

SHIPPED = (
    "snli_train_sample.jsonl",
    "snli_eval_sample.jsonl",
    "mnli_eval_sample.jsonl",
    "cad_snli_antonym_edits.jsonl",
    "datasets.py",
)


# Columns that may name a row's label; where one does, the name must be the task's for the id.
LABEL_NAME_COLUMNS = ("label_text", "label_name")


def example_columns(inputs) -> tuple[str, ...]:
    """The column texts of one TextAttack example input (OrderedDict, tuple or string)."""
    if isinstance(inputs, dict):
        return tuple(inputs.values())
    return inputs if isinstance(inputs, tuple) else (inputs,)


def default_skip_labels(dataset, skip_labels: Iterable[int] | None = None) -> tuple[int, ...]:
    """Labels the antonym attack skips: ``skip_labels`` when given, else from the dataset's label
    names and the task registry (NLI ``neutral``; paraphrase tasks' negative class); none for
    an unknown label set."""
    names = getattr(dataset, "label_names", None)
    if skip_labels is not None:
        bad = [label for label in skip_labels if names and not 0 <= int(label) < len(names)]
        if bad:
            ids = ", ".join(f"{i} {name}" for i, name in enumerate(names))
            raise UsageError(
                f"skip labels {bad} are not label ids of this dataset; give some of {ids}."
            )
        return tuple(int(label) for label in skip_labels)
    task = task_for_label_names(getattr(dataset, "label_names", None))
    return task.antonym_skip_labels if task else ()


def default_antonym_flips(
    dataset, flips: Iterable[tuple[int, int]] | None = None
) -> tuple[tuple[int, int], ...]:
    """The labels a shared-word antonym swap implies: ``flips`` when given, else from the task
    registry by the dataset's label names (NLI ``((0, 2),)``); none for an unknown label set."""
    if flips is not None:
        return tuple((int(a), int(b)) for a, b in flips)
    task = task_for_label_names(getattr(dataset, "label_names", None))
    return task.antonym_flips if task else ()


def shipped_path(name: str) -> Path:
    """Path of a data file shipped in the package (see ``textattack_bat/data/README.md``)."""
    if name not in SHIPPED:
        raise UsageError(f"Unknown shipped data file {name!r}; choose one of {SHIPPED}.")
    return resources.PACKAGE_DATA / name


def detect_task(columns) -> Task:
    """The registry's task for a file's columns, or a one-column ``text`` task (any label ids)."""
    columns = set(columns)
    task = task_for_columns(columns)
    if task is not None:
        return task
    for column in ("sentence", "text"):
        if column in columns:
            return Task.columns_only("text", (column,))
    raise UsageError(
        f"Cannot tell the task from columns {sorted(columns)}: expected premise+hypothesis (NLI), "
        "question1+question2 (QQP), sentence1+sentence2 (MRPC) or sentence/text; pass input_columns=... explicitly."
    )


def read_jsonl_rows(path: str | Path, limit: int | None = None, offset: int = 0) -> list[dict]:
    """The JSON objects of a JSON Lines file (blank lines skipped), ``offset`` lines on, at most
    ``limit``; a :class:`~textattack_bat.errors.UsageError` naming the line that is not one."""
    path = Path(path)
    if not path.is_file():
        raise MissingFileError(
            f"Dataset file {path} does not exist; give a JSON Lines file (one JSON object per line)."
        )
    rows = []
    with path.open(encoding="utf-8") as handle:
        number = 0
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip() or number <= offset:
                    continue
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise UsageError(
                        f"{path}:{number}: a JSON {type(row).__name__}, not an object; write one "
                        'object per line, e.g. {"premise": ..., "hypothesis": ..., "label": 0}.'
                    )
                rows.append(row)
                if limit is not None and len(rows) >= limit:
                    break
        except UnicodeDecodeError:
            raise UsageError(
                f"{path}:{number + 1}: not UTF-8 text; give a JSON Lines file (one JSON object per line)."
            ) from None
        except json.JSONDecodeError as error:
            raise UsageError(
                f"{path}:{number}: not a JSON object ({error.msg}); write one object per line "
                "(a truncated file ends in a cut line: remove it)."
            ) from None
    return rows


def validate_rows(
    rows: list[dict],
    input_columns,
    label_column: str,
    num_labels: int | None,
    source: str,
    label_names: tuple[str, ...] | None = None,
) -> None:
    if not rows:
        raise UsageError(f"{source}: the dataset is empty.")
    ids = (
        ", ".join(f"{i} {name}" for i, name in enumerate(label_names))
        if label_names
        else "0, 1, ..."
    )
    for number, row in enumerate(rows, start=1):
        missing = [c for c in (*input_columns, label_column) if c not in row]
        if missing:
            raise UsageError(
                f"{source}, row {number}: missing column(s) {missing}; it has {sorted(row)}: "
                f"every row needs {[*input_columns, label_column]}."
            )
        for column in input_columns:
            if not isinstance(row[column], str) or not row[column].strip():
                raise UsageError(
                    f"{source}, row {number}: column {column!r} is empty; remove the row or fill it."
                )
        label = row[label_column]
        if not isinstance(label, int) or isinstance(label, bool):
            raise UsageError(
                f"{source}, row {number}: label {label!r} is not an integer id; write the id ({ids})."
            )
        if num_labels is not None and not 0 <= label < num_labels:
            raise UsageError(
                f"{source}, row {number}: label {label} is out of range 0..{num_labels - 1}; "
                f"the ids are {ids} (GLUE's order)."
            )
        named = next((row[c] for c in LABEL_NAME_COLUMNS if isinstance(row.get(c), str)), None)
        if label_names and named is not None and named.strip().lower() != label_names[label]:
            raise UsageError(
                f"{source}, row {number}: label {label} is {label_names[label]!r} in GLUE's order, "
                f"but the row names it {named!r}: the file uses another label order; map its ids "
                f"to {ids}."
            )


def load_jsonl_dataset(
    path: str | Path,
    input_columns: tuple[str, ...] | None = None,
    label_column: str = "label",
    limit: int | None = None,
    offset: int = 0,
    shuffle: bool = False,
) -> textattack.datasets.Dataset:
    """Load rows ``offset .. offset+limit`` of a JSON Lines file as a TextAttack ``Dataset``."""
    rows = read_jsonl_rows(path, limit=limit, offset=offset)
    if not rows:
        raise UsageError(
            f"{path}: no rows (offset={offset}, limit={limit}); give a file with one JSON object "
            "per line, or a smaller offset."
        )
    if input_columns is None:
        task = detect_task(rows[0])
    else:
        task = Task.columns_only("custom", input_columns)
    num_labels = len(task.label_names) if task.label_names else None
    validate_rows(
        rows, task.input_columns, label_column, num_labels, str(path), task.label_names or None
    )
    examples = [(tuple(row[c] for c in task.input_columns), row[label_column]) for row in rows]
    if len(task.input_columns) == 1:
        examples = [(text[0], label) for text, label in examples]
    return textattack.datasets.Dataset(
        examples,
        input_columns=tuple(
            task.input_columns
        ),  # a tuple, as TextAttack's adversarial training concatenates one
        label_names=list(task.label_names) if task.label_names else None,
        shuffle=shuffle,
    )
