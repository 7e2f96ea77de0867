"""Offline truth: ``auto`` choices follow what the network really answers, within seconds, with
no environment variable set; offline variables in Hugging Face's spellings."""

from __future__ import annotations

import json
import os
import socket
import subprocess

import pytest
from conftest import ROOT, script

from textattack_bat import resources


@pytest.fixture(autouse=True)
def _fresh_probes():
    resources._reached.clear()
    yield
    resources._reached.clear()


@pytest.mark.parametrize(
    "value,expected",
    [("1", True), ("ON", True), ("yes", True), ("True", True), (" true ", True),
     ("0", False), ("false", False), ("no", False), ("", False)],
)  # fmt: skip
def test_offline_variables_take_hugging_faces_spellings(monkeypatch, value, expected):
    for var in resources.OFFLINE_ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", value)
    assert resources.is_offline() is expected


def test_a_host_counts_as_reachable_only_when_it_accepts_a_connection(monkeypatch):
    for var in resources.OFFLINE_ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        assert resources.reachable("127.0.0.1", port)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # bound once, now nothing listens there
    resources._reached.clear()
    assert not resources.reachable("127.0.0.1", port)


def test_the_probe_is_bounded_and_not_made_offline(monkeypatch):
    calls = []

    def connect(address, timeout):
        calls.append(timeout)
        raise TimeoutError("timed out")

    monkeypatch.setattr(socket, "create_connection", connect)
    for var in resources.OFFLINE_ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    assert not resources.reachable("example.invalid")
    assert not resources.reachable("example.invalid")  # asked once per process
    assert calls == [resources.REACH_TIMEOUT_S] and resources.REACH_TIMEOUT_S <= 5
    monkeypatch.setenv("TEXTATTACK_BAT_OFFLINE", "yes")
    assert not resources.reachable("other.invalid") and len(calls) == 1


def test_auto_embedding_falls_back_when_the_vectors_cannot_be_had(monkeypatch, tmp_path):
    from textattack_bat.lexicon.tables import resolve_embedding_name

    for var in resources.OFFLINE_ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TA_CACHE_DIR", str(tmp_path))  # nothing cached
    monkeypatch.setattr(resources, "reachable", lambda host, *a, **k: False)
    assert resolve_embedding_name("auto") == "glove-counterfitted"
    monkeypatch.setattr(resources, "reachable", lambda host, *a, **k: True)
    assert resolve_embedding_name("auto") == "counter-fitted"
    (tmp_path / "word_embeddings" / "paragramcf").mkdir(parents=True)
    monkeypatch.setattr(resources, "reachable", lambda host, *a, **k: False)
    assert resolve_embedding_name("auto") == "counter-fitted"  # cached


@pytest.mark.slow
def test_evaluate_tables_and_training_with_their_defaults_and_no_variable_complete(
    fresh_nli_model_dir, shared_data, tmp_path, monkeypatch
):
    """A fresh home, no offline variable, no NLTK_DATA, no TA_CACHE_DIR: ``evaluate`` with its
    default synonym attack (``auto`` embedding) completes, on the vectors the network allows
    (none on this project's machines: the offline GloVe-based ones, said in one line); so do
    ``build-tables`` and BAT training with their defaults, in the same home."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (*resources.OFFLINE_ENV_VARS, "HF_DATASETS_OFFLINE", "NLTK_DATA", "TA_CACHE_DIR")
    }
    env["HOME"] = str(tmp_path / "home")
    out = subprocess.run(
        [script("textattack-bat"), "evaluate", "--model", str(fresh_nli_model_dir),
         "--dataset-from-file", str(shared_data / "snli_test.jsonl"), "--num-examples", "12",
         "--output-dir", str(tmp_path / "report")],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=600,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    for var in resources.OFFLINE_ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    online = resources.reachable(resources.TEXTATTACK_S3)
    chosen = "counter-fitted" if online else "glove-counterfitted"
    assert f"embedding auto -> {chosen} (" in out.stdout + out.stderr
    report = json.loads((tmp_path / "report" / "robustness.json").read_text())
    assert report["num_examples"] == 12 and report["synonym_asr"] is not None

    rows = (shared_data / "snli_test.jsonl").read_text().splitlines()[:16]
    (tmp_path / "rows.jsonl").write_text("\n".join(rows) + "\n")
    pairs = [((r["premise"], r["hypothesis"]), r["label"]) for r in map(json.loads, rows)]
    (tmp_path / "rows.py").write_text(
        "import textattack\ntrain_dataset = eval_dataset = textattack.datasets.Dataset("
        f"{pairs!r}, input_columns=['premise', 'hypothesis'])\n"
    )
    commands = [
        [script("textattack-bat"), "build-tables", "--dataset-from-file",
         str(tmp_path / "rows.jsonl"), "--out", str(tmp_path / "tables")],
        [script("textattack"), "train", "--model-name-or-path", str(fresh_nli_model_dir),
         "--model-num-labels", "3", "--dataset-from-file", str(tmp_path / "rows.py"),
         "--attack", "bat-triplet", "--num-epochs", "1", "--output-dir", str(tmp_path / "run")],
    ]  # fmt: skip
    for command in commands:
        out = subprocess.run(
            command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=600
        )
        assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
        assert f"auto -> {chosen}" in out.stdout + out.stderr or "--embedding auto" in out.stdout
    assert (tmp_path / "tables" / "synonyms.json").is_file()
    assert (tmp_path / "run" / "last_model" / "config.json").is_file()
