"""Two costs of a training step that do not depend on the method (issue 24): the optimizer update
and the padding of a batch.

1. AdamW on MiniLM's parameters (random gradients): PyTorch's per-tensor loop
   (``foreach=False``, what TextAttack's Trainer gets on a CPU), its multi-tensor path
   (``foreach=True``) and the fused kernel the trainers use
   (``textattack_bat.training.optimizers.adamw``); interleaved repeats, median seconds per step.
2. Tokens per real token of one epoch's batches of the demo's training rows (MiniLM's tokenizer,
   the demo's max length and batch size): random batches (``ShardedBatchSampler``) and
   length-grouped ones (``group_by_length``), for several epoch seeds.

    python bench/training_step.py
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import time
from pathlib import Path

import torch
from result_files import write_result  # bench/, the script's folder

from textattack_bat.datasets import example_columns, load_jsonl_dataset, shipped_path
from textattack_bat.demo import DEMO_TRAINING
from textattack_bat.models import load_classifier
from textattack_bat.training.batching import input_lengths
from textattack_bat.training.distributed import ShardedBatchSampler
from textattack_bat.training.optimizers import adamw

ROOT = Path(__file__).resolve().parents[1]


def optimizer_seconds(repeats: int, steps: int) -> dict[str, list[float]]:
    """Seconds per AdamW step, ``repeats`` interleaved runs of ``steps`` steps per variant."""
    model = load_classifier(None, num_labels=3, seed=0).model
    generator = torch.Generator().manual_seed(0)
    for p in model.parameters():
        p.grad = torch.randn(p.shape, generator=generator)
    parameters = list(model.parameters())
    optimizers = {
        "per-tensor loop (foreach=False)": torch.optim.AdamW(parameters, lr=5e-5, foreach=False),
        "multi-tensor (foreach=True)": torch.optim.AdamW(parameters, lr=5e-5, foreach=True),
        "fused kernel (the trainers')": adamw(model, 5e-5, 0.0, 0, 1000)[0],
    }
    seconds: dict[str, list[float]] = {name: [] for name in optimizers}
    for _ in range(repeats):
        for name, optimizer in optimizers.items():
            optimizer.step()  # warm
            start = time.perf_counter()
            for _ in range(steps):
                optimizer.step()
            seconds[name].append((time.perf_counter() - start) / steps)
    return seconds


def padding_ratios(rows: int, seeds: list[int]) -> dict[str, list[float]]:
    """Padded tokens / real tokens of one epoch's batches, random and length-grouped."""
    train = load_jsonl_dataset(shipped_path("snli_train_sample.jsonl"), limit=rows)
    wrapper = load_classifier(None, num_labels=3, seed=0)
    max_length, batch = DEMO_TRAINING["max_length"], DEMO_TRAINING["per_device_train_batch_size"]
    lengths = input_lengths(wrapper, [example_columns(x) for x, _ in train], max_length)
    real = sum(lengths)
    ratios: dict[str, list[float]] = {"random batches": [], "length-grouped batches": []}
    for seed in seeds:
        for name, grouped in (("random batches", None), ("length-grouped batches", lengths)):
            batches = ShardedBatchSampler(len(lengths), batch, seed=seed, lengths=grouped)
            padded = sum(len(b) * max(lengths[i] for i in b) for b in batches)
            ratios[name].append(padded / real)
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--out", default=str(ROOT / "bench/results/training_step.json"))
    args = parser.parse_args()
    steps = optimizer_seconds(args.repeats, args.steps)
    ratios = padding_ratios(args.rows, args.seeds)
    command = "python " + shlex.join(["bench/training_step.py", *sys.argv[1:]])
    loop = statistics.median(steps["per-tensor loop (foreach=False)"])
    lines = [
        "# A training step's optimizer update and padding",
        "",
        f"Written by `{command}` (protocol in `bench/training_step.py`); device cpu, "
        f"{torch.get_num_threads()} threads.",
        "",
        f"AdamW on MiniLM (all-MiniLM-L6-v2 with a 3-way head), {args.repeats} interleaved "
        f"repeats of {args.steps} steps: median ms per step [min, max].",
        "",
        "| AdamW | ms / step | vs the per-tensor loop |",
        "|---|---|---|",
    ]
    for name, values in steps.items():
        median = statistics.median(values)
        lines.append(
            f"| {name} | {median * 1e3:.1f} [{min(values) * 1e3:.1f}, {max(values) * 1e3:.1f}] "
            f"| {median / loop:.2f}x |"
        )
    lines += [
        "",
        f"Tokens per real token of one epoch's batches: the demo's first {args.rows} training "
        f"rows, MiniLM's tokenizer, max length {DEMO_TRAINING['max_length']}, batch "
        f"{DEMO_TRAINING['per_device_train_batch_size']}, epoch seeds {args.seeds}: median "
        "[min, max].",
        "",
        "| batches | tokens per real token |",
        "|---|---|",
    ]
    for name, values in ratios.items():
        lines.append(f"| {name} | {statistics.median(values):.2f} [{min(values):.2f}, {max(values):.2f}] |")  # fmt: skip
    print("\n".join(lines))
    record = {"command": command, "optimizer_seconds_per_step": steps, "padding_ratio": ratios}
    write_result(args.out, record, lines)


if __name__ == "__main__":
    main()
