"""Memory over repeated per-epoch evaluations (issue 42): does the process grow per epoch?

Builds a BAT trainer of the packaged MiniLM (seeded fresh head) on 64 shipped SNLI rows and calls
its ``RobustnessCallback`` (the per-epoch evaluation ``textattack train`` runs with
``robustness_eval_examples``) ``--evaluations`` times, as epochs 1..N, on the first
``--rows`` rows of ``../shared/data/snli_test.jsonl``: both antonym protocols under the default
``context`` sense policy, the representation probe, no synonym attack (its encoder is built once
per callback either way). After each evaluation it records the process's peak resident set size
(``ru_maxrss``) and its current one (``/proc/self/statm``).

    python bench/memory.py --out bench/results/memory.json

The record names the package it measured (its folder and that folder's git commit), so the same
script can measure an older checkout: ``PYTHONPATH=OLD_CHECKOUT python bench/memory.py --out ...``.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from result_files import write_result  # noqa: E402

import textattack_bat  # noqa: E402
from textattack_bat import BATTrainer, BATTrainingArgs  # noqa: E402
from textattack_bat.datasets import load_jsonl_dataset, shipped_path  # noqa: E402
from textattack_bat.evaluation.robustness import RobustnessCallback  # noqa: E402
from textattack_bat.models import load_classifier  # noqa: E402

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def rss_mib() -> tuple[float, float]:
    """(peak, current) resident set size of this process, MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return peak, pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def measured_package() -> dict:
    """The folder and git commit of the textattack_bat this process imported."""
    folder = Path(textattack_bat.__file__).resolve().parents[1]
    commit = subprocess.run(
        ["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    return {"folder": str(folder), "commit": commit or None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--rows", type=int, default=60)
    parser.add_argument("--evaluations", type=int, default=5)
    options = parser.parse_args()

    train = load_jsonl_dataset(shipped_path("snli_train_sample.jsonl"), limit=64)
    held_out = load_jsonl_dataset(DATA / "snli_test.jsonl", limit=options.rows)
    with tempfile.TemporaryDirectory() as output_dir:
        args = BATTrainingArgs(output_dir=output_dir, embedding="glove-counterfitted")
        callback = RobustnessCallback(held_out, options.rows, synonym=False, probe_examples=40)
        trainer = BATTrainer(
            load_classifier(None, num_labels=3, seed=0),
            "classification",
            train,
            None,
            args,
            epoch_callbacks=[callback],
        )
        evaluations = []
        for epoch in range(1, options.evaluations + 1):
            start = time.perf_counter()
            metrics = callback(trainer, epoch)
            trainer.history.append({"epoch": epoch, **metrics})
            gc.collect()
            peak, current = rss_mib()
            evaluations.append(
                {
                    "epoch": epoch,
                    "peak_rss_mib": round(peak, 1),
                    "current_rss_mib": round(current, 1),
                    "seconds": round(time.perf_counter() - start, 1),
                    "antonym_asr_improve_only": metrics.get("antonym_asr_improve_only"),
                }
            )
            print(evaluations[-1], flush=True)
    first, last = evaluations[0], evaluations[-1]
    result = {
        "command": "python bench/memory.py --out " + options.out,
        "package": measured_package(),
        "rows": options.rows,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "evaluations": evaluations,
        "peak_ratio_last_to_first": round(last["peak_rss_mib"] / first["peak_rss_mib"], 4),
        "current_ratio_last_to_first": round(last["current_rss_mib"] / first["current_rss_mib"], 4),
    }
    lines = [
        "# Memory over repeated per-epoch evaluations",
        "",
        f"Command: `{result['command']}` ({result['machine']}; {options.rows} SNLI test rows; "
        f"package at commit {result['package']['commit']}).",
        "",
        "| evaluation | peak RSS (MiB) | current RSS (MiB) | seconds |",
        "|---|---|---|---|",
        *(
            f"| {e['epoch']} | {e['peak_rss_mib']} | {e['current_rss_mib']} | {e['seconds']} |"
            for e in evaluations
        ),
        "",
        f"Peak RSS after evaluation {last['epoch']} / after evaluation 1: "
        f"{result['peak_ratio_last_to_first']} (current: {result['current_ratio_last_to_first']}).",
    ]
    write_result(options.out, result, lines)


if __name__ == "__main__":
    main()
