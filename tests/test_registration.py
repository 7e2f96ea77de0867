"""CLI registration through the .pth hook, and canaries for the TextAttack internals it relies on."""

import argparse
import inspect
import multiprocessing
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import script

from textattack_bat.plugin import registration

ROOT = Path(__file__).resolve().parents[1]


def run(*args, env_extra=None, timeout=300):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout, cwd=ROOT)


# ----------------------------------------------------------------- as a user runs it


@pytest.mark.slow
def test_textattack_list_shows_our_recipes_and_opt_out_removes_them():
    listed = run(script("textattack"), "list", "attack-recipes", "--plain")
    assert listed.returncode == 0, listed.stderr
    for name, path in registration.RECIPE_NAMES.items():
        assert f"{name} ({path})" in listed.stdout
    disabled = run(
        script("textattack"),
        "list",
        "attack-recipes",
        "--plain",
        env_extra={"TEXTATTACK_BAT_DISABLE_AUTOLOAD": "1"},
    )
    assert disabled.returncode == 0, disabled.stderr
    assert "textfooler" in disabled.stdout
    assert "antonym-under" not in disabled.stdout


def test_textattack_attack_help_shows_our_recipes():
    helped = run(script("textattack"), "attack", "--help")
    assert helped.returncode == 0, helped.stderr
    assert "antonym-under-nli" in helped.stdout and "negation-under-nli" in helped.stdout


def test_startup_hook_is_lazy_and_idempotent():
    code = (
        "import sys, textattack_bat.plugin.autoload as a; a.install(); a.install();"
        "print(sum(type(f).__name__ == 'TextAttackHook' for f in sys.meta_path),"
        " 'textattack' in sys.modules, 'torch' in sys.modules)"
    )
    out = run(sys.executable, "-c", code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", "False", "False"]
    plain = run(
        sys.executable, "-c", "import sys; print('textattack_bat.plugin.autoload' in sys.modules)"
    )
    assert plain.stdout.strip() == "True", "the .pth file did not load the hook at start-up"


def _recipe_names_in_child(queue):
    from textattack.attack_args import ATTACK_RECIPE_NAMES

    queue.put(sorted(ATTACK_RECIPE_NAMES))


def test_spawned_worker_processes_see_the_recipes():
    # TextAttack's --parallel workers are spawned interpreters: the .pth hook runs in them too.
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_recipe_names_in_child, args=(queue,))
    process.start()
    names = queue.get(timeout=240)
    process.join(timeout=60)
    assert set(registration.RECIPE_NAMES) <= set(names) and "textfooler" in names


@pytest.mark.slow
def test_regular_wheel_ships_the_pth_file(tmp_path):
    built = run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-q",
        "-w",
        str(tmp_path),
        str(ROOT),
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("textattack_bat-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        assert (
            archive.read("textattack_bat.pth").decode().strip()
            == "import textattack_bat.plugin.autoload"
        )
        assert "textattack_bat/data/snli_train_sample.jsonl" in archive.namelist()


def test_training_method_names_parse():
    assert registration.parse_training_method("bat-triplet") == ("bat-triplet", {})
    assert registration.parse_training_method("bat-pairwise^alpha=1.0,beta=1.2") == (
        "bat-pairwise",
        {"alpha": 1.0, "beta": 1.2},
    )
    assert registration.parse_training_method("a2t") is None
    with pytest.raises(ValueError):
        registration.parse_training_method("safer^1.0")


# ----------------------------------------------------------------- canaries: TextAttack internals we use


def test_canary_recipe_table_and_cli_choices():
    from textattack import attack_args

    assert isinstance(attack_args.ATTACK_RECIPE_NAMES, dict)
    assert "textfooler" in attack_args.ATTACK_RECIPE_NAMES
    source = inspect.getsource(attack_args.CommandLineAttackArgs._create_attack_from_args)
    assert (
        'eval(\n                    f"{ATTACK_RECIPE_NAMES[args.attack_recipe]}.build(model_wrapper)"'
        in source
    )
    parser = attack_args.CommandLineAttackArgs._add_parser_args(argparse.ArgumentParser())
    recipe_action = next(a for a in parser._actions if a.dest == "attack_recipe")
    assert "antonym-under-nli" in recipe_action.choices  # a live view of ATTACK_RECIPE_NAMES
    assert attack_args.textattack_bat.attack.recipes.AntonymUnderNLI  # eval'ed in these globals


def test_canary_training_command_and_trainer_hooks():
    from textattack import Trainer, training_args
    from textattack.commands import train_model_command

    run = train_model_command.TrainModelCommand.run
    assert hasattr(run, "__wrapped__")  # our settings check runs first
    assert (
        "Trainer" in run.__wrapped__.__code__.co_names
    )  # TextAttack's run builds the module-global Trainer
    assert train_model_command.Trainer.base_trainer is Trainer  # our factory is installed
    patched = training_args._CommandLineTrainingArgs.__dict__["_create_attack_from_args"]
    assert isinstance(patched, classmethod) and hasattr(patched.__func__, "__wrapped__")
    for hook, params in {
        "get_train_dataloader": ["self", "dataset", "adv_dataset", "batch_size"],
        "training_step": ["self", "model", "tokenizer", "batch"],
        "get_optimizer_and_scheduler": ["self", "model", "num_training_steps"],
        "evaluate_step": ["self", "model", "tokenizer", "batch"],
        "_save_model_checkpoint": ["self", "model", "tokenizer", "step", "epoch", "best", "last"],
    }.items():
        assert list(inspect.signature(getattr(Trainer, hook)).parameters) == params, hook
