"""GPU check (issue 14): the device paths on one CUDA device, in under 8 minutes.

1. `textattack-bat evaluate --device cuda` path: load_classifier on the resolved device, print
   the device of every parameter (must be one CUDA device);
2. 200 BAT-Triplet optimizer steps on CUDA (bert-base-uncased when it is in the local Hugging
   Face cache, else the packaged MiniLM) on shipped SNLI rows, with the seconds per step;
3. the antonym attack (both protocols) on 200 shipped SNLI test rows on CUDA.

Writes bench/results/gpu_check/gpu_check.md (and .json). ``--device cpu --steps 4 --attack-rows 8`` runs the
same code on a CPU as a smoke test (its file says so).

    bash bench/gpu_check.sh            # = python bench/gpu_check.py --device cuda
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]


def pick_model(device) -> str | None:
    """bert-base-uncased if cached locally, else None (the packaged MiniLM)."""
    import transformers

    try:
        transformers.AutoConfig.from_pretrained("bert-base-uncased", local_files_only=True)
        return "bert-base-uncased"
    except OSError:
        return None


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--attack-rows", type=int, default=200)
    parser.add_argument("--out", default=str(ROOT / "bench/results/gpu_check"))
    args = parser.parse_args(argv)

    from textattack_bat.datasets import load_jsonl_dataset, shipped_path
    from textattack_bat.evaluation.robustness import evaluate_robustness
    from textattack_bat.models import load_classifier
    from textattack_bat.resources import use_device
    from textattack_bat.training.arguments import BATTrainingArgs
    from textattack_bat.training.trainers import BATTrainer

    device = use_device(args.device)
    name = pick_model(device)
    results: dict = {
        "device": str(device),
        "machine": platform.node(),
        "torch": torch.__version__,
        "cuda_device": torch.cuda.get_device_name(device) if device.type == "cuda" else None,
        "model": name or "all-MiniLM-L6-v2 (packaged)",
    }

    model = load_classifier(name, num_labels=3)
    results["parameter_devices"] = sorted({str(p.device) for p in model.model.parameters()})
    print("parameter devices:", results["parameter_devices"], flush=True)

    batch = 32
    train = load_jsonl_dataset(
        shipped_path("snli_train_sample.jsonl"), limit=min(3000, args.steps * batch)
    )
    training_args = BATTrainingArgs(
        method="bat-triplet",
        output_dir=str(Path(args.out) / "run"),
        num_epochs=1,
        per_device_train_batch_size=batch,
        embedding="glove",
        max_length=128,
        resume=False,
        save_last=False,
        learning_rate=2e-5,
    )
    trainer = BATTrainer(model, "classification", train, None, training_args)
    start = time.perf_counter()
    history = trainer.train()
    seconds = time.perf_counter() - start
    steps = trainer._global_step
    results["bat_triplet"] = {
        "steps": steps,
        "seconds": seconds,
        "seconds_per_step": seconds / max(steps, 1),
        "history": history,
    }
    print(f"BAT-Triplet: {steps} steps in {seconds:.1f} s", flush=True)

    evaluation = load_jsonl_dataset(shipped_path("snli_eval_sample.jsonl"), limit=args.attack_rows)
    report = evaluate_robustness(
        model,
        evaluation,
        args.attack_rows,
        synonym=False,
        progress=False,
        model_name=results["model"],
        dataset_name="shipped SNLI test sample",
    )
    results["attack"] = report.to_dict()
    print(report.format_table(), flush=True)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "gpu_check.json").write_text(json.dumps(results, indent=1, default=str))
    smoke = "" if device.type == "cuda" else " (CPU smoke test, not a GPU check)"
    lines = [
        f"# GPU check{smoke}",
        "",
        f"Command: `python bench/gpu_check.py --device {args.device} --steps {args.steps} "
        f"--attack-rows {args.attack_rows}`",
        "",
        f"- device: {results['device']} ({results['cuda_device']}), torch {results['torch']}",
        f"- model: {results['model']}; parameters on {results['parameter_devices']}",
        f"- BAT-Triplet: {steps} steps, {seconds:.1f} s ({seconds / max(steps, 1):.3f} s/step), batch {batch}",
        f"- antonym attack on {args.attack_rows} rows: {report.seconds:.1f} s",
        "",
        report.to_markdown(),
    ]
    (out / "gpu_check.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {out / 'gpu_check.md'}")


if __name__ == "__main__":
    main()
