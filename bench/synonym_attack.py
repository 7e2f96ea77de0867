"""Synonym attack: `synonym-over` vs TextAttack's stock TextFoolerJin2019, and table build time (issue 4).

Same model, same MNLI rows, same word embedding and sentence encoder, one run, each row attacked by
both configurations in turn:
  textfooler     TextFoolerJin2019.build's parts unchanged (WordSwapEmbedding top 50,
                 WordEmbeddingDistance >= 0.5, premise frozen, PoS, stopwords, greedy deletion
                 ranking), with its two downloads swapped for the shared resources: the word
                 embedding (TextAttack's WordEmbedding over our matrix) and the sentence encoder
                 (TextAttack's own SBERT class on local MiniLM, or its USE class when reachable,
                 with TextFooler's angular threshold 0.840845057 and window 15)
  synonym-over   SynonymOverChen2022.build: embedding neighbours with cos >= 0.8 (top 50, WordNet
                 antonyms excluded), both columns perturbable, the same other constraints; its
                 sentence encoder is the same class and model with EncodingCache (the same scores,
                 each distinct window encoded once)
  synonym-over-hypothesis   the same with modifiable_columns=["hypothesis"] (TextFooler's NLI
                 setting), which separates the column effect from the candidate effect
Reports ASR, mean model queries per attacked example, examples per second over all rows and the
throughput ratio synonym-over / textfooler. Then times the table builders on the vocabulary of
every shared MNLI row (synonym table from plain GloVe and from counter-fitted GloVe, cold cache,
counter-fitting included; antonym table).

    python bench/synonym_attack.py --model demo-output/normal/last_model --rows 200
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np
import textattack
from textattack import Attack
from textattack.constraints.grammaticality import PartOfSpeech
from textattack.constraints.pre_transformation import (
    InputColumnModification,
    RepeatModification,
    StopwordModification,
)
from textattack.constraints.semantics import WordEmbeddingDistance
from textattack.constraints.semantics.sentence_encoders import SBERT, UniversalSentenceEncoder
from textattack.goal_functions import UntargetedClassification
from textattack.search_methods import GreedyWordSwapWIR
from textattack.shared import AttackedText, WordEmbedding
from textattack.transformations import WordSwapEmbedding
from tqdm import tqdm

from textattack_bat import resources
from textattack_bat.attack.constraints import TEXTFOOLER_STOPWORDS
from textattack_bat.attack.recipes import SynonymOverChen2022
from textattack_bat.datasets import read_jsonl_rows
from textattack_bat.evaluation.robustness import AttackSummary
from textattack_bat.lexicon.tables import (
    EmbeddingNeighbours,
    build_antonym_table,
    build_synonym_table,
    load_embedding,
    vocabulary,
)
from textattack_bat.models import load_classifier

ROOT = Path(__file__).resolve().parents[1]
MNLI = ROOT.parent / "shared/data/mnli_validation_matched_0_7999.jsonl"


class NearestNeighbourRows:
    """Stand-in for TextAttack's precomputed ``nn_matrix`` (row i: word i, then its nearest words
    by cosine), computed per row on first use. Needed because WordEmbedding's own fallback for
    ``nn_matrix=None`` fails in 0.3.11 (it slices the tuple returned by ``topk``)."""

    def __init__(self, vectors, width: int = 51):
        self.vectors, self.width, self.rows = vectors, width, {}

    def __getitem__(self, index: int):
        if index not in self.rows:
            similarity = self.vectors @ self.vectors[index]
            top = np.argpartition(-similarity, self.width)[: self.width]
            self.rows[index] = top[np.argsort(-similarity[top], kind="stable")]
        return self.rows[index]


def stock_sentence_encoder(encoder: str):
    """TextAttack's own sentence-encoder constraint with TextFooler's settings (the recipe's
    ``resources.sentence_encoder`` adds EncodingCache to the same classes)."""
    options = {"threshold": resources.USE_THRESHOLD, **resources.ENCODER_WINDOW_OPTIONS}
    if encoder == "use":
        return UniversalSentenceEncoder(**options)
    return SBERT(model_name=str(resources.minilm_path()), **options)


def stock_textfooler(model_wrapper, embedding, encoder: str) -> Attack:
    word_embedding = WordEmbedding(
        embedding.vectors,
        dict(embedding.index),
        dict(enumerate(embedding.words)),
        nn_matrix=NearestNeighbourRows(embedding.vectors),
    )
    constraints = [
        RepeatModification(),
        StopwordModification(stopwords=set(TEXTFOOLER_STOPWORDS)),
        InputColumnModification(["premise", "hypothesis"], {"premise"}),
        WordEmbeddingDistance(embedding=word_embedding, min_cos_sim=0.5),
        PartOfSpeech(allow_verb_noun_swap=True),
        stock_sentence_encoder(encoder),
    ]
    transformation = WordSwapEmbedding(max_candidates=50, embedding=word_embedding)
    return Attack(
        UntargetedClassification(model_wrapper),
        constraints,
        transformation,
        GreedyWordSwapWIR("delete"),
    )


def run_interleaved(configs, rows) -> list[dict]:
    """Attack each row with every config in turn, timing each attack: load changes on the
    machine during the run then hit all configs alike."""
    summaries = {name: AttackSummary() for name, _ in configs}
    seconds = dict.fromkeys(summaries, 0.0)
    for row in tqdm(rows, desc="rows", unit="row"):
        for name, attack in configs:
            text = AttackedText(OrderedDict(premise=row["premise"], hypothesis=row["hypothesis"]))
            start = time.perf_counter()
            result = attack.attack(text, row["label"])
            seconds[name] += time.perf_counter() - start
            summaries[name].add_result(result)
    return [
        {
            "config": name,
            "succeeded": s.succeeded,
            "failed": s.failed,
            "skipped": s.skipped,
            "seconds": seconds[name],
            "asr": s.success_rate or 0.0,
            "queries_per_attacked": s.mean_queries or 0.0,
            "examples_per_second": len(rows) / seconds[name],
        }
        for name, s in summaries.items()
    ]


def time_table_builds(data_dir: Path) -> dict:
    files = sorted(data_dir.glob("mnli_*.jsonl"))
    words = vocabulary(
        t for f in files for r in read_jsonl_rows(f) for t in (r["premise"], r["hypothesis"])
    )
    timings = {"vocabulary": [f.name for f in files], "vocabulary_size": len(words)}
    start = time.perf_counter()
    table = build_synonym_table(words, load_embedding("glove"))
    timings["synonym_glove_s"] = time.perf_counter() - start
    timings["synonym_glove_coverage"] = table.coverage(words)
    previous = os.environ.get("TA_CACHE_DIR")
    with tempfile.TemporaryDirectory() as cold:  # counter-fitting from scratch, not from a cache
        os.environ["TA_CACHE_DIR"] = cold
        start = time.perf_counter()
        table = build_synonym_table(words, load_embedding("glove-counterfitted"))
        timings["synonym_glove_counterfitted_cold_s"] = time.perf_counter() - start
        start = time.perf_counter()
        build_synonym_table(words, load_embedding("glove-counterfitted"))
        timings["synonym_glove_counterfitted_cached_s"] = time.perf_counter() - start
    if previous is None:
        del os.environ["TA_CACHE_DIR"]
    else:
        os.environ["TA_CACHE_DIR"] = previous
    timings["synonym_glove_counterfitted_coverage"] = table.coverage(words)
    start = time.perf_counter()
    table = build_antonym_table(words)
    timings["antonym_s"] = time.perf_counter() - start
    timings["antonym_coverage"] = table.coverage(words)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--data", default=str(MNLI))
    parser.add_argument(
        "--first-idx", type=int, default=7000, help="rows with idx >= this (held out from training)"
    )
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--embedding", default="glove-counterfitted")
    parser.add_argument("--sentence-encoder", default="auto", choices=["auto", "use", "sbert"])
    parser.add_argument("--out", default=str(ROOT / "bench/results/synonym_attack.json"))
    args = parser.parse_args()
    rows = [r for r in read_jsonl_rows(args.data) if r["idx"] >= args.first_idx][: args.rows]
    model = load_classifier(args.model, num_labels=3)
    embedding = load_embedding(args.embedding)
    encoder = "use" if args.sentence_encoder == "auto" and resources.use_available() else "sbert"
    if args.sentence_encoder != "auto":
        encoder = args.sentence_encoder
    neighbours = EmbeddingNeighbours(embedding)
    configs = [
        ("textfooler", stock_textfooler(model, embedding, encoder)),
        (
            "synonym-over",
            SynonymOverChen2022.build(model, synonyms=neighbours, sentence_encoder=encoder),
        ),
        (
            "synonym-over-hypothesis",
            SynonymOverChen2022.build(
                model,
                synonyms=neighbours,
                sentence_encoder=encoder,
                modifiable_columns=["hypothesis"],
            ),
        ),
    ]
    results = run_interleaved(configs, rows)
    base = results[0]["examples_per_second"]
    for r in results:
        r["throughput_vs_textfooler"] = r["examples_per_second"] / base
    print(
        f"model {args.model}, {len(rows)} rows of {Path(args.data).name} (idx >= {args.first_idx}), "
        f"embedding {embedding.source}, sentence encoder {encoder}, device {textattack.shared.utils.device}\n"
    )
    print(
        "| config | ASR | succeeded | failed | skipped | queries / attacked | examples / s | throughput vs textfooler |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['config']} | {100 * r['asr']:.1f}% | {r['succeeded']} | {r['failed']} | {r['skipped']} | "
            f"{r['queries_per_attacked']:.1f} | {r['examples_per_second']:.3f} | {r['throughput_vs_textfooler']:.2f}x |"
        )
    tables = time_table_builds(Path(args.data).parent)
    print(
        f"\ntable builds, vocabulary of {', '.join(tables['vocabulary'])} ({tables['vocabulary_size']} words):"
    )
    for key, value in tables.items():
        if key.endswith(("_s", "coverage")):
            print(f"  {key}: {value:.3f}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(
        json.dumps(
            {
                "command_args": vars(args),
                "embedding": embedding.source,
                "sentence_encoder": encoder,
                "rows": len(rows),
                "results": results,
                "tables": tables,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
