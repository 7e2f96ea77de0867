"""Does BAT lower undersensitivity at CPU scale? The ablation of issue 12.

Protocol (every configuration changes one thing against `normal`):
- model: all-MiniLM-L6-v2 (``offline`` extra), max length 64, dynamic padding, batch 32, lr 5e-5,
  no warm-up, weight decay 0, seed 0, all through the same loop (``BATTrainer``; `normal` is the
  same trainer with every epoch clean, i.e. cross-entropy only);
- training rows: all 9842 rows of ``../shared/data/snli_validation.jsonl``;
- a shared warm start: one cross-entropy epoch from the fresh head (`clean1`); every configuration
  then trains ``epochs`` more epochs from it (same optimizer steps for all). `finetune-*`
  configurations start instead from the `normal` configuration's model (BAT as fine-tuning of a
  converged model, against one more normal epoch);
- evaluation on ``../shared/data/snli_test.jsonl`` (disjoint): clean accuracy on the first
  ``--accuracy-rows`` rows, the antonym attack (both protocols, one pass) on the first
  ``--attack-rows`` rows, the 110 human antonym edits (kept rate), and the representation probe
  (pull = d(x, x_o), push = d(x, x_u) on 200 fixed test rows). Every rate has its count and
  95% Wilson interval.

Results accumulate in ``OUT/results.json`` (one entry per configuration, written as it finishes;
configurations already there are skipped) and ``OUT/results.md``. Models and checkpoints go to
``OUT/runs/`` (not committed). Run in the background:

    nohup python bench/bat_effect.py --out bench/results/bat_effect > bat_effect.log 2>&1 &
    python bench/bat_effect.py --configs normal triplet-gcf ...   # a subset, in this order
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TEXTATTACK_BAT_SHARED", ROOT.parent / "shared")) / "data"

# name -> (start model, BATTrainingArgs overrides, what it changes against its reference)
CONFIGS: dict[str, tuple[str, dict, str]] = {
    "normal": ("clean1", {"method": "bat-triplet", "clean": True}, "reference: cross-entropy only"),
    "triplet-gcf": (
        "clean1",
        {"method": "bat-triplet", "embedding": "glove-counterfitted"},
        "BAT-Triplet, lambda 1, margin 1, cosine, cls, counter-fitted GloVe synonyms",
    ),
    "triplet-gcf-1word": (
        "clean1",
        {"method": "bat-triplet", "embedding": "glove-counterfitted", "synonym_max_words": 1},
        "synonym copy changes one word (not every word)",
    ),
    "pairwise-gcf-1word": (
        "clean1",
        {"method": "bat-pairwise", "embedding": "glove-counterfitted", "synonym_max_words": 1},
        "BAT-Pairwise with one-word synonym copies",
    ),
    "triplet-gcf-1word-lambda3": (
        "clean1",
        {
            "method": "bat-triplet",
            "embedding": "glove-counterfitted",
            "synonym_max_words": 1,
            "triplet_lambda": 3.0,
        },
        "one-word synonym copies and lambda 3",
    ),
    "triplet-gcf-1word-mean": (
        "clean1",
        {
            "method": "bat-triplet",
            "embedding": "glove-counterfitted",
            "synonym_max_words": 1,
            "representation": "mean",
        },
        "one-word synonym copies, representation: mean of the last layer",
    ),
    "triplet-gcf-1word-2ep": (
        "clean1",
        {
            "method": "bat-triplet",
            "embedding": "glove-counterfitted",
            "synonym_max_words": 1,
            "epochs": 2,
        },
        "one-word synonym copies, 2 BAT epochs (reference: finetune-normal, 2 cross-entropy epochs after clean1)",
    ),
    "finetune-triplet-gcf-1word": (
        "normal",
        {"method": "bat-triplet", "embedding": "glove-counterfitted", "synonym_max_words": 1},
        "one BAT-Triplet epoch (one-word synonym copies) on the converged model (reference: finetune-normal)",
    ),
    "pairwise-gcf": (
        "clean1",
        {"method": "bat-pairwise", "embedding": "glove-counterfitted"},
        "BAT-Pairwise, alpha 1, beta 1.2 (else as triplet-gcf)",
    ),
    "triplet-glove": (
        "clean1",
        {"method": "bat-triplet", "embedding": "glove"},
        "synonym source: plain GloVe-50d (the offline `auto`)",
    ),
    "triplet-gcf-lambda3": (
        "clean1",
        {"method": "bat-triplet", "embedding": "glove-counterfitted", "triplet_lambda": 3.0},
        "lambda 3",
    ),
    "triplet-gcf-mean": (
        "clean1",
        {"method": "bat-triplet", "embedding": "glove-counterfitted", "representation": "mean"},
        "representation: mean of the last layer",
    ),
    "triplet-gcf-pooler": (
        "clean1",
        {"method": "bat-triplet", "embedding": "glove-counterfitted", "representation": "pooler"},
        "representation: BERT pooler",
    ),
    "pairwise-gcf-beta3": (
        "clean1",
        {"method": "bat-pairwise", "embedding": "glove-counterfitted", "pairwise_beta": 3.0},
        "pairwise beta 3",
    ),
    "triplet-gcf-margin05": (
        "clean1",
        {"method": "bat-triplet", "embedding": "glove-counterfitted", "margin": 0.5},
        "margin 0.5",
    ),
    "triplet-gcf-1word-euclidean": (
        "clean1",
        {
            "method": "bat-triplet",
            "embedding": "glove-counterfitted",
            "synonym_max_words": 1,
            "distance": "euclidean",
        },
        "one-word synonym copies, Euclidean distance (margin 1)",
    ),
    "triplet-gcf-1word-margin05": (
        "clean1",
        {
            "method": "bat-triplet",
            "embedding": "glove-counterfitted",
            "synonym_max_words": 1,
            "margin": 0.5,
        },
        "one-word synonym copies, margin 0.5",
    ),
    "triplet-gcf-1word-pooler": (
        "clean1",
        {
            "method": "bat-triplet",
            "embedding": "glove-counterfitted",
            "synonym_max_words": 1,
            "representation": "pooler",
        },
        "one-word synonym copies, representation: BERT pooler",
    ),
    "pairwise-gcf-1word-beta3": (
        "clean1",
        {
            "method": "bat-pairwise",
            "embedding": "glove-counterfitted",
            "synonym_max_words": 1,
            "pairwise_beta": 3.0,
        },
        "BAT-Pairwise with one-word synonym copies, beta 3 (reference: pairwise-gcf-1word)",
    ),
    "pairwise-gcf-1word-beta3-2ep": (
        "clean1",
        {
            "method": "bat-pairwise",
            "embedding": "glove-counterfitted",
            "synonym_max_words": 1,
            "pairwise_beta": 3.0,
            "epochs": 2,
        },
        "BAT-Pairwise, one-word synonym copies, beta 3, 2 BAT epochs (reference: finetune-normal)",
    ),
    "safer-gcf-2ep": (
        "clean1",
        {"method": "safer", "embedding": "glove-counterfitted", "epochs": 2},
        "SAFER: every word resampled from its synonym set, 2 epochs (reference: finetune-normal)",
    ),
    "finetune-normal": (
        "normal",
        {"method": "bat-triplet", "clean": True},
        "reference for fine-tuning: one more cross-entropy epoch on the converged model",
    ),
    "triplet-gcf-1word-context": (
        "clean1",
        {
            "method": "bat-triplet",
            "embedding": "glove-counterfitted",
            "synonym_max_words": 1,
            "antonym_senses": "context",
        },
        "one-word synonym copies, antonym copies from the `context` sense policy",
    ),
    "triplet-gcf-1word-lambda3-context": (
        "clean1",
        {
            "method": "bat-triplet",
            "embedding": "glove-counterfitted",
            "synonym_max_words": 1,
            "triplet_lambda": 3.0,
            "antonym_senses": "context",
        },
        "one-word synonym copies, lambda 3, antonym copies from the `context` sense policy",
    ),
    "finetune-triplet-gcf": (
        "normal",
        {"method": "bat-triplet", "embedding": "glove-counterfitted"},
        "one BAT-Triplet epoch on the converged model",
    ),
}
DEFAULT_ORDER = (
    "normal",
    "triplet-gcf",
    "triplet-gcf-1word",
    "pairwise-gcf-1word",
    "triplet-gcf-1word-lambda3",
    "pairwise-gcf",
    "triplet-glove",
    "triplet-gcf-lambda3",
    "triplet-gcf-mean",
    "finetune-normal",
    "finetune-triplet-gcf",
    "triplet-gcf-pooler",
    "pairwise-gcf-beta3",
    "triplet-gcf-margin05",
    "triplet-gcf-1word-euclidean",
)


def base_args(args, output_dir: Path, epochs: int, **overrides):
    from textattack_bat.training.arguments import BATTrainingArgs

    clean = overrides.pop("clean", False)
    overrides.setdefault("antonym_senses", "all")  # the rule of the runs before issue 13
    return BATTrainingArgs(
        output_dir=str(output_dir),
        num_epochs=epochs,
        num_clean_epochs=epochs if clean else 0,
        learning_rate=args.lr,
        per_device_train_batch_size=args.batch_size,
        num_warmup_steps=0,
        weight_decay=0.0,
        max_length=args.max_length,
        random_seed=args.seed,
        save_last=True,
        **overrides,
    )


def train(args, start_model, output_dir: Path, epochs: int, tables, train_data, **overrides):
    from textattack_bat.training.trainers import BATTrainer, SAFERTrainer

    training_args = base_args(args, output_dir, epochs, **overrides)
    synonyms = tables["glove" if training_args.embedding == "auto" else training_args.embedding]
    trainer_class = SAFERTrainer if training_args.method == "safer" else BATTrainer
    trainer = trainer_class(
        start_model,
        "classification",
        train_data,
        None,
        training_args,
        synonym_table=synonyms,
        antonym_table=tables["antonyms"],
    )
    start = time.perf_counter()
    history = trainer.train()
    return history, time.perf_counter() - start


def load(path: Path, max_length: int, seed: int | None = None):
    from textattack_bat.models import load_classifier

    return load_classifier(path if path else None, num_labels=3, max_length=max_length, seed=seed)


def evaluate(args, model, eval_data, tables, representation: str, distance: str) -> dict:
    from textattack_bat.evaluation.gold_edits import evaluate_gold_edits
    from textattack_bat.evaluation.probe import RepresentationProbe
    from textattack_bat.evaluation.rates import Rate
    from textattack_bat.evaluation.robustness import evaluate_robustness, predict
    from textattack_bat.tasks import TASKS

    start = time.perf_counter()
    rows = [eval_data[i] for i in range(args.accuracy_rows)]
    predictions, gold = predict(model, rows)
    accuracy = Rate(int((predictions == gold).sum()), len(gold))
    report = evaluate_robustness(
        model,
        eval_data,
        args.attack_rows,
        synonym=False,
        antonym_options={"senses": args.antonym_senses},
        model_name="",
        dataset_name="snli_test",
        progress=False,
    )
    gold_edits = evaluate_gold_edits(model, SHARED / "cad_snli_antonym_edits.jsonl")
    texts = [tuple(inputs.values()) for inputs, _ in rows]
    labels = [label for _, label in rows]
    probes = {}
    for rep, dist in {(representation, distance), ("cls", "cosine")}:
        probe = RepresentationProbe(
            texts,
            labels,
            tables["glove-counterfitted"],
            tables["antonyms"] if args.antonym_senses == "all" else tables["antonyms-context"],
            skip_labels=TASKS["snli"].antonym_skip_labels,
            max_examples=200,
            representation=rep,
            distance=dist,
            max_length=args.max_length,
            senses="all",  # the table above is already filtered by the policy
        )
        probes[f"{rep}/{dist}"] = probe(model)
    return {
        "accuracy": accuracy.to_dict(),
        "antonym_paper": report.antonym.rate.to_dict(),
        "antonym_improve_only": report.antonym_improve_only.rate.to_dict(),
        "antonym_skipped": report.antonym.skipped,
        "antonym_mean_queries": report.antonym.mean_queries,
        "gold_edits": gold_edits.to_dict(),
        "probe": probes,
        "eval_seconds": time.perf_counter() - start,
    }


def pct(rate: dict) -> str:
    from textattack_bat.evaluation.rates import Rate

    return Rate.from_dict(rate).cell()


def write_markdown(out: Path, results: dict) -> None:
    lines = [
        "# BAT effect at CPU scale (issue 12)",
        "",
        "Written by "
        + "; ".join(f"`{c}`" for c in results.get("commands", [results["command"]]))
        + "; protocol in `bench/bat_effect.py`. MiniLM, trained on the "
        f"{results['train_rows']} rows of SNLI dev, evaluated on SNLI test (antonym attack and probe: "
        f"sense policy `{results['settings'].get('antonym_senses', 'all')}`): accuracy on the first "
        f"{results['accuracy_rows']} rows, antonym attack on the first {results['attack_rows']} (neutral "
        "and misclassified rows skipped), gold edits = 110 human one-word antonym edits (CAD-SNLI). "
        "Rates in %, [95% Wilson interval] (count/n). Probe: mean cosine distance of the [CLS] "
        "representation to the synonym copy (pull) and to the antonym copy (push), 200 fixed test rows.",
        "",
        f"Synonym source (`glove-counterfitted`): {results.get('synonym_source', 'before issue 22: GloVe counter-fitted to WordNet')}.",
        "",
        "| config | start | epochs | clean acc | antonym ASR paper def. | antonym ASR improve-only | gold-edit kept rate "
        "| probe pull | probe push | train CE (last epoch) | train pull / push | train s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results["configs"].items():
        e, last = r["evaluation"], (r["history"][-1] if r["history"] else {})
        probe = e["probe"]["cls/cosine"]
        train_terms = (
            f"{last['train_pull']:.3f} / {last['train_push']:.3f}" if "train_push" in last else "-"
        )
        lines.append(
            f"| {name} | {r['start']} | {r['epochs']} | {pct(e['accuracy'])} | {pct(e['antonym_paper'])} | "
            f"{pct(e['antonym_improve_only'])} | {pct(e['gold_edits']['kept_rate'])} | {probe['pull']:.3f} | "
            f"{probe['push']:.3f} | {last.get('train_ce', float('nan')):.3f} | {train_terms} | {'-' if r['train_seconds'] is None else round(r['train_seconds'])} |"
        )
    lines += ["", "What each configuration changes:", ""]
    lines += [f"- `{name}`: {r['changes']}" for name, r in results["configs"].items()]
    (out / "results.md").write_text("\n".join(lines) + "\n")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--configs", nargs="*", default=list(DEFAULT_ORDER), choices=sorted(CONFIGS)
    )
    parser.add_argument("--out", default=str(ROOT / "bench/results/bat_effect"))
    parser.add_argument(
        "--runs",
        default=None,
        help="models and checkpoints (default OUT/runs); a configuration whose model is already "
        "there is evaluated, not retrained",
    )
    parser.add_argument(
        "--antonym-senses",
        default="all",
        help="sense policy of the evaluation's antonym attack and probe (textattack_bat.lexicon.senses)",
    )
    parser.add_argument("--train-file", default=str(SHARED / "snli_validation.jsonl"))
    parser.add_argument("--eval-file", default=str(SHARED / "snli_test.jsonl"))
    parser.add_argument("--train-rows", type=int, default=None, help="default: all")
    parser.add_argument("--accuracy-rows", type=int, default=2000)
    parser.add_argument("--attack-rows", type=int, default=700)
    parser.add_argument("--epochs", type=int, default=1, help="epochs after the shared warm start")
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.set_num_threads(2)

    from textattack_bat.datasets import load_jsonl_dataset
    from textattack_bat.lexicon.tables import (
        build_antonym_table,
        build_synonym_table,
        load_embedding,
        vocabulary,
    )

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    runs = Path(args.runs) if args.runs else out / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    train_data = load_jsonl_dataset(args.train_file, limit=args.train_rows)
    eval_data = load_jsonl_dataset(args.eval_file, limit=max(args.accuracy_rows, args.attack_rows))
    words = vocabulary(t for inputs, _ in train_data for t in inputs.values())
    eval_words = vocabulary(t for inputs, _ in eval_data for t in inputs.values())
    tables = {
        name: build_synonym_table(sorted(set(words) | set(eval_words)), load_embedding(name))
        for name in ("glove", "glove-counterfitted")
    }
    tables["antonyms"] = build_antonym_table(sorted(set(words) | set(eval_words)))
    if args.antonym_senses != "all":  # the probe's fixed antonym copies follow the policy too
        eval_texts = [t for inputs, _ in eval_data for t in inputs.values()]
        tables["antonyms-context"] = build_antonym_table(
            eval_words, senses=args.antonym_senses, sentences=eval_texts
        )

    results_path = out / "results.json"
    results = json.loads(results_path.read_text()) if results_path.is_file() else {"configs": {}}
    command = "python bench/bat_effect.py " + " ".join(sys.argv[1:])
    commands = results.get("commands", [results["command"]] if "command" in results else [])
    results.update(
        command=command,
        commands=commands + [command] * (command not in commands),
        train_rows=len(train_data),
        accuracy_rows=args.accuracy_rows,
        attack_rows=args.attack_rows,
        machine=f"{platform.machine()}, {torch.get_num_threads()} threads",
        settings={k: v for k, v in vars(args).items() if k != "configs"},
        synonym_source=tables["glove-counterfitted"].metadata["source"],
        synonym_statistics=tables["glove-counterfitted"].metadata.get("statistics"),
    )

    clean1 = runs / "clean1" / "last_model"
    if not (clean1 / "config.json").is_file():
        print("[bat_effect] warm start: one cross-entropy epoch from the fresh head", flush=True)
        history, seconds = train(
            args,
            load(None, args.max_length, seed=args.seed),
            runs / "clean1",
            1,
            tables,
            train_data,
            method="bat-triplet",
            clean=True,
        )
        results["clean1"] = {"history": history, "train_seconds": seconds}
    for name in args.configs:
        if name in results["configs"]:
            print(f"[bat_effect] {name}: already in {results_path}, skipped", flush=True)
            continue
        start, overrides, changes = CONFIGS[name]
        start_path = clean1 if start == "clean1" else runs / start / "last_model"
        if not (start_path / "config.json").is_file():
            print(
                f"[bat_effect] {name}: start model {start_path} missing (run `{start}` first), skipped",
                flush=True,
            )
            continue
        print(f"[bat_effect] {name}: {changes}", flush=True)
        overrides = dict(overrides)
        epochs = overrides.pop("epochs", args.epochs)
        trained = runs / name / "last_model"
        if (trained / "config.json").is_file() and (runs / name / "history.json").is_file():
            print(f"[bat_effect] {name}: model found in {trained}, evaluated only", flush=True)
            model = load(trained, args.max_length)
            history = json.loads((runs / name / "history.json").read_text())
            seconds = None  # trained by an earlier run: see that run's results
        else:
            model = load(start_path, args.max_length)
            history, seconds = train(
                args, model, runs / name, epochs, tables, train_data, **overrides
            )
        training_args = base_args(args, runs / name, epochs, **overrides)
        evaluation = evaluate(
            args, model, eval_data, tables, training_args.representation, training_args.distance
        )
        results["configs"][name] = {
            "start": start,
            "epochs": epochs,
            "changes": changes,
            "overrides": overrides,
            "history": history,
            "train_seconds": seconds,
            "evaluation": evaluation,
        }
        results_path.write_text(json.dumps(results, indent=1))
        write_markdown(out, results)
        e = evaluation
        print(
            f"[bat_effect] {name}: acc {pct(e['accuracy'])}; antonym paper {pct(e['antonym_paper'])}; "
            f"improve-only {pct(e['antonym_improve_only'])}; gold kept {pct(e['gold_edits']['kept_rate'])}; "
            f"probe {e['probe']['cls/cosine']}",
            flush=True,
        )


if __name__ == "__main__":
    main()
