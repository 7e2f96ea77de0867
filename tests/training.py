"""Fine-tune the packaged MiniLM into a small real NLI model (normal CE training, TextAttack Trainer)."""

from __future__ import annotations

from pathlib import Path


def finetune_nli(out: Path, train_rows: int = 960, seed: int = 0) -> Path:
    import textattack

    from textattack_bat.datasets import load_jsonl_dataset, shipped_path
    from textattack_bat.models import load_classifier

    wrapper = load_classifier(None, num_labels=3, seed=seed)  # the fresh head too
    train = load_jsonl_dataset(shipped_path("snli_train_sample.jsonl"), limit=train_rows)
    evaluation = load_jsonl_dataset(shipped_path("snli_eval_sample.jsonl"), limit=64)
    args = textattack.TrainingArgs(
        num_epochs=1,
        learning_rate=1e-4,
        num_warmup_steps=0,
        weight_decay=0.0,
        per_device_train_batch_size=16,
        random_seed=seed,
        output_dir=str(out / "run"),
        save_last=False,
    )
    textattack.Trainer(wrapper, "classification", None, train, evaluation, args).train()
    wrapper.model.save_pretrained(out)
    wrapper.tokenizer.save_pretrained(out)
    return out


def tiny_bat_trainer(rows, output_dir: Path, antonyms: dict, **settings):
    """A ``BATTrainer`` of the packaged MiniLM (seeded fresh head) on ``rows`` (``((premise,
    hypothesis), label)`` pairs), one-entry synonym table ``man -> guy``, antonym table
    ``antonyms``; all senses, neutral skipped, one epoch unless ``settings`` say otherwise."""
    import textattack

    from textattack_bat import BATTrainer, BATTrainingArgs
    from textattack_bat.lexicon.tables import SynonymTable
    from textattack_bat.models import load_classifier

    dataset = textattack.datasets.Dataset(list(rows), input_columns=["premise", "hypothesis"])
    args = BATTrainingArgs(
        **{
            "num_epochs": 1,
            "output_dir": str(output_dir),
            "save_last": False,
            "antonym_senses": "all",
            "skip_labels": (1,),
            **settings,
        }
    )
    return BATTrainer(
        load_classifier(None, num_labels=3, seed=0),
        "classification",
        dataset,
        None,
        args,
        synonym_table=SynonymTable({"man": ("guy",)}),
        antonym_table=SynonymTable(antonyms),
    )
