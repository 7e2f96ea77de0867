"""The ``textattack-bat`` console script: ``doctor``, ``evaluate``, ``build-sense-table``,
``build-tables``, ``demo``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from textattack_bat.errors import UsageError
from textattack_bat.lexicon.senses import DEFAULT_SENSES, SENSE_POLICIES, TABLE_MIN_ROWS
from textattack_bat.lexicon.synonym_filters import DEFAULT_FILTERS


def _doctor(args: argparse.Namespace) -> int:
    from textattack_bat import resources
    from textattack_bat.plugin import autoload

    rows = resources.report()
    table = _sense_table_status()
    width = max(len(row.name) for row in rows)
    marks = max([len(row.mark or "MISSING") for row in rows] + [len(table[0])])
    print(
        f"textattack-bat resources (offline mode: {'yes' if resources.is_offline() else 'no'}; "
        f"network: {_network(resources)}; "
        f"CLI autoload: {'disabled' if autoload.is_disabled() else 'enabled'})"
    )
    for row in rows:
        mark = row.mark or ("found" if row.found else "MISSING")
        print(f"  {row.name:<{width}}  {mark:<{marks}}  {row.where}")
        if not row.found and row.fix:
            print(f"  {'':<{width}}  {'':<{marks}}  fix: {row.fix}")
    print(f"  {'sense-description-table':<{width}}  {table[0]:<{marks}}  {table[1]}")
    required = [row for row in rows if row.name.startswith("nltk:") and not row.found]
    return 1 if required else 0


def _sense_table_status() -> tuple[str, str]:
    """Doctor's word and line for the context policy's cached sense descriptions."""
    from textattack_bat import resources
    from textattack_bat.lexicon.senses import description_table_path

    try:
        path = description_table_path()
    except resources.ResourceNotFoundError:
        return "MISSING", "needs the MiniLM encoder (above)"
    if path.is_file():
        return "found", str(path)
    return "not built", (
        "built by `textattack-bat build-sense-table` (once, minutes on a CPU) or by `evaluate` "
        f"and BAT training on {TABLE_MIN_ROWS}+ rows; until then descriptions are encoded as needed"
    )


def _data_path(args: argparse.Namespace) -> int:
    """The path of a shipped data file, or every shipped file with its path."""
    from textattack_bat.datasets import SHIPPED, shipped_path

    if args.name:
        print(shipped_path(args.name))
        return 0
    for name in SHIPPED:
        print(f"{name:<30} {shipped_path(name)}")
    return 0


def _build_sense_table(args: argparse.Namespace) -> int:
    import time

    from textattack_bat.lexicon.senses import ContextSenses, description_table_path

    set_device(args.device)
    start = time.perf_counter()
    count = ContextSenses().build_table()
    print(
        f"{count} sense descriptions in {description_table_path()} "
        f"({time.perf_counter() - start:.0f} s)"
    )
    return 0


def set_device(name: str) -> str:
    """Point TextAttack (and so every model we load) at ``name``: auto, cpu, cuda, cuda:1, ..."""
    from textattack_bat.resources import use_device

    return str(use_device(name))


def load_dataset_arg(dataset: str | None, dataset_from_file: str | None, split: str | None):
    """A dataset from ``--dataset NAME[^SUBSET]`` (Hugging Face) or ``--dataset-from-file``
    (a JSON Lines file, or a TextAttack dataset file ``file.py[^variable]``)."""
    import textattack

    from textattack_bat import resources
    from textattack_bat.datasets import load_jsonl_dataset
    from textattack_bat.tasks import task_for_hub

    if dataset_from_file:
        path, _, variable = dataset_from_file.partition("^")
        if path.endswith(".py"):
            module = textattack.shared.utils.load_module_from_file(path)
            name = variable or "dataset"
            if not hasattr(module, name):
                raise UsageError(
                    f"{path} defines no variable {name!r}: give --dataset-from-file "
                    f"{path}^VARIABLE with a variable it defines."
                )
            return getattr(module, name), dataset_from_file
        return load_jsonl_dataset(path), path
    if not dataset:
        raise UsageError(
            "no dataset: give --dataset NAME[^SUBSET] (Hugging Face) or --dataset-from-file FILE."
        )
    name, _, subset = dataset.partition("^")
    task = task_for_hub(name, subset)
    split = split or (task.eval_split if task else "validation")
    try:
        loaded = textattack.datasets.HuggingFaceDataset(name, subset or None, split=split)
    except Exception as error:
        if resources.is_offline():
            raise resources.ResourceNotFoundError(
                f"Hugging Face dataset {dataset} ({split})",
                ["Hugging Face datasets cache (offline mode)"],
                "use --dataset-from-file with a local JSON Lines file, or go online once",
            ) from error
        raise
    return loaded, f"{dataset} ({split})"


def _evaluate(args: argparse.Namespace) -> int:
    """Under ``torchrun`` each process evaluates its block of the rows on its device (with
    ``--device auto``) and rank 0 writes the merged report."""
    from textattack_bat.training import distributed

    process_device = distributed.setup()
    try:
        return _evaluate_here(args, process_device)
    finally:
        distributed.teardown()


def _evaluate_here(args: argparse.Namespace, process_device) -> int:
    from textattack_bat.evaluation.robustness import evaluate_robustness
    from textattack_bat.lexicon.senses import ContextSenses, wants_table
    from textattack_bat.models import load_classifier
    from textattack_bat.training import distributed

    _check_numbers(args, {"num_examples": ("--num-examples", 1), "batch_size": ("--batch-size", 1)})
    _check_output_dir(args.output_dir, "--output-dir")
    auto = args.device == "auto" and process_device is not None
    device = set_device(str(process_device) if auto else args.device)
    dataset, dataset_name = load_dataset_arg(
        args.dataset, args.dataset_from_file, args.dataset_split
    )
    num_labels = len(dataset.label_names) if getattr(dataset, "label_names", None) else None
    model = load_classifier(args.model, num_labels=num_labels)
    rows = min(args.num_examples, len(dataset))
    if wants_table(args.antonym_senses, rows):
        distributed.main_process_first(ContextSenses().build_table)
    synonym_options = {
        "embedding": args.embedding,
        "sentence_encoder": None if args.sentence_encoder == "none" else args.sentence_encoder,
    }
    report = evaluate_robustness(
        model,
        dataset,
        args.num_examples,
        args.skip_labels,
        synonym=not args.no_synonym,
        synonym_options=synonym_options,
        antonym_options={"senses": args.antonym_senses},
        model_name=str(args.model),
        dataset_name=dataset_name,
        gold_edits=args.gold_edits,
        negation=not args.no_negation,
        shard=True,
        batch_size=args.batch_size,
    )
    report.settings["device"] = device
    if not distributed.is_main_process():
        return 0
    json_path, md_path = report.save(args.output_dir)
    print(report.format_table())
    print(f"\nwrote {json_path} and {md_path}")
    return 0


def _check_numbers(args: argparse.Namespace, least: dict[str, tuple[str, int]]) -> None:
    """Each ``args.NAME`` given (not None) at least its bound, or a usage error naming the flag."""
    for name, (flag, bound) in least.items():
        value = getattr(args, name, None)
        if value is not None and value < bound:
            raise UsageError(f"{flag} {value}: give an integer >= {bound}.")


def _check_output_dir(path: str, flag: str) -> None:
    """An output folder that is not an existing file (checked before any work)."""
    if Path(path).exists() and not Path(path).is_dir():
        raise UsageError(f"{flag} {path} is a file; give a folder (it is created if missing).")


def _build_tables(args: argparse.Namespace) -> int:
    import time

    from textattack_bat.lexicon.synonym_filters import build_filters
    from textattack_bat.lexicon.tables import (
        build_antonym_table,
        build_synonym_table,
        dataset_texts,
        load_embedding,
        resolve_embedding_name,
        vocabulary,
    )

    _check_numbers(args, {"k": ("--k", 1), "top_components": ("--top-components", 0)})
    if not -1 <= args.threshold <= 1:
        raise UsageError(f"--threshold {args.threshold}: a cosine, give a value in [-1, 1].")
    names = [] if args.filters.strip() == "none" else args.filters.split(",")
    filters = build_filters(f.strip() for f in names if f.strip())  # an unknown one: one line
    _check_output_dir(args.out, "--out")
    set_device(args.device)
    dataset, name = load_dataset_arg(None, args.dataset_from_file, None)
    words = vocabulary(dataset_texts(dataset))
    out = Path(args.out)
    start = time.perf_counter()
    resolved = resolve_embedding_name(args.embedding)
    if args.embedding == "auto":
        why = "reachable" if resolved == "counter-fitted" else "not reachable offline"
        print(f"--embedding auto: TextAttack's counter-fitted vectors are {why}; using {resolved}")
    embedding = load_embedding(resolved, vocab=args.vocab)
    print(f"synonym source: {embedding.source}")
    synonyms = build_synonym_table(
        words,
        embedding,
        threshold=args.threshold,
        k=args.k,
        filters=filters,
        top_components=args.top_components,
        group_components=args.group_components,
        vocabulary_source=name,
        progress=True,
    )
    antonyms = build_antonym_table(
        words,
        vocabulary_source=name,
        progress=True,
        senses=args.antonym_senses,
        sentences=dataset_texts(dataset),
    )
    stats = synonyms.metadata["statistics"]
    print(
        f"synonym sets: {stats['with_candidates']:.1%} of {stats['words']} words have one, "
        f"mean size {stats['mean_set_size']:.2f}; WordNet synonyms {stats['wordnet_synonym_share']:.1%}, "
        f"antonyms {stats['antonym_share']:.1%}, function words {stats['function_word_share']:.1%} "
        f"of the candidates"
    )
    synonyms.save(out / "synonyms.json")
    antonyms.save(out / "antonyms.json")
    print(
        f"{len(words)} words from {name}; synonyms for {sum(bool(v) for v in synonyms.values())} "
        f"(source {embedding.source}), antonyms for {len(antonyms)}; {time.perf_counter() - start:.1f} s"
    )
    print(f"wrote {out / 'synonyms.json'} and {out / 'antonyms.json'}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from textattack_bat.demo import run_demo

    run_demo(
        train_size=args.train_size,
        eval_size=args.eval_size,
        attack_examples=args.attack_examples,
        synonym_examples=args.synonym_examples,
        epochs=args.epochs,
        warm_start_epochs=args.warm_start_epochs,
        output_dir=args.output_dir,
        device=set_device(args.device),
        seed=args.seed,
        negation=args.negation,
    )
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse with whole flags only (no abbreviations) and a usage error on one line."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{**kwargs, "allow_abbrev": False})

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="textattack-bat",
        description="Over/undersensitivity attacks and Balanced Adversarial Training for TextAttack.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    doctor = commands.add_parser("doctor", help="show which resources were found where")
    doctor.set_defaults(func=_doctor)

    evaluate = commands.add_parser(
        "evaluate",
        help="accuracy, antonym and negation ASR (both protocols) and synonym ASR",
    )
    evaluate.add_argument("--model", required=True, help="model directory or Hugging Face hub name")
    source = evaluate.add_mutually_exclusive_group(required=True)
    source.add_argument("--dataset", help="Hugging Face dataset NAME[^SUBSET], e.g. glue^mnli")
    source.add_argument(
        "--dataset-from-file", help="JSON Lines file, or a TextAttack dataset file FILE.py[^VAR]"
    )
    evaluate.add_argument(
        "--dataset-split", help="split of --dataset (glue^mnli: validation_matched)"
    )
    evaluate.add_argument(
        "--num-examples", type=int, default=100, help="first N rows of the dataset"
    )
    evaluate.add_argument(
        "--batch-size",
        type=int,
        help="model inputs per call of the batched attack engine (default 64 on CPU, 512 on a "
        "GPU; 1: TextAttack's one-example-at-a-time loop); results do not depend on it",
    )
    evaluate.add_argument(
        "--skip-labels",
        type=int,
        nargs="*",
        help="labels the antonym attack skips "
        "(default from label names: NLI neutral, QQP not_duplicate)",
    )
    evaluate.add_argument(
        "--no-synonym", action="store_true", help="skip the (slower) synonym attack"
    )
    evaluate.add_argument(
        "--no-negation",
        action="store_true",
        help="skip the negation attack (negation-under: one negation inserted or removed)",
    )
    evaluate.add_argument(
        "--embedding",
        default="auto",
        help="synonym source: auto, counter-fitted, glove, glove-counterfitted or a file",
    )
    evaluate.add_argument(
        "--sentence-encoder", default="auto", choices=["auto", "use", "sbert", "none"]
    )
    evaluate.add_argument(
        "--gold-edits",
        metavar="FILE",
        help="JSON Lines of human label-changing edits "
        "(premise, hypothesis, label, edited_label, and edited_hypothesis and/or "
        "edited_premise): accuracy on originals and edits, and the kept rate (overall and per "
        "edited side)",
    )
    evaluate.add_argument(
        "--antonym-senses",
        choices=SENSE_POLICIES,
        default=DEFAULT_SENSES,
        help="which senses of a word in its sentence give antonyms (default: %(default)s)",
    )
    evaluate.add_argument("--output-dir", default="robustness-output")
    evaluate.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N")
    evaluate.set_defaults(func=_evaluate)

    data_path = commands.add_parser(
        "data-path",
        help="print the path of a data file shipped in the package (for --dataset-from-file)",
    )
    data_path.add_argument(
        "name", nargs="?", help="a shipped file; none: list them with their paths"
    )
    data_path.set_defaults(func=_data_path)

    sense_table = commands.add_parser(
        "build-sense-table",
        help="encode the context sense policy's WordNet sense descriptions once (cached)",
    )
    sense_table.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N")
    sense_table.set_defaults(func=_build_sense_table)

    tables = commands.add_parser(
        "build-tables", help="synonym and antonym tables (JSON) for a dataset's vocabulary"
    )
    tables.add_argument(
        "--dataset-from-file", required=True, help="JSON Lines file, or FILE.py[^VAR]"
    )
    tables.add_argument(
        "--embedding",
        default="auto",
        help="auto, counter-fitted, glove, glove-counterfitted, "
        "a GloVe/word2vec text file or a .npy",
    )
    tables.add_argument(
        "--vocab", help="vocabulary of a .npy embedding (one word per line, or a JSON list)"
    )
    tables.add_argument(
        "--threshold", type=float, default=0.8, help="least cosine of a synonym (default 0.8)"
    )
    tables.add_argument("--k", type=int, default=50, help="most synonyms per word (default 50)")
    tables.add_argument(
        "--filters",
        default=",".join(DEFAULT_FILTERS),
        help="comma-separated synonym filters, or none (default: %(default)s)",
    )
    tables.add_argument(
        "--top-components", type=int, default=0, help="remove this many top principal components"
    )
    tables.add_argument(
        "--group-components", action="store_true", help="connected components capped at 100 words"
    )
    tables.add_argument(
        "--antonym-senses",
        choices=SENSE_POLICIES,
        default=None,
        help="keep a word's antonym only if some sentence of the dataset uses a sense that "
        "gives it (slow: every sentence is scored); default: every sense, as the attack "
        "and the BAT sampler apply their policy per sentence anyway",
    )
    tables.add_argument("--out", required=True, help="output directory")
    tables.add_argument(
        "--device",
        default="auto",
        help="where neighbours and counter-fitting run: auto, cpu, cuda, cuda:N",
    )
    tables.set_defaults(func=_build_tables)

    demo = commands.add_parser(
        "demo",
        help="normal, SAFER and BAT training on shipped NLI rows: both sensitivities, plotted",
    )
    demo.add_argument(
        "--train-size", type=int, default=3000, help="shipped SNLI training rows (at most 3000)"
    )
    demo.add_argument(
        "--eval-size", type=int, default=1000, help="held-out rows for clean accuracy"
    )
    demo.add_argument(
        "--attack-examples",
        type=int,
        default=1000,
        help="held-out rows attacked with antonyms per model (about 500 attacked)",
    )
    demo.add_argument(
        "--synonym-examples",
        type=int,
        default=None,
        help="the first of those attacked with synonyms (default: 300, about 220 attacked: "
        "+-6 points; at most --attack-examples)",
    )
    demo.add_argument(
        "--epochs",
        type=int,
        default=4,
        help="epochs in all: the shared warm start, then each arm (default %(default)s)",
    )
    demo.add_argument(
        "--warm-start-epochs",
        type=int,
        default=2,
        help="shared cross-entropy epochs before the arms (default %(default)s)",
    )
    demo.add_argument(
        "--negation",
        action="store_true",
        help="also attack each arm with negation-under (both protocols): a column of the table",
    )
    demo.add_argument("--output-dir", default="demo-output")
    demo.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N")
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(func=_demo)
    return parser


def _network(resources) -> str:
    """What ``auto`` choices will find: whether TextAttack's S3 answers (not asked offline)."""
    if resources.is_offline():
        return "not used"
    reached = resources.reachable(resources.TEXTATTACK_S3)
    return f"{resources.TEXTATTACK_S3} {'reachable' if reached else 'unreachable'}"


def main(argv: list[str] | None = None) -> int:
    from textattack_bat.resources import ResourceNotFoundError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (UsageError, ResourceNotFoundError) as error:  # anything else is a bug: traceback
        print(f"textattack-bat {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
