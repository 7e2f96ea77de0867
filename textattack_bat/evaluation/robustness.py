"""Robustness evaluation: clean accuracy, antonym and negation ASR (both protocols), synonym ASR.

ASR = succeeded / (succeeded + failed); skipped examples (misclassified, or a skipped label) are
excluded, as in the paper. Each undersensitivity attack (antonym, negation) runs once with
:class:`~textattack_bat.attack.search_methods.GreedyWordSwapWIRProtocols`, which yields the paper's
definition and the authors' improve-only protocol from the same candidate evaluations.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tqdm
from textattack.attack_results import (
    FailedAttackResult,
    SkippedAttackResult,
    SuccessfulAttackResult,
)

from textattack_bat import atomic
from textattack_bat.attack.constraints import sentence_encoder
from textattack_bat.attack.engine import BatchedAttacker, attacked_text
from textattack_bat.attack.recipes import (
    AntonymUnderChen2022,
    NegationUnderChen2022,
    SynonymOverChen2022,
    resolve_wir_method,
)
from textattack_bat.attack.search_methods import GreedyWordSwapWIRProtocols
from textattack_bat.datasets import default_skip_labels, example_columns
from textattack_bat.errors import UsageError
from textattack_bat.evaluation.gold_edits import GoldEditReport, evaluate_gold_edits
from textattack_bat.evaluation.rates import Rate
from textattack_bat.models import predict_labels
from textattack_bat.training import distributed


@dataclass
class AttackSummary:
    """Counts of one attack over the evaluated examples."""

    succeeded: int = 0
    failed: int = 0
    skipped: int = 0
    queries: list[int] = field(default_factory=list)  # per attacked (succeeded or failed) example

    @property
    def attacked(self) -> int:
        return self.succeeded + self.failed

    @property
    def success_rate(self) -> float | None:
        return self.succeeded / self.attacked if self.attacked else None

    @property
    def rate(self) -> Rate:
        """The success rate with its count and 95% Wilson interval."""
        return Rate(self.succeeded, self.attacked)

    @property
    def mean_queries(self) -> float | None:
        return float(np.mean(self.queries)) if self.queries else None

    def add(self, outcome: str, queries: int = 0) -> None:
        if outcome == "skipped":
            self.skipped += 1
            return
        setattr(self, outcome, getattr(self, outcome) + 1)
        self.queries.append(int(queries))

    def add_result(self, result) -> None:
        """Count one TextAttack ``AttackResult`` (its model queries when attacked)."""
        self.add(attack_outcome(result), result.perturbed_result.num_queries)

    @classmethod
    def merged(cls, parts: Iterable[AttackSummary]) -> AttackSummary:
        """The counts of consecutive blocks of rows added up (queries in block order)."""
        total = cls()
        for part in parts:
            total.succeeded += part.succeeded
            total.failed += part.failed
            total.skipped += part.skipped
            total.queries += part.queries
        return total

    def to_dict(self) -> dict:
        return {
            "success_rate": self.success_rate,
            "ci95": self.rate.to_dict()["ci95"],
            "succeeded": self.succeeded,
            "failed": self.failed,
            "skipped": self.skipped,
            "attacked": self.attacked,
            "mean_queries": self.mean_queries,
        }


@dataclass
class RobustnessReport:
    model: str
    dataset: str
    num_examples: int
    accuracy: float
    correct: int
    antonym: AttackSummary
    antonym_improve_only: AttackSummary
    synonym: AttackSummary | None
    skip_labels: tuple[int, ...]
    seconds: float
    settings: dict = field(default_factory=dict)
    gold_edits: GoldEditReport | None = None
    representation: dict | None = None  # RepresentationProbe output (pull, push, ratio, gap)
    negation: AttackSummary | None = None  # paper definition; None: not evaluated
    negation_improve_only: AttackSummary | None = None

    @property
    def accuracy_rate(self) -> Rate:
        return Rate(self.correct, self.num_examples)

    def to_dict(self) -> dict:
        return {
            "model": self.model,
            "dataset": self.dataset,
            "num_examples": self.num_examples,
            "accuracy": self.accuracy,
            "accuracy_ci95": self.accuracy_rate.to_dict()["ci95"],
            "correct": self.correct,
            "antonym_asr_paper_definition": self.antonym.to_dict(),
            "antonym_asr_improve_only": self.antonym_improve_only.to_dict(),
            "negation_asr_paper_definition": self.negation.to_dict() if self.negation else None,
            "negation_asr_improve_only": (
                self.negation_improve_only.to_dict() if self.negation_improve_only else None
            ),
            "synonym_asr": self.synonym.to_dict() if self.synonym else None,
            "gold_edits": self.gold_edits.to_dict() if self.gold_edits else None,
            "representation": self.representation,
            "skip_labels": list(self.skip_labels),
            "seconds": self.seconds,
            "settings": self.settings,
        }

    def metrics(self) -> dict:
        """Flat numbers for logs and plots; each rate ``k`` also as ``k_ci95`` ([low, high]) and
        ``k_n`` (its denominator)."""
        rates = {
            "accuracy": self.accuracy_rate,
            "antonym_asr": self.antonym.rate,
            "antonym_asr_improve_only": self.antonym_improve_only.rate,
            "negation_asr": self.negation.rate if self.negation else None,
            "negation_asr_improve_only": (
                self.negation_improve_only.rate if self.negation_improve_only else None
            ),
            "synonym_asr": self.synonym.rate if self.synonym else None,
            "gold_edit_kept_rate": self.gold_edits.kept if self.gold_edits else None,
        }
        metrics: dict = {}
        for key, rate in rates.items():
            metrics[key] = rate.value if rate else None
            if rate is not None:
                metrics[f"{key}_ci95"] = rate.to_dict()["ci95"]
                metrics[f"{key}_n"] = rate.trials
        for key in ("pull", "push", "ratio"):
            if self.representation:
                metrics[f"representation_{key}"] = self.representation[key]
        return metrics

    def rows(self) -> list[tuple[str, str, str, str, str, str]]:
        def q(x):
            return "-" if x is None else f"{x:.1f}"

        rows = [("clean accuracy", self.accuracy_rate.format(), "", "", "", "")]
        for name, summary in (
            ("antonym ASR (paper definition)", self.antonym),
            ("antonym ASR (improve-only, authors)", self.antonym_improve_only),
            ("negation ASR (paper definition)", self.negation),
            ("negation ASR (improve-only, authors)", self.negation_improve_only),
            ("synonym ASR", self.synonym),
        ):
            if summary is not None:
                rows.append(
                    (
                        name,
                        summary.rate.format(),
                        str(summary.succeeded),
                        str(summary.failed),
                        str(summary.skipped),
                        q(summary.mean_queries),
                    )
                )
        if self.gold_edits is not None:
            rows += [(name, value, "", "", "", "") for name, value in self.gold_edits.rows()]
        if self.representation is not None:
            r = self.representation
            rows.append(
                (
                    f"representation pull / push ({r['probe_rows']} rows)",
                    f"{r['pull']:.3f} / {r['push']:.3f}",
                    "",
                    "",
                    "",
                    "",
                )
            )
        return rows

    def to_markdown(self) -> str:
        lines = [
            f"Model `{self.model}` on `{self.dataset}`, {self.num_examples} examples "
            f"(skipped labels for the antonym attack: {list(self.skip_labels)}; antonym sense "
            f"policy: {self.settings.get('antonym_senses', '-')}). "
            "Rates: value (count/n, 95% Wilson interval).",
            "",
            "| metric | value | succeeded | failed | skipped | mean queries |",
            "|---|---|---|---|---|---|",
        ]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows()]
        return "\n".join(lines) + "\n"

    def format_table(self) -> str:
        header = ("metric", "value", "succeeded", "failed", "skipped", "mean queries")
        rows = [header, *self.rows()]
        widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows)

    def save(self, output_dir: str | Path, stem: str = "robustness") -> tuple[Path, Path]:
        output_dir = Path(output_dir)
        output_dir.mkdir(parents=True, exist_ok=True)
        json_path, md_path = output_dir / f"{stem}.json", output_dir / f"{stem}.md"
        atomic.write_text(json_path, json.dumps(self.to_dict(), indent=1))
        atomic.write_text(md_path, self.to_markdown())
        return json_path, md_path


def json_setting(value):
    """A setting as recorded in a report: JSON scalars as they are, objects by their repr."""
    return value if value is None or isinstance(value, (str, int, float, bool)) else repr(value)


def attack_outcome(result) -> str:
    """'succeeded' | 'failed' | 'skipped' for a TextAttack ``AttackResult``."""
    if isinstance(result, SuccessfulAttackResult):
        return "succeeded"
    if isinstance(result, SkippedAttackResult):
        return "skipped"
    assert isinstance(result, FailedAttackResult), type(result)
    return "failed"


def predict(model_wrapper, dataset, batch_size: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """Predicted and true labels for every example of ``dataset``."""
    inputs, labels = [], []
    for example, label in dataset:
        inputs.append(example_columns(example))
        labels.append(label)
    return predict_labels(model_wrapper, inputs, batch_size), np.asarray(labels)


def attack_rows(attack, rows, desc: str, progress: bool = True, batch_size: int | None = None):
    """TextAttack ``AttackResult`` of ``attack`` on each (inputs, label) row, in row order.
    ``batch_size`` None or above 1: through the batched engine
    (:class:`~textattack_bat.attack.engine.BatchedAttacker`, the same results); 1: TextAttack's
    one-example-at-a-time loop."""
    if batch_size == 1:
        return [
            attack.attack(attacked_text(inputs), label)
            for inputs, label in tqdm.tqdm(
                rows, desc=desc, disable=not progress, dynamic_ncols=True
            )
        ]
    engine = BatchedAttacker(attack, batch_size=batch_size, progress=progress, desc=desc)
    return engine.attack_rows(rows)


def attack_both_protocols(
    attack, rows, desc: str, progress: bool = True, batch_size: int | None = None
):
    """One pass of an undersensitivity ``attack`` built with
    :class:`GreedyWordSwapWIRProtocols` over ``rows`` ((inputs, label) pairs), through
    :func:`attack_rows`: the paper-definition and improve-only :class:`AttackSummary`."""
    paper, improve_only = AttackSummary(), AttackSummary()
    for result in attack_rows(attack, rows, desc, progress, batch_size):
        outcome = attack_outcome(result)
        if outcome == "skipped":
            paper.add("skipped")
            improve_only.add("skipped")
            continue
        final = result.perturbed_result
        paper.add(outcome, final.paper_queries)
        improve_only.add(
            "succeeded" if final.improve_only_succeeded else "failed", final.improve_only_queries
        )
    return paper, improve_only


def evaluate_robustness(
    model_wrapper,
    dataset,
    num_examples: int | None = None,
    skip_labels: Iterable[int] | None = None,
    synonym: bool = True,
    synonym_options: dict | None = None,
    antonym_options: dict | None = None,
    model_name: str = "",
    dataset_name: str = "",
    progress: bool = True,
    gold_edits=None,
    probe=None,
    synonym_examples: int | None = None,
    negation: bool = False,
    shard: bool = False,
    batch_size: int | None = None,
) -> RobustnessReport:
    """Accuracy, antonym ASR (both protocols) and synonym ASR on the first ``num_examples`` rows
    (the synonym attack on the first ``synonym_examples`` of them, default all); with
    ``negation`` the negation ASR (both protocols, ``negation-under`` with the same skipped labels
    and word ranking as the antonym attack);
    with ``gold_edits`` (a JSONL path or a list of GoldEdit) the gold-edit kept rate, with
    ``probe`` (a :class:`~textattack_bat.evaluation.probe.RepresentationProbe`) the representation
    pull and push.

    With ``shard`` under ``torchrun`` (a started process group, see
    :mod:`textattack_bat.training.distributed`), every process must call this: rank r evaluates
    its contiguous block of the rows (and of the synonym rows), rank 0 alone the gold edits and the
    probe, and every rank returns the merged report, equal to one process's on the same rows
    (only ``seconds`` differs, and ``settings["processes"]`` is added).

    The attacks run through the batched engine (:func:`attack_rows`, the same results as
    TextAttack's loop): ``batch_size`` model inputs per call (None: 64 on CPU, 512 on a GPU); 1:
    TextAttack's one-at-a-time loop."""
    total = len(dataset)
    num_examples = total if num_examples is None else num_examples
    if num_examples > total:
        raise UsageError(
            f"num_examples={num_examples} but the dataset has only {total} rows; pass at most {total}."
        )
    if num_examples <= 0:
        raise UsageError(
            f"num_examples={num_examples}: give a positive number of rows to evaluate."
        )
    if batch_size is not None and batch_size < 1:
        raise UsageError(
            f"batch_size={batch_size}: pass 1 or more (1: TextAttack's one-at-a-time loop)."
        )
    rows = [dataset[i] for i in range(num_examples)]
    skip_labels = default_skip_labels(dataset, skip_labels)
    if synonym and synonym_examples is not None and not 0 < synonym_examples <= num_examples:
        raise UsageError(
            f"synonym_examples={synonym_examples}: pass 1..num_examples ({num_examples})."
        )
    sharded = shard and distributed.is_distributed()
    main = distributed.is_main_process() if sharded else True
    mine = distributed.contiguous_shard(rows) if sharded else rows
    progress = progress and main
    start = time.perf_counter()
    model_wrapper.model.eval()

    predictions, labels = predict(model_wrapper, mine) if mine else ([], [])
    correct = int((np.asarray(predictions) == np.asarray(labels)).sum())

    antonym_options = dict(antonym_options or {})
    wir = resolve_wir_method(model_wrapper, antonym_options.pop("wir_method", "auto"))
    antonym_attack = AntonymUnderChen2022.build(
        model_wrapper,
        skip_labels=skip_labels,
        search_method=GreedyWordSwapWIRProtocols(wir_method=wir),
        **antonym_options,
    )
    summaries: dict[str, AttackSummary | None] = dict.fromkeys(
        ("antonym", "antonym_improve_only", "negation", "negation_improve_only", "synonym")
    )
    summaries["antonym"], summaries["antonym_improve_only"] = attack_both_protocols(
        antonym_attack, mine, "antonym attack", progress, batch_size
    )
    if negation:
        negation_attack = NegationUnderChen2022.build(
            model_wrapper,
            skip_labels=skip_labels,
            search_method=GreedyWordSwapWIRProtocols(wir_method=wir),
        )
        summaries["negation"], summaries["negation_improve_only"] = attack_both_protocols(
            negation_attack, mine, "negation attack", progress, batch_size
        )

    if synonym:
        synonym_attack = SynonymOverChen2022.build(model_wrapper, **(synonym_options or {}))
        synonym_rows = rows[:synonym_examples]
        synonym_summary = summaries["synonym"] = AttackSummary()
        for result in attack_rows(
            synonym_attack,
            distributed.contiguous_shard(synonym_rows) if sharded else synonym_rows,
            "synonym attack",
            progress,
            batch_size,
        ):
            synonym_summary.add_result(result)

    gold = (
        evaluate_gold_edits(model_wrapper, gold_edits) if gold_edits is not None and main else None
    )
    representation = probe(model_wrapper) if probe is not None and main else None
    if sharded:
        parts = distributed.gather_objects((correct, summaries, gold, representation))
        correct = sum(part[0] for part in parts)
        summaries = {
            key: None if value is None else AttackSummary.merged(part[1][key] for part in parts)
            for key, value in summaries.items()
        }
        gold, representation = parts[0][2], parts[0][3]

    return RobustnessReport(
        model=model_name,
        dataset=dataset_name,
        num_examples=num_examples,
        accuracy=correct / num_examples,
        correct=correct,
        antonym=summaries["antonym"],
        antonym_improve_only=summaries["antonym_improve_only"],
        negation=summaries["negation"],
        negation_improve_only=summaries["negation_improve_only"],
        synonym=summaries["synonym"],
        skip_labels=skip_labels,
        seconds=time.perf_counter() - start,
        gold_edits=gold,
        representation=representation,
        settings={
            "antonym_wir_method": wir,
            "antonym_senses": antonym_attack.transformation.senses,
            "negation": bool(negation),
            "synonym": bool(synonym),
            **{f"synonym_{k}": json_setting(v) for k, v in (synonym_options or {}).items()},
            **({"processes": distributed.processes()} if sharded else {}),
        },
    )


class RobustnessCallback:
    """Per-epoch robustness evaluation for the trainers (``epoch_callbacks=[...]``).

    After each epoch, on the same fixed evaluation sample: accuracy and both antonym ASRs (and the
    synonym ASR; with ``negation`` both negation ASRs), each with its 95% interval; the gold-edit kept rate when ``gold_edits`` is given;
    and the representation probe (pull d(x, x_o), push d(x, x_u) on ``probe_examples`` fixed
    rows with fixed copies, built at the first epoch from the trainer's tables, representation
    and distance). Everything is appended to ``robustness_log.json`` and drawn in ``tradeoff.png``
    (ASRs, then pull/push), with ``baseline`` (normal training's metrics) as dashed lines.
    Returns the metrics, which the trainer adds to its history.
    """

    def __init__(
        self,
        dataset,
        num_examples: int,
        skip_labels=None,
        synonym: bool = True,
        synonym_options: dict | None = None,
        baseline: dict | None = None,
        output_dir: str | Path | None = None,
        title: str = "Over/undersensitivity trade-off",
        gold_edits=None,
        probe_examples: int = 200,
        antonym_options: dict | None = None,
        negation: bool = False,
    ):
        self.dataset, self.num_examples = dataset, min(num_examples, len(dataset))
        self.skip_labels, self.synonym, self.synonym_options = skip_labels, synonym, synonym_options
        self.baseline, self.output_dir, self.title = baseline, output_dir, title
        self.gold_edits, self.probe_examples = gold_edits, probe_examples
        self.antonym_options, self.negation = antonym_options, negation
        self.log: list[dict] = []
        self._sentence_encoder = None  # built at the first epoch, then reused with its memo
        self.probe = None  # built at the first epoch from the trainer's tables

    def _epoch_synonym_options(self) -> dict:
        options = dict(self.synonym_options or {})
        kind = options.get("sentence_encoder", "auto")
        if self.synonym and isinstance(kind, str):
            if self._sentence_encoder is None:
                self._sentence_encoder = sentence_encoder(kind)
            options["sentence_encoder"] = self._sentence_encoder
        return options

    def _probe(self, trainer):
        if self.probe is None and self.probe_examples > 0 and hasattr(trainer, "antonym_table"):
            from textattack_bat.evaluation.probe import RepresentationProbe

            rows = [self.dataset[i] for i in range(self.num_examples)]
            skip = default_skip_labels(self.dataset, self.skip_labels)
            args = trainer.training_args
            self.probe = RepresentationProbe(
                [example_columns(inputs) for inputs, _ in rows],
                [label for _, label in rows],
                trainer.synonym_table,
                trainer.antonym_table,
                skip,
                self.probe_examples,
                args.representation,
                args.distance,
                args.max_length,
                seed=args.perturbation_seed,
                senses=args.antonym_senses,
            )
        return self.probe

    def __call__(self, trainer, epoch: int) -> dict:
        from textattack.models.wrappers import HuggingFaceModelWrapper

        from textattack_bat.evaluation.plots import plot_tradeoff
        from textattack_bat.models import DynamicPaddingModelWrapper

        wrapper = trainer.model_wrapper
        if isinstance(wrapper, HuggingFaceModelWrapper) and not isinstance(
            wrapper, DynamicPaddingModelWrapper
        ):
            wrapper = DynamicPaddingModelWrapper(wrapper.model, wrapper.tokenizer)
        report = evaluate_robustness(
            wrapper,
            self.dataset,
            self.num_examples,
            self.skip_labels,
            self.synonym,
            self._epoch_synonym_options(),
            antonym_options=self.antonym_options,
            model_name=f"epoch {epoch}",
            progress=True,
            gold_edits=self.gold_edits,
            probe=self._probe(trainer),
            negation=self.negation,
        )
        metrics = report.metrics()
        output_dir = Path(self.output_dir or trainer.training_args.output_dir)
        if not self.log:  # a resumed run keeps the entries of the epochs it resumed after
            self.log = _earlier_entries(output_dir / "robustness_log.json", trainer.history, epoch)
        self.log.append({"epoch": epoch, **metrics, "report": report.to_dict()})
        output_dir.mkdir(parents=True, exist_ok=True)
        atomic.write_text(output_dir / "robustness_log.json", json.dumps(self.log, indent=1))
        plot_tradeoff(self.log, output_dir / "tradeoff.png", self.baseline, self.title)
        print(f"epoch {epoch} robustness:\n{report.format_table()}")
        return {f"robustness_{k}" if k.startswith("accuracy") else k: v for k, v in metrics.items()}


def _earlier_entries(path: Path, history: list[dict], epoch: int) -> list[dict]:
    """The entries of ``path`` (a robustness log this callback wrote) for the epochs before
    ``epoch`` that the trainer's ``history`` holds: those of the run being resumed."""
    done = {record.get("epoch") for record in history}
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return []
    if not isinstance(entries, list):
        return []
    return [
        entry
        for entry in entries
        if isinstance(entry, dict) and entry.get("epoch") in done and entry["epoch"] < epoch
    ]
