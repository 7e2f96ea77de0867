"""How textattack-bat plugs into TextAttack 0.3.x, in one place.

TextAttack has no plugin discovery. Its CLI looks recipes up in
``textattack.attack_args.ATTACK_RECIPE_NAMES`` (argparse ``choices`` is a live view of it) and
builds them with ``eval("<dotted path>.build(model_wrapper)")`` in that module's globals;
``textattack train`` builds ``--attack`` through ``CommandLineTrainingArgs._create_attack_from_args``
and trains with the module-global ``Trainer`` of ``textattack.commands.train_model_command``.

We extend exactly those three points. :mod:`textattack_bat.plugin.autoload` calls
:func:`on_module_loaded` when each module is first imported; :func:`register_with_textattack`
does the same for modules that were imported before the hook (e.g. without the ``.pth``).
The canary tests in ``tests/test_registration.py`` fail loudly if these internals move.
"""

from __future__ import annotations

import ast
import re
import sys
import warnings

from textattack_bat.attack.recipe_names import RECIPE_NAMES  # import-free
from textattack_bat.errors import UsageError
from textattack_bat.training.methods import METHODS  # import-free

ARGS_SPLIT_TOKEN = "^"  # textattack.shared.utils.ARGS_SPLIT_TOKEN

_done: set[str] = set()


class ParameterError(UsageError):
    """A ``NAME^key=value,...`` string that cannot be read (one-line message)."""


def parse_training_method(name: str | None) -> tuple[str, dict] | None:
    """``"bat-triplet^margin=0.5,embedding=glove-counterfitted"`` -> ``("bat-triplet", {...})``;
    None if the name is not one of ours."""
    if not name:
        return None
    method, _, params = name.partition(ARGS_SPLIT_TOKEN)
    if method not in METHODS:  # training methods, never in ATTACK_RECIPE_NAMES
        return None
    return method, _parse_params(method, params)


# A value written without quotes that is read as a string: names and paths.
_BARE_WORD = re.compile(r"[A-Za-z0-9_.~/:+-]+")
_ACCEPTED = (
    "a number (0.5, 1e-5), a word or path (glove-counterfitted, tables/syn.json), a quoted string, "
    "True/False/None, or a tuple/list ((1,) or [1, 2])"
)


def _split_top_level(text: str) -> list[str]:
    """Split on commas outside brackets and quotes."""
    pieces, depth, quote, start = [], 0, None, 0
    for i, char in enumerate(text):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            pieces.append(text[start:i])
            start = i + 1
    pieces.append(text[start:])
    return [p.strip() for p in pieces if p.strip()]


def _parse_value(method: str, key: str, raw: str):
    try:
        return ast.literal_eval(raw)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        if _BARE_WORD.fullmatch(raw):
            return raw
    raise ParameterError(f"{method}^{key}={raw}: cannot read the value {raw!r}; write {_ACCEPTED}.")


def _parse_params(method: str, params: str) -> dict:
    values = {}
    for piece in _split_top_level(params):
        key, equals, raw = piece.partition("=")
        key, raw = key.strip(), raw.strip()
        if not equals or not key.isidentifier() or not raw:
            raise ParameterError(
                f"{method}^{params}: expected key=value pairs separated by commas after '^', "
                f"got {piece!r} (e.g. {method}^margin=0.5,embedding=glove-counterfitted)."
            )
        values[key] = _parse_value(method, key, raw)
    return values


def before_module_exec(fullname: str) -> None:
    if fullname == "textattack":
        from textattack_bat import resources

        resources.prepare_textattack_import()


def on_module_loaded(fullname: str, module) -> None:
    """Extend one freshly imported TextAttack module. Never breaks TextAttack itself."""
    patch = _PATCHES.get(fullname)
    if patch is None or fullname in _done:
        return
    try:
        patch(module)
        _done.add(fullname)
    except Exception as error:  # a broken plugin must not take the textattack CLI down
        warnings.warn(
            f"textattack-bat could not extend {fullname} ({error!r}); its recipes and training "
            "methods are unavailable from the textattack CLI. Set "
            "TEXTATTACK_BAT_DISABLE_AUTOLOAD=1 to silence this.",
            RuntimeWarning,
            stacklevel=2,
        )


def register_with_textattack() -> None:
    """Apply every patch to TextAttack modules that are already imported (idempotent)."""
    for fullname in _PATCHES:
        module = sys.modules.get(fullname)
        if module is not None:
            on_module_loaded(fullname, module)


def _register_recipes(attack_args) -> None:
    import textattack_bat

    attack_args.ATTACK_RECIPE_NAMES.update(RECIPE_NAMES)
    # The dotted paths above are eval'ed in attack_args' globals.
    attack_args.textattack_bat = textattack_bat


def _patch_training_args(training_args) -> None:
    cls = training_args._CommandLineTrainingArgs
    original = cls.__dict__["_create_attack_from_args"].__func__

    def _create_attack_from_args(klass, args, model_wrapper):
        # Our training methods perturb data themselves: no TextAttack attack is built,
        # so the base Trainer's adversarial generation never runs for them.
        if parse_training_method(getattr(args, "attack", None)) is not None:
            return None
        return original(klass, args, model_wrapper)

    _create_attack_from_args.__wrapped__ = original
    cls._create_attack_from_args = classmethod(_create_attack_from_args)


def _patch_train_command(train_model_command) -> None:
    base_trainer = train_model_command.Trainer
    command = train_model_command.TrainModelCommand
    base_run = command.run

    def Trainer(
        model_wrapper,
        task_type="classification",
        attack=None,
        train_dataset=None,
        eval_dataset=None,
        training_args=None,
    ):
        method = parse_training_method(getattr(training_args, "attack", None))
        if method is None:
            return base_trainer(
                model_wrapper, task_type, attack, train_dataset, eval_dataset, training_args
            )
        from textattack_bat.plugin.train_command import trainer_from_command_line

        name, params = method
        return trainer_from_command_line(
            name, params, model_wrapper, task_type, train_dataset, eval_dataset, training_args
        )

    def run(self, args):
        # Check our settings before TextAttack loads the model and data; a bad one ends the
        # command with one line on stderr, not a traceback.
        from textattack_bat.plugin.train_command import (
            SettingError,
            training_args_from_command_line,
        )

        try:
            method = parse_training_method(getattr(args, "attack", None))
            if method is not None:
                training_args_from_command_line(*method, args)
        except (ParameterError, SettingError) as error:
            print(f"textattack train: error: {error}", file=sys.stderr)
            raise SystemExit(2) from None  # a usage error, as argparse reports them
        try:
            return base_run(self, args)
        except UsageError as error:  # ours, found once the trainer sees the data and folder
            print(f"textattack train: error: {error}", file=sys.stderr)
            raise SystemExit(2) from None

    Trainer.base_trainer = base_trainer
    run.__wrapped__ = base_run
    train_model_command.Trainer = Trainer
    command.run = run


def _patch_attack_command(attack_command) -> None:
    command = attack_command.AttackCommand
    base_run = command.run

    def run(self, args):
        try:
            return base_run(self, args)
        except UsageError as error:  # a bad input to one of our recipes: one line, exit 2
            print(f"textattack attack: error: {error}", file=sys.stderr)
            raise SystemExit(2) from None

    run.__wrapped__ = base_run
    command.run = run


_PATCHES = {
    "textattack.attack_args": _register_recipes,
    "textattack.training_args": _patch_training_args,
    "textattack.commands.train_model_command": _patch_train_command,
    "textattack.commands.attack_command": _patch_attack_command,
}
