"""``textattack-bat demo``: the over/undersensitivity trade-off, offline, on shipped rows.

1. Fine-tune all-MiniLM-L6-v2 (``offline`` extra) on shipped SNLI rows: shared cross-entropy
   epochs (warm start; from a fresh head the contrastive term keeps the small model from
   learning the task), then from that same model more epochs of each arm (:data:`ARMS`): normal
   training (cross-entropy), SAFER (every word resampled from its synonym set, the paper's
   rule) and BAT (:data:`DEMO_BAT`). All arms go through the same loop with the same batches,
   padding, max length, learning rate and seed. Why these epochs and settings:
   ``docs/measurements.md``.
2. Evaluate each arm on held-out shipped SNLI rows: clean accuracy, antonym ASR (both
   protocols), synonym ASR (``synonym-over`` on the project's synonym sets) on a smaller fixed
   sample, the gold-edit kept rate on the 110 shipped human antonym edits (CAD-SNLI), and the
   representation probe (pull d(x, x_o) / push d(x, x_u)); every rate with its 95% interval.
3. Plots: the trade-off (x: synonym ASR, y: antonym ASR, one point per arm, with the probe), and
   a t-SNE of non-neutral held-out rows with the synonym and antonym copies BAT trained on.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from textattack_bat import resources
from textattack_bat.attack.constraints import sentence_encoder
from textattack_bat.datasets import example_columns, load_jsonl_dataset, shipped_path
from textattack_bat.errors import UsageError
from textattack_bat.evaluation.plots import plot_representations, plot_sensitivities
from textattack_bat.evaluation.probe import RepresentationProbe
from textattack_bat.evaluation.rates import Rate
from textattack_bat.evaluation.robustness import evaluate_robustness, predict
from textattack_bat.models import load_classifier
from textattack_bat.tasks import TASKS
from textattack_bat.training.arguments import BATTrainingArgs
from textattack_bat.training.representations import encode
from textattack_bat.training.samplers import AntonymSampler, SynonymSampler
from textattack_bat.training.trainers import BATTrainer, SAFERTrainer

# The demo's BAT arm: bench/bat_effect.py's configuration triplet-gcf-1word-2ep, with antonyms
# (BAT's copies and the attack) by the authors' rule; docs/measurements.md says why.
DEMO_BAT = dict(
    method="bat-triplet",
    embedding="glove-counterfitted",
    synonym_max_words=1,
    antonym_senses="all",
)
# arm -> (what it trains with, shown in logs and tables)
ARMS: dict[str, str] = {
    "normal": "cross-entropy only",
    "safer": "SAFER: every word resampled from its synonym set",
    "bat": "BAT-Triplet with one-word synonym copies",
}
SNLI = TASKS["snli"]
SYNONYM_EXAMPLES = 300  # about 220 attacked: a 95% interval of about +-6 points
# Settings shared by the warm start, normal training and BAT (a 2-core CPU).
DEMO_TRAINING = dict(
    learning_rate=5e-5,
    per_device_train_batch_size=32,
    weight_decay=0.0,
    num_warmup_steps=0,
    max_length=64,
    group_by_length=True,
    save_last=True,
    resume=False,
)


def _train(model, train, out: Path, seed: int, arm: str, epochs: int = 1, tables=(None, None)):
    """``arm``: ``warm-start`` or ``normal`` (cross-entropy epochs), ``safer`` or ``bat``."""
    clean = arm in ("warm-start", "normal")
    args = BATTrainingArgs(
        output_dir=str(out),
        num_epochs=epochs,
        num_clean_epochs=epochs if clean else 0,
        random_seed=seed,
        **DEMO_TRAINING,
        **{**DEMO_BAT, "method": "safer" if arm == "safer" else DEMO_BAT["method"]},
    )
    trainer_class = SAFERTrainer if arm == "safer" else BATTrainer
    trainer = trainer_class(
        model, "classification", train, None, args, synonym_table=tables[0], antonym_table=tables[1]
    )
    trainer.train()
    return trainer


def run_demo(
    train_size: int = 3000,
    eval_size: int = 1000,
    attack_examples: int = 1000,
    synonym_examples: int | None = None,
    epochs: int = 4,
    warm_start_epochs: int = 2,
    output_dir: str | Path = "demo-output",
    device: str = "auto",
    seed: int = 0,
    tsne_examples: int = 150,
    negation: bool = False,
) -> dict:
    """``epochs`` in all: ``warm_start_epochs`` shared cross-entropy epochs, then
    ``epochs - warm_start_epochs`` epochs of each arm of :data:`ARMS`. The antonym attack runs on
    the first ``attack_examples`` held-out rows, the synonym attack on the first
    ``synonym_examples`` of them (None: :data:`SYNONYM_EXAMPLES`, at most ``attack_examples``);
    with ``negation`` the negation attack on the antonym attack's rows too (a table column).
    ``device``: where everything runs (``auto``, ``cpu``, ``cuda``, ``cuda:N``; TextAttack's
    device is set to it)."""
    if warm_start_epochs < 1:
        raise UsageError(
            f"--warm-start-epochs {warm_start_epochs}: needs 1 or more (from a fresh head the "
            "contrastive term keeps the model from learning the task)."
        )
    if epochs <= warm_start_epochs:
        raise UsageError(
            f"--epochs {epochs}: must exceed --warm-start-epochs {warm_start_epochs} "
            "(the warm start, then at least one epoch of each arm)."
        )
    if synonym_examples is None:
        synonym_examples = min(SYNONYM_EXAMPLES, attack_examples)
    if not 0 < synonym_examples <= attack_examples:
        raise UsageError(
            f"--synonym-examples {synonym_examples}: pass 1..--attack-examples ({attack_examples})."
        )
    device = str(resources.use_device(device))
    method_epochs = epochs - warm_start_epochs
    start = time.perf_counter()
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    train = load_jsonl_dataset(shipped_path("snli_train_sample.jsonl"), limit=train_size)
    held_out = load_jsonl_dataset(
        shipped_path("snli_eval_sample.jsonl"), limit=max(eval_size, attack_examples)
    )
    if len(train) < train_size:
        raise UsageError(f"--train-size {train_size}: only {len(train)} shipped training rows.")
    attack_examples = min(attack_examples, len(held_out))
    gold = shipped_path("cad_snli_antonym_edits.jsonl")
    print(
        f"[demo] device {device}; {len(train)} SNLI training rows; {len(held_out)} held-out rows; "
        f"{attack_examples} attacked with antonyms and {synonym_examples} with synonyms per model; "
        f"output in {out}"
    )

    steps = len(ARMS) + 2
    print(f"[demo] 1/{steps} warm start: {warm_start_epochs} cross-entropy epoch(s)")
    warm = load_classifier(None, num_labels=3, max_length=DEMO_TRAINING["max_length"], seed=seed)
    warm_trainer = _train(
        warm, train, out / "warm-start", seed, "warm-start", epochs=warm_start_epochs
    )
    warm_dir = out / "warm-start" / "last_model"

    held_rows = [held_out[i] for i in range(len(held_out))]
    probe = RepresentationProbe(
        [example_columns(x) for x, _ in held_rows],
        [y for _, y in held_rows],
        warm_trainer.synonym_table,
        warm_trainer.antonym_table,
        skip_labels=SNLI.antonym_skip_labels,
        max_length=DEMO_TRAINING["max_length"],
        seed=seed,
        senses=warm_trainer.training_args.antonym_senses,
    )
    tables = (warm_trainer.synonym_table, warm_trainer.antonym_table)
    synonym_options = {"synonyms": tables[0], "sentence_encoder": sentence_encoder("auto")}
    models, reports, histories = {}, {}, {}
    for step, (name, what) in enumerate(ARMS.items(), start=2):
        print(
            f"[demo] {step}/{steps} {name} ({what}): {method_epochs} more epoch(s) from the warm start"
        )
        model = load_classifier(warm_dir, num_labels=3, max_length=DEMO_TRAINING["max_length"])
        trainer = _train(model, train, out / name, seed, name, epochs=method_epochs, tables=tables)
        histories[name] = warm_trainer.history + [
            {**h, "epoch": h["epoch"] + warm_start_epochs} for h in trainer.history
        ]
        reports[name] = evaluate_robustness(
            model,
            held_out,
            attack_examples,
            synonym=True,
            synonym_options=synonym_options,
            synonym_examples=synonym_examples,
            antonym_options={"senses": DEMO_BAT["antonym_senses"]},
            model_name=name,
            dataset_name="shipped SNLI test sample",
            gold_edits=gold,
            probe=probe,
            negation=negation,
        )
        print(reports[name].format_table())
        models[name] = model

    print(f"[demo] {steps}/{steps} plots")
    tradeoff_path = plot_sensitivities(
        {name: report.metrics() for name, report in reports.items()},
        out / "tradeoff.png",
        title=f"after {epochs} epochs ({warm_start_epochs} shared cross-entropy)",
    )
    rows = [(example_columns(x), y) for x, y in held_out if y not in SNLI.antonym_skip_labels]
    texts, labels = [t for t, _ in rows], [label for _, label in rows]
    max_words = DEMO_BAT["synonym_max_words"]
    synonyms, synonym_mask = SynonymSampler(tables[0], seed=seed, max_words=max_words)(
        texts, epoch=0
    )
    antonyms, antonym_mask = AntonymSampler(
        tables[1], seed=seed, senses=DEMO_BAT["antonym_senses"]
    )(texts, labels, epoch=0)
    keep = np.flatnonzero(synonym_mask * antonym_mask)[:tsne_examples]
    pick = lambda items: [items[i] for i in keep]
    panels = {
        name: {
            "original": encode(models[name], pick(texts)),
            "synonym": encode(models[name], pick(synonyms)),
            "antonym": encode(models[name], pick(antonyms)),
        }
        for name in models
    }
    tsne_path = plot_representations(
        panels,
        out / "representations_tsne.png",
        seed=seed,
        title=f"{len(keep)} held-out rows with the copies BAT trained on: "
        f"{max_words}-word synonym copies, one-word antonym copies",
    )

    accuracy = {}
    accuracy_rows = min(eval_size, len(held_out))
    for name, model in models.items():
        if accuracy_rows == reports[name].num_examples:  # the report counted these very rows
            accuracy[name] = reports[name].accuracy_rate.to_dict()
            continue
        predictions, labels_ = predict(model, [held_out[i] for i in range(accuracy_rows)])
        accuracy[name] = Rate(int((predictions == labels_).sum()), len(labels_)).to_dict()
    results = {
        "settings": {
            **DEMO_TRAINING,
            **DEMO_BAT,
            "epochs": epochs,
            "warm_start_epochs": warm_start_epochs,
            "train_size": train_size,
            "eval_size": eval_size,
            "attack_examples": attack_examples,
            "synonym_examples": synonym_examples,
            "negation": negation,
            "arms": ARMS,
            "device": device,
            "seed": seed,
            "model": "all-MiniLM-L6-v2",
            "train_data": "shipped SNLI dev sample",
            "eval_data": "shipped SNLI test sample",
            "gold_edits": "shipped CAD-SNLI antonym edits (110)",
        },
        **{
            name: {
                "clean_accuracy": accuracy[name],
                "report": reports[name].to_dict(),
                "history": histories[name],
            }
            for name in models
        },
        "seconds": time.perf_counter() - start,
        "files": {"tradeoff_plot": str(tradeoff_path), "tsne_plot": str(tsne_path)},
    }
    (out / "demo_results.json").write_text(json.dumps(results, indent=1))
    table = format_comparison(results)
    (out / "demo_results.md").write_text(table + "\n")
    print("\n" + table)
    print(
        f"\n[demo] done in {results['seconds'] / 60:.1f} min; plots: {tradeoff_path}, {tsne_path}"
    )
    return results


def _rate(summary: dict | None) -> str:
    return "-" if summary is None else Rate.from_dict(summary).format()


def format_comparison(results: dict) -> str:
    n = results["settings"]
    arms = n["arms"]
    negation = n.get("negation", False)
    lines = [
        f"MiniLM on {n['train_size']} SNLI rows: {n['warm_start_epochs']} shared cross-entropy "
        f"epoch(s), then {n['epochs'] - n['warm_start_epochs']} epoch(s) of each arm "
        f"({'; '.join(f'{k}: {v}' for k, v in arms.items())}; synonyms {n['embedding']}). "
        f"Accuracy on {n['eval_size']} held-out rows, antonym attack on the first "
        f"{n['attack_examples']}, synonym attack on the first {n['synonym_examples']}; each "
        "rate: value (count/n, 95% Wilson interval).",
        "",
        "| training | clean acc | antonym ASR (paper def.) | antonym ASR (improve-only) "
        + ("| negation ASR (paper def.) | negation ASR (improve-only) " if negation else "")
        + "| synonym ASR | gold-edit kept rate | probe pull / push |",
        "|---|---|---|---|---|---|---|" + ("---|---|" if negation else ""),
    ]
    for name in arms:
        r = results[name]["report"]
        gold = r["gold_edits"]["kept_rate"] if r["gold_edits"] else None
        probe = r["representation"]
        negation_cells = (
            f"| {_rate(r['negation_asr_paper_definition'])} "
            f"| {_rate(r['negation_asr_improve_only'])} "
            if negation
            else ""
        )
        lines.append(
            f"| {name} | {_rate(results[name]['clean_accuracy'])} | {_rate(r['antonym_asr_paper_definition'])} "
            f"| {_rate(r['antonym_asr_improve_only'])} {negation_cells}| {_rate(r['synonym_asr'])} | {_rate(gold)} "
            f"| {probe['pull']:.3f} / {probe['push']:.3f} |"
        )
    return "\n".join(lines)
