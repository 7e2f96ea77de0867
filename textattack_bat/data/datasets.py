"""JSON Lines datasets for ``textattack attack|train --dataset-from-file FILE[^NAME]``, with FILE
this file (``textattack-bat data-path datasets.py`` prints its path; in a checkout
``recipes/datasets.py`` loads it).

Files (MNLI/SNLI ``premise, hypothesis, label`` or QQP ``question1, question2, label``):
- ``dataset`` (default, for ``textattack attack``): ``$TEXTATTACK_BAT_EVAL_FILE`` if set, else the
  MNLI dev-matched sample shipped in the package.
- ``train_dataset`` / ``eval_dataset`` (for ``textattack train``): ``$TEXTATTACK_BAT_TRAIN_FILE`` /
  ``$TEXTATTACK_BAT_EVAL_FILE`` if set, else the shipped SNLI train / evaluation samples.
- ``snli``: the shipped SNLI evaluation sample.
``$TEXTATTACK_BAT_LIMIT`` caps the rows read (e.g. ``64``); ``$TEXTATTACK_BAT_OFFSET`` skips rows.
"""

import os

from textattack_bat.datasets import load_jsonl_dataset, shipped_path

_limit = int(os.environ["TEXTATTACK_BAT_LIMIT"]) if os.environ.get("TEXTATTACK_BAT_LIMIT") else None
_offset = int(os.environ.get("TEXTATTACK_BAT_OFFSET", "0"))


def _load(variable: str, default: str):
    path = os.environ.get(variable) or shipped_path(default)
    return load_jsonl_dataset(path, limit=_limit, offset=_offset)


dataset = _load("TEXTATTACK_BAT_EVAL_FILE", "mnli_eval_sample.jsonl")
train_dataset = _load("TEXTATTACK_BAT_TRAIN_FILE", "snli_train_sample.jsonl")
eval_dataset = _load("TEXTATTACK_BAT_EVAL_FILE", "snli_eval_sample.jsonl")
snli = load_jsonl_dataset(shipped_path("snli_eval_sample.jsonl"), limit=_limit, offset=_offset)
