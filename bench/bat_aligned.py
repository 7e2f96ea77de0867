"""BAT on the copies the attack tries, on two schedules, measured with power (issue 41).

MiniLM with a seeded fresh head, trained on ``--train-file`` (default: the 9,842 rows of
``../shared/data/snli_validation.jsonl``), max length 64, batch 32, random batches, on one of two
schedules:

- ``warm``: one shared cross-entropy epoch at lr 5e-5 (per seed), then 2 epochs of the
  configuration at lr 5e-5 (the protocol of ``bench/negation.py``);
- ``paper``: the paper's: 3 epochs of the configuration from the pretrained encoder, lr 2e-5,
  no warm start, no warm-up, weight decay 0 (``BATTrainingArgs``' defaults).

Every model is evaluated on the first ``--attack-rows`` rows of ``../shared/data/snli_test.jsonl``
(clean accuracy on all of them; the default ``antonym-under`` recipe, inflected copies under the
``context`` sense policy, and ``negation-under``, each under both protocols, on the correct
non-neutral rows), the synonym attack on the first ``--synonym-rows`` (the training synonym sets,
sentence encoder ``auto``), the human label-changing CAD test edits (kept rate overall and per
edited side) and the 110 one-word antonym edits. ``results.json`` holds counts, not rates, per
configuration and seed; ``results.md`` pools the seeds, with 95% Wilson intervals and each
configuration's relative drop against ``normal`` of the same schedule (95% bootstrap interval:
each arm's pooled count redrawn from its binomial, 10,000 draws, seed 0).

A (configuration, seed) already in ``results.json`` is skipped; models go to ``--runs`` (not
committed), and a killed training resumes from its last epoch checkpoint there. Run in the
background and commit ``results.*`` as each arrives:

    nohup python bench/bat_aligned.py --out bench/results/bat_aligned --runs RUNS \
        --configs normal-paper bat-aligned-paper-warmup --seeds 0 > log 2>&1 &
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from result_files import write_result  # noqa: E402

from textattack_bat.attack.constraints import sentence_encoder  # noqa: E402
from textattack_bat.datasets import load_jsonl_dataset  # noqa: E402
from textattack_bat.demo import DEMO_TRAINING  # noqa: E402
from textattack_bat.evaluation.gold_edits import evaluate_gold_edits  # noqa: E402
from textattack_bat.evaluation.rates import Rate  # noqa: E402
from textattack_bat.evaluation.robustness import evaluate_robustness  # noqa: E402
from textattack_bat.lexicon.tables import (  # noqa: E402
    PerturbationTable,
    build_antonym_table,
    build_synonym_table,
    dataset_texts,
    load_embedding,
    vocabulary,
)
from textattack_bat.models import load_classifier  # noqa: E402
from textattack_bat.training.arguments import BATTrainingArgs  # noqa: E402
from textattack_bat.training.trainers import BATTrainer, SAFERTrainer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
MAX_LENGTH = DEMO_TRAINING["max_length"]
EMBEDDING = "glove-counterfitted"
# The BAT of the demo and bench/negation.py: one-word synonym copies, all senses, bare lemmas.
CURRENT_BAT = {"synonym_max_words": 1, "antonym_senses": "all", "antonym_copies": "lemmas"}
# Aligned: the antonym-under attack's own candidates (context senses, inflected, PoS-checked).
ALIGNED = {"synonym_max_words": 1, "antonym_senses": "context", "antonym_copies": "attack"}
SCHEDULES = {
    "warm": {"warm_start_epochs": 1, "epochs": 2, "learning_rate": 5e-5},
    "paper": {"warm_start_epochs": 0, "epochs": 3, "learning_rate": 2e-5},
}
# name -> (schedule, method, BATTrainingArgs overrides, what it trains with)
CONFIGS: dict[str, tuple[str, str, dict, str]] = {
    "normal": ("warm", "normal", {}, "cross-entropy only"),
    "safer": ("warm", "safer", {}, "SAFER: every word resampled from its synonym set"),
    "bat": ("warm", "bat-triplet", CURRENT_BAT, "BAT-Triplet, bare-lemma antonym copies"),
    "bat-aligned": ("warm", "bat-triplet", ALIGNED, "BAT-Triplet, the attack's antonym copies"),
    "normal-paper": ("paper", "normal", {}, "cross-entropy only, the paper's schedule"),
    "bat-aligned-paper": (
        "paper",
        "bat-triplet",
        ALIGNED,
        "BAT-Triplet, the attack's antonym copies, the paper's schedule",
    ),
    "bat-aligned-paper-warmup": (
        "paper",
        "bat-triplet",
        {**ALIGNED, "contrastive_warmup_steps": 308},
        "as bat-aligned-paper, lambda ramped linearly over the first epoch (308 steps)",
    ),
    "bat-pairwise-aligned-paper": (
        "paper",
        "bat-pairwise",
        ALIGNED,
        "BAT-Pairwise, the attack's antonym copies, the paper's schedule",
    ),
}
MEASURES = (
    "antonym_improve_only",
    "antonym_paper",
    "negation_improve_only",
    "negation_paper",
    "synonym",
)


def tables(runs: Path, train) -> tuple[str, str]:
    """The synonym and antonym tables of the training vocabulary, built once into ``runs``."""
    paths = runs / "tables" / "synonyms.json", runs / "tables" / "antonyms.json"
    if not all(p.exists() for p in paths):
        words = vocabulary(dataset_texts(train))
        synonyms = build_synonym_table(words, load_embedding(EMBEDDING), progress=True)
        build_antonym_table(words).save(paths[1])
        synonyms.save(paths[0])
    return str(paths[0]), str(paths[1])


def train(model, rows, out: Path, seed: int, method: str, epochs: int, lr: float, extra: dict):
    clean = method == "normal"
    args = BATTrainingArgs(
        output_dir=str(out),
        method="bat-triplet" if clean else method,
        num_epochs=epochs,
        num_clean_epochs=epochs if clean else 0,
        random_seed=seed,
        perturbation_seed=seed,
        embedding=EMBEDDING,
        # the demo's settings (batch 32, max length 64, no decay or warm-up), random batches,
        # this schedule's rate; a killed run goes on from its last epoch checkpoint in --runs
        **{**DEMO_TRAINING, "group_by_length": False, "learning_rate": lr, "resume": True},
        **extra,
    )
    trainer = (SAFERTrainer if method == "safer" else BATTrainer)(
        model, "classification", rows, None, args
    )
    start = time.perf_counter()
    trainer.train()
    return trainer.history, (time.perf_counter() - start) / epochs


def counts(summary: dict | None) -> dict | None:
    if summary is None:
        return None
    return {"succeeded": summary["succeeded"], "failed": summary["failed"]}


def measure(model, name: str, args, synonyms: str) -> dict:
    test = load_jsonl_dataset(DATA / "snli_test.jsonl", limit=args.attack_rows)
    report = evaluate_robustness(
        model,
        test,
        len(test),
        synonym=True,
        synonym_options={
            "synonyms": PerturbationTable.load(synonyms),
            "sentence_encoder": sentence_encoder("auto"),
        },
        synonym_examples=args.synonym_rows,
        model_name=name,
        dataset_name="snli_test.jsonl",
        negation=True,
    ).to_dict()
    print(json.dumps({k: report[k] for k in ("accuracy", "antonym_asr_improve_only")}))
    cad = evaluate_gold_edits(model, DATA / "cad_snli_edits_test.jsonl").to_dict()
    edits = evaluate_gold_edits(model, DATA / "cad_snli_antonym_edits.jsonl").to_dict()

    def kept(rate: dict) -> dict:
        return {"kept": rate["count"], "n": rate["n"]}

    return {
        "accuracy": {"correct": report["correct"], "n": report["num_examples"]},
        "antonym_improve_only": counts(report["antonym_asr_improve_only"]),
        "antonym_paper": counts(report["antonym_asr_paper_definition"]),
        "negation_improve_only": counts(report["negation_asr_improve_only"]),
        "negation_paper": counts(report["negation_asr_paper_definition"]),
        "synonym": counts(report["synonym_asr"]),
        "cad_test_kept": kept(cad["kept_rate"]),
        "cad_test_kept_by_side": {s: kept(r) for s, r in cad["kept_rate_by_side"].items()},
        "antonym_edits_kept": kept(edits["kept_rate"]),
        "eval_seconds": report["seconds"],
    }


def run_one(name: str, seed: int, args, train_rows, table_paths) -> dict:
    schedule, method, overrides, what = CONFIGS[name]
    plan = SCHEDULES[schedule]
    runs = Path(args.runs)
    extra = {"synonym_table": table_paths[0], "antonym_table": table_paths[1], **overrides}
    if schedule == "warm":
        warm = runs / f"warm-start-s{seed}"
        if not (warm / "last_model").is_dir():
            model = load_classifier(None, num_labels=3, max_length=MAX_LENGTH, seed=seed)
            train(model, train_rows, warm, seed, "normal", 1, plan["learning_rate"], extra)
        model = load_classifier(warm / "last_model", num_labels=3, max_length=MAX_LENGTH)
    else:
        model = load_classifier(None, num_labels=3, max_length=MAX_LENGTH, seed=seed)
    print(f"[bat_aligned] {name} seed {seed}: training ({what})", flush=True)
    history, per_epoch = train(
        model,
        train_rows,
        runs / f"{name}-s{seed}",
        seed,
        method,
        plan["epochs"],
        plan["learning_rate"],
        extra,
    )
    print(f"[bat_aligned] {name} seed {seed}: evaluating", flush=True)
    return {
        **measure(model, name, args, table_paths[0]),
        "train_seconds_per_epoch": round(per_epoch, 1),
        "history": history,
    }


def pooled(entry: dict, key: str) -> tuple[int, int] | None:
    """(successes, trials) of ``key`` summed over the seeds."""
    parts = [seed[key] for seed in entry["seeds"].values() if seed.get(key)]
    if not parts:
        return None
    first = parts[0]
    if "succeeded" in first:
        return sum(p["succeeded"] for p in parts), sum(p["succeeded"] + p["failed"] for p in parts)
    hit = "correct" if "correct" in first else "kept"
    return sum(p[hit] for p in parts), sum(p["n"] for p in parts)


def relative_drop(ours: tuple[int, int], base: tuple[int, int]) -> str:
    """``1 - p_ours / p_base`` with a 95% parametric bootstrap interval over the pooled counts."""
    if not ours[1] or not base[1] or not base[0]:
        return "-"
    rng = np.random.default_rng(0)
    a = rng.binomial(ours[1], ours[0] / ours[1], 10_000) / ours[1]
    b = rng.binomial(base[1], base[0] / base[1], 10_000) / base[1]
    drops = 1 - a / np.where(b > 0, b, np.nan)
    low, high = np.nanpercentile(drops, [2.5, 97.5])
    return f"{1 - (ours[0] / ours[1]) / (base[0] / base[1]):+.1%} [{low:+.1%}, {high:+.1%}]"


def table(results: dict) -> list[str]:
    s = results["settings"]
    keys = ["accuracy", *MEASURES, "cad_test_kept", "antonym_edits_kept"]
    lines = [
        "# BAT on the copies the attack tries (issue 41)",
        "",
        f"Written by `{'`; `'.join(dict.fromkeys(results['commands']))}` (protocol in "
        f"`bench/bat_aligned.py`). MiniLM on {s['train_rows']} SNLI rows ({s['train_file']}), "
        f"max length {MAX_LENGTH}, batch 32; evaluated on the first {s['attack_rows']} rows of "
        f"snli_test.jsonl (synonym attack: first {s['synonym_rows']}), the CAD test edits and the "
        f"110 antonym edits. Seeds pooled; each cell: rate (count/n, 95% Wilson interval). "
        f"Machine: {s['machine']}. Lower is better for every column but accuracy.",
        "",
        "| config | schedule | seeds | " + " | ".join(keys) + " | s/epoch |",
        "|---|---|---|" + "---|" * len(keys) + "---|",
    ]
    for name, entry in results["configs"].items():
        cells = []
        for key in keys:
            p = pooled(entry, key)
            cells.append("-" if p is None else Rate(*p).format())
        seconds = np.median([x["train_seconds_per_epoch"] for x in entry["seeds"].values()])
        lines.append(
            f"| {name} | {entry['schedule']} | {','.join(entry['seeds'])} | "
            + " | ".join(cells)
            + f" | {seconds:.0f} |"
        )
    lines += [
        "",
        "Relative drop against `normal` of the same schedule (`normal` / `normal-paper`), pooled "
        "over seeds: 1 - ASR / ASR(normal), 95% bootstrap interval.",
        "",
        "| config | " + " | ".join(MEASURES) + " |",
        "|---|" + "---|" * len(MEASURES),
    ]
    for name, entry in results["configs"].items():
        base_name = "normal" if entry["schedule"] == "warm" else "normal-paper"
        base = results["configs"].get(base_name)
        if base is None or name == base_name:
            continue
        cells = []
        for key in MEASURES:
            ours, theirs = pooled(entry, key), pooled(base, key)
            cells.append("-" if ours is None or theirs is None else relative_drop(ours, theirs))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "What each configuration trains with:", ""]
    lines += [f"- `{n}`: {e['what']}" for n, e in results["configs"].items()]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--runs", required=True, help="where models go (not committed)")
    parser.add_argument("--train-file", default=str(DATA / "snli_validation.jsonl"))
    parser.add_argument("--train-size", type=int, default=None)
    parser.add_argument("--attack-rows", type=int, default=3000)
    parser.add_argument("--synonym-rows", type=int, default=1000)
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    args = parser.parse_args()
    results_path = Path(args.out) / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {"configs": {}}
    train_rows = load_jsonl_dataset(args.train_file, limit=args.train_size)
    table_paths = tables(Path(args.runs), train_rows)
    for seed in args.seeds:
        for name in args.configs:
            schedule, _, _, what = CONFIGS[name]
            entry = results["configs"].setdefault(
                name, {"schedule": schedule, "what": what, "seeds": {}}
            )
            if str(seed) in entry["seeds"]:
                print(f"[bat_aligned] {name} seed {seed}: already in {results_path}, skipped")
                continue
            entry["seeds"][str(seed)] = run_one(name, seed, args, train_rows, table_paths)
            results["settings"] = {
                "train_file": Path(args.train_file).name,
                "train_rows": len(train_rows),
                "attack_rows": args.attack_rows,
                "synonym_rows": args.synonym_rows,
                "embedding": EMBEDDING,
                "machine": f"{platform.machine()}, {torch.get_num_threads()} threads",
            }
            results.setdefault("commands", []).append(" ".join(sys.argv))
            write_result(results_path, results, table(results))
            print("\n".join(table(results)), flush=True)


if __name__ == "__main__":
    main()
