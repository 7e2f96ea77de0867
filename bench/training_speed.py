"""Seconds per epoch of each training method, like with like (issues 5 and 15).

Two loops, never mixed in one ratio:
- this package's loop (``BATTrainer`` / ``SAFERTrainer``: dynamic padding, max length 128):
  ``normal`` (the same trainer with every epoch clean: cross-entropy only, no perturbation),
  ``safer``, ``bat-pairwise``, ``bat-triplet``; ratios are to ``normal``; and the same loop
  with length-grouped batches (``group_by_length``): ``normal (grouped)`` and
  ``bat-triplet (grouped)``, the latter's ratio to the former;
- TextAttack's own loop (``textattack.Trainer``: pads every batch to the max length, 128):
  ``textattack-normal`` and ``a2t`` (A2T generating adversarial examples before its epoch);
  ``a2t`` is reported against ``textattack-normal``.
A2T's stock recipe downloads counter-fitted vectors and a DistilBERT sentence encoder; offline
it is built from the same parts with local resources: GloVe neighbours (the same as SAFER/BAT
use), the local MiniLM SBERT encoder (cosine >= 0.9), gradient ranking, max 10% words changed.
Every run starts from the same pretrained MiniLM and trains one epoch on the same rows, seed 0.
Configurations run interleaved (one pass over all of them per repeat, ``--repeats`` passes);
the tables give the median and the range. BAT's antonym copies use the default sense policy
(``textattack_bat.lexicon.senses.DEFAULT_SENSES``), whose sentence scoring is part of its epoch.

    python bench/training_speed.py --rows 320 --batch-size 32 --repeats 3
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
import time
from pathlib import Path

import textattack
from result_files import write_result  # bench/, the script's folder
from sense_table_setup import sense_table

from textattack_bat.datasets import load_jsonl_dataset, shipped_path
from textattack_bat.lexicon.senses import description_table_path
from textattack_bat.lexicon.tables import (
    build_antonym_table,
    build_synonym_table,
    load_embedding,
    vocabulary,
)
from textattack_bat.models import load_classifier
from textattack_bat.training.arguments import BATTrainingArgs
from textattack_bat.training.trainers import BATTrainer, SAFERTrainer

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
    from textattack_bat.attack.transformations import WordSwapTable

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


OURS = ("normal", "safer", "bat-pairwise", "bat-triplet")
GROUPED = " (grouped)"
OURS_GROUPED = ("normal" + GROUPED, "bat-triplet" + GROUPED)
TEXTATTACK_LOOP = ("textattack-normal", "a2t")


def main() -> None:
    import statistics

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=320)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--no-sense-table",
        dest="sense_table",
        action="store_false",
        help="leave the sense-description table as it is (default: build it unless cached)",
    )
    parser.add_argument("--out", default=str(ROOT / "bench/results/training_speed.json"))
    args = parser.parse_args()
    train = load_jsonl_dataset(shipped_path("snli_train_sample.jsonl"), limit=args.rows)
    evaluation = load_jsonl_dataset(shipped_path("snli_eval_sample.jsonl"), limit=32)
    words = vocabulary(t for inputs, _ in train for t in inputs.values())
    synonyms = build_synonym_table(words, load_embedding("glove"))
    antonyms = build_antonym_table(words)
    table = sense_table() if args.sense_table else None
    common = dict(
        num_epochs=1,
        per_device_train_batch_size=args.batch_size,
        learning_rate=2e-5,
        weight_decay=0.0,
        num_warmup_steps=0,
        save_last=False,
        random_seed=0,
    )

    def ours(name: str, out: str):
        method = name.removesuffix(GROUPED)
        trainer_class = SAFERTrainer if method == "safer" else BATTrainer
        options = dict(method="bat-triplet", num_clean_epochs=1) if method == "normal" else {}
        options["group_by_length"] = name.endswith(GROUPED)
        return trainer_class(
            load_classifier(None, 3),
            "classification",
            train,
            evaluation,
            BATTrainingArgs(
                output_dir=out, max_length=128, **{"method": method, **options, **common}
            ),
            synonym_table=synonyms,
            antonym_table=antonyms,
        )

    def textattack_loop(method: str, out: str):
        wrapper = load_classifier(None, 3)
        attack = a2t_offline(wrapper, synonyms) if method == "a2t" else None
        return textattack.Trainer(
            wrapper,
            "classification",
            attack,
            train,
            evaluation,
            textattack.TrainingArgs(output_dir=out, num_clean_epochs=0, **common),
        )

    times: dict[str, list[float]] = {name: [] for name in OURS + OURS_GROUPED + TEXTATTACK_LOOP}
    with tempfile.TemporaryDirectory() as tmp:
        for repeat in range(args.repeats):
            for name in times:
                make = textattack_loop if name in TEXTATTACK_LOOP else ours
                method = "normal" if name == "textattack-normal" else name
                trainer = make(method, f"{tmp}/{name}-{repeat}")
                start = time.perf_counter()
                trainer.train()
                times[name].append(time.perf_counter() - start)
                print(f"repeat {repeat + 1}: {name} {times[name][-1]:.1f} s", flush=True)

    median = {name: statistics.median(values) for name, values in times.items()}
    lines = [
        "# Training speed (issues 5 and 15)",
        "",
        "Command (2 CPU cores, no GPU): `python "
        + shlex.join(["bench/training_speed.py", *sys.argv[1:]])
        + "`",
        "",
        f"MiniLM, {args.rows} shipped SNLI rows, batch {args.batch_size}, lr 2e-5, max length 128, "
        f"1 epoch, device {textattack.shared.utils.device}; {args.repeats} interleaved repeats, "
        "median [min, max] seconds per epoch. BAT's sense policy "
        + (
            f"reads the sense-description table ({table['descriptions']} descriptions), which "
            f"{table['how']}, not in the figures."
            if table
            else "is as the machine has it (`--no-sense-table`): "
            + (
                "the sense-description table was cached."
                if description_table_path().is_file()
                else "no sense-description table, so each description is encoded when first needed."
            )
        ),
        "",
        "| loop | method | seconds / epoch | vs normal of the same loop |",
        "|---|---|---|---|",
    ]
    for name in times:
        if name in TEXTATTACK_LOOP:
            loop, reference = "TextAttack's Trainer (pads to 128)", median["textattack-normal"]
        elif name in OURS_GROUPED:
            loop, reference = "textattack-bat (length-grouped batches)", median[OURS_GROUPED[0]]
        else:
            loop, reference = "textattack-bat (dynamic padding)", median["normal"]
        lines.append(
            f"| {loop} | {name} | {median[name]:.1f} [{min(times[name]):.1f}, {max(times[name]):.1f}] "
            f"| {median[name] / reference:.2f}x |"
        )
    lines += [
        "",
        f"Loops side by side (not a like-for-like ratio of methods): `normal` in this package's loop "
        f"{median['normal']:.1f} s vs TextAttack's {median['textattack-normal']:.1f} s "
        f"({median['normal'] / median['textattack-normal']:.2f}x). BAT-Triplet's added cost over its "
        f"loop's normal: {median['bat-triplet'] / median['normal']:.2f}x (length-grouped: "
        f"{median[OURS_GROUPED[1]] / median[OURS_GROUPED[0]]:.2f}x); A2T's over its loop's normal: "
        f"{median['a2t'] / median['textattack-normal']:.2f}x.",
        "",
        "Raw seconds: `training_speed.json`.",
    ]
    write_result(
        args.out,
        {
            "rows": args.rows,
            "batch_size": args.batch_size,
            "repeats": args.repeats,
            "sense_table": table,
            "seconds": times,
        },
        lines,
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
