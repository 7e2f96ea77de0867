"""Bad input to the four commands a user runs (``textattack-bat evaluate``, ``textattack-bat
build-tables``, ``textattack attack``, ``textattack train``): each case ends with exit 2 and one
error line that names the problem (the expected words, written by hand) and the fix, no
traceback, and no output folder left behind."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest

# (case id, command line with {D}: the data folder, {M}: a model folder, {O}: the output
# folder; words the error line must hold)
EVALUATE = "textattack-bat evaluate --model {M} --num-examples 4 --no-synonym --output-dir {O}"
TABLES = "textattack-bat build-tables --embedding glove-counterfitted --out {O}"
TRAIN = (
    "textattack train --model-name-or-path {M} --model-num-labels 3 --num-epochs 1 "
    "--output-dir {O} --dataset-from-file {D}/rows.py"
)
ATTACK = "textattack attack --model {M} --num-examples 2 --recipe antonym-under-nli"

CASES = [
    # evaluate: the dataset file
    ("evaluate-missing", EVALUATE + " --dataset-from-file {D}/nowhere.jsonl", "does not exist"),
    ("evaluate-empty", EVALUATE + " --dataset-from-file {D}/empty.jsonl", "no rows"),
    ("evaluate-blank", EVALUATE + " --dataset-from-file {D}/blank.jsonl", "no rows"),
    ("evaluate-binary", EVALUATE + " --dataset-from-file {D}/binary.jsonl", "not UTF-8"),
    ("evaluate-truncated", EVALUATE + " --dataset-from-file {D}/truncated.jsonl", "truncated"),
    ("evaluate-tsv", EVALUATE + " --dataset-from-file {D}/rows.tsv", "not a JSON object"),
    ("evaluate-list-rows", EVALUATE + " --dataset-from-file {D}/lists.jsonl", "not an object"),
    ("evaluate-columns", EVALUATE + " --dataset-from-file {D}/columns.jsonl", "columns"),
    ("evaluate-no-label", EVALUATE + " --dataset-from-file {D}/no_label.jsonl", "missing column"),
    ("evaluate-label-range", EVALUATE + " --dataset-from-file {D}/label_7.jsonl", "out of range"),
    ("evaluate-label-name", EVALUATE + " --dataset-from-file {D}/label_name.jsonl", "integer id"),
    (
        "evaluate-label-order",
        EVALUATE + " --dataset-from-file {D}/label_order.jsonl",
        "another label order",
    ),
    ("evaluate-empty-text", EVALUATE + " --dataset-from-file {D}/empty_text.jsonl", "is empty"),
    ("evaluate-py-variable", EVALUATE + " --dataset-from-file {D}/rows.py^nothing", "no variable"),
    # evaluate: the model and the options
    (
        "evaluate-no-model",
        EVALUATE.replace("{M}", "{D}/no_model") + " --dataset-from-file {D}/good.jsonl",
        "does not exist",
    ),
    (
        "evaluate-model-no-config",
        EVALUATE.replace("{M}", "{D}/empty_dir") + " --dataset-from-file {D}/good.jsonl",
        "config.json",
    ),
    (
        "evaluate-model-labels",
        EVALUATE.replace("{M}", "{D}/two_labels") + " --dataset-from-file {D}/good.jsonl",
        "labels",
    ),
    (
        "evaluate-zero-examples",
        EVALUATE.replace("4", "0") + " --dataset-from-file {D}/good.jsonl",
        "num-examples",
    ),
    (
        "evaluate-negative-examples",
        EVALUATE.replace("4", "-3") + " --dataset-from-file {D}/good.jsonl",
        "num-examples",
    ),
    (
        "evaluate-batch-size",
        EVALUATE + " --batch-size 0 --dataset-from-file {D}/good.jsonl",
        "batch-size",
    ),
    ("evaluate-device", EVALUATE + " --device tpu --dataset-from-file {D}/good.jsonl", "device"),
    (
        "evaluate-embedding",
        EVALUATE.replace(" --no-synonym", "")
        + " --embedding nowhere --dataset-from-file {D}/good.jsonl",
        "embedding",
    ),
    (
        "evaluate-gold-missing",
        EVALUATE + " --gold-edits {D}/nowhere.jsonl --dataset-from-file {D}/good.jsonl",
        "does not exist",
    ),
    (
        "evaluate-gold-binary",
        EVALUATE + " --gold-edits {D}/binary.jsonl --dataset-from-file {D}/good.jsonl",
        "not UTF-8",
    ),
    (
        "evaluate-gold-columns",
        EVALUATE + " --gold-edits {D}/good.jsonl --dataset-from-file {D}/good.jsonl",
        "edited",
    ),
    (
        "evaluate-skip-labels",
        EVALUATE + " --skip-labels 9 --dataset-from-file {D}/good.jsonl",
        "skip",
    ),
    (
        "evaluate-output-is-file",
        EVALUATE.replace("{O}", "{D}/good.jsonl") + " --dataset-from-file {D}/good.jsonl",
        "output",
    ),
    (
        "evaluate-senses",
        EVALUATE + " --antonym-senses most --dataset-from-file {D}/good.jsonl",
        "invalid choice",
    ),
    (
        "evaluate-unknown-flag",
        EVALUATE + " --epochs 3 --dataset-from-file {D}/good.jsonl",
        "unrecognized",
    ),
    (
        "evaluate-abbreviated-flag",
        EVALUATE + " --no-neg --dataset-from-file {D}/good.jsonl",
        "unrecognized",
    ),
    ("evaluate-no-dataset", EVALUATE, "required"),
    # build-tables
    ("tables-missing", TABLES + " --dataset-from-file {D}/nowhere.jsonl", "does not exist"),
    ("tables-binary", TABLES + " --dataset-from-file {D}/binary.jsonl", "not UTF-8"),
    ("tables-empty", TABLES + " --dataset-from-file {D}/empty.jsonl", "no rows"),
    ("tables-truncated", TABLES + " --dataset-from-file {D}/truncated.jsonl", "truncated"),
    (
        "tables-embedding",
        TABLES.replace("glove-counterfitted", "nowhere") + " --dataset-from-file {D}/good.jsonl",
        "embedding",
    ),
    (
        "tables-embedding-binary",
        TABLES.replace("glove-counterfitted", "{D}/binary.jsonl")
        + " --dataset-from-file {D}/good.jsonl",
        "vectors",
    ),
    (
        "tables-threshold-high",
        TABLES + " --threshold 2 --dataset-from-file {D}/good.jsonl",
        "threshold",
    ),
    (
        "tables-threshold-low",
        TABLES + " --threshold -1.5 --dataset-from-file {D}/good.jsonl",
        "threshold",
    ),
    ("tables-k", TABLES + " --k 0 --dataset-from-file {D}/good.jsonl", "--k"),
    (
        "tables-filters",
        TABLES + " --filters nonsense --dataset-from-file {D}/good.jsonl",
        "filter",
    ),
    (
        "tables-components",
        TABLES + " --top-components -1 --dataset-from-file {D}/good.jsonl",
        "components",
    ),
    (
        "tables-out-is-file",
        TABLES.replace("{O}", "{D}/good.jsonl") + " --dataset-from-file {D}/good.jsonl",
        "--out",
    ),
    (
        "tables-unknown-flag",
        TABLES + " --threads 4 --dataset-from-file {D}/good.jsonl",
        "unrecognized",
    ),
    # textattack train
    ("train-margin", TRAIN + " --attack bat-triplet^margin=-1", "margin=-1"),
    (
        "train-unknown-setting",
        TRAIN + " --attack bat-triplet^marg=1",
        "Unknown bat-triplet setting",
    ),
    (
        "train-unreadable-value",
        TRAIN + " --attack bat-triplet^margin=(",
        "cannot read the value",
    ),
    ("train-no-value", TRAIN + " --attack bat-triplet^margin", "key=value"),
    (
        "train-abbreviated-flag",
        TRAIN + " --attack bat-triplet --learning 1e-3",
        "abbreviation",
    ),
    ("train-attack-flag", TRAIN + " --attack bat-triplet --alpha 2", "alpha"),
    ("train-senses", TRAIN + " --attack safer^antonym_senses=most", "antonym_senses"),
    (
        "train-table-missing",
        TRAIN + " --attack bat-triplet^synonym_table='{D}/nowhere.json'",
        "synonym_table",
    ),
    (
        "train-table-wrong-kind",
        TRAIN + " --attack bat-triplet^synonym_table='{D}/antonyms.json'",
        "antonym",
    ),
    (
        "train-table-truncated",
        TRAIN + " --attack bat-triplet^synonym_table='{D}/truncated.json'",
        "truncated.json",
    ),
    (
        "train-table-version",
        TRAIN + " --attack bat-triplet^synonym_table='{D}/version_99.json'",
        "version",
    ),
    (
        "train-table-binary",
        TRAIN + " --attack bat-triplet^antonym_table='{D}/binary.jsonl'",
        "binary.jsonl",
    ),
    (
        "train-labels",
        TRAIN.replace("rows.py", "bad_labels.py") + " --attack bat-triplet",
        "outside the model",
    ),
    # textattack attack
    ("attack-labels", ATTACK + " --dataset-from-file {D}/bad_labels.py", "outside the model"),
    (
        "attack-labels-negation",
        ATTACK.replace("antonym", "negation") + " --dataset-from-file {D}/bad_labels.py",
        "outside the model",
    ),
]


def _write(folder: Path, model_dir: Path, shared_data: Path) -> None:
    """The bad (and a few good) files the cases read."""
    lines = (shared_data / "snli_test.jsonl").read_text().splitlines()[:6]
    rows = [json.loads(line) for line in lines]

    def jsonl(name: str, items) -> None:
        (folder / name).write_text("".join(json.dumps(item) + "\n" for item in items))

    jsonl("good.jsonl", rows)
    (folder / "empty.jsonl").write_text("")
    (folder / "blank.jsonl").write_text("\n\n")
    (folder / "binary.jsonl").write_bytes(bytes(random.Random(0).randrange(128, 256) for _ in range(400)))  # fmt: skip
    text = "".join(json.dumps(row) + "\n" for row in rows)
    (folder / "truncated.jsonl").write_text(text[: len(text) - 25])
    (folder / "rows.tsv").write_text("premise\thypothesis\tlabel\nA man.\tA woman.\t2\n")
    jsonl("lists.jsonl", [[1, 2, 3]])
    jsonl("columns.jsonl", [{"s1": r["premise"], "s2": r["hypothesis"], "label": r["label"]} for r in rows])  # fmt: skip
    jsonl("no_label.jsonl", [{"premise": r["premise"], "hypothesis": r["hypothesis"]} for r in rows])  # fmt: skip
    jsonl("label_7.jsonl", [{**r, "label": 7} for r in rows])
    jsonl("label_name.jsonl", [{**r, "label": "entailment"} for r in rows])
    swapped = {0: 2, 1: 1, 2: 0}  # contradiction first: another dataset's order
    jsonl("label_order.jsonl", [{**r, "label": swapped[r["label"]]} for r in rows])
    jsonl("empty_text.jsonl", [{**r, "hypothesis": " "} for r in rows])
    pairs = [(("A man sleeps.", "A man is awake."), 2), (("A happy child.", "A child is sad."), 0)]
    (folder / "rows.py").write_text(
        "import textattack\ndataset = textattack.datasets.Dataset("
        f"{pairs * 4!r}, input_columns=['premise', 'hypothesis'])\ntrain_dataset = eval_dataset = dataset\n"
    )
    (folder / "bad_labels.py").write_text(
        "import textattack\ndataset = textattack.datasets.Dataset("
        f"{[(p, 9) for p, _ in pairs] * 2!r}, input_columns=['premise', 'hypothesis'])\n"
        "train_dataset = eval_dataset = dataset\n"
    )
    (folder / "empty_dir").mkdir()

    from textattack_bat.lexicon.tables import SynonymTable, build_antonym_table

    antonyms = build_antonym_table(["happy", "awake"])
    antonyms.save(folder / "antonyms.json")
    synonyms = SynonymTable({"man": ("guy",)})
    synonyms.save(folder / "synonyms.json")
    saved = (folder / "synonyms.json").read_text()
    (folder / "truncated.json").write_text(saved[: len(saved) // 2])
    (folder / "version_99.json").write_text(saved.replace('"version": 1', '"version": 99'))

    import transformers

    config = transformers.AutoConfig.from_pretrained(model_dir)
    config.num_labels = 2
    two = transformers.AutoModelForSequenceClassification.from_pretrained(
        model_dir, config=config, ignore_mismatched_sizes=True
    )
    two.save_pretrained(folder / "two_labels")
    transformers.AutoTokenizer.from_pretrained(model_dir).save_pretrained(folder / "two_labels")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, fresh_nli_model_dir, shared_data) -> Path:
    folder = tmp_path_factory.mktemp("bad-input")
    _write(folder, fresh_nli_model_dir, shared_data)
    return folder


def run_command(argv: list[str]) -> int:
    """Run a command line in this process, as its console script would; its exit status."""
    try:
        if argv[0] == "textattack-bat":
            from textattack_bat.cli import main

            return main(argv[1:])
        from textattack.commands.textattack_cli import main

        old = sys.argv
        sys.argv = argv
        try:
            main()
        finally:
            sys.argv = old
        return 0
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 1


def test_there_are_at_least_50_cases():
    assert len(CASES) >= 50
    assert len({case for case, _, _ in CASES}) == len(CASES)


@pytest.mark.slow
@pytest.mark.parametrize("case,command,words", CASES, ids=[case for case, _, _ in CASES])
def test_bad_input_gives_one_line_and_exit_2(case, command, words, data_dir, fresh_nli_model_dir, tmp_path, capsys):  # fmt: skip
    out = tmp_path / "out"
    argv = [part.format(D=data_dir, M=fresh_nli_model_dir, O=out) for part in command.split()]
    status = run_command(argv)
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if "error:" in line]
    assert status == 2, (case, err[-2000:])
    assert "Traceback" not in err, err[-2000:]
    assert len(errors) == 1, err[-2000:]
    assert words.lower() in errors[0].lower(), errors[0]
    assert not out.exists() or not any(out.iterdir()), sorted(out.rglob("*"))
