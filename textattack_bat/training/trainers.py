"""SAFER and Balanced Adversarial Training (BAT) as subclasses of TextAttack's ``Trainer``.

Both regenerate perturbed copies of the training set at the start of every epoch
(``get_train_dataloader``) without querying the model, and compute their loss in
``training_step``:

- ``SAFERTrainer``: cross-entropy on the synonym-resampled copies (Ye et al. 2020).
- ``BATTrainer(method="bat-triplet")``: ``CE(x) + lambda * max(0, d(h, h_o) + m - d(h, h_u))``
- ``BATTrainer(method="bat-pairwise")``: ``CE(x) + alpha * d(h, h_o) + beta * max(0, m - d(h, h_u))``

with h the representation before the classification layer (:mod:`textattack_bat.training.representations`)
and the losses of :mod:`textattack_bat.training.losses`. ``train()`` keeps TextAttack's loop shape but
checkpoints every epoch (model, optimizer, scheduler, RNG, history) and resumes from the latest
checkpoint in ``output_dir``: a killed run loses at most one epoch.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np
import textattack
import torch
import tqdm
import transformers
from textattack.shared import logger

from textattack_bat import atomic
from textattack_bat.attack.copies import AttackCopies
from textattack_bat.attack.recipes import antonym_swap
from textattack_bat.datasets import default_antonym_flips, default_skip_labels, example_columns
from textattack_bat.errors import UsageError
from textattack_bat.lexicon.senses import get_policy, wants_table
from textattack_bat.lexicon.tables import PerturbationTable, vocabulary
from textattack_bat.models import check_labels, unwrap
from textattack_bat.training import (
    checkpoints,
    distributed,
    optimizers,
    random_states,
    training_tables,
)
from textattack_bat.training.arguments import BATTrainingArgs, SettingError, training_plan
from textattack_bat.training.batching import input_lengths
from textattack_bat.training.distributed import ShardedBatchSampler
from textattack_bat.training.losses import PairwiseContrastiveLoss, TripletContrastiveLoss
from textattack_bat.training.miners import NegativeMiner
from textattack_bat.training.relevance import inferred_label
from textattack_bat.training.representations import (
    check_representation,
    logits_and_representation,
    tokenize,
)
from textattack_bat.training.samplers import (
    AntonymSampler,
    EitherSampler,
    NegationSampler,
    SynonymSampler,
)

__all__ = ["BATTrainer", "BATTrainingArgs", "PerturbationTrainer", "SAFERTrainer", "SettingError"]

EpochCallback = Callable[["PerturbationTrainer", int], Mapping | None]

# What a checkpoint inside an epoch records of it: the batches done and the running sums.
POSITION_KEYS = ("batches", "total_loss", "correct", "seen", "terms", "term_steps")


def _examples(dataset) -> tuple[list[tuple[str, ...]], list[int]]:
    examples = [(example_columns(inputs), label) for inputs, label in dataset]
    return [texts for texts, _ in examples], [label for _, label in examples]


class PerturbationTrainer(textattack.Trainer):
    """Shared machinery: tables, per-epoch perturbations, checkpoint/resume, term logging."""

    def __init__(
        self,
        model_wrapper,
        task_type: str = "classification",
        train_dataset=None,
        eval_dataset=None,
        training_args: BATTrainingArgs | None = None,
        synonym_table: PerturbationTable | Mapping | None = None,
        antonym_table: PerturbationTable | Mapping | None = None,
        epoch_callbacks: Sequence[EpochCallback] = (),
    ):
        training_args = training_args or BATTrainingArgs(method=self.default_method)
        if not isinstance(training_args, BATTrainingArgs):
            raise TypeError(
                "training_args must be a textattack_bat.BATTrainingArgs (TextAttack's TrainingArgs + BAT settings)."
            )
        if task_type != "classification":
            raise UsageError("SAFER and BAT train classifiers: task_type must be 'classification'.")
        super().__init__(model_wrapper, task_type, None, train_dataset, eval_dataset, training_args)
        if train_dataset is None or len(train_dataset) == 0:
            raise UsageError("The training dataset is empty.")
        self.texts, self.labels = _examples(train_dataset)
        check_labels(train_dataset, model_wrapper.model, "training")
        if eval_dataset is not None:
            check_labels(eval_dataset, model_wrapper.model, "evaluation")
        check_representation(model_wrapper.model, training_args.representation)
        # A table file given is read now: a bad one stops the run before anything is written.
        a = training_args
        if synonym_table is None and a.synonym_table:
            synonym_table = training_tables.synonym_table(a.synonym_table, a.embedding, ())
        if antonym_table is None and a.antonym_table:
            antonym_table = training_tables.antonym_table(a.antonym_table, ())
        self._synonym_table = synonym_table
        self._antonym_table = antonym_table
        self._steps_per_epoch = 0  # set by train(): the warm-up counts from the first BAT step
        self._fingerprint: dict | None = None
        self.epoch_callbacks = list(epoch_callbacks)
        if training_args.robustness_eval_examples > 0 and not self.epoch_callbacks:
            raise SettingError(
                f"robustness_eval_examples={training_args.robustness_eval_examples} is read by `textattack train`; "
                "in Python pass epoch_callbacks=[textattack_bat.evaluation.robustness.RobustnessCallback(eval_dataset, N)]."
            )
        if training_args.early_stopping_epochs and eval_dataset is None:
            raise SettingError(
                f"early_stopping_epochs={training_args.early_stopping_epochs} needs an evaluation "
                "set to watch: pass eval_dataset (--dataset-split for `textattack train`), or "
                "leave early_stopping_epochs unset."
            )
        self.skip_labels = default_skip_labels(train_dataset, training_args.skip_labels)
        self.antonym_flips = dict(
            default_antonym_flips(train_dataset, training_args.antonym_label_flips)
        )
        self.history: list[dict] = []
        self._reported: set[str] = set()
        self._epoch = 1
        self._terms: dict[str, float] = {}
        self._term_steps = 0

    default_method = "bat-triplet"

    # ------------------------------------------------------------------ validation and tables

    @functools.cached_property
    def _words(self) -> list[str]:
        """The training vocabulary (computed once: tables and coverage reports share it)."""
        return vocabulary(column for example in self.texts for column in example)

    @property
    def synonym_table(self) -> PerturbationTable:
        if self._synonym_table is None:
            a = self.training_args
            self._synonym_table = training_tables.synonym_table(
                a.synonym_table, a.embedding, self._words
            )
        self._report_coverage(self._synonym_table, "synonym")
        return self._synonym_table

    @property
    def antonym_table(self) -> PerturbationTable:
        if self._antonym_table is None:
            path = self.training_args.antonym_table
            self._antonym_table = training_tables.antonym_table(path, self._words)
        self._report_coverage(self._antonym_table, "antonym")
        return self._antonym_table

    @functools.cached_property
    def _lengths(self) -> list[int]:
        """Each training row's input length (:func:`~textattack_bat.training.batching.input_lengths`)."""
        return input_lengths(self.model_wrapper, self.texts, self.training_args.max_length)

    def _report_coverage(self, table, kind: str) -> None:
        if kind not in self._reported:  # once per table
            self._reported.add(kind)
            training_tables.report_coverage(table, kind, self._words)

    # ------------------------------------------------------------------ TextAttack hooks

    def perturb_epoch(self, epoch: int) -> dict:
        """Perturbed copies of the whole training set for ``epoch``."""
        raise NotImplementedError

    def is_clean_epoch(self, epoch: int) -> bool:
        return epoch <= self.training_args.num_clean_epochs

    def get_train_dataloader(self, dataset, adv_dataset, batch_size):
        """Regenerates the perturbed copies for the current epoch; batches are dicts of lists."""
        copies = {} if self.is_clean_epoch(self._epoch) else self.perturb_epoch(self._epoch)
        sampler = ShardedBatchSampler(
            len(self.texts),
            batch_size,
            seed=self.training_args.random_seed * 1000 + self._epoch,
            world=distributed.processes(),
            rank=distributed.rank(),
            lengths=self._lengths if self.training_args.group_by_length else None,
        )

        def collate(indices):
            batch = {
                "texts": [self.texts[i] for i in indices],
                "labels": torch.tensor([self.labels[i] for i in indices]),
            }
            for key, values in copies.items():
                batch[key] = (
                    [values[i] for i in indices]
                    if isinstance(values, list)
                    else torch.as_tensor(values[indices])
                )
            return batch

        return torch.utils.data.DataLoader(
            list(range(len(self.texts))), batch_sampler=sampler, collate_fn=collate
        )

    def _tokenize(self, tokenizer, texts):
        return tokenize(
            self.model_wrapper.model,
            tokenizer,
            texts,
            self.training_args.max_length,
            textattack.shared.utils.device,
        )

    def cross_entropy_step(self, model, tokenizer, texts, targets):
        """Plain cross-entropy on ``texts`` (clean epochs, and SAFER's step)."""
        inputs = self._tokenize(tokenizer, texts)
        logits = model(**inputs).logits if isinstance(inputs, Mapping) else model(inputs)
        loss = torch.nn.functional.cross_entropy(logits, targets.to(logits.device))
        self._record(ce=loss.detach())
        return loss, logits.argmax(dim=-1).cpu(), targets

    def _record(self, **terms: torch.Tensor) -> None:
        for key, value in terms.items():
            self._terms[key] = self._terms.get(key, 0.0) + float(value)
        self._term_steps += 1

    def get_optimizer_and_scheduler(self, model, num_training_steps):
        """TextAttack's AdamW groups and linear schedule, on the fused kernel where the device has
        one (:func:`textattack_bat.training.optimizers.adamw`); other models keep TextAttack's."""
        model = unwrap(model)
        if not isinstance(model, transformers.PreTrainedModel):
            return super().get_optimizer_and_scheduler(model, num_training_steps)
        a = self.training_args
        return optimizers.adamw(
            model, a.learning_rate, a.weight_decay, a.num_warmup_steps, num_training_steps
        )

    # ------------------------------------------------------------------ checkpoints

    def _save_model_checkpoint(
        self, model, tokenizer, step=None, epoch=None, best=False, last=False
    ):
        """TextAttack's folders (``best_model``, ``last_model``, ...), each written whole or not
        at all (:func:`textattack_bat.atomic.write_dir`)."""
        name = "best_model" if best else "last_model" if last else None
        path = Path(self.training_args.output_dir) / name if name else None
        if path is None:
            path = checkpoints.checkpoint_dir(self.training_args.output_dir, epoch, step)
        atomic.write_dir(path, lambda folder: _write_model(model, tokenizer, folder))

    def _save_checkpoint(
        self, model, tokenizer, epoch: int, optimizer, scheduler, best: dict, rng: list[dict],
        position: dict | None = None,
    ) -> Path:  # fmt: skip
        """Rank 0 writes the checkpoint folder whole; ``rng``: every process's generator states,
        by rank; ``position``: where inside ``epoch`` it was taken (None: the epoch is done)."""
        step = None if position is None else self._global_step
        state = {
            "epoch": epoch,
            "global_step": self._global_step,
            "best": best,
            "history": self.history,
            "method": self.training_args.method,
            "fingerprint": self.fingerprint(),
            **(position or {"batches": None}),
        }

        def write(folder: Path) -> None:
            _write_model(model, tokenizer, folder)
            checkpoints.save_training_state(folder, optimizer, scheduler, rng, state)

        path = checkpoints.checkpoint_dir(self.training_args.output_dir, epoch, step)
        return atomic.write_dir(path, write)

    def fingerprint(self) -> dict:
        """What a checkpoint must share with this run to be resumed by it
        (:func:`~textattack_bat.training.checkpoints.fingerprint`)."""
        if self._fingerprint is None:
            config = getattr(unwrap(self.model_wrapper.model), "config", None)
            name = (
                getattr(config, "_name_or_path", "")
                or type(unwrap(self.model_wrapper.model)).__name__
            )
            self._fingerprint = checkpoints.fingerprint(
                self.training_args, name, self.texts, self.labels, distributed.processes()
            )
        return self._fingerprint

    def _restore(self, model, optimizer, scheduler) -> tuple[int, dict, dict | None, Callable]:
        """Where to start: the epoch, the best score so far, the position inside that epoch (None:
        from its start) and the function that restores the random generators, from the latest
        checkpoint that loads (an unreadable one skipped with a warning); epoch 1 without one."""
        found = checkpoints.list_checkpoints(self.training_args.output_dir, warn=True)
        if not self.training_args.resume:
            found = []
        for _, path in reversed(found):
            try:
                state, restore_random = checkpoints.load_checkpoint(
                    path, model, optimizer, scheduler
                )
            except (ValueError, OSError, RuntimeError, KeyError, EOFError) as error:
                warnings.warn(
                    f"{path} is incomplete or torn ({type(error).__name__}: {error}); skipped, "
                    "resuming from the checkpoint before it.",
                    RuntimeWarning,
                    stacklevel=2,
                )
                continue
            self._global_step = state["global_step"]
            self.history = state["history"]
            epoch, batches = state["epoch"], state.get("batches")
            where = f"epoch {epoch} done" if batches is None else f"epoch {epoch}, batch {batches}"
            logger.info(f"Resuming from {path} ({where}, step {self._global_step}).")
            if batches is None:
                return epoch + 1, state["best"], None, restore_random
            position = {k: state[k] for k in POSITION_KEYS}
            return epoch, state["best"], position, restore_random
        return 1, {"score": -math.inf, "epoch": 0}, None, lambda: None

    # ------------------------------------------------------------------ the loop

    def train(self):
        """Train; under ``torchrun`` with several processes, DistributedDataParallel (see
        :mod:`textattack_bat.training.distributed`): rank 0 writes logs, history, checkpoints and runs the
        epoch callbacks."""
        args = self.training_args
        device = distributed.setup()
        if device is not None:
            textattack.shared.utils.device = device
        textattack.shared.utils.set_seed(args.random_seed)
        output_dir = Path(args.output_dir)
        if args.resume:  # before anything is written: only the same run resumes
            checkpoints.check_resume(output_dir, self.fingerprint())
        main = distributed.is_main_process()
        handler = None
        if main:
            output_dir.mkdir(parents=True, exist_ok=True)
            atomic.clean_leftovers(output_dir)  # what a killed write left
            handler = logging.FileHandler(output_dir / "train_log.txt")
            handler.setLevel(logging.DEBUG)
            logger.addHandler(handler)
            atomic.write_text(
                output_dir / "training_args.json", json.dumps(asdict(args), indent=1, default=str)
            )
        distributed.barrier()
        try:
            return self._train(args, output_dir)
        finally:
            if handler is not None:
                logger.removeHandler(handler)
                handler.close()

    def _train(self, args: BATTrainingArgs, output_dir: Path):
        tokenizer = self.model_wrapper.tokenizer
        model = self.model_wrapper.model
        main = distributed.is_main_process()
        world = distributed.processes()
        num_gpus = torch.cuda.device_count()
        batch_size = args.per_device_train_batch_size
        if world == 1 and args.parallel and num_gpus > 1:
            model = torch.nn.DataParallel(model)
            logger.info(f"Training on {num_gpus} GPUs via torch.nn.DataParallel.")
            batch_size = args.per_device_train_batch_size * num_gpus
        steps_per_epoch = math.ceil(
            len(self.texts) / (batch_size * world * args.gradient_accumulation_steps)
        )
        self._steps_per_epoch = steps_per_epoch
        model.to(textattack.shared.utils.device)  # first: the fused optimizer checks the device
        optimizer, scheduler = self.get_optimizer_and_scheduler(
            model, steps_per_epoch * args.num_epochs
        )
        start_epoch, best, position, restore_random = self._restore(model, optimizer, scheduler)
        if position is None:
            restore_random()  # at an epoch's start, before its copies and batches are drawn
        if world > 1:
            device = textattack.shared.utils.device
            model = torch.nn.parallel.DistributedDataParallel(
                model,
                device_ids=[device.index] if device.type == "cuda" else None,
                broadcast_buffers=False,
            )
        logger.info(
            f"{training_plan(args)}: {len(self.texts)} examples, batch {batch_size}"
            f"{f' x {world} processes' if world > 1 else ''}, lr {args.learning_rate}, "
            f"device {textattack.shared.utils.device}."
        )

        for epoch in range(start_epoch, args.num_epochs + 1):
            if self._stops_early(best, epoch):
                break
            self._epoch = epoch
            kind = "cross-entropy" if self.is_clean_epoch(epoch) else args.method
            logger.info(f"Epoch {epoch}/{args.num_epochs} ({kind})")
            loader = self.get_train_dataloader(self.train_dataset, None, batch_size)
            model.train()
            sums = dict(position or {"batches": 0, "total_loss": 0.0, "correct": 0, "seen": 0,
                                     "terms": {}, "term_steps": 0})  # fmt: skip
            self._terms, self._term_steps = dict(sums["terms"]), sums["term_steps"]
            bar = tqdm.tqdm(
                loader, desc=f"{kind} epoch {epoch}", dynamic_ncols=True, disable=not main
            )
            batches = iter(bar)  # the loader draws its seed from torch's generator here
            for _ in range(sums["batches"]):  # resuming inside the epoch: its batches so far
                next(batches)
            if position is not None:
                restore_random()
                position = None
            for step, batch in enumerate(batches, start=sums["batches"]):
                loss, preds, targets = self.training_step(model, tokenizer, batch)
                if not torch.isfinite(loss):
                    raise FloatingPointError(
                        f"Non-finite loss {loss.item()} at epoch {epoch}, step {step}; the last checkpoint "
                        f"is in {output_dir}. Lower the learning rate or check the data."
                    )
                (loss / args.gradient_accumulation_steps).backward()
                stepped = (step + 1) % args.gradient_accumulation_steps == 0 or step + 1 == len(
                    loader
                )
                if stepped:
                    optimizer.step()
                    if scheduler:
                        scheduler.step()
                    optimizer.zero_grad()
                    self._global_step += 1
                sums["batches"] = step + 1
                sums["total_loss"] += loss.item()
                sums["correct"] += int((preds == targets).sum())
                sums["seen"] += len(targets)
                means = {k: v / max(self._term_steps, 1) for k, v in self._terms.items()}
                bar.set_postfix(
                    {
                        "loss": f"{sums['total_loss'] / (step + 1):.4f}",
                        **{k: f"{v:.4f}" for k, v in means.items()},
                    }
                )
                if main and self._global_step % args.logging_interval_step == 0:
                    log = {"train/loss": loss.item(), **{f"train/{k}": v for k, v in means.items()}}
                    if args.log_to_tb:
                        self._tb_log(log, self._global_step)
                    if args.log_to_wandb:
                        self._wandb_log(log, self._global_step)
                interval = args.checkpoint_interval_steps
                if stepped and interval and self._global_step % interval == 0:
                    sums.update(terms=dict(self._terms), term_steps=self._term_steps)
                    rng = distributed.gather_objects(random_states.capture())
                    if main:
                        self._save_checkpoint(
                            model, tokenizer, epoch, optimizer, scheduler, best, rng, dict(sums)
                        )
                    distributed.barrier()

            record = {
                "epoch": epoch,
                "train_loss": sums["total_loss"] / max(len(loader), 1),
                "train_accuracy": sums["correct"] / max(sums["seen"], 1),
                **{f"train_{k}": v / max(self._term_steps, 1) for k, v in self._terms.items()},
            }
            logger.info(
                "Train " + ", ".join(f"{k} {v:.4f}" for k, v in record.items() if k != "epoch")
            )
            if main:
                if self.eval_dataset is not None:
                    record["eval_accuracy"] = self.evaluate()
                for callback in self.epoch_callbacks:
                    record.update(callback(self, epoch) or {})
            self.history.append(record)
            score = self.best_model_score(record)
            if score is not None and score > best["score"]:
                best = {"score": score, "epoch": epoch}
                if main:
                    self._save_model_checkpoint(model, tokenizer, best=True)
            if main:
                atomic.write_text(output_dir / "history.json", json.dumps(self.history, indent=1))
                if args.log_to_tb:
                    self._tb_log(
                        {f"epoch/{k}": v for k, v in record.items() if isinstance(v, (int, float))},
                        epoch,
                    )
            if epoch % (args.checkpoint_interval_epochs or 1) == 0 or epoch == args.num_epochs:
                rng = distributed.gather_objects(random_states.capture())  # every rank calls it
                if main:
                    self._save_checkpoint(model, tokenizer, epoch, optimizer, scheduler, best, rng)
            distributed.barrier()  # the others wait for rank 0's evaluation and checkpoint

        if args.load_best_model_at_end and best["epoch"] > 0:
            best_dir = output_dir / "best_model"
            checkpoints.load_weights(best_dir, model)
            logger.info(f"Loaded the best model (epoch {best['epoch']}) from {best_dir}.")
        if args.save_last and main:
            self._save_model_checkpoint(model, tokenizer, last=True)
        distributed.barrier()
        self.model_wrapper.model = unwrap(model)
        return self.history

    def best_model_score(self, record: dict) -> float | None:
        """The best-model rule: the evaluation accuracy where there is an evaluation set;
        otherwise minus the epoch's mean training cross-entropy, compared only among epochs with
        the run's final objective (``num_clean_epochs`` epochs are no candidates when perturbed
        epochs follow: a loss with a contrastive term or on copies is not that of clean rows)."""
        if "eval_accuracy" in record:
            return record["eval_accuracy"]
        args = self.training_args
        if self.is_clean_epoch(record["epoch"]) and args.num_epochs > args.num_clean_epochs:
            return None
        return -record.get("train_ce", record["train_loss"])

    def _stops_early(self, best: dict, epoch: int) -> bool:
        """TextAttack's early stopping: stop once the score has not improved for more than
        ``early_stopping_epochs`` epochs (checked before ``epoch``, so a resumed run stops too)."""
        patience = self.training_args.early_stopping_epochs
        if not patience or epoch - 1 - best["epoch"] <= patience:
            return False
        logger.info(
            f"Stopping early before epoch {epoch}: the score has not improved since epoch "
            f"{best['epoch']} ({patience} allowed)."
        )
        return True


def _write_model(model, tokenizer, folder: Path) -> None:
    """The model (and a transformers model's tokenizer) in TextAttack's layout."""
    model = unwrap(model)
    if isinstance(model, transformers.PreTrainedModel):
        model.save_pretrained(folder)
        tokenizer.save_pretrained(folder)
    elif hasattr(model, "save_pretrained"):  # TextAttack's LSTM and word-CNN
        model.save_pretrained(str(folder))
    else:
        torch.save(
            {k: v.cpu() for k, v in model.state_dict().items()}, folder / "pytorch_model.bin"
        )


def _label_or_none(flips: dict[int, int], label: int, shared: bool) -> int:
    implied = inferred_label(flips, label, shared)
    return -1 if implied is None else implied


class SAFERTrainer(PerturbationTrainer):
    """Cross-entropy on SAFER copies: every epoch, each word resampled uniformly from its synonym set."""

    default_method = "safer"

    def perturb_epoch(self, epoch: int) -> dict:
        sampler = SynonymSampler(self.synonym_table, seed=self.training_args.perturbation_seed)
        copies, mask = sampler(self.texts, epoch)
        logger.info(f"SAFER copies for epoch {epoch}: {mask.mean():.1%} differ from the original.")
        return {"synonym_texts": copies}

    def training_step(self, model, tokenizer, batch):
        texts = (
            batch["synonym_texts"] if "synonym_texts" in batch else batch["texts"]
        )  # clean epoch: originals
        return self.cross_entropy_step(model, tokenizer, texts, batch["labels"])


class BATTrainer(PerturbationTrainer):
    """Balanced Adversarial Training: CE plus a contrastive term on h(x), h(x_o), h(x_u).

    ``x_o`` (synonym copy) and ``x_u`` (one-word antonym copy) are regenerated every epoch. Rows
    whose term is masked are not run through the model: the original, the needed synonym copies
    and the needed antonym copies go through in one forward pass.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._antonym_sampler: AntonymSampler | None = None  # built once: it caches sense decisions
        self._negatives = None  # the negative_source's sampler (_negative_sampler)
        a = self.training_args
        if a.method == "bat-triplet":
            self.contrastive = TripletContrastiveLoss(
                weight=a.triplet_lambda, margin=a.margin, distance=a.distance
            )
        elif a.method == "bat-pairwise":
            self.contrastive = PairwiseContrastiveLoss(
                alpha=a.pairwise_alpha, beta=a.pairwise_beta, margin=a.margin, distance=a.distance
            )
        else:
            raise UsageError(
                "BATTrainer needs method 'bat-triplet' or 'bat-pairwise' (use SAFERTrainer for 'safer')."
            )
        self.miner = NegativeMiner(a.negative_mining, margin=a.margin, distance=a.distance)
        if a.labelled_negative_weight > 0 and not self.antonym_flips:
            warnings.warn(
                "labelled_negative_weight > 0 but no label flips are known for this dataset's "
                "labels: the term stays 0. Pass antonym_label_flips=((from, to), ...).",
                RuntimeWarning,
                stacklevel=2,
            )

    def perturb_epoch(self, epoch: int) -> dict:
        seed = self.training_args.perturbation_seed
        synonyms, synonym_mask = SynonymSampler(
            self.synonym_table, seed=seed, max_words=self.training_args.synonym_max_words
        )(self.texts, epoch)
        if self._antonym_sampler is None:
            policy = get_policy(self.training_args.antonym_senses)
            if wants_table(policy, len(self.texts)):  # dataset scale: encode descriptions once
                distributed.main_process_first(policy.build_table)
            attack_copies = self.training_args.antonym_copies == "attack"
            self._antonym_sampler = AntonymSampler(
                None if attack_copies else self.antonym_table,
                self.skip_labels,
                seed=seed + 1,
                senses=policy,
                positions=self.training_args.antonym_positions,
                copies=AttackCopies(*antonym_swap(senses=policy)) if attack_copies else None,
            )
        copies = {"synonym_texts": synonyms, "synonym_mask": synonym_mask}
        if self.training_args.mines_negatives:
            k = self.training_args.mining_candidates if self.miner.strategy != "random" else 1
            lists = self._antonym_sampler.candidate_lists(self.texts, self.labels, epoch, k)
            copies["antonym_candidates"] = [[c.example for c in row] for row in lists]
            copies["antonym_candidate_labels"] = [
                [_label_or_none(self.antonym_flips, label, c.shared) for c in row]
                for row, label in zip(lists, self.labels)
            ]
            antonym_mask = np.array([bool(row) for row in lists], dtype=np.float32)
            labelled = sum(x >= 0 for row in copies["antonym_candidate_labels"] for x in row)
            logger.info(
                f"BAT copies for epoch {epoch}: synonym {synonym_mask.mean():.1%} of rows, antonym "
                f"candidates for {antonym_mask.mean():.1%} ({sum(map(len, lists))} in all, "
                f"{labelled} with an implied label)."
            )
            return copies
        antonyms, antonym_mask = self._negative_sampler()(self.texts, self.labels, epoch)
        logger.info(
            f"BAT copies for epoch {epoch}: synonym {synonym_mask.mean():.1%}, "
            f"{self.training_args.negative_source} {antonym_mask.mean():.1%} of rows."
        )
        return {**copies, "antonym_texts": antonyms, "antonym_mask": antonym_mask}

    def _negative_sampler(self):
        """The sampler of the negative copies (``negative_source``), built once: it caches sense
        decisions and negation edits across epochs."""
        if self._negatives is None:
            seed = self.training_args.perturbation_seed
            negation = NegationSampler(self.skip_labels, seed=seed + 2)
            self._negatives = {
                "antonym": self._antonym_sampler,
                "negation": negation,
                "both": EitherSampler([self._antonym_sampler, negation], seed=seed + 3),
            }[self.training_args.negative_source]
        return self._negatives

    def contrastive_factor(self) -> float:
        """The contrastive term's warm-up factor at this optimizer step, counted from the first
        BAT step (after ``num_clean_epochs``)."""
        args = self.training_args
        if not args.contrastive_warmup_steps:
            return 1.0
        first = self._steps_per_epoch * min(args.num_clean_epochs, args.num_epochs)
        return optimizers.linear_warmup(self._global_step - first, args.contrastive_warmup_steps)

    def _choose_negatives(self, model, tokenizer, batch) -> dict:
        """The miner's antonym copy per row, its implied label (-1: none) and the mask."""
        candidates, labels = batch["antonym_candidates"], batch["antonym_candidate_labels"]
        if self.miner.strategy == "random":
            index = torch.tensor([0 if row else -1 for row in candidates])
        else:
            index = self._mine(model, tokenizer, batch)
        rows = range(len(candidates))
        return {
            "antonym_texts": [
                candidates[i][index[i]] if index[i] >= 0 else batch["texts"][i] for i in rows
            ],
            "antonym_labels": torch.tensor(
                [labels[i][index[i]] if index[i] >= 0 else -1 for i in rows]
            ),
            "antonym_mask": (index >= 0).float(),
        }

    def _mine(self, model, tokenizer, batch) -> torch.Tensor:
        """Candidate index per row (-1: none), from one gradient-free pass in eval mode over the
        originals, their synonym copies and every candidate."""
        candidates = batch["antonym_candidates"]
        n, width = len(candidates), max((len(row) for row in candidates), default=0)
        if width == 0:
            return torch.full((n,), -1, dtype=torch.long)
        flat = [text for row in candidates for text in row]
        texts = batch["texts"] + batch["synonym_texts"] + flat
        training = model.training
        model.eval()
        try:
            with torch.no_grad():
                logits, h = logits_and_representation(
                    model, self._tokenize(tokenizer, texts), self.training_args.representation
                )
        finally:
            model.train(training)
        anchor, positive, found = h[:n], h[n : 2 * n], h[2 * n :]
        predictions = logits.argmax(dim=-1)
        padded = anchor.new_zeros((n, width, anchor.shape[-1]))
        valid = torch.zeros((n, width), dtype=torch.bool, device=anchor.device)
        kept = torch.zeros_like(valid)
        start = 0
        for i, row in enumerate(candidates):
            padded[i, : len(row)] = found[start : start + len(row)]
            valid[i, : len(row)] = True
            kept[i, : len(row)] = (
                predictions[2 * n + start : 2 * n + start + len(row)] == predictions[i]
            )
            start += len(row)
        d_ap = self.miner.distance(anchor, positive)
        return self.miner(anchor, d_ap, padded, valid, kept).cpu()

    def training_step(self, model, tokenizer, batch):
        if "antonym_mask" not in batch and "antonym_candidates" not in batch:  # clean epoch
            return self.cross_entropy_step(model, tokenizer, batch["texts"], batch["labels"])
        if "antonym_candidates" in batch:
            batch = {**batch, **self._choose_negatives(model, tokenizer, batch)}
        targets = batch["labels"]
        device = textattack.shared.utils.device
        positive_mask = batch["synonym_mask"].to(device)
        negative_mask = batch["antonym_mask"].to(device)
        need_positive = positive_mask.bool()
        if self.contrastive.positive_needs_negative:
            need_positive &= negative_mask.bool()
        pos_rows = need_positive.nonzero().flatten()
        neg_rows = negative_mask.bool().nonzero().flatten()
        texts = (
            batch["texts"]
            + [batch["synonym_texts"][i] for i in pos_rows.tolist()]
            + [batch["antonym_texts"][i] for i in neg_rows.tolist()]
        )
        logits, h = logits_and_representation(
            model, self._tokenize(tokenizer, texts), self.training_args.representation
        )
        n, n_pos = len(targets), len(pos_rows)
        anchor = h[:n]
        positive = anchor.index_copy(0, pos_rows, h[n : n + n_pos]) if n_pos else anchor
        negative = (
            torch.zeros_like(anchor).index_copy(0, neg_rows, h[n + n_pos :])
            if len(neg_rows)
            else torch.zeros_like(anchor)
        )
        ce = torch.nn.functional.cross_entropy(logits[:n], targets.to(logits.device))
        contrastive, terms = self.contrastive(
            anchor, positive, negative, need_positive.float(), negative_mask
        )
        factor = self.contrastive_factor()
        loss = ce + factor * contrastive
        if self.training_args.contrastive_warmup_steps:
            terms["contrastive_factor"] = torch.tensor(factor)
        weight = self.training_args.labelled_negative_weight
        if weight > 0:
            implied = batch["antonym_labels"][neg_rows.cpu()].to(logits.device)
            labelled = implied >= 0
            labelled_ce = (
                torch.nn.functional.cross_entropy(logits[n + n_pos :][labelled], implied[labelled])
                if labelled.any()
                else logits.new_zeros(())
            )
            loss = loss + weight * labelled_ce
            terms["labelled_ce"] = labelled_ce.detach()
        self._record(ce=ce.detach(), contrastive=contrastive.detach(), **terms)
        return loss, logits[:n].argmax(dim=-1).cpu(), targets
