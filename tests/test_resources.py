"""The resource layer finds the offline resources and fails with clear, actionable errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import script

from textattack_bat import resources


def import_textattack(env: dict) -> subprocess.CompletedProcess:
    """``import textattack`` in a fresh interpreter with ``env``."""
    return subprocess.run(
        [sys.executable, "-c", "import textattack"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_finds_shared_nltk_data_and_offline_packages():
    for name in resources.NLTK_RESOURCES:
        assert os.path.exists(resources.nltk_resource(name))
    assert (resources.minilm_path() / "config.json").is_file()
    vectors, vocab = resources.glove_paths()
    assert vectors.stat().st_size > 10_000_000 and vocab.is_file()
    report = {row.name: row for row in resources.report()}
    assert all(report[f"nltk:{name}"].found for name in resources.NLTK_RESOURCES)
    assert report["minilm"].found and report["glove-6b-50d"].found


def test_import_works_offline_and_is_lazy():
    code = "import sys, textattack_bat; print('textattack' in sys.modules, 'torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]
    both = subprocess.run(
        [
            sys.executable,
            "-c",
            "import textattack, textattack_bat; print(textattack_bat.AntonymUnderNLI.__name__)",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert both.returncode == 0, both.stderr
    assert both.stdout.strip().endswith("AntonymUnderNLI")


def test_missing_nltk_data_gives_the_clear_error(tmp_path):
    code = (
        "from textattack_bat import resources\n"
        "try:\n    resources.wordnet()\nexcept resources.ResourceNotFoundError as e:\n    print(e)\n"
    )
    env = {**os.environ, "NLTK_DATA": str(tmp_path), "TEXTATTACK_BAT_BUNDLED_NLTK": "0"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert "NLTK data 'wordnet' (wordnet) not found." in out.stdout
    assert str(tmp_path) in out.stdout
    assert "python -m nltk.downloader wordnet" in out.stdout and "NLTK_DATA=" in out.stdout


def test_textattack_import_without_stopwords_fails_clearly_offline(tmp_path):
    env = {
        **os.environ,
        "NLTK_DATA": str(tmp_path),
        "HF_HUB_OFFLINE": "1",
        "TEXTATTACK_BAT_BUNDLED_NLTK": "0",
    }
    out = import_textattack(env)
    assert out.returncode != 0
    assert "NLTK data 'stopwords' (stopwords) not found." in out.stderr
    assert "python -m nltk.downloader stopwords" in out.stderr


@pytest.mark.slow
def test_bundled_nltk_data_serves_a_fresh_machine(tmp_path):
    """No NLTK_DATA, an empty home: TextAttack imports, the tagger and WordNet work from the
    copy shipped in the package, and doctor says so; a user's own copy still wins."""
    env = {k: v for k, v in os.environ.items() if k != "NLTK_DATA"}
    env.update(HOME=str(tmp_path), HF_HUB_OFFLINE="1")
    code = (
        "import nltk, textattack\n"
        "from nltk.corpus import wordnet as wn\n"
        "print(sorted({a.name() for s in wn.synsets('hot', 'a') for l in s.lemmas() for a in l.antonyms()}))\n"
        "print(nltk.pos_tag(['The', 'water', 'is', 'hot'], tagset='universal'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    antonyms, tags = out.stdout.strip().splitlines()[-2:]
    assert antonyms == "['cold']"
    assert tags == "[('The', 'DET'), ('water', 'NOUN'), ('is', 'VERB'), ('hot', 'ADJ')]"
    doctor = subprocess.run(
        [script("textattack-bat"), "doctor"], capture_output=True, text=True, env=env, timeout=120
    )
    assert doctor.returncode == 0 and doctor.stdout.count("(bundled copy)") == 4, doctor.stdout
    own = subprocess.run(
        [script("textattack-bat"), "doctor"], capture_output=True, text=True, timeout=120
    )
    assert "(bundled copy)" not in own.stdout
    nltk_data = Path(os.environ["NLTK_DATA"])
    written = {str(nltk_data), os.path.normpath(nltk_data), str(nltk_data.resolve())}
    assert any(form in own.stdout for form in written), own.stdout  # as given or resolved


@pytest.mark.slow
def test_an_attack_and_a_training_run_on_the_bundled_nltk_data(fresh_nli_model_dir, tmp_path):
    """No NLTK_DATA, an empty home, offline: ``textattack attack --recipe antonym-under-nli`` and a
    one-epoch ``textattack train --attack bat-triplet`` run on the NLTK data shipped in the package
    alone (tagger, universal tagset, stopwords, WordNet). The negation recipe needs the tagger only,
    which both of these load."""
    env = {k: v for k, v in os.environ.items() if k != "NLTK_DATA"}
    env.update(HOME=str(tmp_path), TEXTATTACK_BAT_LIMIT="16")
    root = Path(__file__).resolve().parents[1]

    def run(*args):
        done = subprocess.run(
            [script("textattack"), *args], capture_output=True, text=True, env=env, cwd=root,
            timeout=900,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        return done.stdout

    out = run("attack", "--model", str(fresh_nli_model_dir), "--recipe", "antonym-under-nli",
              "--dataset-from-file", "recipes/datasets.py", "--num-examples", "4")  # fmt: skip
    assert "Number of successful attacks:" in out, out[-2000:]
    run("train", "--model-name-or-path", str(fresh_nli_model_dir), "--model-num-labels", "3",
        "--dataset-from-file", "recipes/datasets.py", "--attack", "bat-triplet",
        "--num-epochs", "1", "--per-device-train-batch-size", "8",
        "--output-dir", str(tmp_path / "train"))  # fmt: skip
    history = json.loads((tmp_path / "train" / "history.json").read_text())
    assert len(history) == 1 and history[0]["train_triplet"] >= 0


def test_doctor_reports_every_resource():
    out = subprocess.run(
        [script("textattack-bat"), "doctor"], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stdout + out.stderr
    for name in (
        "nltk:wordnet",
        "nltk:stopwords",
        "nltk:pos-tagger",
        "minilm",
        "glove-6b-50d",
        "counter-fitted-embeddings",
        "universal-sentence-encoder",
        "sense-description-table",
    ):
        assert name in out.stdout
    assert "MISSING" not in out.stdout.split("counter-fitted")[0]


def test_first_textattack_import_prints_no_nltk_download_errors(tmp_path):
    """A fresh machine, no variable set (not offline): the bundled NLTK data serves every lookup,
    so TextAttack's first-run downloads are skipped and print no ``[nltk_data]`` blocks."""
    drop = {*resources.OFFLINE_ENV_VARS, "NLTK_DATA", "TA_CACHE_DIR"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(HOME=str(tmp_path), TA_CACHE_DIR=str(tmp_path / "ta-cache"))
    out = import_textattack(env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "[nltk_data]" not in out.stdout + out.stderr, out.stderr[-2000:]
    assert (tmp_path / "ta-cache" / "post_install_check_3").is_file()


def test_doctor_says_not_cached_for_vectors_fetched_on_first_use(tmp_path, monkeypatch, capsys):
    from textattack_bat import cli

    for variable in resources.OFFLINE_ENV_VARS:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("TA_CACHE_DIR", str(tmp_path))

    def counterfitted_lines() -> list[str]:
        cli.main(["doctor"])
        lines = capsys.readouterr().out.splitlines()
        at = next(i for i, line in enumerate(lines) if "counter-fitted-embeddings" in line)
        return lines[at : at + 2]

    monkeypatch.setattr(resources, "reachable", lambda host, *a, **k: True)  # S3 answers
    online = counterfitted_lines()[0].split()
    assert online[1:3] == ["not", "cached"], online
    assert "downloaded from TextAttack's S3 on first use; offline: use --embedding " in (
        " ".join(online)
    )
    monkeypatch.setattr(resources, "reachable", lambda host, *a, **k: False)  # no network
    unreachable, fix = counterfitted_lines()
    assert unreachable.split()[1] == "MISSING" and f"{resources.TEXTATTACK_S3} unreachable" in (
        unreachable
    )
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    offline, fix = counterfitted_lines()
    assert offline.split()[1] == "MISSING" and "offline mode" in offline
    assert fix.split("fix: ")[1] == (
        "go online once, or use --embedding glove-counterfitted (or glove)"
    )


def test_bogus_model_path_gives_a_clear_error(tmp_path):
    from textattack_bat.models import load_classifier

    with pytest.raises(FileNotFoundError, match="does not exist or has no config.json"):
        load_classifier(tmp_path / "nope", num_labels=3)


def test_every_public_name_and_submodule_resolves():
    import pkgutil

    import textattack_bat

    for name in textattack_bat.__all__:
        assert getattr(textattack_bat, name) is not None, name
    found = 0
    for info in pkgutil.walk_packages(textattack_bat.__path__, "textattack_bat."):
        found += 1
        obj = textattack_bat  # reached by attributes, as TextAttack's eval of a recipe path does
        for part in info.name.split(".")[1:]:
            obj = getattr(obj, part)
        assert obj is sys.modules[info.name], info.name
    assert found >= 40  # the rooms and every module in them
    assert {"attack", "lexicon", "training", "evaluation", "plugin"} <= set(dir(textattack_bat))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        getattr(textattack_bat.attack, "nope")  # noqa: B009
