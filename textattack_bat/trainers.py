"""SAFER and Balanced Adversarial Training (BAT) as subclasses of TextAttack's ``Trainer``.

Both regenerate perturbed copies of the training set at the start of every epoch
(``get_train_dataloader``) without querying the model, and compute their loss in
``training_step``:

- ``SAFERTrainer``: cross-entropy on the synonym-resampled copies (Ye et al. 2020).
- ``BATTrainer(method="bat-triplet")``: ``CE(x) + lambda * max(0, d(h, h_o) + m - d(h, h_u))``
- ``BATTrainer(method="bat-pairwise")``: ``CE(x) + alpha * d(h, h_o) + beta * max(0, m - d(h, h_u))``

with h the representation before the classification layer (:mod:`textattack_bat.representations`)
and the losses of :mod:`textattack_bat.losses`. ``train()`` keeps TextAttack's loop shape but
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
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import textattack
import torch
import tqdm
import transformers
from textattack.shared import logger

from textattack_bat import distributed, random_states
from textattack_bat.datasets import default_antonym_flips, default_skip_labels, example_columns
from textattack_bat.distances import DISTANCES
from textattack_bat.distributed import ShardedBatchSampler
from textattack_bat.losses import PairwiseContrastiveLoss, TripletContrastiveLoss
from textattack_bat.miners import MINERS, NegativeMiner
from textattack_bat.relevance import inferred_label
from textattack_bat.representations import (
    REPRESENTATIONS,
    check_representation,
    logits_and_representation,
    unwrap,
)
from textattack_bat.samplers import POSITIONS, AntonymSampler, SynonymSampler
from textattack_bat.senses import DEFAULT_SENSES, SENSE_POLICIES
from textattack_bat.tables import (
    EMBEDDING_NAMES,
    PerturbationTable,
    build_antonym_table,
    build_synonym_table,
    load_embedding,
    vocabulary,
)

METHODS = ("bat-triplet", "bat-pairwise", "safer")
STATE_FILE = "trainer_state.json"
OPTIMIZER_FILE = "optimizer.pt"


@dataclass
class BATTrainingArgs(textattack.TrainingArgs):
    """TextAttack's ``TrainingArgs`` with the paper's defaults plus BAT's own settings.

    Paper defaults (BAT): lr 2e-5, batch 32, max length 128, weight decay 0, no warm-up,
    triplet lambda 1.0, pairwise (alpha, beta) = (1.0, 1.2), margin 1, cosine distance, [CLS].

    Args (beyond TextAttack's):
        method: ``bat-triplet``, ``bat-pairwise`` or ``safer``.
        triplet_lambda, pairwise_alpha, pairwise_beta, margin, distance: the loss.
        representation: ``cls``, ``mean`` or ``pooler`` (see representations).
        max_length: tokenizer truncation length.
        synonym_table, antonym_table: JSON table paths; None builds them from the training data
            (synonyms from ``embedding``; antonyms from WordNet).
        embedding: ``auto`` (``counter-fitted`` when reachable, else ``glove-counterfitted``) |
            ``counter-fitted`` | ``glove`` | ``glove-counterfitted`` | a vectors file, for a
            built synonym table.
        skip_labels: labels without an antonym term; None infers them from the dataset's label
            names (NLI ``neutral``; QQP ``not_duplicate``), else none.
        synonym_max_words: BAT's synonym copy changes at most this many words (None: every word
            is resampled, SAFER-style, as the authors).
        antonym_senses: which senses of a word in its sentence give BAT's antonym copies
            (``all``, ``first-sense``, ``lesk``, ``context``; see :mod:`textattack_bat.senses`).
        antonym_positions: ``any`` (the paper's: every word with an antonym) or ``shared``
            (only words whose lemma the other column shares, where there are any; see
            :mod:`textattack_bat.relevance`).
        negative_mining: which antonym copy BAT trains on: ``random`` (the paper's), or, among
            up to ``mining_candidates`` copies run through the model without gradient, the
            ``hardest``, a ``semi-hard`` or a ``kept`` one (see :mod:`textattack_bat.miners`).
        mining_candidates: antonym copies per row and epoch that the miner chooses from.
        labelled_negative_weight: weight of a cross-entropy term on the antonym copy towards the
            label the swap implies (NLI entailment -> contradiction, paraphrase duplicate -> not
            duplicate, only for a swapped word both columns share; :mod:`textattack_bat.relevance`);
            0 (the paper's) switches it off. The term is the mean over the batch's labelled copies.
        antonym_label_flips: ``((label, implied label), ...)`` for that term; None takes them from
            the task registry by the dataset's label names.
        perturbation_seed: seed of the per-epoch perturbations.
        resume: continue from the latest ``checkpoint-epoch-N`` in ``output_dir``.
        robustness_eval_examples: if > 0, after each epoch evaluate accuracy, antonym ASR (both
            protocols) and synonym ASR on that many evaluation rows (``robustness_log.json``,
            ``tradeoff.png`` in ``output_dir``; see evaluation.RobustnessCallback).
        robustness_eval_synonym: include the (slower) synonym attack in that evaluation.
        robustness_eval_gold_edits: a gold-edit JSONL file (see gold_edits) evaluated each epoch too.
        num_clean_epochs: TextAttack's meaning: the first N epochs train with plain cross-entropy
            on the original data (no perturbations) before SAFER/BAT starts.
    """

    method: str = "bat-triplet"
    learning_rate: float = 2e-5
    num_warmup_steps: int | float = 0
    weight_decay: float = 0.0
    per_device_train_batch_size: int = 32
    num_clean_epochs: int = 0
    checkpoint_interval_epochs: int = 1
    max_length: int = 128
    triplet_lambda: float = 1.0
    pairwise_alpha: float = 1.0
    pairwise_beta: float = 1.2
    margin: float = 1.0
    distance: str = "cosine"
    representation: str = "cls"
    synonym_table: str | None = None
    antonym_table: str | None = None
    embedding: str = "auto"
    skip_labels: tuple[int, ...] | None = None
    synonym_max_words: int | None = None
    antonym_senses: str = DEFAULT_SENSES
    antonym_positions: str = "any"
    negative_mining: str = "random"
    mining_candidates: int = 8
    labelled_negative_weight: float = 0.0
    antonym_label_flips: tuple[tuple[int, int], ...] | None = None
    perturbation_seed: int = 0
    resume: bool = True
    robustness_eval_examples: int = 0
    robustness_eval_synonym: bool = True
    robustness_eval_gold_edits: str | None = None

    def __post_init__(self):
        super().__post_init__()
        self.validate()

    def validate(self) -> None:
        """Check BAT's own fields; the first bad one raises :class:`SettingError` (one line)."""
        _check(self.method in METHODS, "method", self.method, f"one of {', '.join(METHODS)}")
        _check(
            _is_number(self.margin) and self.margin > 0,
            "margin",
            self.margin,
            "a number > 0 (with margin <= 0 the contrastive term is 0 for every row: normal training)",
        )
        for name in ("triplet_lambda", "pairwise_alpha", "pairwise_beta"):
            value = getattr(self, name)
            _check(
                _is_number(value) and value >= 0,
                name,
                value,
                "a number >= 0 (0 switches the term off)",
            )
        _check(
            self.distance in DISTANCES,
            "distance",
            self.distance,
            f"one of {', '.join(sorted(DISTANCES))}",
        )
        _check(
            self.representation in REPRESENTATIONS,
            "representation",
            self.representation,
            f"one of {', '.join(REPRESENTATIONS)}",
        )
        _check(
            isinstance(self.embedding, str)
            and (self.embedding in EMBEDDING_NAMES or Path(self.embedding).is_file()),
            "embedding",
            self.embedding,
            f"one of {', '.join(EMBEDDING_NAMES)}, or an existing vectors file",
        )
        _check(
            self.robustness_eval_gold_edits is None
            or Path(self.robustness_eval_gold_edits).is_file(),
            "robustness_eval_gold_edits",
            self.robustness_eval_gold_edits,
            "an existing gold-edit JSONL file, or None",
        )
        for name in ("synonym_table", "antonym_table"):
            value = getattr(self, name)
            _check(
                value is None or (isinstance(value, (str, Path)) and Path(value).is_file()),
                name,
                value,
                "an existing table file written by `textattack-bat build-tables`, or None to build one",
            )
        _check(
            _is_int(self.max_length) and self.max_length > 0,
            "max_length",
            self.max_length,
            "an integer > 0",
        )
        _check(
            self.synonym_max_words is None
            or (_is_int(self.synonym_max_words) and self.synonym_max_words > 0),
            "synonym_max_words",
            self.synonym_max_words,
            "an integer > 0, or None for every word",
        )
        _check(
            self.antonym_senses in SENSE_POLICIES,
            "antonym_senses",
            self.antonym_senses,
            f"one of {', '.join(SENSE_POLICIES)}",
        )
        _check(
            self.skip_labels is None
            or (
                isinstance(self.skip_labels, (list, tuple))
                and all(_is_int(label) for label in self.skip_labels)
            ),
            "skip_labels",
            self.skip_labels,
            "a list of integer label ids, or None to infer them",
        )
        _check(
            self.antonym_positions in POSITIONS,
            "antonym_positions",
            self.antonym_positions,
            f"one of {', '.join(POSITIONS)}",
        )
        _check(
            self.negative_mining in MINERS,
            "negative_mining",
            self.negative_mining,
            f"one of {', '.join(MINERS)}",
        )
        _check(
            _is_int(self.mining_candidates) and self.mining_candidates > 0,
            "mining_candidates",
            self.mining_candidates,
            "an integer > 0",
        )
        _check(
            _is_number(self.labelled_negative_weight) and self.labelled_negative_weight >= 0,
            "labelled_negative_weight",
            self.labelled_negative_weight,
            "a number >= 0 (0 switches the term off)",
        )
        _check(
            self.antonym_label_flips is None
            or (
                isinstance(self.antonym_label_flips, (list, tuple))
                and all(
                    isinstance(pair, (list, tuple)) and len(pair) == 2 and all(map(_is_int, pair))
                    for pair in self.antonym_label_flips
                )
            ),
            "antonym_label_flips",
            self.antonym_label_flips,
            "pairs of integer label ids ((from, to), ...), or None to take them from the task",
        )

    @property
    def mines_negatives(self) -> bool:
        """Whether BAT draws several antonym candidates per row (mining or labelled copies)."""
        return self.negative_mining != "random" or self.labelled_negative_weight > 0


class SettingError(ValueError):
    """A training setting with a value that is not allowed. The message is one line naming the
    setting, the value and what is allowed."""


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check(ok: bool, name: str, value, allowed: str) -> None:
    if not ok:
        raise SettingError(f"{name}={value!r} is not allowed: use {allowed}.")


EpochCallback = Callable[["PerturbationTrainer", int], Mapping | None]


def model_num_labels(model: torch.nn.Module) -> int | None:
    inner = unwrap(model)
    config = getattr(inner, "config", None)
    if config is not None and getattr(config, "num_labels", None):
        return int(config.num_labels)
    fc = getattr(inner, "fc", None)
    return int(fc.out_features) if isinstance(fc, torch.nn.Linear) else None


def _examples(dataset) -> tuple[list[tuple[str, ...]], list[int]]:
    examples = [(example_columns(inputs), label) for inputs, label in dataset]
    return [texts for texts, _ in examples], [label for _, label in examples]


def _model_input(texts: Sequence[tuple[str, ...]]):
    return [t[0] if len(t) == 1 else t for t in texts]


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
            raise ValueError("SAFER and BAT train classifiers: task_type must be 'classification'.")
        super().__init__(model_wrapper, task_type, None, train_dataset, eval_dataset, training_args)
        if train_dataset is None or len(train_dataset) == 0:
            raise ValueError("The training dataset is empty.")
        self.texts, self.labels = _examples(train_dataset)
        self._check_labels(train_dataset, "training")
        if eval_dataset is not None:
            self._check_labels(eval_dataset, "evaluation")
        check_representation(model_wrapper.model, training_args.representation)
        self._synonym_table = synonym_table
        self._antonym_table = antonym_table
        self.epoch_callbacks = list(epoch_callbacks)
        if training_args.robustness_eval_examples > 0 and not self.epoch_callbacks:
            raise SettingError(
                f"robustness_eval_examples={training_args.robustness_eval_examples} is read by `textattack train`; "
                "in Python pass epoch_callbacks=[textattack_bat.evaluation.RobustnessCallback(eval_dataset, N)]."
            )
        self.skip_labels = (
            tuple(training_args.skip_labels)
            if training_args.skip_labels is not None
            else default_skip_labels(train_dataset)
        )
        self.antonym_flips = dict(
            training_args.antonym_label_flips
            if training_args.antonym_label_flips is not None
            else default_antonym_flips(train_dataset)
        )
        self.history: list[dict] = []
        self._reported: set[str] = set()
        self._epoch = 1
        self._terms: dict[str, float] = {}
        self._term_steps = 0

    default_method = "bat-triplet"

    # ------------------------------------------------------------------ validation and tables

    def _check_labels(self, dataset, name: str) -> None:
        num_labels = model_num_labels(self.model_wrapper.model)
        bad = {
            repr(label)
            for _, label in dataset
            if not isinstance(label, (int, np.integer))
            or (num_labels is not None and not 0 <= label < num_labels)
        }
        if bad:
            raise ValueError(
                f"The {name} dataset has labels {sorted(bad)[:10]} outside the model's {num_labels} outputs "
                f"(integer ids 0..{(num_labels or 1) - 1}); fix the label column, or load a model with as "
                "many labels as the dataset has."
            )

    @functools.cached_property
    def _words(self) -> list[str]:
        """The training vocabulary (computed once: tables and coverage reports share it)."""
        return vocabulary(column for example in self.texts for column in example)

    @property
    def synonym_table(self) -> PerturbationTable:
        if self._synonym_table is None:
            path = self.training_args.synonym_table
            if path:
                self._synonym_table = PerturbationTable.load(path)
            else:
                logger.info("No synonym table given: building one from the training vocabulary.")
                embedding = load_embedding(self.training_args.embedding)
                logger.info(f"Synonym source: {embedding.source}.")
                self._synonym_table = build_synonym_table(
                    self._words, embedding, progress=True, vocabulary_source="training data"
                )
        self._report_coverage(self._synonym_table, "synonym")
        return self._synonym_table

    @property
    def antonym_table(self) -> PerturbationTable:
        if self._antonym_table is None:
            path = self.training_args.antonym_table
            self._antonym_table = (
                PerturbationTable.load(path)
                if path
                else build_antonym_table(self._words, vocabulary_source="training data")
            )
        self._report_coverage(self._antonym_table, "antonym")
        return self._antonym_table

    def _report_coverage(self, table, kind: str) -> None:
        """Log (once per table) how much of the training vocabulary it covers; warn when tiny."""
        if kind in self._reported:
            return
        self._reported.add(kind)
        words = self._words
        coverage = (
            table.coverage(words)
            if hasattr(table, "coverage")
            else sum(bool(table.get(w)) for w in words) / max(len(words), 1)
        )
        logger.info(f"{kind} table covers {coverage:.1%} of the {len(words)} training words.")
        if coverage < 0.05:
            warnings.warn(
                f"The {kind} table covers only {coverage:.1%} of the training vocabulary: most "
                f"{kind} copies will equal the original. Check that the table matches the data.",
                RuntimeWarning,
                stacklevel=2,
            )

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
        model = unwrap(self.model_wrapper.model)
        if isinstance(model, transformers.PreTrainedModel):
            return tokenizer(
                _model_input(texts),
                padding=True,
                truncation=True,
                max_length=self.training_args.max_length,
                return_tensors="pt",
            ).to(textattack.shared.utils.device)
        ids = tokenizer(_model_input(texts))
        return (ids if isinstance(ids, torch.Tensor) else torch.tensor(ids)).to(
            textattack.shared.utils.device
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

    # ------------------------------------------------------------------ checkpoints

    def _checkpoints(self) -> list[tuple[int, Path]]:
        root = Path(self.training_args.output_dir)
        found = []
        for path in root.glob("checkpoint-epoch-*"):
            if (path / STATE_FILE).is_file() and path.name.rsplit("-", 1)[-1].isdigit():
                found.append((int(path.name.rsplit("-", 1)[-1]), path))
        return sorted(found)

    def _save_model_checkpoint(
        self, model, tokenizer, step=None, epoch=None, best=False, last=False
    ):
        # TextAttack unwraps DataParallel only; DistributedDataParallel too, here.
        super()._save_model_checkpoint(unwrap(model), tokenizer, step, epoch, best, last)

    def _save_checkpoint(
        self, model, tokenizer, epoch: int, optimizer, scheduler, best: dict, rng: list[dict]
    ) -> Path:
        """Rank 0 writes the checkpoint; ``rng``: every process's generator states, by rank."""
        self._save_model_checkpoint(model, tokenizer, epoch=epoch)
        path = Path(self.training_args.output_dir) / f"checkpoint-epoch-{epoch}"
        torch.save(
            {
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict() if scheduler else None,
                "random_states": rng,
            },
            path / OPTIMIZER_FILE,
        )
        state = {
            "epoch": epoch,
            "global_step": self._global_step,
            "best": best,
            "history": self.history,
            "method": self.training_args.method,
        }
        (path / STATE_FILE).write_text(json.dumps(state, indent=1))
        return path

    def _restore(self, model, optimizer, scheduler) -> tuple[int, dict]:
        checkpoints = self._checkpoints()
        if not (self.training_args.resume and checkpoints):
            return 1, {"score": -math.inf, "epoch": 0}
        epoch, path = checkpoints[-1]
        state = json.loads((path / STATE_FILE).read_text())
        inner = unwrap(model)
        if hasattr(inner, "from_pretrained"):
            inner.load_state_dict(type(inner).from_pretrained(str(path)).state_dict())
        else:
            inner.load_state_dict(torch.load(path / "pytorch_model.bin", weights_only=True))
        saved = torch.load(path / OPTIMIZER_FILE, weights_only=True)
        optimizer.load_state_dict(saved["optimizer"])
        if scheduler is not None and saved["scheduler"] is not None:
            scheduler.load_state_dict(saved["scheduler"])
        if "random_states" in saved:
            states = saved["random_states"]
            if len(states) != distributed.processes():
                warnings.warn(
                    f"{path} was written by {len(states)} process(es), this run has "
                    f"{distributed.processes()}: the resumed run is not an exact continuation.",
                    stacklevel=2,
                )
            random_states.restore(states[min(distributed.rank(), len(states) - 1)])
        else:  # checkpoints written before every generator was saved
            torch.set_rng_state(saved["torch_rng"])
        self._global_step = state["global_step"]
        self.history = state["history"]
        logger.info(f"Resuming from {path} (epoch {epoch} done, step {self._global_step}).")
        return epoch + 1, state["best"]

    # ------------------------------------------------------------------ the loop

    def train(self):
        """Train; under ``torchrun`` with several processes, DistributedDataParallel (see
        :mod:`textattack_bat.distributed`): rank 0 writes logs, history, checkpoints and runs the
        epoch callbacks."""
        args = self.training_args
        device = distributed.setup()
        if device is not None:
            textattack.shared.utils.device = device
        textattack.shared.utils.set_seed(args.random_seed)
        output_dir = Path(args.output_dir)
        main = distributed.is_main_process()
        handler = None
        if main:
            output_dir.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(output_dir / "train_log.txt")
            handler.setLevel(logging.DEBUG)
            logger.addHandler(handler)
            (output_dir / "training_args.json").write_text(
                json.dumps(asdict(args), indent=1, default=str)
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
        optimizer, scheduler = self.get_optimizer_and_scheduler(
            model, steps_per_epoch * args.num_epochs
        )
        model.to(textattack.shared.utils.device)
        start_epoch, best = self._restore(model, optimizer, scheduler)
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
            self._epoch = epoch
            kind = "cross-entropy" if self.is_clean_epoch(epoch) else args.method
            logger.info(f"Epoch {epoch}/{args.num_epochs} ({kind})")
            loader = self.get_train_dataloader(self.train_dataset, None, batch_size)
            model.train()
            self._terms, self._term_steps = {}, 0
            total_loss, correct, seen = 0.0, 0, 0
            bar = tqdm.tqdm(
                loader, desc=f"{kind} epoch {epoch}", dynamic_ncols=True, disable=not main
            )
            for step, batch in enumerate(bar):
                loss, preds, targets = self.training_step(model, tokenizer, batch)
                if not torch.isfinite(loss):
                    raise FloatingPointError(
                        f"Non-finite loss {loss.item()} at epoch {epoch}, step {step}; the last checkpoint "
                        f"is in {output_dir}. Lower the learning rate or check the data."
                    )
                (loss / args.gradient_accumulation_steps).backward()
                if (step + 1) % args.gradient_accumulation_steps == 0 or step + 1 == len(loader):
                    optimizer.step()
                    if scheduler:
                        scheduler.step()
                    optimizer.zero_grad()
                    self._global_step += 1
                total_loss += loss.item()
                correct += int((preds == targets).sum())
                seen += len(targets)
                means = {k: v / max(self._term_steps, 1) for k, v in self._terms.items()}
                bar.set_postfix(
                    {
                        "loss": f"{total_loss / (step + 1):.4f}",
                        **{k: f"{v:.4f}" for k, v in means.items()},
                    }
                )
                if main and self._global_step % args.logging_interval_step == 0:
                    log = {"train/loss": loss.item(), **{f"train/{k}": v for k, v in means.items()}}
                    if args.log_to_tb:
                        self._tb_log(log, self._global_step)
                    if args.log_to_wandb:
                        self._wandb_log(log, self._global_step)

            record = {
                "epoch": epoch,
                "train_loss": total_loss / max(len(loader), 1),
                "train_accuracy": correct / max(seen, 1),
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
            score = record.get("eval_accuracy", -record["train_loss"])
            if score > best["score"]:
                best = {"score": score, "epoch": epoch}
                if main:
                    self._save_model_checkpoint(model, tokenizer, best=True)
            if main:
                (output_dir / "history.json").write_text(json.dumps(self.history, indent=1))
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

        if args.save_last and main:
            self._save_model_checkpoint(model, tokenizer, last=True)
        distributed.barrier()
        self.model_wrapper.model = unwrap(model)
        return self.history


def training_plan(args: BATTrainingArgs) -> str:
    """What the epochs train with: "2 cross-entropy epochs", "bat-triplet, 3 epochs" or
    "1 cross-entropy epoch, then bat-triplet for 2" (``num_clean_epochs`` come first)."""
    clean = min(args.num_clean_epochs, args.num_epochs)
    rest = args.num_epochs - clean

    def epochs(n: int) -> str:
        return f"{n} epoch{'s' if n != 1 else ''}"

    if rest == 0:
        return f"{epochs(clean).replace(' ', ' cross-entropy ', 1)} (no perturbed copies)"
    if clean == 0:
        return f"{args.method}, {epochs(rest)}"
    return f"{epochs(clean).replace(' ', ' cross-entropy ', 1)}, then {args.method} for {rest}"


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
            raise ValueError(
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
            self._antonym_sampler = AntonymSampler(
                self.antonym_table,
                self.skip_labels,
                seed=seed + 1,
                senses=self.training_args.antonym_senses,
                positions=self.training_args.antonym_positions,
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
        antonyms, antonym_mask = self._antonym_sampler(self.texts, self.labels, epoch)
        logger.info(
            f"BAT copies for epoch {epoch}: synonym {synonym_mask.mean():.1%}, antonym {antonym_mask.mean():.1%} of rows."
        )
        return {**copies, "antonym_texts": antonyms, "antonym_mask": antonym_mask}

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
        loss = ce + contrastive
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
