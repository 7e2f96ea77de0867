"""Training settings: `NAME^key=value` parsing and BATTrainingArgs validation (issue 16).

Expected values are written by hand; bad values must fail with one line naming the setting, the
value and what is allowed, from the Python API, the JSON config file and the textattack CLI.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import script

from textattack_bat.plugin.registration import ParameterError, parse_training_method
from textattack_bat.plugin.train_command import CONFIG_ENV, training_args_from_command_line
from textattack_bat.training.arguments import BATTrainingArgs, SettingError

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("bat-triplet^embedding=glove-counterfitted", {"embedding": "glove-counterfitted"}),
        ("bat-triplet^embedding='glove-counterfitted'", {"embedding": "glove-counterfitted"}),
        (
            "bat-triplet^representation=mean,distance=euclidean",
            {"representation": "mean", "distance": "euclidean"},
        ),
        ("bat-pairwise^pairwise_beta=1.0,margin=0.5", {"pairwise_beta": 1.0, "margin": 0.5}),
        ("bat-triplet^skip_labels=(1, 2),resume=False", {"skip_labels": (1, 2), "resume": False}),
        ("safer^synonym_table=tables/synonyms.json", {"synonym_table": "tables/synonyms.json"}),
        ("bat-triplet^learning_rate=1e-5", {"learning_rate": 1e-5}),
        ("bat-triplet", {}),
    ],
)
def test_values_are_read_as_written(text, expected):
    name = text.partition("^")[0]
    assert parse_training_method(text) == (name, expected)


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("safer^1.0", "expected key=value pairs"),
        ("bat-triplet^margin=1 2", "cannot read the value '1 2'"),
        ("bat-triplet^skip_labels=(1,", "cannot read the value '(1,'"),
        ("bat-triplet^margin=", "expected key=value pairs"),
    ],
)
def test_unreadable_values_name_key_value_and_forms(text, fragment):
    with pytest.raises(ParameterError) as error:
        parse_training_method(text)
    message = str(error.value)
    assert fragment in message and "\n" not in message


BAD = [
    ("margin", -1, "margin=-1 is not allowed: use a number > 0"),
    ("margin", 0, "margin=0 is not allowed"),
    ("triplet_lambda", -0.5, "triplet_lambda=-0.5 is not allowed: use a number >= 0"),
    ("pairwise_alpha", -1.0, "pairwise_alpha=-1.0 is not allowed"),
    ("pairwise_beta", float("nan"), "pairwise_beta=nan is not allowed"),
    ("distance", "manhattan", "distance='manhattan' is not allowed: use one of cosine, euclidean"),
    (
        "representation",
        "last",
        "representation='last' is not allowed: use one of cls, mean, pooler",
    ),
    ("method", "bat", "method='bat' is not allowed: use one of bat-triplet, bat-pairwise, safer"),
    ("embedding", "glove-counterfited", "embedding='glove-counterfited' is not allowed"),
    ("synonym_table", "no/such/table.json", "synonym_table='no/such/table.json' is not allowed"),
    ("antonym_table", "missing.json", "antonym_table='missing.json' is not allowed"),
    ("max_length", 0, "max_length=0 is not allowed: use an integer > 0"),
    ("max_length", "64", "max_length='64' is not allowed"),
    ("synonym_max_words", 0, "synonym_max_words=0 is not allowed"),
    ("margin", "1", "margin='1' is not allowed"),
    (
        "antonym_senses",
        "wsd",
        "antonym_senses='wsd' is not allowed: use one of all, first-sense, lesk, context",
    ),
    (
        "negative_source",
        "negations",
        "negative_source='negations' is not allowed: use one of antonym, negation, both",
    ),
]


@pytest.mark.parametrize(
    "source,mining",
    [
        ("negation", {"negative_mining": "hardest"}),
        ("both", {"labelled_negative_weight": 0.5}),
    ],
)
def test_negation_negatives_refuse_antonym_only_options(tmp_path, source, mining):
    with pytest.raises(SettingError) as error:
        BATTrainingArgs(output_dir=str(tmp_path), negative_source=source, **mining)
    message = str(error.value)
    assert (
        message.startswith(f"negative_source={source!r} does not go with") and "\n" not in message
    )
    assert "use negative_source='antonym'" in message
    args = BATTrainingArgs(output_dir=str(tmp_path), negative_source=source)  # random: fine
    assert args.negative_source == source and not args.mines_negatives


@pytest.mark.parametrize("field,value,message", BAD)
def test_python_api_rejects_bad_values(tmp_path, field, value, message):
    with pytest.raises(SettingError) as error:
        BATTrainingArgs(output_dir=str(tmp_path), **{field: value})
    assert str(error.value).startswith(message) and "\n" not in str(error.value)


def test_good_values_pass(tmp_path):
    table = tmp_path / "syn.json"
    table.write_text("{}")
    args = BATTrainingArgs(
        output_dir=str(tmp_path),
        margin=0.5,
        triplet_lambda=0,
        pairwise_beta=3,
        distance="euclidean",
        representation="mean",
        embedding="glove-counterfitted",
        synonym_table=str(table),
        max_length=64,
        synonym_max_words=1,
    )
    assert (args.margin, args.triplet_lambda, args.synonym_max_words) == (0.5, 0, 1)


def _cli_namespace(tmp_path, argv):
    """TextAttack's own `textattack train` parser applied to ``argv``."""
    import argparse

    from textattack.training_args import CommandLineTrainingArgs

    parser = CommandLineTrainingArgs._add_parser_args(argparse.ArgumentParser())
    return parser.parse_args(argv + ["--output-dir", str(tmp_path)])


def test_readme_examples_with_string_values(tmp_path):
    argv = [
        "--model-name-or-path",
        "m",
        "--model-num-labels",
        "3",
        "--dataset-from-file",
        "recipes/datasets.py",
        "--attack",
        "bat-triplet^embedding=glove-counterfitted,representation=mean,negative_source=both",
    ]
    cli = _cli_namespace(tmp_path, argv)
    args = training_args_from_command_line(*parse_training_method(cli.attack), cli, argv=argv)
    assert (args.embedding, args.representation, args.method, args.negative_source) == (
        "glove-counterfitted",
        "mean",
        "bat-triplet",
        "both",
    )


def test_json_config_file_is_validated_too(tmp_path, monkeypatch):
    config = tmp_path / "bat.json"
    config.write_text(json.dumps({"margin": -2}))
    monkeypatch.setenv(CONFIG_ENV, str(config))
    cli = _cli_namespace(tmp_path, ["--model-name-or-path", "m", "--dataset-from-file", "d.py"])
    with pytest.raises(SettingError, match=r"^margin=-2 is not allowed"):
        training_args_from_command_line("bat-triplet", {}, cli, argv=[])
    config.write_text("{margin: 1}")
    with pytest.raises(SettingError, match="not valid JSON"):
        training_args_from_command_line("bat-triplet", {}, cli, argv=[])


CLI_BAD = [
    ("bat-triplet^margin=-1", "textattack train: error: margin=-1 is not allowed"),
    ("bat-triplet^triplet_lambda=-1", "textattack train: error: triplet_lambda=-1 is not allowed"),
    ("bat-pairwise^pairwise_alpha=-1", "textattack train: error: pairwise_alpha=-1 is not allowed"),
    (
        "bat-triplet^distance=manhattan",
        "textattack train: error: distance='manhattan' is not allowed",
    ),
    (
        "bat-triplet^embedding=glove-counterfited",
        "textattack train: error: embedding='glove-counterfited'",
    ),
    ("bat-triplet^max_length=0", "textattack train: error: max_length=0 is not allowed"),
    (
        "bat-triplet^antonym_table=missing.json",
        "textattack train: error: antonym_table='missing.json'",
    ),
    (
        "bat-triplet^margin=1 2",
        "textattack train: error: bat-triplet^margin=1 2: cannot read the value",
    ),
]


@pytest.mark.slow
def test_cli_rejects_bad_values_with_one_line(tmp_path, monkeypatch, capsys):
    """Each bad value through `textattack train`: exit status 2, one line on stderr, no
    traceback, and the model is never loaded (the path does not exist). The first in its own
    process, as a user runs it; every one through TextAttack's CLI entry point in this process
    (the same patched command, without a process start each)."""
    from textattack.commands.textattack_cli import main as textattack_main

    def argv(attack):
        return ["textattack", "train", "--model-name-or-path", str(tmp_path / "no-model"),
                "--model-num-labels", "3", "--dataset-from-file", "recipes/datasets.py",
                "--attack", attack, "--output-dir", str(tmp_path / "out")]  # fmt: skip

    def last_line(stderr):
        return [line for line in stderr.splitlines() if line.strip() and "Warning" not in line][-1]

    env = {**os.environ, "TEXTATTACK_BAT_SHARED": str(ROOT.parent / "shared")}
    attack, message = CLI_BAD[0]
    result = subprocess.run(
        [script("textattack"), *argv(attack)[1:]], capture_output=True, text=True, env=env,
        cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and last_line(result.stderr).startswith(message)

    monkeypatch.chdir(ROOT)
    for attack, message in CLI_BAD:
        monkeypatch.setattr(sys, "argv", argv(attack))
        with pytest.raises(SystemExit) as exit_info:
            textattack_main()
        assert exit_info.value.code == 2, attack
        assert last_line(capsys.readouterr().err).startswith(message), attack
        assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "argv,fragment",
    [
        (
            ["--epochs", "2", "--warm-start-epochs", "2"],
            "--epochs 2: must exceed --warm-start-epochs 2",
        ),
        (["--epochs", "3", "--warm-start-epochs", "0"], "--warm-start-epochs 0: needs 1 or more"),
    ],
)
def test_demo_rejects_epochs_it_cannot_split(argv, fragment, tmp_path, capsys):
    from textattack_bat.cli import main

    assert main(["demo", *argv, "--output-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()  # refused before any work
