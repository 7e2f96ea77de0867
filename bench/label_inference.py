"""How often the implied label of an antonym copy matches a person's label (issue 23, lever 3).

The rule (``textattack_bat.training.relevance``, labels from the task registry): an antonym swap of a word
whose lemma the other sentence shares turns an NLI entailment into a contradiction; any other row
gets no label. Checked against human label-changing edits of CAD-SNLI (Kaushik et al. 2020):

- the 110 one-word antonym edits (``cad_snli_antonym_edits.jsonl``), by CAD split;
- every one-word substitution (one token replaced, either side) among the CAD dev and test edits
  (``cad_snli_edits_{dev,test}.jsonl``): the same rule applied to edits that are not all antonyms.

For each set: rows, rows the rule labels (coverage), and among those the share whose implied
label equals the annotators' ``edited_label`` (agreement), with 95% Wilson intervals; the
annotators' labels of the rows the rule labels.

    python bench/label_inference.py --out bench/results/label_inference
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TEXTATTACK_BAT_SHARED", ROOT.parent / "shared")) / "data"
TOKEN = re.compile(r"[A-Za-z]+|[^A-Za-z\s]")


def one_word_substitution(before: str, after: str) -> tuple[int, str, str] | None:
    """``(index, old, new)`` when ``after`` replaces exactly one word token of ``before``."""
    a, b = TOKEN.findall(before), TOKEN.findall(after)
    if len(a) != len(b):
        return None
    changed = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    if len(changed) != 1 or not a[changed[0]].isalpha() or not b[changed[0]].isalpha():
        return None
    return changed[0], a[changed[0]], b[changed[0]]


def check(rows: list[dict]) -> dict:
    from textattack_bat.evaluation.rates import Rate
    from textattack_bat.tasks import TASKS
    from textattack_bat.training.relevance import inferred_label, is_shared

    flips = dict(TASKS["snli"].antonym_flips)
    labelled, agree, human = 0, 0, Counter()
    for row in rows:
        example = (row["premise"], row["hypothesis"])
        column = 0 if row["side"] == "premise" else 1
        implied = inferred_label(flips, row["label"], is_shared(example, column, row["old"]))
        if implied is None:
            continue
        labelled += 1
        agree += implied == row["edited_label"]
        human[row["edited_label"]] += 1
    names = TASKS["snli"].label_names
    return {
        "rows": len(rows),
        "coverage": Rate(labelled, len(rows)).to_dict(),
        "agreement": Rate(agree, labelled).to_dict(),
        "human_labels_of_labelled_rows": {names[k]: v for k, v in sorted(human.items())},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="bench/results/label_inference")
    args = parser.parse_args()
    from textattack_bat.evaluation.rates import Rate

    sets: dict[str, list[dict]] = {}
    for line in (SHARED / "cad_snli_antonym_edits.jsonl").read_text().splitlines():
        row = json.loads(line)
        old = row["swap"][0]
        entry = {**row, "side": "hypothesis", "old": old}
        sets.setdefault("antonym edits (110), all splits", []).append(entry)
        sets.setdefault(f"antonym edits, CAD {row['split']}", []).append(entry)
    for split in ("dev", "test"):
        for line in (SHARED / f"cad_snli_edits_{split}.jsonl").read_text().splitlines():
            row = json.loads(line)
            side = row["edited"]
            found = one_word_substitution(row[side], row[f"edited_{side}"])
            if found:
                sets.setdefault(f"one-word substitutions, CAD {split}", []).append(
                    {**row, "side": side, "old": found[1]}
                )
    results = {
        "command": "python bench/label_inference.py " + " ".join(sys.argv[1:]),
        "sets": {name: check(rows) for name, rows in sets.items()},
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "label_inference.json").write_text(json.dumps(results, indent=1))
    lines = [
        "# Implied labels of antonym copies vs the annotators' (issue 23)",
        "",
        f"`{results['command']}`; rule and sets in `bench/label_inference.py`. Rates in %, "
        "[95% Wilson interval] (count/n).",
        "",
        "| set | rows | labelled by the rule | agreement with the annotators | annotators' labels of labelled rows |",
        "|---|---|---|---|---|",
    ]
    for name, r in results["sets"].items():
        lines.append(
            f"| {name} | {r['rows']} | {Rate.from_dict(r['coverage']).cell()} | "
            f"{Rate.from_dict(r['agreement']).cell()} | "
            f"{', '.join(f'{k} {v}' for k, v in r['human_labels_of_labelled_rows'].items())} |"
        )
    (out / "label_inference.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
