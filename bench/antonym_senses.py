"""Sense policies for the antonym look-up, measured (issue 13).

Four measurements, each written to ``OUT/antonym_senses.json`` and ``OUT/antonym_senses.md``:

1. ``wsd``: word-sense accuracy on a labelled set built from WordNet itself. Words: every WordNet
   lemma (single alphabetic word) that has an antonym and at least two synsets in its PoS. Items:
   every example sentence of one of those synsets that contains the word (or an inflection of it);
   its label is that synset. Sentences are left out of the description of the senses they are
   scored against (``exclude``). Reported per policy: top-1 accuracy (ties broken by WordNet
   order), the share of items whose kept senses contain the label, the mean number of senses
   kept, and for the antonyms: the share of items where the policy offers an antonym of a sense
   other than the labelled one (noise) and where it loses an antonym of the labelled sense.
2. ``cad``: recall of the 110 human one-word antonym edits of CAD-SNLI: how often the policy
   still offers the human's antonym for the edited word in its sentence.
3. ``attack`` (needs ``--model``): candidates per attacked example, attack time per row and the
   antonym ASR (paper definition and improve-only, one pass) per policy on the same model and rows.

    python bench/antonym_senses.py --parts wsd cad
    python bench/antonym_senses.py --parts attack --model MODEL_DIR --attack-rows 700
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
TOKEN = re.compile(r"[A-Za-z]+")

# policy label -> (policy name, options)
POLICIES: dict[str, tuple[str, dict]] = {
    "all": ("all", {}),
    "first-sense": ("first-sense", {}),
    "lesk": ("lesk", {}),
    "context (definition)": ("context", {"examples": False}),
    "context (definition+examples)": ("context", {"examples": True}),
}


_SHARED: dict = {}  # one encoder and one encoding cache for every context policy of a run


def make_policy(label: str, margin: float | None = None):
    from textattack_bat import senses

    name, options = POLICIES[label]
    if name != "context":
        return senses.get_policy(name)
    policy = senses.ContextSenses(**options, margin=margin or senses.CONTEXT_MARGIN)
    if _SHARED:
        policy._model, policy._cache = _SHARED["model"], _SHARED["cache"]
    else:
        _SHARED.update(model=policy._encoder(), cache=policy._cache)
    return policy


def variants(labels: list[str], margins: list[float]) -> list[tuple[str, str, float | None]]:
    """(key, policy label, margin): context policies once per margin, the others once."""
    out = []
    for label in labels:
        if POLICIES[label][0] == "context":
            out += [(f"{label} margin {m:g}", label, m) for m in margins]
        else:
            out.append((label, label, None))
    return out


def labelled_items(limit: int | None, seed: int) -> list[dict]:
    """(word, pos, tokens, index, label synset, sentence) items from WordNet's own examples."""
    from nltk.corpus import wordnet as wn

    words: set[tuple[str, str]] = set()
    for synset in wn.all_synsets():
        for lemma in synset.lemmas():
            name = lemma.name()
            if lemma.antonyms() and name.isalpha():
                words.add((name.lower(), "a" if synset.pos() == "s" else synset.pos()))
    items = []
    for word, pos in sorted(words):
        synsets = wn.synsets(word, pos=pos)
        if len(synsets) < 2:
            continue
        for synset in synsets:
            for example in synset.examples():
                tokens = TOKEN.findall(example)
                for index, token in enumerate(tokens):
                    lower = token.lower()
                    if lower == word or wn.morphy(lower, pos) == word:
                        items.append(
                            {
                                "word": word,
                                "pos": pos,
                                "tokens": tokens,
                                "index": index,
                                "label": synset.name(),
                                "sentence": example,
                            }
                        )
                        break
    random.Random(seed).shuffle(items)
    return items[:limit] if limit else items


def antonyms_of(synsets, word: str, indirect: bool) -> set[str]:
    from textattack_bat.antonyms import WordNetAntonyms

    lookup = WordNetAntonyms(inflect=False, keep_case=False, indirect=indirect)
    return set(lookup._antonyms_of(word, tuple(synsets)))


def measure_wsd(items: list[dict], labels: list[str], margins: list[float], indirect: bool) -> dict:
    from nltk.corpus import wordnet as wn

    results = {}
    for key, label, margin in variants(labels, margins):
        policy = make_policy(label, margin)
        correct = contains = kept_total = noise = lost = with_truth = 0
        start = time.perf_counter()
        for item in items:
            synsets = wn.synsets(item["word"], pos=item["pos"])
            truth = wn.synset(item["label"])
            kept = policy.select(synsets, item["tokens"], item["index"], exclude=item["sentence"])
            if hasattr(policy, "scores") and len(synsets) > 1:
                scores = list(
                    policy.scores(synsets, item["tokens"], item["index"], item["sentence"])
                )
                top = synsets[scores.index(max(scores))]
            else:
                top = kept[0]
            correct += top == truth
            contains += truth in kept
            kept_total += len(kept)
            true_antonyms = antonyms_of([truth], item["word"], indirect)
            offered = antonyms_of(kept, item["word"], indirect)
            noise += bool(offered - true_antonyms)
            if true_antonyms:
                with_truth += 1
                lost += not true_antonyms <= offered
        n = len(items)
        results[key] = {
            "top1_accuracy": rate(correct, n),
            "label_kept": rate(contains, n),
            "mean_senses_kept": kept_total / n,
            "wrong_sense_antonym_offered": rate(noise, n),
            "true_antonym_lost": rate(lost, with_truth),
            "seconds": time.perf_counter() - start,
        }
        print(f"[wsd] {key}: {summary(results[key])}", flush=True)
    return results


def rate(count: int, n: int) -> dict:
    from textattack_bat.rates import Rate

    return Rate(int(count), int(n)).to_dict()


def summary(result: dict) -> str:
    return ", ".join(
        f"{k} {100 * v['rate']:.1f}% ({v['count']}/{v['n']})"
        if isinstance(v, dict)
        else f"{k} {v:.2f}"
        for k, v in result.items()
        if k != "missed"
    )


def measure_cad(labels: list[str], margins: list[float], indirect: bool) -> dict:
    """Does the policy still offer the human's antonym for the edited word in its sentence?"""
    import nltk

    from textattack_bat.antonyms import WordNetAntonyms

    rows = [json.loads(line) for line in (SHARED / "cad_snli_antonym_edits.jsonl").open()]
    results = {}
    for key, label, margin in variants(labels, margins):
        policy = make_policy(label, margin)
        inflected = WordNetAntonyms(keep_case=False, senses=policy, indirect=indirect)
        bare = WordNetAntonyms(inflect=False, keep_case=False, senses=policy, indirect=indirect)
        found, missed = 0, []
        for row in rows:
            tokens = TOKEN.findall(row["hypothesis"])
            old, new = row["swap"]
            index = next(i for i, t in enumerate(tokens) if t.lower() == old)
            tag = nltk.pos_tag(tokens)[index][1]
            context = (tokens, index)
            candidates = {*inflected(old, tag, context), *bare(old, tag, context)}
            if new in candidates:
                found += 1
            else:
                missed.append(f"{row['hypothesis']} [{old} -> {new}]")
        results[key] = {"recall": rate(found, len(rows)), "missed": missed}
        print(f"[cad] {key}: {found}/{len(rows)}", flush=True)
    return results


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--parts", nargs="+", default=["wsd", "cad"], choices=["wsd", "cad", "attack"]
    )
    parser.add_argument("--policies", nargs="+", default=list(POLICIES), choices=list(POLICIES))
    parser.add_argument("--wsd-items", type=int, default=2000)
    parser.add_argument(
        "--margins",
        type=float,
        nargs="+",
        default=None,
        help="context margins (default: the library's)",
    )
    parser.add_argument(
        "--indirect", action="store_true", help="satellite senses take their head's antonyms"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(ROOT / "bench/results/antonym_senses"))
    args = parser.parse_args(argv)
    from textattack_bat import senses

    margins = args.margins or [senses.CONTEXT_MARGIN]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "antonym_senses.json"
    results = json.loads(path.read_text()) if path.is_file() else {}
    run = results.setdefault(
        "satellites: head's antonyms" if args.indirect else "satellites: none", {}
    )
    command = "python bench/antonym_senses.py " + " ".join(sys.argv[1:])
    if "wsd" in args.parts:
        items = labelled_items(args.wsd_items, args.seed)
        run["wsd"] = {"command": command, "items": len(items)}
        run["wsd"].update(measure_wsd(items, args.policies, margins, args.indirect))
    if "cad" in args.parts:
        run["cad"] = {"command": command}
        run["cad"].update(measure_cad(args.policies, margins, args.indirect))
    path.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
