"""Negation undersensitivity (issue 28): how often one inserted or removed negation leaves the
prediction unchanged, after normal training and after BAT with antonym, negation or mixed
negatives; and whether such an edit really changes the label, judged by hand on 50 rows.

Training (the demo's protocol unless told otherwise): MiniLM with a seeded fresh head on
``--train-file`` (default: the 3000 shipped SNLI training rows; the 9842-row setup of
``bench/bat_negatives.py`` is ``--train-file ../shared/data/snli_validation.jsonl``), max length
64, batch 32 (random batches, not the demo's length-grouped ones), lr 5e-5, no warm-up, seed 0;
``--warm-start-epochs`` shared cross-entropy epochs,
then ``--epochs`` more of each configuration from that one model, all through the same loop:

- ``normal``: cross-entropy;
- ``bat``: the demo's BAT-Triplet (one-word synonym copies, lambda 1), antonym negatives (the paper's);
- ``bat-both``: the same with ``negative_source="both"`` (per row an antonym or a negation copy);
- ``bat-negation``: the same with negation negatives only.

Evaluation on the first ``--attack-rows`` of the shipped SNLI test sample: clean accuracy, antonym
ASR and negation ASR (``negation-under``), both protocols, each with its count and 95% Wilson
interval. Results accumulate in ``OUT/results.json|md``; a configuration already there is skipped,
a model already in ``--runs`` is evaluated only.

The hand check: ``--sheet`` writes ``OUT/label_check.json|md``, 50 random one-edit negation copies
(:class:`~textattack_bat.training.samplers.NegationSampler`, seed 0) of non-neutral SNLI test rows.
A person writes the label of each edited pair into ``OUT/label_check_judgements.json``
(``{"row id": "entailment" | "neutral" | "contradiction" | "invalid"}``, invalid: the edit makes
no sentence); ``--sheet`` then also counts the share of edits whose label really changed.

    nohup python bench/negation.py --out bench/results/negation --runs RUNS > log 2>&1 &
    python bench/negation.py --out bench/results/negation --sheet
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from result_files import write_result  # noqa: E402

from textattack_bat.datasets import example_columns, load_jsonl_dataset, shipped_path  # noqa: E402
from textattack_bat.demo import DEMO_BAT, DEMO_TRAINING  # noqa: E402
from textattack_bat.evaluation.rates import Rate  # noqa: E402
from textattack_bat.evaluation.robustness import evaluate_robustness  # noqa: E402
from textattack_bat.models import load_classifier  # noqa: E402
from textattack_bat.tasks import TASKS  # noqa: E402
from textattack_bat.training.arguments import BATTrainingArgs  # noqa: E402
from textattack_bat.training.samplers import NegationSampler  # noqa: E402
from textattack_bat.training.trainers import BATTrainer  # noqa: E402

SNLI = TASKS["snli"]
# name -> (BATTrainingArgs overrides on top of the demo's BAT, what it is)
CONFIGS: dict[str, tuple[dict, str]] = {
    "normal": ({"clean": True}, "cross-entropy only"),
    "bat": ({"negative_source": "antonym"}, "BAT-Triplet, antonym negatives (the paper's)"),
    "bat-both": ({"negative_source": "both"}, "BAT-Triplet, an antonym or a negation copy per row"),
    "bat-negation": ({"negative_source": "negation"}, "BAT-Triplet, negation negatives only"),
}
SHEET_ROWS = 50
INVALID = "invalid"  # a judgement: the edit makes no sentence (a tagging error)
ROOT = Path(__file__).resolve().parents[1]


def shown(path) -> str:
    """``path`` as the results name it: relative to the project root where it can be."""
    path = Path(path).resolve()
    try:
        return (
            str(Path("..") / path.relative_to(ROOT.parent))
            if ROOT not in path.parents
            else str(path.relative_to(ROOT))
        )
    except ValueError:
        return str(path)


def train(model, rows, out: Path, epochs: int, seed: int, clean: bool, overrides: dict):
    args = BATTrainingArgs(
        output_dir=str(out),
        num_epochs=epochs,
        num_clean_epochs=epochs if clean else 0,
        random_seed=seed,
        **{**DEMO_TRAINING, "group_by_length": False},  # this file's runs: random batches
        **{**DEMO_BAT, **overrides},
    )
    trainer = BATTrainer(model, "classification", rows, None, args)
    start = time.perf_counter()
    trainer.train()
    return trainer.history, time.perf_counter() - start


def run(args) -> None:
    out, runs = Path(args.out), Path(args.runs)
    results_path = out / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {"configs": {}}
    train_rows = load_jsonl_dataset(args.train_file, limit=args.train_size)
    test = load_jsonl_dataset(shipped_path("snli_eval_sample.jsonl"), limit=args.attack_rows)
    length = DEMO_TRAINING["max_length"]
    warm_dir = runs / "warm-start" / "last_model"
    if not warm_dir.is_dir():
        model = load_classifier(None, num_labels=3, max_length=length, seed=args.seed)
        train(model, train_rows, runs / "warm-start", args.warm_start_epochs, args.seed, True, {})
    for name in args.configs:
        if name in results["configs"]:
            print(f"[negation] {name}: already in {results_path}, skipped")
            continue
        overrides, what = CONFIGS[name]
        model_dir = runs / name / "last_model"
        seconds = None
        if model_dir.is_dir():
            model = load_classifier(model_dir, num_labels=3, max_length=length)
            history = json.loads((runs / name / "history.json").read_text())
        else:
            model = load_classifier(warm_dir, num_labels=3, max_length=length)
            overrides = dict(overrides)
            clean = overrides.pop("clean", False)
            history, seconds = train(
                model, train_rows, runs / name, args.epochs, args.seed, clean, overrides
            )
            (runs / name / "history.json").write_text(json.dumps(history, indent=1))
        report = evaluate_robustness(
            model,
            test,
            len(test),
            synonym=False,
            antonym_options={"senses": DEMO_BAT["antonym_senses"]},
            model_name=name,
            dataset_name="shipped SNLI test sample",
            negation=True,
        )
        print(report.format_table())
        results["configs"][name] = {
            "what": what,
            "report": report.to_dict(),
            "history": history,
            "train_seconds": seconds,
        }
        results["settings"] = {
            **DEMO_TRAINING,
            "group_by_length": False,
            **DEMO_BAT,
            "train_file": shown(args.train_file),
            "train_rows": len(train_rows),
            "warm_start_epochs": args.warm_start_epochs,
            "epochs": args.epochs,
            "attack_rows": len(test),
            "seed": args.seed,
            "machine": f"{platform.machine()}, {torch.get_num_threads()} threads",
        }
        results.setdefault("commands", []).append(" ".join(sys.argv))
        write_result(results_path, results, table(results))


def _cell(summary: dict | None) -> str:
    return "-" if summary is None else Rate.from_dict(summary).format()


def table(results: dict) -> list[str]:
    n = results["settings"]
    lines = [
        "# Negation undersensitivity: normal training vs BAT with antonym, mixed and negation negatives",
        "",
        f"Written by `{'`; `'.join(dict.fromkeys(results['commands']))}` (protocol in "
        f"`bench/negation.py`). MiniLM on {n['train_rows']} SNLI rows ({n['train_file']}): "
        f"{n['warm_start_epochs']} shared cross-entropy epoch(s), then {n['epochs']} epoch(s) of "
        f"each configuration; evaluated on the first {n['attack_rows']} rows of the shipped SNLI "
        "test sample (neutral skipped). ASR: the share of attacked rows (correct, not neutral) "
        "whose prediction one edit leaves unchanged; value (count/n, 95% Wilson interval). "
        f"Machine: {n['machine']}.",
        "",
        "| config | clean acc | antonym ASR paper def. | antonym ASR improve-only "
        "| negation ASR paper def. | negation ASR improve-only | train s |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, entry in results["configs"].items():
        r = entry["report"]
        accuracy = Rate(r["correct"], r["num_examples"]).format()
        seconds = "-" if entry["train_seconds"] is None else f"{entry['train_seconds']:.0f}"
        lines.append(
            f"| {name} | {accuracy} | {_cell(r['antonym_asr_paper_definition'])} "
            f"| {_cell(r['antonym_asr_improve_only'])} | {_cell(r['negation_asr_paper_definition'])} "
            f"| {_cell(r['negation_asr_improve_only'])} | {seconds} |"
        )
    lines += ["", "What each configuration trains with:", ""]
    lines += [f"- `{name}`: {entry['what']}" for name, entry in results["configs"].items()]
    return lines


def sheet(args) -> None:
    """50 random one-edit negation copies of non-neutral SNLI test rows, and the hand-judged
    share whose label changed (once ``label_check_judgements.json`` exists)."""
    out = Path(args.out)
    rows = [
        (example_columns(x), y)
        for x, y in load_jsonl_dataset(args.sheet_file)
        if y not in SNLI.antonym_skip_labels
    ]
    sampler = NegationSampler(seed=args.seed)
    rng = random.Random(args.seed)
    order = list(range(len(rows)))
    rng.shuffle(order)
    picked = []
    for i in order:
        (copy,), (mask,) = sampler([rows[i][0]], [rows[i][1]], epoch=0)
        if mask:
            columns = ("premise", "hypothesis")
            edited = next(c for c, a, b in zip(columns, rows[i][0], copy) if a != b)
            picked.append(
                {
                    "id": str(i),
                    "premise": rows[i][0][0],
                    "hypothesis": rows[i][0][1],
                    "label": SNLI.label_names[rows[i][1]],
                    "edited_column": edited,
                    "edited_text": copy[columns.index(edited)],
                }
            )
        if len(picked) == SHEET_ROWS:
            break
    judgements_path = out / "label_check_judgements.json"
    judgements = json.loads(judgements_path.read_text()) if judgements_path.exists() else {}
    unknown = set(judgements) - {row["id"] for row in picked}
    if unknown:
        raise SystemExit(f"{judgements_path}: ids {sorted(unknown)} are not rows of the sheet.")
    for row in picked:
        row["judged_label"] = judgements.get(row["id"])
    allowed = {*SNLI.label_names, INVALID}
    wrong = {k: v for k, v in judgements.items() if v not in allowed}
    if wrong:
        raise SystemExit(f"{judgements_path}: {wrong}: judge each row as one of {sorted(allowed)}.")
    judged = [row for row in picked if row["judged_label"] is not None]
    valid = [row for row in judged if row["judged_label"] != INVALID]
    changed = Rate(sum(row["judged_label"] != row["label"] for row in valid), len(valid))
    invalid = Rate(len(judged) - len(valid), len(judged))
    record = {
        "command": " ".join(sys.argv),
        "source": shown(args.sheet_file),
        "seed": args.seed,
        "rows": picked,
        "judged": len(judged),
        "label_changed_among_valid": changed.to_dict() if valid else None,
        "invalid": invalid.to_dict() if judged else None,
    }
    lines = [
        "# Does one negation edit change the label? 50 random edits, judged by hand",
        "",
        f"Written by `{record['command']}` from `{record['source']}` (non-neutral rows, one random "
        "one-edit negation copy each, `NegationSampler` seed "
        f"{args.seed}); the judged labels are `label_check_judgements.json`, written by a person.",
        "",
        f"Label changed, among the edits that make a sentence: "
        f"{changed.format() if valid else 'not judged yet'}. Edits that make no sentence "
        f"(`{INVALID}`): {invalid.format() if judged else 'not judged yet'}.",
        "",
        "| id | label | premise | hypothesis | edited | edited text | judged label |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['id']} | {r['label']} | {r['premise']} | {r['hypothesis']} | {r['edited_column']} "
        f"| {r['edited_text']} | {r['judged_label'] or '?'} |"
        for r in picked
    ]
    write_result(out / "label_check.json", record, lines)
    print("\n".join(lines[:5]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--runs", help="where the models go (not committed)")
    parser.add_argument("--train-file", default=shipped_path("snli_train_sample.jsonl"))
    parser.add_argument("--train-size", type=int, default=None)
    parser.add_argument("--warm-start-epochs", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--attack-rows", type=int, default=1000)
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sheet", action="store_true", help="write the hand-check sheet only")
    parser.add_argument(
        "--sheet-file",
        default=str(ROOT.parent / "shared" / "data" / "snli_test.jsonl"),
    )
    args = parser.parse_args()
    if args.sheet:
        sheet(args)
    elif not args.runs:
        parser.error("--runs is needed to train (or --sheet for the hand-check sheet)")
    else:
        run(args)


if __name__ == "__main__":
    main()
