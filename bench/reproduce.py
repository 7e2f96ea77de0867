"""The paper's Table 1 protocol: normal, SAFER, A2T, BAT-Pairwise and BAT-Triplet training, each
evaluated by clean accuracy, antonym ASR (both protocols) and synonym ASR (issue 6).

--scale small (default; 2 CPU cores, offline): all-MiniLM-L6-v2 from the `offline` extra,
    trained on MNLI dev-matched rows 0..N-1 from ../shared/data (default N = 2000) and evaluated on
    the disjoint rows with idx 7000.. (accuracy on --eval-size rows, attacks on the first
    --attack-examples). Every method trains --epochs epochs (default 2) with the same settings;
    as in TextAttack's adversarial training, the robust methods (SAFER, A2T, BAT) start with one
    clean cross-entropy epoch (num_clean_epochs=1) before their own epochs. lr 1e-4 (small data),
    batch 32, max length 128, triplet lambda 1.0, pairwise (1.0, 1.2). Synonym tables come from the
    offline GloVe 6B-50d vectors. A2T is built offline from the same parts as its recipe (see
    bench/training_speed.py) and attacks 20% of the training rows per adversarial epoch.
--scale full (GPU, hub access): bert-base-uncased, glue^mnli train / validation_matched,
    Table 1 settings (3 epochs, lr 2e-5, batch 32; SAFER 15 epochs, batch 8, lr 3e-5), TextAttack's
    own A2T recipe, counter-fitted synonyms, 1000 attacked rows.

Writes results.json, results.md, trade-off plot and t-SNE into --output-dir. Runs with
different --methods accumulate in the same results.json (models are reloaded from
<output-dir>/<method>/last_model for the plots), so methods can be run in separate sessions.

    python bench/reproduce.py --scale small --output-dir bench/results/reproduce-small --seed 0
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import textattack

from textattack_bat.datasets import read_jsonl_rows
from textattack_bat.evaluation.plots import plot_representations, plot_tradeoff
from textattack_bat.evaluation.rates import Rate
from textattack_bat.evaluation.robustness import evaluate_robustness, predict
from textattack_bat.lexicon.tables import (
    build_antonym_table,
    build_synonym_table,
    load_embedding,
    vocabulary,
)
from textattack_bat.models import load_classifier
from textattack_bat.training.arguments import BATTrainingArgs
from textattack_bat.training.representations import encode
from textattack_bat.training.samplers import AntonymSampler, SynonymSampler
from textattack_bat.training.trainers import BATTrainer, SAFERTrainer

ROOT = Path(__file__).resolve().parents[1]
METHODS = ("normal", "safer", "a2t", "bat-pairwise", "bat-triplet")


def dataset_from_rows(rows):
    return textattack.datasets.Dataset(
        [((r["premise"], r["hypothesis"]), r["label"]) for r in rows],
        input_columns=("premise", "hypothesis"),
        label_names=["entailment", "neutral", "contradiction"],
    )


def small_setup(args):
    rows = read_jsonl_rows(args.mnli)
    train_rows = [r for r in rows if r["idx"] < args.train_size]
    held_out = [r for r in rows if r["idx"] >= 7000][: max(args.eval_size, args.attack_examples)]
    settings = dict(
        num_epochs=args.epochs,
        learning_rate=1e-4,
        per_device_train_batch_size=32,
        weight_decay=0.0,
        num_warmup_steps=0,
        random_seed=args.seed,
    )
    return (
        dataset_from_rows(train_rows),
        dataset_from_rows(held_out),
        settings,
        (lambda: load_classifier(None, num_labels=3, seed=args.seed)),
    )


def full_setup(args):
    train = textattack.datasets.HuggingFaceDataset("glue", "mnli", split="train")
    held_out = textattack.datasets.HuggingFaceDataset("glue", "mnli", split="validation_matched")
    settings = dict(
        num_epochs=3,
        learning_rate=2e-5,
        per_device_train_batch_size=32,
        weight_decay=0.0,
        num_warmup_steps=0,
        random_seed=args.seed,
    )
    return (
        train,
        held_out,
        settings,
        (lambda: load_classifier("bert-base-uncased", num_labels=3, seed=args.seed)),
    )


def a2t_attack(model_wrapper, synonyms, scale):
    if scale == "full":
        return textattack.attack_recipes.A2TYoo2021.build(model_wrapper)
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(
        "training_speed", ROOT / "bench/training_speed.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["training_speed"] = module
    spec.loader.exec_module(module)
    return module.a2t_offline(model_wrapper, synonyms)


def rate_text(summary: dict | None) -> str:
    """An attack summary of a report as ``value (succeeded/attacked, 95% CI)``."""
    return "-" if summary is None else Rate.from_dict(summary).format()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=["small", "full"], default="small")
    parser.add_argument("--methods", nargs="*", default=list(METHODS), choices=METHODS)
    parser.add_argument(
        "--mnli", default=str(ROOT.parent / "shared/data/mnli_validation_matched_0_7999.jsonl")
    )
    parser.add_argument("--train-size", type=int, default=2000)
    parser.add_argument("--eval-size", type=int, default=1000)
    parser.add_argument(
        "--attack-examples",
        type=int,
        default=1000,
        help="rows attacked (>= 300 attacked per model)",
    )
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output-dir", default=str(ROOT / "bench/results/reproduce-small"))
    args = parser.parse_args()
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    train, held_out, settings, fresh_model = (small_setup if args.scale == "small" else full_setup)(
        args
    )
    attack_examples = args.attack_examples if args.scale == "small" else 1000
    words = vocabulary(t for inputs, _ in train for t in inputs.values())
    synonyms = build_synonym_table(
        words, load_embedding("glove" if args.scale == "small" else "counter-fitted"), progress=True
    )
    antonyms = build_antonym_table(words)
    print(
        f"{args.scale}: {len(train)} training rows, {len(held_out)} held-out rows, {attack_examples} attacked; "
        f"synonym coverage {synonyms.coverage(words):.1%}, antonym coverage {antonyms.coverage(words):.1%}"
    )

    results_path = out / "results.json"
    previous = json.loads(results_path.read_text()) if results_path.is_file() else {}
    results = previous.get("results", {}) if previous.get("scale") == args.scale else {}
    models = {}
    for method in args.methods:
        start = time.perf_counter()
        model = fresh_model()
        run_dir = str(out / method)
        robust = dict(num_clean_epochs=1) if method != "normal" and args.scale == "small" else {}
        if method == "normal":
            textattack.Trainer(
                model,
                "classification",
                None,
                train,
                held_out,
                textattack.TrainingArgs(output_dir=run_dir, **settings),
            ).train()
        elif method == "a2t":
            textattack.Trainer(
                model,
                "classification",
                a2t_attack(model, synonyms, args.scale),
                train,
                held_out,
                textattack.TrainingArgs(
                    output_dir=run_dir,
                    num_train_adv_examples=0.2,
                    **{**settings, "num_clean_epochs": 1},
                ),
            ).train()
        else:
            method_settings = dict(settings, **robust)
            if method == "safer" and args.scale == "full":
                method_settings.update(
                    num_epochs=15, per_device_train_batch_size=8, learning_rate=3e-5
                )
            trainer_class = SAFERTrainer if method == "safer" else BATTrainer
            trainer_class(
                model,
                "classification",
                train,
                held_out,
                BATTrainingArgs(method=method, output_dir=run_dir, **method_settings),
                synonym_table=synonyms,
                antonym_table=antonyms,
            ).train()
        train_seconds = time.perf_counter() - start
        report = evaluate_robustness(
            model, held_out, attack_examples, model_name=method, dataset_name="MNLI-m held-out"
        )
        predictions, gold = predict(
            model, [held_out[i] for i in range(min(args.eval_size, len(held_out)))]
        )
        results[method] = {
            "clean_accuracy": float((predictions == gold).mean()),
            **report.metrics(),
            "report": report.to_dict(),
            "train_seconds": train_seconds,
        }
        models[method] = model
        print(
            f"{method}: acc {results[method]['clean_accuracy']:.3f}, antonym ASR {report.antonym.success_rate}, "
            f"improve-only {report.antonym_improve_only.success_rate}, synonym {report.synonym.success_rate}",
            flush=True,
        )
        runs = previous.get("runs", []) + [{"methods": args.methods, "args": vars(args)}]
        results_path.write_text(
            json.dumps(
                {"scale": args.scale, "runs": runs, "settings": settings, "results": results},
                indent=1,
            )
        )

    lines = [
        f"Table 1 protocol, scale `{args.scale}` (see bench/reproduce.py). Accuracy on {args.eval_size} held-out "
        f"rows, ASRs on the first {attack_examples} (%).",
        "",
        "| method | clean acc | antonym ASR (paper def.) | antonym ASR (improve-only) | synonym ASR | train s |",
        "|---|---|---|---|---|---|",
    ]
    lines[0] += " Each rate: value (count/n, 95% Wilson interval)."
    for method in (m for m in METHODS if m in results):
        r, report = results[method], results[method]["report"]
        rates = [
            rate_text(report.get(key))
            for key in ("antonym_asr_paper_definition", "antonym_asr_improve_only", "synonym_asr")
        ]
        accuracy = Rate(round(r["clean_accuracy"] * args.eval_size), args.eval_size).format()
        lines.append(f"| {method} | {accuracy} | {' | '.join(rates)} | {r['train_seconds']:.0f} |")
    (out / "results.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))

    for method in results:
        if method not in models and (out / method / "last_model" / "config.json").is_file():
            models[method] = load_classifier(out / method / "last_model", num_labels=3)
    if "normal" in results:
        history = [
            {
                "epoch": i + 1,
                **{
                    k: results[m][k]
                    for k in ("antonym_asr", "antonym_asr_improve_only", "synonym_asr")
                },
            }
            for i, m in enumerate(m for m in METHODS if m in results and m != "normal")
        ]
        plot_tradeoff(
            history,
            out / "methods_tradeoff.png",
            baseline=results["normal"],
            title="x: "
            + ", ".join(m for m in METHODS if m in results and m != "normal")
            + " (dashed: normal)",
        )
        rows = [(tuple(inputs.values()), label) for inputs, label in held_out if label != 1]
        texts, labels = [t for t, _ in rows], [label for _, label in rows]
        syn, syn_mask = SynonymSampler(synonyms)(texts)
        ant, ant_mask = AntonymSampler(antonyms, senses="all")(texts, labels)
        keep = [i for i in range(len(texts)) if syn_mask[i] and ant_mask[i]][:150]
        pick = lambda items: [items[i] for i in keep]
        panels = {
            m: {
                "original": encode(models[m], pick(texts)),
                "synonym": encode(models[m], pick(syn)),
                "antonym": encode(models[m], pick(ant)),
            }
            for m in ("normal", "bat-triplet")
            if m in models
        }
        plot_representations(panels, out / "representations_tsne.png", seed=args.seed)


if __name__ == "__main__":
    main()
