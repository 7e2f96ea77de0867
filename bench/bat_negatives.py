"""BAT on human-validated undersensitivity: harder and relevant negatives (issue 23).

The protocol of ``bench/bat_effect.py`` (MiniLM, the 9842 SNLI dev rows, batch 32, lr 5e-5, max
length 64, seed 0, one shared cross-entropy warm-start epoch ``clean1``), and every configuration
trains two more epochs from ``clean1`` in one run (the same steps and loop): ``normal`` with
cross-entropy only, the others with BAT-Triplet (one-word synonym copies from
``glove-counterfitted``, lambda 1, margin 1, cosine, [CLS]) and one lever changed:

- negatives mined among 8 antonym candidates per row (``hardest``, ``kept``);
- antonym positions restricted to words the other sentence shares (``shared``);
- labelled negatives: cross-entropy on the antonym copy towards the label the swap implies
  (entailment -> contradiction for a shared word; ``bench/label_inference.py``), weight 1;
- combinations, and labelled negatives without the contrastive term (lambda 0);
- ``safer`` (SAFER, two epochs), the synonym-side reference of the trade-off.

Evaluation (SNLI test and CAD; rates with counts and 95% Wilson intervals): clean accuracy on
the first ``--accuracy-rows``; antonym ASR under both protocols on the first ``--attack-rows``;
synonym ASR (``synonym-over`` on ``glove-counterfitted`` neighbours, local SBERT) on the first
``--synonym-rows``; synonym invariance (among correct rows, the share whose prediction a random
one-word synonym copy keeps); the kept rate on CAD-SNLI's human label-changing edits of dev
(``cad_snli_edits_dev.jsonl``, 792; for choosing: its originals are SNLI dev rows, which the
models were trained on) and test (1568; for reporting: originals from SNLI test, disjoint), per
edited side and overall, and on the 110 one-word antonym edits; the representation probe;
training seconds per epoch. Results accumulate in ``OUT/results.json`` / ``OUT/results.md``
(a configuration already there is skipped; a model already in ``--runs`` is evaluated only).

    nohup python bench/bat_negatives.py --out bench/results/bat_negatives --runs RUNS > log 2>&1 &
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

sys.path.insert(0, str(Path(__file__).parent))
import bat_effect  # noqa: E402  (the shared protocol: train, load, base_args)

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TEXTATTACK_BAT_SHARED", ROOT.parent / "shared")) / "data"

BAT = {
    "method": "bat-triplet",
    "embedding": "glove-counterfitted",
    "synonym_max_words": 1,
    "epochs": 2,
}
# name -> (BATTrainingArgs overrides, what it changes against `normal` / `bat`)
CONFIGS: dict[str, tuple[dict, str]] = {
    "normal": (
        {"method": "bat-triplet", "embedding": "glove-counterfitted", "clean": True, "epochs": 2},
        "reference: 2 cross-entropy epochs",
    ),
    "bat": (BAT, "BAT-Triplet, the paper's random one-word antonym negatives"),
    "safer": (
        bat_effect.CONFIGS["safer-gcf-2ep"][1],  # the same run: RUN_DIRS reuses its model
        "SAFER: every word resampled from its synonym set (the synonym-side reference)",
    ),
    "bat-hardest": (
        {**BAT, "negative_mining": "hardest"},
        "negative: the hardest of 8 antonym candidates",
    ),
    "bat-kept": (
        {**BAT, "negative_mining": "kept"},
        "negative: the closest of 8 candidates that keeps the prediction",
    ),
    "bat-shared": (
        {**BAT, "antonym_positions": "shared"},
        "antonym positions: words the other sentence shares",
    ),
    "bat-shared-labelled": (
        {**BAT, "antonym_positions": "shared", "labelled_negative_weight": 1.0},
        "shared positions + cross-entropy towards the implied label (weight 1)",
    ),
    "labelled-only": (
        {
            **BAT,
            "antonym_positions": "shared",
            "labelled_negative_weight": 1.0,
            "triplet_lambda": 0.0,
        },
        "shared positions + implied-label cross-entropy, no contrastive term (lambda 0)",
    ),
    "bat-shared-kept-labelled": (
        {
            **BAT,
            "antonym_positions": "shared",
            "negative_mining": "kept",
            "labelled_negative_weight": 1.0,
        },
        "shared positions, kept-prediction mining, implied-label cross-entropy",
    ),
    "bat-shared-labelled-0.25": (
        {**BAT, "antonym_positions": "shared", "labelled_negative_weight": 0.25},
        "shared positions + implied-label cross-entropy at weight 0.25 (weight 1 cost 4 points)",
    ),
}


# configurations that bench/bat_effect.py trains with the same settings: its model is reused
RUN_DIRS = {"bat": "triplet-gcf-1word-2ep", "safer": "safer-gcf-2ep"}


def evaluate(args, model, eval_data, tables, encoder) -> dict:
    from textattack_bat import SynonymOverChen2022
    from textattack_bat.attack.engine import attacked_text
    from textattack_bat.evaluation.gold_edits import evaluate_gold_edits
    from textattack_bat.evaluation.probe import RepresentationProbe
    from textattack_bat.evaluation.rates import Rate
    from textattack_bat.evaluation.robustness import AttackSummary, evaluate_robustness, predict
    from textattack_bat.tasks import TASKS
    from textattack_bat.training.samplers import SynonymSampler

    start = time.perf_counter()
    rows = [eval_data[i] for i in range(args.accuracy_rows)]
    texts = [tuple(inputs.values()) for inputs, _ in rows]
    labels = [label for _, label in rows]
    predictions, gold = predict(model, rows)
    accuracy = Rate(int((predictions == gold).sum()), len(gold))
    copies, changed = SynonymSampler(tables["glove-counterfitted"], seed=args.seed, max_words=1)(
        texts
    )
    copy_rows = [(dict(zip(rows[0][0].keys(), c)), y) for c, y in zip(copies, labels)]
    copy_predictions, _ = predict(model, copy_rows)
    eligible = (predictions == gold) & (changed > 0)
    invariance = Rate(
        int((eligible & (copy_predictions == predictions)).sum()), int(eligible.sum())
    )
    report = evaluate_robustness(
        model,
        eval_data,
        args.attack_rows,
        synonym=False,
        antonym_options={"senses": "all"},
        progress=False,
    )
    synonym_attack = SynonymOverChen2022.build(
        model, synonyms=tables["glove-counterfitted"], sentence_encoder=encoder
    )
    synonym = AttackSummary()
    for inputs, label in (eval_data[i] for i in range(args.synonym_rows)):
        synonym.add_result(synonym_attack.attack(attacked_text(inputs), label))
    gold_edits = {
        name: evaluate_gold_edits(model, SHARED / file).to_dict()
        for name, file in (
            ("cad_dev", "cad_snli_edits_dev.jsonl"),
            ("cad_test", "cad_snli_edits_test.jsonl"),
            ("antonym_edits", "cad_snli_antonym_edits.jsonl"),
        )
    }
    probe = RepresentationProbe(
        texts,
        labels,
        tables["glove-counterfitted"],
        tables["antonyms"],
        skip_labels=TASKS["snli"].antonym_skip_labels,
        max_examples=200,
        max_length=args.max_length,
        senses="all",  # the policy these models were trained with (bat_effect.train)
    )(model)
    return {
        "accuracy": accuracy.to_dict(),
        "antonym_paper": report.antonym.rate.to_dict(),
        "antonym_improve_only": report.antonym_improve_only.rate.to_dict(),
        "synonym_asr": synonym.rate.to_dict(),
        "synonym_invariance": invariance.to_dict(),
        "gold_edits": gold_edits,
        "probe": probe,
        "eval_seconds": time.perf_counter() - start,
    }


pct = bat_effect.pct


def write_markdown(out: Path, results: dict) -> None:
    lines = [
        "# BAT on human-validated undersensitivity: harder and relevant negatives (issue 23)",
        "",
        "Written by "
        + "; ".join(f"`{c}`" for c in results["commands"])
        + "; protocol in `bench/bat_negatives.py`. MiniLM trained on the "
        f"{results['train_rows']} SNLI dev rows (one warm-start epoch, then 2 epochs per "
        f"configuration); evaluated on SNLI test: accuracy on {results['accuracy_rows']} rows, "
        f"antonym attack on {results['attack_rows']}, synonym attack on {results['synonym_rows']}; "
        "CAD-SNLI human label-changing edits: dev (choosing; its originals are training rows), "
        "test (reporting). Kept rate: lower is better. Rates in %, [95% Wilson interval] "
        f"(count/n). Synonym source: {results['synonym_source']}. Machine: {results['machine']}.",
        "",
        "| config | clean acc | antonym ASR paper def. | antonym ASR improve-only | synonym ASR "
        "| synonym invariance | CAD dev kept | CAD test kept | CAD test kept, premise edits "
        "| CAD test kept, hypothesis edits | 110 antonym edits kept | probe pull / push | s / epoch |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results["configs"].items():
        e, g = r["evaluation"], r["evaluation"]["gold_edits"]
        side = g["cad_test"]["kept_rate_by_side"]
        seconds = r["train_seconds"]
        lines.append(
            f"| {name} | {pct(e['accuracy'])} | {pct(e['antonym_paper'])} | "
            f"{pct(e['antonym_improve_only'])} | {pct(e['synonym_asr'])} | "
            f"{pct(e['synonym_invariance'])} | {pct(g['cad_dev']['kept_rate'])} | "
            f"{pct(g['cad_test']['kept_rate'])} | {pct(side['premise'])} | "
            f"{pct(side['hypothesis'])} | {pct(g['antonym_edits']['kept_rate'])} | "
            f"{e['probe']['pull']:.3f} / {e['probe']['push']:.3f} | "
            f"{'-' if seconds is None else round(seconds / r['epochs'])} |"
        )
    lines += ["", "What each configuration changes:", ""]
    lines += [f"- `{name}`: {r['changes']}" for name, r in results["configs"].items()]
    (out / "results.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="*", default=list(CONFIGS), choices=list(CONFIGS))
    parser.add_argument("--out", default="bench/results/bat_negatives")
    parser.add_argument(
        "--runs", default=None, help="models (default OUT/runs); shared with bat_effect's clean1"
    )
    parser.add_argument("--train-file", default=str(SHARED / "snli_validation.jsonl"))
    parser.add_argument("--eval-file", default=str(SHARED / "snli_test.jsonl"))
    parser.add_argument("--train-rows", type=int, default=None, help="default: all")
    parser.add_argument("--accuracy-rows", type=int, default=2000)
    parser.add_argument("--attack-rows", type=int, default=700)
    parser.add_argument("--synonym-rows", type=int, default=300)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.epochs = 2

    from textattack_bat.attack.constraints import sentence_encoder
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
    train_data = load_jsonl_dataset(args.train_file, limit=args.train_rows)
    eval_data = load_jsonl_dataset(args.eval_file, limit=max(args.accuracy_rows, args.attack_rows))
    words = sorted(
        set(vocabulary(t for inputs, _ in train_data for t in inputs.values()))
        | set(vocabulary(t for inputs, _ in eval_data for t in inputs.values()))
    )
    tables = {
        "glove-counterfitted": build_synonym_table(words, load_embedding("glove-counterfitted")),
        "antonyms": build_antonym_table(words),
    }
    encoder = sentence_encoder("auto")
    results_path = out / "results.json"
    results = json.loads(results_path.read_text()) if results_path.is_file() else {"configs": {}}
    command = "python bench/bat_negatives.py " + " ".join(sys.argv[1:])
    results.update(
        commands=results.get("commands", [])
        + [command] * (command not in results.get("commands", [])),
        train_rows=len(train_data),
        accuracy_rows=args.accuracy_rows,
        attack_rows=args.attack_rows,
        synonym_rows=args.synonym_rows,
        machine=f"{platform.machine()}, {torch.get_num_threads()} threads",
        synonym_source=tables["glove-counterfitted"].metadata["source"],
        settings=vars(args),
    )
    clean1 = runs / "clean1" / "last_model"
    if not (clean1 / "config.json").is_file():
        print("[bat_negatives] warm start: one cross-entropy epoch from the fresh head", flush=True)
        bat_effect.train(
            args,
            bat_effect.load(None, args.max_length, seed=args.seed),
            runs / "clean1",
            1,
            {"antonyms": tables["antonyms"], "glove-counterfitted": tables["glove-counterfitted"]},
            train_data,
            method="bat-triplet",
            embedding="glove-counterfitted",
            clean=True,
        )
    for name in args.configs:
        if name in results["configs"]:
            print(f"[bat_negatives] {name}: already in {results_path}, skipped", flush=True)
            continue
        overrides, changes = CONFIGS[name]
        overrides = dict(overrides)
        epochs = overrides.pop("epochs")
        run = runs / RUN_DIRS.get(name, f"negatives-{name}")
        print(f"[bat_negatives] {name}: {changes}", flush=True)
        if (run / "last_model" / "config.json").is_file() and (run / "history.json").is_file():
            model = bat_effect.load(run / "last_model", args.max_length)
            history, seconds = json.loads((run / "history.json").read_text()), None
        else:
            model = bat_effect.load(clean1, args.max_length)
            history, seconds = bat_effect.train(
                args, model, run, epochs, tables, train_data, **overrides
            )
        evaluation = evaluate(args, model, eval_data, tables, encoder)
        results["configs"][name] = {
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
            f"[bat_negatives] {name}: acc {pct(e['accuracy'])}; improve-only "
            f"{pct(e['antonym_improve_only'])}; paper {pct(e['antonym_paper'])}; synonym "
            f"{pct(e['synonym_asr'])}; CAD test kept {pct(e['gold_edits']['cad_test']['kept_rate'])}",
            flush=True,
        )


if __name__ == "__main__":
    main()
