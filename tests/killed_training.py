"""A small BAT-Triplet run that kills itself with SIGKILL at a chosen point (used by
``tests/test_fault_injection.py``).

    python tests/killed_training.py OUTPUT_DIR [POINT N]

Trains a tiny random BERT (2 layers, hidden 32, dropout on; MiniLM's tokenizer) on 48 shipped
SNLI rows, batch 8, 3 epochs, a step checkpoint every 4 optimizer steps, an epoch callback that
scores 16 rows, resuming from OUTPUT_DIR. With POINT, the N-th time the process reaches it, it
sends itself SIGKILL:

- ``step``: inside a training step (loss computed, not yet applied);
- ``copies``: inside the drawing of an epoch's perturbed copies;
- ``evaluate``: inside the per-epoch evaluation (the callback);
- ``model:NAME``: after the model's files are written into the folder being assembled for NAME
  (``checkpoint-step``, ``checkpoint-epoch``, ``best_model``, ``last_model``), before the rest;
- ``file:NAME``: half-way through writing the file NAME (``optimizer.pt``,
  ``trainer_state.json``, ``history.json``): half its bytes written, not yet in place;
- ``aside``: between moving an existing folder aside and moving its replacement in.

A run given a POINT that it never reaches exits with status 3.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import torch
import transformers

from textattack_bat import BATTrainer, BATTrainingArgs, atomic
from textattack_bat.datasets import example_columns, load_jsonl_dataset, shipped_path
from textattack_bat.lexicon.tables import SynonymTable
from textattack_bat.models import DynamicPaddingModelWrapper, predict_labels
from textattack_bat.resources import minilm_path
from textattack_bat.training import trainers

ANTONYMS = {
    "man": ("woman",),
    "woman": ("man",),
    "sitting": ("standing",),
    "standing": ("sitting",),
    "inside": ("outside",),
    "outside": ("inside",),
    "young": ("old",),
    "old": ("young",),
    "black": ("white",),
    "white": ("black",),
}
SYNONYMS = {"man": ("guy",), "woman": ("lady",), "street": ("road",), "people": ("persons",)}


def tiny_model() -> DynamicPaddingModelWrapper:
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(minilm_path()))
    config = transformers.BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        num_labels=3,
    )
    torch.manual_seed(0)
    return DynamicPaddingModelWrapper(transformers.BertForSequenceClassification(config), tokenizer)


def kill_at(point: str, n: int) -> None:
    """Patch the functions behind ``point`` so that its ``n``-th occurrence kills the process."""
    seen = {"count": 0}

    def reached() -> bool:
        seen["count"] += 1
        return seen["count"] == n

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    kind, _, name = point.partition(":")
    if kind in ("step", "copies", "evaluate"):
        method = {"step": "training_step", "copies": "perturb_epoch", "evaluate": "_score"}[kind]
        original = getattr(Trainer, method)

        def patched(self, *args, **kwargs):
            result = original(self, *args, **kwargs)
            if reached():
                die()
            return result

        setattr(Trainer, method, patched)
    elif kind == "model":
        write_model = trainers._write_model

        def patched_model(model, tokenizer, folder: Path):
            write_model(model, tokenizer, folder)
            if folder.name.startswith(f".{name}") and reached():
                die()

        trainers._write_model = patched_model
    elif kind == "file":
        write_with = atomic.write_with

        def patched_write(path, write):
            if Path(path).name != name or not reached():
                return write_with(path, write)

            def torn(temporary: Path):
                write(temporary)
                data = temporary.read_bytes()
                temporary.write_bytes(data[: len(data) // 2])
                die()

            return write_with(path, torn)

        atomic.write_with = patched_write
        # the checkpoint module and the trainer call it through the module
    elif kind == "aside":
        replace = os.replace

        def patched_replace(source, target):
            replace(source, target)
            if str(target).endswith(".old") and reached():
                die()

        atomic.os.replace = patched_replace
    else:
        raise SystemExit(f"unknown point {point!r}")


class Trainer(BATTrainer):
    def _score(self, epoch: int) -> dict:
        """The per-epoch evaluation: accuracy on 16 held-out rows."""
        predictions = predict_labels(self.model_wrapper, EVAL_INPUTS, batch_size=8)
        return {"held_out_accuracy": float((predictions == EVAL_LABELS).mean())}


train = load_jsonl_dataset(shipped_path("snli_train_sample.jsonl"), limit=48)
held_out = load_jsonl_dataset(shipped_path("snli_eval_sample.jsonl"), limit=16)
EVAL_INPUTS = [example_columns(inputs) for inputs, _ in held_out]
EVAL_LABELS = torch.tensor([label for _, label in held_out]).numpy()


def main(argv: list[str]) -> int:
    output_dir = Path(argv[0])
    if len(argv) == 3:
        kill_at(argv[1], int(argv[2]))
    args = BATTrainingArgs(
        num_epochs=3,
        per_device_train_batch_size=8,
        learning_rate=1e-3,
        checkpoint_interval_steps=4,
        antonym_senses="all",
        output_dir=str(output_dir),
    )
    trainer = Trainer(
        tiny_model(),
        "classification",
        train,
        None,
        args,
        synonym_table=SynonymTable(SYNONYMS),
        antonym_table=SynonymTable(ANTONYMS),
        epoch_callbacks=[lambda trainer, epoch: trainer._score(epoch)],
    )
    trainer.train()
    return 3 if len(argv) == 3 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
