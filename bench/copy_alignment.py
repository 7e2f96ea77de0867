"""Do BAT's training copies include the copies the attacks try? (issue 41)

On the first ``--rows`` SNLI test rows (neutral skipped, as both the attacks and BAT skip it),
every candidate that an attack tries one step from the original (TextAttack's own
``Attack.get_transformations`` on the recipe: transformation plus constraints) is looked up among
the copies the corresponding training sampler can draw for the same row:

- antonyms: ``antonym-under`` (inflected, cased, PoS-checked, under a sense policy) against
  ``AntonymSampler`` with the paper's bare lemmas (``antonym_copies="lemmas"``, an antonym table
  of the rows' vocabulary) and with the attack's copies (``antonym_copies="attack"``);
- negations: ``negation-under`` against ``NegationSampler``;
- synonyms: ``synonym-over`` over the training synonym sets (``glove-counterfitted`` neighbours of
  the rows' vocabulary), without its sentence-encoder constraint (it only removes candidates),
  against BAT's one-word synonym copy (``SynonymSampler(max_words=1)``; SAFER's every-word copy
  can make a one-word swap exactly when this one can).

Share = candidates the sampler can produce / attack candidates, pooled over rows, with the rows
that have at least one candidate the sampler cannot produce, and examples of those.

    python bench/copy_alignment.py --out bench/results/copy_alignment.json
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import OrderedDict
from pathlib import Path

import numpy as np
from textattack.models.wrappers import ModelWrapper
from textattack.shared import AttackedText

sys.path.insert(0, str(Path(__file__).parent))
from result_files import write_result  # noqa: E402

from textattack_bat.attack.copies import AttackCopies  # noqa: E402
from textattack_bat.attack.recipes import (  # noqa: E402
    AntonymUnderChen2022,
    NegationUnderChen2022,
    SynonymOverChen2022,
    antonym_swap,
)
from textattack_bat.datasets import read_jsonl_rows  # noqa: E402
from textattack_bat.evaluation.rates import Rate  # noqa: E402
from textattack_bat.lexicon.antonyms import match_case  # noqa: E402
from textattack_bat.lexicon.stopwords import TEXTFOOLER_STOPWORDS  # noqa: E402
from textattack_bat.lexicon.tables import (  # noqa: E402
    build_antonym_table,
    build_synonym_table,
    load_embedding,
    vocabulary,
)
from textattack_bat.lexicon.tokens import WORD  # noqa: E402
from textattack_bat.tasks import TASKS  # noqa: E402
from textattack_bat.training.samplers import (  # noqa: E402
    AntonymSampler,
    NegationSampler,
    SynonymSampler,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
EVERY = 10**9  # candidates(k=EVERY): every copy the sampler allows
COLUMNS = ("premise", "hypothesis")


class NoModel(ModelWrapper):
    """The attacks' candidates need no model: building a recipe needs a wrapper."""

    def __init__(self):
        import torch

        self.model = torch.nn.Identity()

    def __call__(self, texts):
        return np.full((len(texts), 3), 1 / 3)


def attack_candidates(attack, example) -> dict[tuple[str, ...], str]:
    """Each candidate copy -> the original word it swaps."""
    text = AttackedText(OrderedDict(zip(COLUMNS, example)))
    candidates = {}
    for t in attack.get_transformations(text, original_text=text):
        index = min(t.attack_attrs["newly_modified_indices"], default=None)  # None: a deletion
        candidates[tuple(t._text_input.values())] = "" if index is None else text.words[index]
    return candidates


def negation_copies(sampler: NegationSampler, example) -> set[tuple[str, ...]]:
    return {
        example[:c] + (option,) + example[c + 1 :]
        for c, text in enumerate(example)
        for option in sampler.copies(text)
    }


def synonym_copies(sampler: SynonymSampler, example) -> set[tuple[str, ...]]:
    copies = set()
    for c, text in enumerate(example):
        for m in WORD.finditer(text):
            for option in sampler.choices.get(m.group(0).lower(), ())[1:]:
                new = text[: m.start()] + match_case(m.group(0), option) + text[m.end() :]
                copies.add(example[:c] + (new,) + example[c + 1 :])
    return copies


def compare(name: str, attack, examples, produce) -> dict:
    found = missing = rows_missing = rows_with = at_stopword = 0
    shown = []
    for example in examples:
        wanted = attack_candidates(attack, example)
        if not wanted:
            continue
        rows_with += 1
        have = produce(example)
        lost = sorted(set(wanted) - have)
        found += len(wanted) - len(lost)
        missing += len(lost)
        rows_missing += bool(lost)
        # TextAttack's StopwordModification compares case-sensitively: "The" is not "the"
        at_stopword += sum(wanted[c].lower() in TEXTFOOLER_STOPWORDS for c in lost)
        if lost and len(shown) < 5:
            shown.append({"original": list(example), "never_drawn": list(lost[0])})
    share = Rate(found, found + missing)
    print(f"[copy_alignment] {name}: {share.format()}", flush=True)
    return {
        "attack_candidates": found + missing,
        "producible": found,
        "share": share.to_dict(),
        "rows_with_candidates": rows_with,
        "rows_with_a_candidate_never_drawn": rows_missing,
        "never_drawn_at_a_capitalised_stopword": at_stopword,
        "examples_never_drawn": shown,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--rows", type=int, default=700)
    parser.add_argument("--senses", nargs="+", default=["context", "all"])
    args = parser.parse_args()
    skip = TASKS["snli"].antonym_skip_labels
    rows = read_jsonl_rows(DATA / "snli_test.jsonl", limit=args.rows)
    examples = [(r["premise"], r["hypothesis"]) for r in rows if r["label"] not in skip]
    words = vocabulary(t for e in examples for t in e)
    model = NoModel()
    rng = random.Random(0)
    results: dict = {
        "command": " ".join(sys.argv),
        "rows": len(rows),
        "attacked_rows": len(examples),
    }

    antonym_table = build_antonym_table(words)
    for senses in args.senses:
        attack = AntonymUnderChen2022.build(model, senses=senses)
        lemmas = AntonymSampler(antonym_table, senses=senses)
        lemmas.prepare(examples, [0] * len(examples))
        aligned = AntonymSampler(copies=AttackCopies(*antonym_swap(senses=senses)))
        aligned.prepare(examples, [0] * len(examples))
        for kind, sampler in (("lemmas", lemmas), ("attack", aligned)):
            results[f"antonym/{senses}/{kind}"] = compare(
                f"antonym, senses {senses}, antonym_copies={kind}",
                attack,
                examples,
                lambda e, s=sampler: {c.example for c in s.candidates(e, rng, EVERY)},
            )

    negation = NegationSampler()
    results["negation"] = compare(
        "negation",
        NegationUnderChen2022.build(model),
        examples,
        lambda e: negation_copies(negation, e),
    )

    table = build_synonym_table(words, load_embedding("glove-counterfitted"))
    synonyms = SynonymSampler(table, max_words=1)
    results["synonym"] = compare(
        "synonym (one-word copy)",
        SynonymOverChen2022.build(model, synonyms=table, sentence_encoder=None),
        examples,
        lambda e: synonym_copies(synonyms, e),
    )

    lines = [
        "# Do BAT's training copies include the attacks' candidates?",
        "",
        f"Written by `{results['command']}` (protocol in `bench/copy_alignment.py`): the first "
        f"{len(rows)} rows of snli_test.jsonl, {len(examples)} not neutral. Share: attack "
        "candidates the training sampler can draw for the same row (count/n, 95% Wilson interval).",
        "",
        "| attack | training copies | share of attack candidates | rows with one never drawn "
        "| never drawn at a capitalised stopword |",
        "|---|---|---|---|---|",
    ]
    for key, entry in results.items():
        if not isinstance(entry, dict):
            continue
        share = Rate.from_dict(entry["share"]).format()
        lines.append(
            f"| {key.split('/')[0]} | {' '.join(key.split('/')[1:]) or '-'} | {share} | "
            f"{entry['rows_with_a_candidate_never_drawn']} of {entry['rows_with_candidates']} | "
            f"{entry['never_drawn_at_a_capitalised_stopword']} of "
            f"{entry['attack_candidates'] - entry['producible']} |"
        )
    lines += ["", "A candidate never drawn, per row (up to five per comparison):", ""]
    for key, entry in results.items():
        if isinstance(entry, dict):
            for ex in entry["examples_never_drawn"]:
                lines.append(f"- {key}: `{ex['original']}` -> `{ex['never_drawn']}`")
    write_result(args.out, results, lines)
    print(json.dumps({k: v["share"] for k, v in results.items() if isinstance(v, dict)}))


if __name__ == "__main__":
    main()
