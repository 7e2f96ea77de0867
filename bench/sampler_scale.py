"""Seconds of BAT's per-epoch samplers as the training rows grow (issue 25, item 4).

Rows: SNLI dev, then SNLI test, then MNLI validation-matched (../shared/data; about 27,700 pair
rows, all there are offline), or the ``--files`` given, the first N of them for each size. The
synonym and antonym tables are built once from the vocabulary of all rows (not timed: a trainer
builds them once per run).
For each size, fresh samplers (cold caches, the sentence encoder already loaded) draw the copies
of epoch 0, then of epoch 1: the synonym sampler (SAFER's and BAT's positives), the antonym
sampler with the default sense policy (BAT's negatives; its sense decisions are encoded in one
call for the epoch's new texts), with the cached sense-description table and without it, and the
negation sampler. Neutral rows are skipped as in
training. Reports seconds and seconds per 10k rows; linear growth shows as a flat per-10k column.

    python bench/sampler_scale.py --sizes 2500 5000 10000 20000 27000
    python bench/sampler_scale.py --files mnli_train.jsonl --sizes 10000 40000  # more rows
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

import torch
from result_files import write_result  # bench/, the script's folder

from textattack_bat.datasets import read_jsonl_rows
from textattack_bat.lexicon.senses import ContextSenses
from textattack_bat.lexicon.tables import (
    build_antonym_table,
    build_synonym_table,
    load_embedding,
    vocabulary,
)
from textattack_bat.training.samplers import AntonymSampler, NegationSampler, SynonymSampler

ROOT = Path(__file__).resolve().parents[1]
FILES = ("snli_validation.jsonl", "snli_test.jsonl", "mnli_validation_matched_0_7999.jsonl")


def time_samplers(examples, labels, synonyms, antonyms, encoder):
    """``(sampler, [epoch 0 seconds, epoch 1 seconds])`` of fresh samplers on ``examples``."""

    def antonym(table: bool):
        policy = ContextSenses(table=table)
        policy._model = encoder
        return AntonymSampler(antonyms, skip_labels=[1], seed=1, senses=policy)

    with_table, without_table = antonym(True), antonym(False)
    negation = NegationSampler(skip_labels=[1], seed=2)
    draws = {
        "synonym": lambda epoch: SynonymSampler(synonyms, seed=0)(examples, epoch),
        "antonym (context senses, sense table)": lambda epoch: with_table(examples, labels, epoch),
        "antonym (context senses, no table)": lambda epoch: without_table(examples, labels, epoch),
        "negation": lambda epoch: negation(examples, labels, epoch),
    }
    for name, draw in draws.items():
        seconds = []
        for epoch in (0, 1):
            begin = time.perf_counter()
            draw(epoch)
            seconds.append(time.perf_counter() - begin)
        yield name, seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(ROOT.parent / "shared/data"))
    parser.add_argument(
        "--files",
        nargs="+",
        default=list(FILES),
        help="JSON Lines files of premise/hypothesis/label rows, under --data or as paths",
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[2500, 5000, 10000, 20000, 27000])
    parser.add_argument("--out", default=str(ROOT / "bench/results/sampler_scale.json"))
    args = parser.parse_args()
    rows = [row for name in args.files for row in read_jsonl_rows(Path(args.data) / name)]
    if max(args.sizes) > len(rows):
        raise SystemExit(
            f"--sizes: {', '.join(args.files)} hold {len(rows)} rows; pass --files with more "
            "rows (e.g. MNLI train written as JSON Lines) for larger sizes."
        )
    texts = [(r["premise"], r["hypothesis"]) for r in rows]
    labels = [r["label"] for r in rows]
    words = vocabulary(t for example in texts for t in example)
    start = time.perf_counter()
    synonyms = build_synonym_table(words, load_embedding("auto"))
    antonyms = build_antonym_table(words)
    tables_seconds = time.perf_counter() - start
    encoder = ContextSenses()._encoder()  # loaded once; every sampler below starts cold
    start = time.perf_counter()
    descriptions = ContextSenses().build_table()  # once per machine; read from disk if cached
    table_seconds = time.perf_counter() - start

    results = []
    for size in args.sizes:
        for name, seconds in time_samplers(
            texts[:size], labels[:size], synonyms, antonyms, encoder
        ):
            results.append({"rows": size, "sampler": name, "epoch_seconds": seconds})
            print(f"{size} rows, {name}: {seconds[0]:.1f} s, then {seconds[1]:.1f} s", flush=True)

    command = "python " + shlex.join(["bench/sampler_scale.py", *sys.argv[1:]])
    lines = [
        "# BAT's samplers as the rows grow",
        "",
        f"Written by `{command}` (protocol in `bench/sampler_scale.py`): the first N rows of "
        f"{', '.join(args.files)}; tables from all {len(rows)} rows' vocabulary ({len(words)} words, "
        f"{tables_seconds:.0f} s, not in the figures); device cpu, {torch.get_num_threads()} "
        "threads; one run. Epoch 0 starts from cold caches; epoch 1 reuses what epoch 0 cached "
        "(SAFER's synonym sampler keeps no cache). The antonym sampler runs with the context "
        f"policy's sense-description table ({descriptions} descriptions, encoded once per "
        f"machine; {table_seconds:.0f} s to build or read here, not in the figures) and "
        "without it (each description encoded when first needed).",
        "",
        "| rows | sampler | epoch 0 s | epoch 0 s per 10k rows | epoch 1 s |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        first, second = r["epoch_seconds"]
        lines.append(
            f"| {r['rows']} | {r['sampler']} | {first:.1f} | {first / r['rows'] * 10000:.1f} "
            f"| {second:.1f} |"
        )
    print("\n".join(lines))
    write_result(
        args.out, {"command": command, "rows_available": len(rows), "results": results}, lines
    )


if __name__ == "__main__":
    main()
