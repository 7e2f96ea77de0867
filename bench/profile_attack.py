"""Where the antonym attack's time goes: cProfile of the default recipe on held-out rows.

Runs ``AntonymUnderNLI.build(model)`` (the default sense policy, ``context``) or, with
``--improve-only``, its improve-only form, over ``--rows`` rows one example at a time, as
``textattack attack`` does, under cProfile. Two views of the same profile:

- exclusive (a partition of the wall time): each function's own time, grouped by the file it
  lives in (model = torch, transformers, tokenizers; tagging = nltk.tag; WordNet = nltk's
  WordNet reader; ...). The groups sum to the profiled total.
- inclusive (overlapping): the cumulative time of the entry points a reader asks about: the
  classifier's forward calls and gradient, sense scoring, the PoS tagger, WordNet look-ups,
  each constraint check.

Writes ``--out`` (JSON: both views and the top functions) and the same tables as markdown.

    textattack-bat demo --output-dir /tmp/demo   # or any 3-label NLI model directory
    python bench/profile_attack.py --model /tmp/demo/normal/last_model --rows 300
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shlex
import sys
import time
from collections import OrderedDict
from pathlib import Path

import torch
from result_files import write_result  # bench/, the script's folder
from textattack.shared import AttackedText

from textattack_bat.attack.recipes import AntonymUnderNLI
from textattack_bat.datasets import read_jsonl_rows, shipped_path
from textattack_bat.models import load_classifier

ROOT = Path(__file__).resolve().parents[1]

# exclusive view: (group, substrings of the file path), first match wins
FILE_GROUPS: list[tuple[str, tuple[str, ...]]] = [
    ("model: torch (incl. its C calls)", ("/torch/",)),
    ("model: transformers + tokenizers", ("/transformers/", "/tokenizers/")),
    ("PoS tagging (nltk.tag)", ("/nltk/tag/",)),
    ("WordNet look-ups (nltk WordNet reader)", ("/nltk/corpus/reader/wordnet",)),
    ("nltk, other", ("/nltk/",)),
    ("lemminflect (inflection)", ("/lemminflect/",)),
    ("sense policy (textattack_bat.lexicon.senses)", ("textattack_bat/lexicon/senses",)),
    ("textattack_bat, other", ("textattack_bat/",)),
    ("TextAttack constraints", ("/textattack/constraints/",)),
    ("TextAttack AttackedText", ("/textattack/shared/attacked_text",)),
    ("TextAttack, other", ("/textattack/",)),
    ("numpy", ("/numpy/",)),
]
# inclusive view: (entry point, (file substring, function name))
ENTRY_POINTS: list[tuple[str, tuple[str, str]]] = [
    ("classifier forward (wrapper __call__)", ("textattack_bat/models.py", "__call__")),
    ("classifier gradient (word ranking)", ("textattack_bat/models.py", "get_grad")),
    ("sense scoring (ContextSenses.select)", ("textattack_bat/lexicon/senses.py", "select")),
    (
        "sense context encoding (ContextSenses.encode)",
        ("textattack_bat/lexicon/senses.py", "encode"),
    ),
    ("PoS tagging (nltk pos_tag)", ("nltk/tag/__init__.py", "pos_tag")),
    ("WordNet synsets()", ("nltk/corpus/reader/wordnet.py", "synsets")),
    (
        "antonym candidates (WordSwapAntonym._candidates)",
        ("attack/transformations.py", "_candidates"),
    ),
    ("transformation (get_transformations)", ("textattack/attack.py", "get_transformations")),
    (
        "constraint checks (Attack.filter_transformations)",
        ("textattack/attack.py", "filter_transformations"),
    ),
    (
        "goal function results (get_results)",
        ("textattack/goal_functions/goal_function.py", "get_results"),
    ),
]


def group_of(filename: str, name: str) -> str:
    """The group of a function; C built-ins (file ``~``) go by the object that owns them."""
    if filename == "~":
        if "torch" in name:
            return FILE_GROUPS[0][0]
        if "tokenizers" in name:
            return FILE_GROUPS[1][0]
    for group, parts in FILE_GROUPS:
        if any(p in filename for p in parts):
            return group
    return "Python (stdlib, builtins, other)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument(
        "--data", default=None, help="JSONL rows (default: shipped SNLI test sample)"
    )
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--improve-only", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "bench/results/profile_attack.json"))
    args = parser.parse_args()
    data = args.data or str(shipped_path("snli_eval_sample.jsonl"))
    rows = read_jsonl_rows(data, limit=args.rows)
    model = load_classifier(args.model, num_labels=3)
    attack = AntonymUnderNLI.build(model, improve_only=args.improve_only)
    texts = [
        AttackedText(OrderedDict(premise=r["premise"], hypothesis=r["hypothesis"])) for r in rows
    ]
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for text, row in zip(texts, rows):
        attack.attack(text, row["label"])
    profiler.disable()
    wall = time.perf_counter() - start
    # (file, line, name) -> (primitive calls, calls, own time, cumulative time, callers)
    stats = pstats.Stats(profiler).stats
    profiled = sum(v[2] for v in stats.values())
    exclusive: dict[str, float] = {}
    for (filename, _, name), (_, _, tottime, _, _) in stats.items():
        group = group_of(filename, name)
        exclusive[group] = exclusive.get(group, 0.0) + tottime
    inclusive = {}
    for label, (part, name) in ENTRY_POINTS:
        found = [v for k, v in stats.items() if part in k[0] and k[2] == name]
        inclusive[label] = {"seconds": sum(v[3] for v in found), "calls": sum(v[1] for v in found)}
    top = sorted(stats.items(), key=lambda kv: -kv[1][2])[:25]
    command = "python " + shlex.join(["bench/profile_attack.py", *sys.argv[1:]])
    recipe = "AntonymUnderNLI.build(model" + (", improve_only=True)" if args.improve_only else ")")
    lines = [
        "# Where the antonym attack's time goes",
        "",
        f"Written by `{command}`: `{recipe}` (sense policy `context`) on {len(rows)} rows of "
        f"`{Path(data).name}`, model `{args.model}`, one example at a time (TextAttack's loop), "
        f"{torch.get_num_threads()} threads, under cProfile. Wall {wall:.1f} s "
        f"({len(rows) / wall:.2f} examples/s under the profiler); profiled total {profiled:.1f} s.",
        "",
        "Exclusive time (each function's own time, grouped by its file; sums to the total):",
        "",
        "| group | seconds | share |",
        "|---|---|---|",
    ]
    for group, seconds in sorted(exclusive.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {group} | {seconds:.1f} | {100 * seconds / profiled:.1f}% |")
    lines += [
        "",
        "Inclusive time of entry points (overlapping: a sense score contains its encoder's torch "
        "time, a constraint check its tagger's):",
        "",
        "| entry point | calls | seconds | share of total |",
        "|---|---|---|---|",
    ]
    for label, v in inclusive.items():
        lines.append(
            f"| {label} | {v['calls']} | {v['seconds']:.1f} | {100 * v['seconds'] / profiled:.1f}% |"
        )
    lines += ["", "Top functions by own time:", "", "| function | calls | own s | cumulative s |"]
    lines.append("|---|---|---|---|")
    for (filename, line, name), (_, nc, tottime, cumtime, _) in top:
        where = "/".join(Path(filename).parts[-2:]) if filename != "~" else "builtin"
        lines.append(f"| `{where}:{line}:{name}` | {nc} | {tottime:.2f} | {cumtime:.2f} |")
    print("\n".join(lines))
    write_result(
        args.out,
        {
            "command": command,
            "rows": len(rows),
            "wall_seconds": wall,
            "profiled_seconds": profiled,
            "exclusive": exclusive,
            "inclusive": inclusive,
            "top": [
                {"function": f"{k[0]}:{k[1]}:{k[2]}", "calls": v[1], "own": v[2], "cum": v[3]}
                for k, v in top
            ],
        },
        lines,
    )


if __name__ == "__main__":
    main()
