"""The same inputs and seed give byte-identical output in fresh processes whose PYTHONHASHSEED
differs: counter-fitted vectors, tables, SAFER and BAT copies, and the demo's results. The demo's
CLI end-to-end checks ride on the same two runs, so CI runs the CLI demo twice, not three times."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import script

HERE = Path(__file__).parent


def fresh_process(args, hash_seed: int, tmp_path: Path, **kwargs) -> subprocess.CompletedProcess:
    """``args`` in a new interpreter with its own empty cache and the given hash seed."""
    cache = tmp_path / f"cache-{hash_seed}"
    cache.mkdir()
    env = dict(os.environ, PYTHONHASHSEED=str(hash_seed), TA_CACHE_DIR=str(cache))
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=1800, **kwargs)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


@pytest.mark.slow
def test_vectors_tables_and_copies_do_not_depend_on_the_hash_seed(shared_data, tmp_path):
    rows = tmp_path / "rows.jsonl"
    with (shared_data / "snli_test.jsonl").open() as handle:
        rows.write_text("".join(line for _, line in zip(range(300), handle)))
    runs = [
        json.loads(
            fresh_process(
                [sys.executable, str(HERE / "output_digests.py"), str(rows)], seed, tmp_path
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        for seed in (1, 2)
    ]
    assert runs[0] == runs[1]
    assert "large" in runs[0]["synonyms_of_big"]  # the digests are of real tables


def without_timings(value):
    """``value`` with every ``seconds`` entry removed (wall times differ between runs)."""
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


@pytest.mark.slow
def test_demo_cli_end_to_end_and_independent_of_the_hash_seed(tmp_path):
    """``textattack-bat demo`` as a user runs it, twice with different hash seeds: the same
    results both times; the table, the three arms from one warm start, the pictures."""
    results, outs = [], []
    for seed in (1, 2):
        out = tmp_path / f"demo-{seed}"
        done = fresh_process(
            [script("textattack-bat"), "demo", "--train-size", "48", "--eval-size", "48",
             "--attack-examples", "48", "--synonym-examples", "16", "--epochs", "2",
             "--warm-start-epochs", "1", "--output-dir", str(out)],
            seed,
            tmp_path,
        )  # fmt: skip
        data = json.loads((out / "demo_results.json").read_text())
        data.pop("files")  # the output paths
        results.append(without_timings(data))
        outs.append((out, done.stdout, data))
    assert results[0] == results[1]
    assert results[0]["bat"]["report"]["antonym_asr_improve_only"]["attacked"] > 0  # a real result

    out, stdout, data = outs[0]
    assert "| normal |" in stdout and "| bat |" in stdout and "95% CI" in stdout
    for name in ("normal", "bat"):
        accuracy, report = data[name]["clean_accuracy"], data[name]["report"]
        assert accuracy["n"] == 48 and 0 <= accuracy["rate"] <= 1 and len(accuracy["ci95"]) == 2
        antonym = report["antonym_asr_paper_definition"]
        assert antonym["succeeded"] + antonym["failed"] + antonym["skipped"] == 48
        synonym = report["synonym_asr"]
        assert synonym["succeeded"] + synonym["failed"] + synonym["skipped"] == 16
        assert report["gold_edits"]["original_accuracy"]["n"] == 110  # the shipped CAD-SNLI edits
        assert report["representation"]["probe_rows"] > 0
        assert [h["epoch"] for h in data[name]["history"]] == [1, 2]
    # the same warm start: epoch 1 of every arm is what the warm-start trainer itself wrote
    warm = json.loads((out / "warm-start" / "history.json").read_text())
    assert len(warm) == 1 and "train_ce" in warm[0] and "train_triplet" not in warm[0]
    for name in ("normal", "safer", "bat"):
        assert data[name]["history"][0] == warm[0], name
        arm = json.loads((out / name / "history.json").read_text())
        assert data[name]["history"][1] == {**arm[0], "epoch": 2}, name
    assert (
        "train_triplet" in data["bat"]["history"][1]
        and "train_triplet" not in data["normal"]["history"][1]
    )
    for picture in ("tradeoff.png", "representations_tsne.png"):
        png = (out / picture).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) >= 10_000, picture
