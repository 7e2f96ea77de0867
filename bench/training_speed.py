"""Seconds per epoch of each training method, side by side, same model and data (issue 5).

normal (TextAttack's Trainer, cross-entropy), SAFER, BAT-Pairwise, BAT-Triplet (this package)
and A2T (TextAttack's Trainer with an A2T attack generating adversarial examples every epoch).
A2T's stock recipe downloads counter-fitted vectors and a DistilBERT sentence encoder; offline
it is built from the same parts with local resources: GloVe neighbours (the same as SAFER/BAT
use), the local MiniLM SBERT encoder (cosine >= 0.9), gradient ranking, max 10% words changed.
Every method starts from the same pretrained MiniLM and trains one epoch on the same rows.
Also measures perturbation generation (examples/s) on the shared MNLI rows.

    python bench/training_speed.py --rows 320 --batch-size 32
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import textattack

from textattack_bat.datasets import load_jsonl_dataset, read_jsonl_rows, shipped_path
from textattack_bat.models import load_classifier
from textattack_bat.samplers import AntonymSampler, SynonymSampler
from textattack_bat.tables import (
    build_antonym_table,
    build_synonym_table,
    load_embedding,
    vocabulary,
)
from textattack_bat.trainers import BATTrainer, BATTrainingArgs, SAFERTrainer

ROOT = Path(__file__).resolve().parents[1]


def a2t_offline(model_wrapper, synonyms):
    from textattack import Attack
    from textattack.constraints.grammaticality import PartOfSpeech
    from textattack.constraints.overlap import MaxWordsPerturbed
    from textattack.constraints.pre_transformation import RepeatModification, StopwordModification
    from textattack.constraints.semantics.sentence_encoders import SBERT
    from textattack.goal_functions import UntargetedClassification
    from textattack.search_methods import GreedyWordSwapWIR

    from textattack_bat import resources
    from textattack_bat.transformations import WordSwapTable

    constraints = [
        RepeatModification(),
        StopwordModification(),
        MaxWordsPerturbed(max_percent=0.1),
        PartOfSpeech(allow_verb_noun_swap=False),
        SBERT(model_name=str(resources.minilm_path()), threshold=0.9, metric="cosine"),
    ]
    return Attack(
        UntargetedClassification(model_wrapper, model_batch_size=32),
        constraints,
        WordSwapTable(synonyms, max_candidates=20),
        GreedyWordSwapWIR(wir_method="gradient"),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=320)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--mnli", default=str(ROOT.parent / "shared/data/mnli_validation_matched_0_7999.jsonl")
    )
    parser.add_argument("--out", default=str(ROOT / "bench/results/training_speed.json"))
    args = parser.parse_args()
    train = load_jsonl_dataset(shipped_path("snli_train_sample.jsonl"), limit=args.rows)
    evaluation = load_jsonl_dataset(shipped_path("snli_eval_sample.jsonl"), limit=32)
    words = vocabulary(t for inputs, _ in train for t in inputs.values())
    synonyms = build_synonym_table(words, load_embedding("glove"))
    antonyms = build_antonym_table(words)
    common = dict(
        num_epochs=1,
        per_device_train_batch_size=args.batch_size,
        learning_rate=2e-5,
        weight_decay=0.0,
        num_warmup_steps=0,
        save_last=False,
    )
    results = {}
    with tempfile.TemporaryDirectory() as tmp:

        def timed(name, make_trainer):
            trainer = make_trainer(f"{tmp}/{name}")
            start = time.perf_counter()
            trainer.train()
            results[name] = time.perf_counter() - start
            print(f"{name}: {results[name]:.1f} s", flush=True)

        timed(
            "normal",
            lambda out: textattack.Trainer(
                load_classifier(None, 3),
                "classification",
                None,
                train,
                evaluation,
                textattack.TrainingArgs(output_dir=out, **common),
            ),
        )
        for method, cls in (
            ("safer", SAFERTrainer),
            ("bat-pairwise", BATTrainer),
            ("bat-triplet", BATTrainer),
        ):
            timed(
                method,
                lambda out, m=method, c=cls: c(
                    load_classifier(None, 3),
                    "classification",
                    train,
                    evaluation,
                    BATTrainingArgs(method=m, output_dir=out, **common),
                    synonym_table=synonyms,
                    antonym_table=antonyms,
                ),
            )

        def a2t(out):
            wrapper = load_classifier(None, 3)
            return textattack.Trainer(
                wrapper,
                "classification",
                a2t_offline(wrapper, synonyms),
                train,
                evaluation,
                textattack.TrainingArgs(output_dir=out, num_clean_epochs=0, **common),
            )

        timed("a2t", a2t)

    # perturbation generation on real MNLI rows
    rows = read_jsonl_rows(args.mnli)
    texts = [(r["premise"], r["hypothesis"]) for r in rows]
    labels = [r["label"] for r in rows]
    mnli_words = vocabulary(t for pair in texts for t in pair)
    syn_table = build_synonym_table(mnli_words, load_embedding("glove"))
    ant_table = build_antonym_table(mnli_words)
    start = time.perf_counter()
    SynonymSampler(syn_table)(texts, epoch=1)
    synonym_rate = len(texts) / (time.perf_counter() - start)
    start = time.perf_counter()
    AntonymSampler(ant_table, skip_labels=[1])(texts, labels, epoch=1)
    antonym_rate = len(texts) / (time.perf_counter() - start)

    normal = results["normal"]
    print(
        f"\nMiniLM, {args.rows} SNLI rows, batch {args.batch_size}, 1 epoch, device {textattack.shared.utils.device}\n"
    )
    print("| method | seconds / epoch | vs normal |\n|---|---|---|")
    for name, seconds in results.items():
        print(f"| {name} | {seconds:.1f} | {seconds / normal:.2f}x |")
    print(f"\nBAT-Triplet / A2T: {results['bat-triplet'] / results['a2t']:.2f}x")
    print(
        f"perturbation generation on {len(texts)} MNLI rows: synonym {synonym_rate:,.0f} examples/s, "
        f"antonym {antonym_rate:,.0f} examples/s"
    )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(
        json.dumps(
            {
                "rows": args.rows,
                "batch_size": args.batch_size,
                "seconds_per_epoch": results,
                "synonym_examples_per_second": synonym_rate,
                "antonym_examples_per_second": antonym_rate,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
