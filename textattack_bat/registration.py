"""How textattack-bat plugs into TextAttack 0.3.x, in one place.

TextAttack has no plugin discovery. Its CLI looks recipes up in
``textattack.attack_args.ATTACK_RECIPE_NAMES`` (argparse ``choices`` is a live view of it) and
builds them with ``eval("<dotted path>.build(model_wrapper)")`` in that module's globals;
``textattack train`` builds ``--attack`` through ``CommandLineTrainingArgs._create_attack_from_args``
and trains with the module-global ``Trainer`` of ``textattack.commands.train_model_command``.

We extend exactly those three points. :mod:`textattack_bat.autoload` calls
:func:`on_module_loaded` when each module is first imported; :func:`register_with_textattack`
does the same for modules that were imported before the hook (e.g. without the ``.pth``).
The canary tests in ``tests/test_registration.py`` fail loudly if these internals move.
"""

from __future__ import annotations

import ast
import sys
import warnings

# CLI name -> dotted path, as TextAttack lists its own recipes.
RECIPE_NAMES: dict[str, str] = {
    "antonym-under": "textattack_bat.recipes.AntonymUnderChen2022",
    "antonym-under-nli": "textattack_bat.recipes.AntonymUnderNLI",
    "antonym-under-qqp": "textattack_bat.recipes.AntonymUnderQQP",
    "antonym-under-improve": "textattack_bat.recipes.AntonymUnderImprove",
    "antonym-under-nli-improve": "textattack_bat.recipes.AntonymUnderNLIImprove",
    "antonym-under-qqp-improve": "textattack_bat.recipes.AntonymUnderQQPImprove",
    "synonym-over": "textattack_bat.recipes.SynonymOverChen2022",
}

# `textattack train --attack NAME`: training methods, not attacks (never in ATTACK_RECIPE_NAMES).
TRAINING_NAMES: tuple[str, ...] = ("bat-triplet", "bat-pairwise", "safer")

ARGS_SPLIT_TOKEN = "^"  # textattack.shared.utils.ARGS_SPLIT_TOKEN

_done: set[str] = set()


def parse_training_method(name: str | None) -> tuple[str, dict] | None:
    """``"bat-triplet^lambda_weight=0.8,margin=1.0"`` -> ``("bat-triplet", {...})``; None if not ours."""
    if not name:
        return None
    method, _, params = name.partition(ARGS_SPLIT_TOKEN)
    if method not in TRAINING_NAMES:
        return None
    return method, _parse_params(params)


def _parse_params(params: str) -> dict:
    if not params.strip():
        return {}
    call = ast.parse(f"f({params})", mode="eval").body
    if not isinstance(call, ast.Call) or call.args:
        raise ValueError(f"Expected key=value pairs after '^', got {params!r}.")
    return {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords}


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

    def Trainer(model_wrapper, task_type="classification", attack=None, train_dataset=None,
                eval_dataset=None, training_args=None):  # fmt: skip
        method = parse_training_method(getattr(training_args, "attack", None))
        if method is None:
            return base_trainer(
                model_wrapper, task_type, attack, train_dataset, eval_dataset, training_args
            )
        from textattack_bat.trainers import trainer_from_command_line

        name, params = method
        return trainer_from_command_line(
            name, params, model_wrapper, task_type, train_dataset, eval_dataset, training_args
        )

    Trainer.base_trainer = base_trainer
    train_model_command.Trainer = Trainer


_PATCHES = {
    "textattack.attack_args": _register_recipes,
    "textattack.training_args": _patch_training_args,
    "textattack.commands.train_model_command": _patch_train_command,
}
