"""``textattack train --attack bat-triplet|bat-pairwise|safer[^key=value,...]``: from TextAttack's
command-line arguments to this package's trainers (the CLI layer; the trainers only train).

The paper's hyperparameters are :class:`~textattack_bat.training.trainers.BATTrainingArgs`' own defaults
(lr 2e-5, batch 32, no warm-up, weight decay 0, no clean epoch); :func:`paper_defaults` applies
those that differ from TextAttack's CLI defaults, plus SAFER's (lr 3e-5, batch 8, 15 epochs), to
every flag the user did not give.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import MISSING, fields
from pathlib import Path

import textattack
from textattack.shared import logger

from textattack_bat.evaluation.robustness import RobustnessCallback
from textattack_bat.training.arguments import BATTrainingArgs, SettingError
from textattack_bat.training.trainers import BATTrainer, PerturbationTrainer, SAFERTrainer

# What SAFER's runs in the paper changed beyond BAT's defaults (BAT_REFERENCE section 3).
METHOD_DEFAULTS: dict[str, dict] = {
    "safer": {"learning_rate": 3e-5, "per_device_train_batch_size": 8, "num_epochs": 15},
}


def paper_defaults(method: str) -> dict:
    """TrainingArgs fields whose BATTrainingArgs default differs from TextAttack's, plus the
    method's own (``METHOD_DEFAULTS``): the values a flag not given takes."""
    base = {f.name: f.default for f in fields(textattack.TrainingArgs) if f.default is not MISSING}
    ours = {
        f.name: f.default
        for f in fields(BATTrainingArgs)
        if f.name in base and f.default is not MISSING
    }
    defaults = {name: value for name, value in ours.items() if value != base[name]}
    defaults.update(METHOD_DEFAULTS.get(method, {}))
    return defaults


CONFIG_ENV = "TEXTATTACK_BAT_TRAIN_CONFIG"


@functools.cache
def train_options() -> dict[str, str]:
    """Every option string of ``textattack train`` -> the field it sets (``--lr`` ->
    learning_rate), read from TextAttack's own parser."""
    from textattack.commands.train_model_command import TrainModelCommand

    commands = argparse.ArgumentParser().add_subparsers()
    TrainModelCommand.register_subcommand(commands)
    train = commands.choices["train"]
    return {option: action.dest for action in train._actions for option in action.option_strings}


def explicit_flags(argv: Sequence[str]) -> set[str]:
    """The fields the user's flags set (``--learning-rate`` and ``--lr`` -> learning_rate). An
    abbreviated flag (``--learning``, which argparse would take) raises :class:`SettingError`:
    the paper preset must know which flags were given."""
    options = train_options()
    names = set()
    for token in argv:
        if not token.startswith("--"):
            continue
        flag = token.split("=", 1)[0]
        if flag in options:
            names.add(options[flag])
            continue
        longer = sorted(option for option in options if option.startswith(flag))
        if longer:
            raise SettingError(f"{flag} is an abbreviation: write {' or '.join(longer)} in full.")
    return names


def training_args_from_command_line(
    name: str, params: dict, command_line_args, argv: Sequence[str] | None = None
) -> BATTrainingArgs:
    """The ``BATTrainingArgs`` of ``textattack train --attack NAME[^key=value,...]``.

    Precedence (lowest first): TextAttack's flag defaults < the method's paper preset (for flags
    not given) < a JSON config file named by ``$TEXTATTACK_BAT_TRAIN_CONFIG`` < flags given
    explicitly < ``^key=value`` parameters of the name. Bad settings raise :class:`SettingError`.
    """
    argv = sys.argv[1:] if argv is None else argv
    given = explicit_flags(argv)
    base_fields = {f.name for f in fields(textattack.TrainingArgs)}
    ours = {f.name for f in fields(BATTrainingArgs)}
    values = {
        k: getattr(command_line_args, k) for k in base_fields if hasattr(command_line_args, k)
    }
    applied = {k: v for k, v in paper_defaults(name).items() if k not in given}
    values.update(applied)
    config = _read_config(os.environ.get(CONFIG_ENV))
    values.update({k: v for k, v in config.items() if k not in given})
    values.update(
        {
            k: getattr(command_line_args, k)
            for k in given
            if k in base_fields and hasattr(command_line_args, k)
        }
    )
    unknown = sorted((set(params) | set(config)) - ours)
    if unknown:
        raise SettingError(
            f"Unknown {name} setting(s) {unknown}; valid: {sorted(ours - base_fields)} and TextAttack's TrainingArgs."
        )
    values.update(params)
    if getattr(command_line_args, "model_max_length", None) and "max_length" not in params:
        values["max_length"] = command_line_args.model_max_length
    values["method"] = name
    if applied:
        logger.info(
            f"{name} preset (paper) for flags not given: "
            + ", ".join(f"{k}={v}" for k, v in applied.items())
        )
    return BATTrainingArgs(**values)


def _read_config(path: str | None) -> dict:
    if not path:
        return {}
    try:
        config = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise SettingError(
            f"${CONFIG_ENV}={path}: no such file; point it at a JSON object of BATTrainingArgs fields."
        ) from None
    except json.JSONDecodeError as error:
        raise SettingError(
            f"${CONFIG_ENV}={path}: not valid JSON ({error.msg}, line {error.lineno})."
        ) from None
    if not isinstance(config, dict):
        raise SettingError(
            f"${CONFIG_ENV}={path}: expected a JSON object of BATTrainingArgs fields."
        )
    return config


def trainer_from_command_line(
    name: str,
    params: dict,
    model_wrapper,
    task_type,
    train_dataset,
    eval_dataset,
    command_line_args,
    argv: Sequence[str] | None = None,
) -> PerturbationTrainer:
    """Build the trainer for ``textattack train --attack NAME[^key=value,...]`` (settings as
    :func:`training_args_from_command_line`)."""
    args = training_args_from_command_line(name, params, command_line_args, argv)
    callbacks = []
    if args.robustness_eval_examples > 0:
        if eval_dataset is None:
            raise SettingError(
                "robustness_eval_examples > 0 needs an evaluation dataset (--dataset-from-file ...)."
            )
        callbacks.append(
            RobustnessCallback(
                eval_dataset,
                args.robustness_eval_examples,
                args.skip_labels,
                synonym=args.robustness_eval_synonym,
                gold_edits=args.robustness_eval_gold_edits,
                antonym_options={"senses": args.antonym_senses},
                negation=args.robustness_eval_negation,
            )
        )
    trainer_class = SAFERTrainer if name == "safer" else BATTrainer
    return trainer_class(
        model_wrapper, task_type, train_dataset, eval_dataset, args, epoch_callbacks=callbacks
    )
