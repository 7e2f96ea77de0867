"""Sense policies for the antonym look-up, measured (issue 13).

Three measurements, written to ``OUT/antonym_senses.json`` and ``OUT/antonym_senses.md``:

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
    "context (definition)": ("context", {"examples": False, "collocations": False}),
    "context (definition+examples)": ("context", {"examples": True, "collocations": False}),
    "context (lemmas+definition+examples)": (
        "context",
        {"examples": True, "lemmas": True, "collocations": False},
    ),
    "context (definition+examples+collocations)": ("context", {"collocations": True}),
    "context (lemmas+definition+examples+collocations)": (
        "context",
        {"lemmas": True, "collocations": True},
    ),
}


_SHARED: dict = {}  # one encoder and one encoding cache for every context policy of a run


def make_policy(label: str, margin: float | None = None):
    from textattack_bat.lexicon import senses

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
    from textattack_bat.lexicon.antonyms import WordNetAntonyms

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
    from textattack_bat.evaluation.rates import Rate

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

    from textattack_bat.lexicon.antonyms import WordNetAntonyms

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


def measure_attack(args, margin: float) -> dict:
    """Same model, same rows, one policy at a time: candidates per example, the antonym ASR (both
    protocols, one pass) and the time per attacked row; then ``--timing-repeats`` interleaved
    timing passes over the first ``--timing-rows`` rows (median seconds per row)."""
    import statistics

    from textattack.shared import AttackedText

    from textattack_bat.attack.recipes import AntonymUnderNLI
    from textattack_bat.datasets import load_jsonl_dataset
    from textattack_bat.evaluation.robustness import evaluate_robustness
    from textattack_bat.lexicon.senses import ContextSenses, get_policy
    from textattack_bat.models import load_classifier

    def policy(name):
        if name == "context (no collocations)":
            return ContextSenses(margin=margin, collocations=False)
        return ContextSenses(margin=margin) if name == "context" else get_policy(name)

    def attack_pass(rows, name):
        """Both antonym ASRs on every row under a fresh policy, and the seconds it took."""
        start = time.perf_counter()
        report = evaluate_robustness(
            model,
            rows,
            len(rows),
            synonym=False,
            antonym_options={"senses": policy(name)},
            progress=False,
        )
        return report, time.perf_counter() - start

    model = load_classifier(args.model, num_labels=3, max_length=64)
    dataset = load_jsonl_dataset(args.eval_file, limit=args.attack_rows)
    names = ["all", "first-sense", "lesk", "context (no collocations)", "context"]
    results = {}
    for name in names:
        attack = AntonymUnderNLI.build(model, senses=policy(name))
        candidates = attacked = 0
        for i in range(len(dataset)):
            inputs, label = dataset[i]
            if label == 1:
                continue
            text = AttackedText(inputs)
            attacked += 1
            candidates += len(attack.transformation(text, attack.pre_transformation_constraints))
        report, seconds = attack_pass(dataset, name)
        results[name] = {
            "candidates_per_example": candidates / attacked,
            "examples": attacked,
            "antonym_paper": report.antonym.rate.to_dict(),
            "antonym_improve_only": report.antonym_improve_only.rate.to_dict(),
            "antonym_skipped": report.antonym.skipped,
            "mean_queries": report.antonym.mean_queries,
            "seconds": seconds,
            "seconds_per_row": seconds / len(dataset),
        }
        print(f"[attack] {name}: {summary(results[name])}", flush=True)
    timing_rows = load_jsonl_dataset(args.eval_file, limit=args.timing_rows)
    times: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(args.timing_repeats):
        for name in names:  # interleaved; each pass builds its policy afresh (cold caches)
            times[name].append(attack_pass(timing_rows, name)[1] / len(timing_rows))
    for name in names:
        results[name]["timing_seconds_per_row"] = times[name]
        results[name]["timing_median_seconds_per_row"] = statistics.median(times[name])
        results[name]["timing_median_vs_all"] = statistics.median(times[name]) / statistics.median(
            times["all"]
        )
    results["settings"] = {
        "model": str(args.model),
        "eval_file": str(args.eval_file),
        "attack_rows": args.attack_rows,
        "timing_rows": args.timing_rows,
        "timing_repeats": args.timing_repeats,
        "context_margin": margin,
        "threads": __import__("torch").get_num_threads(),
    }
    return results


def pct(rate: dict) -> str:
    from textattack_bat.evaluation.rates import Rate

    return Rate.from_dict(rate).cell()


def write_markdown(out: Path, results: dict) -> None:
    lines = [
        "# Antonym sense policies (issue 13)",
        "",
        "Written by `bench/antonym_senses.py` (commands below). Rates in %, [95% Wilson interval] "
        "(count/n). `context (definition)` scores a sense by the MiniLM cosine between the sentence "
        "and the sense's definition, `context (definition+examples)` by its definition and examples, "
        "`context (lemmas+definition+examples)` by its lemma names, "
        "definition and examples (`ContextSenses(lemmas=True)`); `+collocations`: when the best "
        "sense also shares a neighbour of the word with one of its WordNet examples, only the kept "
        "senses that share one stay (`ContextSenses(collocations=True)`, the library's default); "
        "`margin m` keeps the senses within m of the best.",
    ]
    for satellites, run in results.items():
        if not satellites.startswith("satellites"):
            continue
        if "wsd" in run:
            wsd = run["wsd"]
            lines += [
                "",
                f"## Word-sense accuracy on WordNet's own examples ({satellites})",
                "",
                f"`{wsd['command']}`: {wsd['items']} example sentences of words that have an antonym "
                "and >= 2 senses in their PoS, labelled with their synset; a sentence is left out of "
                "the description of the sense it is scored against.",
                "",
                "| policy | top-1 accuracy | labelled sense kept | senses kept (mean) | offers an antonym "
                "of another sense | loses the labelled sense's antonym |",
                "|---|---|---|---|---|---|",
            ]
            for key, r in wsd.items():
                if isinstance(r, dict) and "top1_accuracy" in r:
                    lines.append(
                        f"| {key} | {pct(r['top1_accuracy'])} | {pct(r['label_kept'])} | "
                        f"{r['mean_senses_kept']:.2f} | {pct(r['wrong_sense_antonym_offered'])} | "
                        f"{pct(r['true_antonym_lost'])} |"
                    )
        if "cad" in run:
            cad = run["cad"]
            reachable = cad["all"]["recall"]["count"] if "all" in cad else None
            lines += [
                "",
                f"## Recall of the 110 human antonym edits of CAD-SNLI ({satellites})",
                "",
                f"`{cad['command']}`: does the policy still offer the human's antonym for the edited "
                "word in its sentence? Relative: among the edits `all` (the authors' rule) offers.",
                "",
                "| policy | recall | relative to `all` |",
                "|---|---|---|",
            ]
            for key, r in cad.items():
                if isinstance(r, dict) and "recall" in r:
                    relative = (
                        f"{100 * r['recall']['count'] / reachable:.1f}% ({r['recall']['count']}/{reachable})"
                        if reachable
                        else "-"
                    )
                    lines.append(f"| {key} | {pct(r['recall'])} | {relative} |")
    if "attack" in results:
        attack = results["attack"]
        settings = attack["settings"]
        lines += [
            "",
            "## The antonym attack under each policy (same model, same rows)",
            "",
            f"`{attack['command']}`: model `{settings['model']}`, the first {settings['attack_rows']} "
            f"rows of `{Path(settings['eval_file']).name}` (neutral and misclassified rows skipped), "
            f"context margin {settings['context_margin']}, {settings['threads']} threads. Timing: "
            f"{settings['timing_repeats']} interleaved passes over the first {settings['timing_rows']} "
            "rows, median seconds per row (each pass starts with cold caches).",
            "",
            "| policy | candidates per example | ASR paper def. | ASR improve-only | mean queries "
            "| s/row (median) | vs `all` |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, r in attack.items():
            if isinstance(r, dict) and "antonym_paper" in r:
                lines.append(
                    f"| {name} | {r['candidates_per_example']:.2f} | {pct(r['antonym_paper'])} | "
                    f"{pct(r['antonym_improve_only'])} | {r['mean_queries']:.1f} | "
                    f"{r['timing_median_seconds_per_row']:.3f} | {r['timing_median_vs_all']:.2f}x |"
                )
    (out / "antonym_senses.md").write_text("\n".join(lines) + "\n")


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
    parser.add_argument("--model", help="classifier directory for --parts attack")
    parser.add_argument("--eval-file", default=str(SHARED / "snli_test.jsonl"))
    parser.add_argument("--attack-rows", type=int, default=700)
    parser.add_argument("--timing-rows", type=int, default=100)
    parser.add_argument("--timing-repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(ROOT / "bench/results/antonym_senses"))
    args = parser.parse_args(argv)
    from textattack_bat.lexicon import senses

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
    if "attack" in args.parts:
        if not args.model:
            parser.error("--parts attack needs --model MODEL_DIR")
        results["attack"] = {"command": command}
        results["attack"].update(measure_attack(args, senses.CONTEXT_MARGIN))
    path.write_text(json.dumps(results, indent=1))
    write_markdown(out, results)


if __name__ == "__main__":
    main()
