"""Shared fixtures: offline environment, real data from ../shared, a fine-tuned MiniLM NLI model."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TEXTATTACK_BAT_SHARED", ROOT.parent / "shared"))

# Offline mode for everything the tests start, subprocesses included.
os.environ.setdefault("NLTK_DATA", str(SHARED / "nltk_data"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
if "TA_CACHE_DIR" not in os.environ:
    import tempfile

    os.environ["TA_CACHE_DIR"] = tempfile.mkdtemp(prefix="ta-cache-")

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = SHARED / "data"
    assert path.is_dir(), f"shared data not found at {path}; set TEXTATTACK_BAT_SHARED"
    return path


@pytest.fixture(scope="session")
def mnli_rows(shared_data):
    from textattack_bat.datasets import read_jsonl_rows

    return read_jsonl_rows(shared_data / "mnli_validation_matched_0_7999.jsonl", limit=400)


@pytest.fixture(scope="session")
def fresh_nli_model_dir(tmp_path_factory) -> Path:
    """MiniLM with a fresh (seeded) 3-way head, saved: a real model without fine-tuning, for
    tests that need a model directory but not a trained one (the fast tier)."""
    import torch

    from textattack_bat.models import load_classifier

    out = tmp_path_factory.mktemp("minilm-fresh")
    torch.manual_seed(0)
    wrapper = load_classifier(None, num_labels=3)
    wrapper.model.save_pretrained(out)
    wrapper.tokenizer.save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def nli_model_dir(tmp_path_factory) -> Path:
    """MiniLM (packaged all-MiniLM-L6-v2) fine-tuned for one epoch on 960 shipped SNLI rows."""
    from training import finetune_nli

    out = tmp_path_factory.mktemp("minilm-nli")
    finetune_nli(out, train_rows=960)
    return out


def script(name: str) -> str:
    """A console script of the environment running the tests (works without an activated venv)."""
    return str(Path(sys.executable).parent / name)
