"""``BATTrainingArgs``: TextAttack's ``TrainingArgs`` plus BAT's settings, each checked against
one rule of :data:`RULES`; ``training_plan`` says in words what the epochs train with."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import textattack

from textattack_bat.errors import UsageError
from textattack_bat.lexicon.senses import DEFAULT_SENSES, SENSE_POLICIES
from textattack_bat.lexicon.tables import EMBEDDING_NAMES
from textattack_bat.training.distances import DISTANCES
from textattack_bat.training.methods import METHODS
from textattack_bat.training.miners import MINERS
from textattack_bat.training.representations import REPRESENTATIONS
from textattack_bat.training.samplers import ANTONYM_COPIES, NEGATIVE_SOURCES, POSITIONS

# TextAttack's settings for its attack-generated adversarial training, with their defaults:
# SAFER and BAT draw their copies every epoch without attacking the model, so no other value
# has a meaning here.
ATTACK_TRAINING_DEFAULTS = {
    "attack_epoch_interval": 1,
    "alpha": 1.0,
    "num_train_adv_examples": -1,
    "query_budget_train": None,
    "attack_num_workers_per_device": 1,
}


class SettingError(UsageError):
    """A training setting with a value that is not allowed. The message is one line naming the
    setting, the value and what is allowed."""


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _file_or_none(value) -> bool:
    return value is None or (isinstance(value, (str, Path)) and Path(value).is_file())


def _label_pairs(value) -> bool:
    return isinstance(value, (list, tuple)) and all(
        isinstance(pair, (list, tuple)) and len(pair) == 2 and all(map(_integer, pair))
        for pair in value
    )


_WEIGHT = "a number >= 0 (0 switches the term off)"
_TABLE = "an existing table file written by `textattack-bat build-tables`, or None to build one"

# field -> (allowed?, what is allowed); checked in this order by BATTrainingArgs.validate
RULES: dict[str, tuple[Callable[[object], bool], str]] = {
    "method": (lambda v: v in METHODS, f"one of {', '.join(METHODS)}"),
    "margin": (
        lambda v: _finite(v) and v > 0,
        "a number > 0 (with margin <= 0 the contrastive term is 0 for every row: normal training)",
    ),
    "triplet_lambda": (lambda v: _finite(v) and v >= 0, _WEIGHT),
    "pairwise_alpha": (lambda v: _finite(v) and v >= 0, _WEIGHT),
    "pairwise_beta": (lambda v: _finite(v) and v >= 0, _WEIGHT),
    "distance": (lambda v: v in DISTANCES, f"one of {', '.join(sorted(DISTANCES))}"),
    "representation": (lambda v: v in REPRESENTATIONS, f"one of {', '.join(REPRESENTATIONS)}"),
    "embedding": (
        lambda v: isinstance(v, str) and (v in EMBEDDING_NAMES or Path(v).is_file()),
        f"one of {', '.join(EMBEDDING_NAMES)}, or an existing vectors file",
    ),
    "robustness_eval_gold_edits": (_file_or_none, "an existing gold-edit JSONL file, or None"),
    "synonym_table": (_file_or_none, _TABLE),
    "antonym_table": (_file_or_none, _TABLE),
    "max_length": (lambda v: _integer(v) and v > 0, "an integer > 0"),
    "group_by_length": (lambda v: isinstance(v, bool), "True or False"),
    "synonym_max_words": (
        lambda v: v is None or (_integer(v) and v > 0),
        "an integer > 0, or None for every word",
    ),
    "antonym_senses": (lambda v: v in SENSE_POLICIES, f"one of {', '.join(SENSE_POLICIES)}"),
    "skip_labels": (
        lambda v: v is None or (isinstance(v, (list, tuple)) and all(map(_integer, v))),
        "a list of integer label ids, or None to infer them",
    ),
    "antonym_positions": (lambda v: v in POSITIONS, f"one of {', '.join(POSITIONS)}"),
    "antonym_copies": (lambda v: v in ANTONYM_COPIES, f"one of {', '.join(ANTONYM_COPIES)}"),
    "contrastive_warmup_steps": (lambda v: _integer(v) and v >= 0, "an integer >= 0 (0: none)"),
    "negative_source": (
        lambda v: v in NEGATIVE_SOURCES,
        f"one of {', '.join(NEGATIVE_SOURCES)}",
    ),
    "negative_mining": (lambda v: v in MINERS, f"one of {', '.join(MINERS)}"),
    "mining_candidates": (lambda v: _integer(v) and v > 0, "an integer > 0"),
    "labelled_negative_weight": (lambda v: _finite(v) and v >= 0, _WEIGHT),
    "antonym_label_flips": (
        lambda v: v is None or _label_pairs(v),
        "pairs of integer label ids ((from, to), ...), or None to take them from the task",
    ),
}


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
        group_by_length: batch rows of similar token length together (seeded random order of
            batches; see :mod:`textattack_bat.training.batching`): far less padding, so faster
            epochs; False (TextAttack's and transformers' default) draws random batches.
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
            (``all``, ``first-sense``, ``lesk``, ``context``; see :mod:`textattack_bat.lexicon.senses`).
        antonym_positions: ``any`` (the paper's: every word with an antonym) or ``shared``
            (only words whose lemma the other column shares, where there are any; see
            :mod:`textattack_bat.training.relevance`).
        antonym_copies: what BAT's antonym copies are: ``lemmas`` (the paper's: a bare WordNet
            lemma from the antonym table, lower-cased) or ``attack`` (exactly the candidates the
            ``antonym-under`` attack tries on the row: inflected like the word, in its case,
            PoS-checked, under ``antonym_senses`` and the attack's stopwords;
            :class:`~textattack_bat.attack.copies.AttackCopies`).
        contrastive_warmup_steps: the contrastive term's weight rises linearly from 0 to its
            value over this many optimizer steps from the first BAT step
            (:func:`~textattack_bat.training.optimizers.linear_warmup`); 0 (the paper's): none.
        negative_source: where BAT's negative copy comes from: ``antonym`` (the paper's: a
            one-word antonym swap), ``negation`` (one negation inserted or removed, as the
            ``negation-under`` attack) or ``both`` (per row, one of the two drawn at random
            among those the row has). Mining and labelled negatives need ``antonym``.
        negative_mining: which antonym copy BAT trains on: ``random`` (the paper's), or, among
            up to ``mining_candidates`` copies run through the model without gradient, the
            ``hardest``, a ``semi-hard`` or a ``kept`` one (see :mod:`textattack_bat.training.miners`).
        mining_candidates: antonym copies per row and epoch that the miner chooses from.
        labelled_negative_weight: weight of a cross-entropy term on the antonym copy towards the
            label the swap implies (NLI entailment -> contradiction, paraphrase duplicate -> not
            duplicate, only for a swapped word both columns share; :mod:`textattack_bat.training.relevance`);
            0 (the paper's) switches it off. The term is the mean over the batch's labelled copies.
        antonym_label_flips: ``((label, implied label), ...)`` for that term; None takes them from
            the task registry by the dataset's label names.
        perturbation_seed: seed of the per-epoch perturbations.
        resume: continue from the latest ``checkpoint-epoch-N`` in ``output_dir``.
        robustness_eval_examples: if > 0, after each epoch evaluate accuracy, antonym ASR (both
            protocols) and synonym ASR on that many evaluation rows (``robustness_log.json``,
            ``tradeoff.png`` in ``output_dir``; see evaluation.RobustnessCallback).
        robustness_eval_synonym: include the (slower) synonym attack in that evaluation.
        robustness_eval_negation: include the negation attack (both protocols) in it.
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
    group_by_length: bool = False
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
    antonym_copies: str = "lemmas"
    contrastive_warmup_steps: int = 0
    negative_source: str = "antonym"
    negative_mining: str = "random"
    mining_candidates: int = 8
    labelled_negative_weight: float = 0.0
    antonym_label_flips: tuple[tuple[int, int], ...] | None = None
    perturbation_seed: int = 0
    resume: bool = True
    robustness_eval_examples: int = 0
    robustness_eval_synonym: bool = True
    robustness_eval_negation: bool = False
    robustness_eval_gold_edits: str | None = None

    def __post_init__(self):
        super().__post_init__()
        self.validate()

    def validate(self) -> None:
        """Check BAT's own fields (:data:`RULES`); the first bad one raises :class:`SettingError`
        (one line naming the setting, the value and what is allowed)."""
        for name, (allowed, description) in RULES.items():
            value = getattr(self, name)
            if not allowed(value):
                raise SettingError(f"{name}={value!r} is not allowed: use {description}.")
        for name, default in ATTACK_TRAINING_DEFAULTS.items():
            if getattr(self, name) != default:
                raise SettingError(
                    f"{name}={getattr(self, name)!r} is TextAttack's setting for training on "
                    "attack-generated examples; SAFER and BAT draw their copies every epoch "
                    f"without attacking: leave it at {default!r}."
                )
        if self.negative_source != "antonym" and self.mines_negatives:
            raise SettingError(
                f"negative_source={self.negative_source!r} does not go with negative_mining="
                f"{self.negative_mining!r} or labelled_negative_weight="
                f"{self.labelled_negative_weight!r}: mining and implied labels are defined for "
                "antonym copies; use negative_source='antonym', or negative_mining='random' and "
                "labelled_negative_weight=0."
            )

    @property
    def mines_negatives(self) -> bool:
        """Whether BAT draws several antonym candidates per row (mining or labelled copies)."""
        return self.negative_mining != "random" or self.labelled_negative_weight > 0


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
