"""A small deterministic model for exact goal-function and search semantics."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import torch
from textattack.models.wrappers import ModelWrapper


class KeywordModel(ModelWrapper):
    """Class probabilities from a rule on the set of lower-cased words of the input."""

    def __init__(self, rule: Callable[[set[str]], list[float]]):
        self.rule = rule
        self.model = torch.nn.Identity()  # TextAttack's validators look for `.model`
        self.queries: list[str] = []

    def __call__(self, text_inputs):
        outputs = []
        for text in text_inputs:
            joined = " ".join(text) if isinstance(text, tuple) else text
            self.queries.append(joined)
            outputs.append(self.rule(set(re.findall(r"[a-z]+", joined.lower()))))
        return np.array(outputs, dtype=float)
