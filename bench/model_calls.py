"""The wrapper's two model calls with and without the first-token last layer (issue 25).

``DynamicPaddingModelWrapper`` runs a BERT classifier's last layer for the first token only
(``textattack_bat.models.FirstTokenLayer``). This times what the attack engine asks of it, on
the same inputs, with the layer whole (``first_token_only=False``) and shortened:

- logits: the first ``--rows`` SNLI test pairs, sorted by length as the engine sorts them, in
  calls of ``--batch-size`` inputs;
- gradients (gradient word ranking): ``get_grads`` on the first half of them, same calls.

Interleaved repeats; median seconds per pass [min, max] and the ratio of medians; the largest
difference between the two variants' logits and gradients.

    python bench/model_calls.py
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from result_files import write_result  # bench/, the script's folder

from textattack_bat.datasets import read_jsonl_rows
from textattack_bat.models import DynamicPaddingModelWrapper, load_classifier

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=None, help="default: packaged MiniLM, seeded head")
    parser.add_argument("--data", default=str(ROOT.parent / "shared/data/snli_test.jsonl"))
    parser.add_argument("--rows", type=int, default=640)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "bench/results/model_calls.json"))
    args = parser.parse_args()
    rows = read_jsonl_rows(args.data, limit=args.rows)
    pairs = sorted(
        ((r["premise"], r["hypothesis"]) for r in rows), key=lambda p: len(p[0]) + len(p[1])
    )
    calls = [pairs[i : i + args.batch_size] for i in range(0, len(pairs), args.batch_size)]
    ranked = calls[: max(1, len(calls) // 2)]
    shortened = load_classifier(args.model, num_labels=3, seed=0)
    variants = {
        "whole last layer": DynamicPaddingModelWrapper(
            shortened.model, shortened.tokenizer, first_token_only=False
        ),
        "first token only": shortened,
    }
    jobs = {
        "logits": lambda wrapper: [wrapper(call) for call in calls],
        "gradients": lambda wrapper: [wrapper.get_grads(call) for call in ranked],
    }
    outputs = {
        (job, name): run(wrapper) for job, run in jobs.items() for name, wrapper in variants.items()
    }
    seconds: dict[tuple[str, str], list[float]] = {key: [] for key in outputs}
    for _ in range(args.repeats):
        for job, run in jobs.items():
            for name, wrapper in variants.items():
                start = time.perf_counter()
                run(wrapper)
                seconds[(job, name)].append(time.perf_counter() - start)
    logit_gap = max(
        float((a - b).abs().max())
        for a, b in zip(
            outputs[("logits", "whole last layer")], outputs[("logits", "first token only")]
        )
    )
    gradient_gap = max(
        float(np.abs(a["gradient"] - b["gradient"]).max())
        for whole, first in zip(
            outputs[("gradients", "whole last layer")], outputs[("gradients", "first token only")]
        )
        for a, b in zip(whole, first)
    )

    command = "python " + shlex.join(["bench/model_calls.py", *sys.argv[1:]])
    lines = [
        "# Model calls with and without the first-token last layer",
        "",
        f"Written by `{command}` (protocol in `bench/model_calls.py`): model "
        f"`{args.model or 'packaged MiniLM, seeded head'}`, the first {len(pairs)} pairs of "
        f"`{Path(args.data).name}` sorted by length, {len(calls)} calls of {args.batch_size} "
        f"for logits and {len(ranked)} for gradients; {args.repeats} interleaved repeats; device "
        f"cpu, {torch.get_num_threads()} threads. Largest difference between the variants: "
        f"{logit_gap:.1e} in a logit, {gradient_gap:.1e} in a gradient entry.",
        "",
        "| call | whole last layer s | first token only s | speed-up |",
        "|---|---|---|---|",
    ]
    record = {
        "command": command,
        "logit_gap": logit_gap,
        "gradient_gap": gradient_gap,
        "results": [],
    }
    for job in jobs:
        whole, first = seconds[(job, "whole last layer")], seconds[(job, "first token only")]
        ratio = statistics.median(whole) / statistics.median(first)
        lines.append(
            f"| {job} | {statistics.median(whole):.2f} [{min(whole):.2f}, {max(whole):.2f}] "
            f"| {statistics.median(first):.2f} [{min(first):.2f}, {max(first):.2f}] "
            f"| {ratio:.2f}x |"
        )
        record["results"].append(
            {"call": job, "whole_seconds": whole, "first_token_seconds": first}
        )
    print("\n".join(lines))
    write_result(args.out, record, lines)


if __name__ == "__main__":
    main()
