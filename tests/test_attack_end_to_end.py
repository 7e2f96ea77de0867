"""The antonym attack as a user runs it: TextAttack's CLI and Python API, real MiniLM, real MNLI rows."""

import csv
import os
import re
import subprocess

import pytest
from conftest import ROOT, script

from textattack_bat.antonyms import WordNetAntonyms

INFLECTED_TAGS = (None, "JJ", "JJR", "JJS", "RB", "RBR", "NN", "NNS", "VB", "VBD", "VBG", "VBN", "VBZ")


def is_wordnet_antonym(old: str, new: str) -> bool:
    antonyms = WordNetAntonyms()
    return any(new in antonyms(old, tag) for tag in INFLECTED_TAGS)


def marked_words(text: str) -> list[str]:
    """Words TextAttack's CSV log marks as [[changed]] (column labels are [[[[Premise]]]])."""
    text = re.sub(r"\[\[\[\[\w+\]\]\]\]", "", text)
    return re.findall(r"\[\[(.+?)\]\]", text)


def run_cli_attack(recipe, model_dir, mnli_file, tmp_path, num_examples=20):
    log = tmp_path / f"{recipe}.csv"
    env = {**os.environ, "TEXTATTACK_BAT_EVAL_FILE": str(mnli_file), "TEXTATTACK_BAT_LIMIT": "300"}
    out = subprocess.run(
        [script("textattack"), "attack", "--model", str(model_dir), "--recipe", recipe,
         "--dataset-from-file", "recipes/datasets.py", "--num-examples", str(num_examples),
         "--log-to-csv", str(log), "--disable-stdout"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=1200,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    with log.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return out.stdout, rows


def attack_success_rate(rows) -> float:
    succeeded = sum(r["result_type"] == "Successful" for r in rows)
    failed = sum(r["result_type"] == "Failed" for r in rows)
    return succeeded / max(succeeded + failed, 1)


@pytest.mark.slow
def test_cli_antonym_under_nli_both_protocols(nli_model_dir, shared_data, tmp_path):
    mnli = shared_data / "mnli_validation_matched_0_7999.jsonl"
    stdout, rows = run_cli_attack("antonym-under-nli", nli_model_dir, mnli, tmp_path)
    assert "Number of successful attacks:" in stdout and "Attack success rate:" in stdout
    assert len(rows) == 20
    successes = [r for r in rows if r["result_type"] == "Successful"]
    assert successes, "no successful antonym attack on 20 MNLI rows"
    for row in successes:
        old, new = marked_words(row["original_text"]), marked_words(row["perturbed_text"])
        assert len(old) == len(new) == 1, row
        assert is_wordnet_antonym(old[0], new[0]), (old, new)
    for row in rows:  # neutral (label 1) is never attacked
        if row["ground_truth_output"] in ("1", "1.0"):
            assert row["result_type"] == "Skipped"

    _, improve_rows = run_cli_attack("antonym-under-nli-improve", nli_model_dir, mnli, tmp_path)
    assert [r["result_type"] == "Skipped" for r in improve_rows] == [r["result_type"] == "Skipped" for r in rows]
    assert attack_success_rate(improve_rows) <= attack_success_rate(rows)


@pytest.mark.slow
def test_python_api_attacker(nli_model_dir, shared_data):
    import textattack

    from textattack_bat import AntonymUnderNLI, load_jsonl_dataset
    from textattack_bat.models import load_classifier

    wrapper = load_classifier(nli_model_dir, num_labels=3)
    dataset = load_jsonl_dataset(shared_data / "mnli_validation_matched_0_7999.jsonl", limit=40, offset=100)
    attack = AntonymUnderNLI.build(wrapper)
    assert attack.search_method.wir_method == "gradient"  # HF wrappers have gradients: as the authors
    args = textattack.AttackArgs(num_examples=10, silent=True, disable_stdout=True)
    results = textattack.Attacker(attack, dataset, args).attack_dataset()
    assert len(results) == 10
    for result in results:
        if isinstance(result, textattack.attack_results.SuccessfulAttackResult):
            original = result.original_result.attacked_text
            perturbed = result.perturbed_result.attacked_text
            changed = original.all_words_diff(perturbed)
            assert len(changed) == 1
            index = changed.pop()
            assert is_wordnet_antonym(original.words[index], perturbed.words[index])
            assert result.perturbed_result.output == result.original_result.ground_truth_output
