"""Constraints the recipes add to TextAttack's own."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence

import numpy as np
import torch
from textattack.constraints import PreTransformationConstraint
from textattack.constraints.semantics.sentence_encoders import (
    SBERT,
    SentenceEncoder,
    UniversalSentenceEncoder,
)
from textattack.shared import AttackedText

from textattack_bat import resources
from textattack_bat.errors import UsageError
from textattack_bat.lexicon.stopwords import TEXTFOOLER_STOPWORDS  # noqa: F401 (re-exported)


class ColumnModification(PreTransformationConstraint):
    """Only words of the named input columns may be modified (all columns when ``columns`` is None).

    Unlike TextAttack's ``InputColumnModification`` it needs no fixed column tuple, so one recipe
    serves (premise, hypothesis), (question1, question2) and single-text datasets. Unknown
    column names raise a clear error at the first attacked example.
    """

    def __init__(self, columns: Iterable[str] | None = None):
        self.columns = None if columns is None else tuple(columns)

    def _get_modifiable_indices(self, current_text: AttackedText) -> set[int]:
        names = list(current_text._text_input.keys())
        if self.columns is None:
            return set(range(len(current_text.words)))
        unknown = [c for c in self.columns if c not in names]
        if unknown:
            raise UsageError(
                f"modifiable columns {unknown} are not input columns of this dataset {names}; "
                f"pass some of {names} (or None for all columns)."
            )
        indices: set[int] = set()
        start = 0
        for name, column_text in current_text._text_input.items():
            count = len(AttackedText(column_text).words)
            if name in self.columns:
                indices.update(range(start, start + count))
            start += count
        return indices

    def extra_repr_keys(self):
        return ["columns"]


def edit_count(text: AttackedText) -> int:
    """How many transformations led from the original to ``text`` (its chain of
    ``attack_attrs["previous_attacked_text"]``, which TextAttack sets on every new text)."""
    count = 0
    while "previous_attacked_text" in text.attack_attrs:
        count, text = count + 1, text.attack_attrs["previous_attacked_text"]
    return count


class MaxEdits(PreTransformationConstraint):
    """At most ``max_edits`` transformations from the original: a text already that many edits
    away offers no word for modification. An edit counts once however many words it changes
    (``plays -> does not play`` changes three), which ``MaxWordsPerturbed`` cannot express."""

    def __init__(self, max_edits: int = 1):
        if max_edits < 1:
            raise UsageError(f"max_edits={max_edits}: give a positive number of edits.")
        self.max_edits = max_edits

    def _get_modifiable_indices(self, current_text: AttackedText) -> set[int]:
        if edit_count(current_text) >= self.max_edits:
            return set()
        return set(range(len(current_text.words)))

    def extra_repr_keys(self):
        return ["max_edits"]


class EncodingCache(SentenceEncoder):
    """Mixin for a TextAttack ``SentenceEncoder``: the same scores, each distinct text encoded once.

    TextAttack's ``_score_list`` encodes ``2n`` windows for ``n`` candidates, although the
    candidates at one word index share their starting window, and it encodes texts that
    ``skip_text_shorter_than_window`` then scores 1 anyway. Here:

    - a candidate shorter than the window (with ``skip_text_shorter_than_window``) gets score 1
      without encoding;
    - the windows of one call are encoded once each (``n + 1`` encodings for one index);
    - encodings are kept in an LRU memo of ``cache_size`` windows, so rows attacked again (the
      same evaluation rows after every epoch) reuse them. The encoder is fixed, so the memo
      never goes stale; it is dropped when the constraint is pickled.
    """

    cache_size: int = 2**15

    def _encode_distinct(self, texts: Sequence[str]) -> dict[str, torch.Tensor]:
        memo: OrderedDict[str, torch.Tensor] = self.__dict__.setdefault("_memo", OrderedDict())
        distinct = dict.fromkeys(texts)
        found = {text: memo[text] for text in distinct if text in memo}
        missing = [text for text in distinct if text not in found]
        if missing:
            encoded = torch.as_tensor(np.asarray(self.encode(missing)))
            found.update(zip(missing, encoded))
        for text, encoding in found.items():
            memo[text] = encoding
            memo.move_to_end(text)
        while len(memo) > self.cache_size:
            memo.popitem(last=False)
        return found

    def _windows(
        self, starting_text: AttackedText, transformed_text: AttackedText
    ) -> tuple[str, str]:
        try:
            index = next(iter(transformed_text.attack_attrs["newly_modified_indices"]))
        except KeyError:
            raise KeyError(
                "Cannot apply sentence encoder constraint without `newly_modified_indices`"
            ) from None
        return (
            starting_text.text_window_around_index(index, self.window_size),
            transformed_text.text_window_around_index(index, self.window_size),
        )

    def _score_list(
        self, starting_text: AttackedText, transformed_texts: list[AttackedText]
    ) -> torch.Tensor:
        if not transformed_texts:
            return torch.tensor([])
        pairs = [self._windows(starting_text, text) for text in transformed_texts]
        encodings = self._encode_distinct([window for pair in pairs for window in pair])
        starting = torch.stack([encodings[start] for start, _ in pairs])
        transformed = torch.stack([encodings[new] for _, new in pairs])
        return self.sim_metric(starting, transformed)

    def _check_constraint_many(
        self, transformed_texts, reference_text: AttackedText
    ) -> list[AttackedText]:
        scores = torch.ones(len(transformed_texts))
        scored = [
            i
            for i, text in enumerate(transformed_texts)
            if not (self.skip_text_shorter_than_window and len(text.words) < self.window_size)
        ]
        if scored:
            scores[scored] = self._score_list(
                reference_text, [transformed_texts[i] for i in scored]
            ).float()
        for text, score in zip(transformed_texts, scores):
            text.attack_attrs["similarity_score"] = score.item()
        return [text for text, score in zip(transformed_texts, scores) if score >= self.threshold]

    def __getstate__(self):
        parent = getattr(super(), "__getstate__", None)
        state = dict(parent() if parent is not None else self.__dict__)
        state.pop("_memo", None)
        return state


class CachedSBERT(EncodingCache, SBERT):
    """TextAttack's ``SBERT`` constraint with :class:`EncodingCache` (``model_name`` is printed)."""

    def extra_repr_keys(self):
        return ["model_name", *super().extra_repr_keys()]


class CachedUniversalSentenceEncoder(EncodingCache, UniversalSentenceEncoder):
    """TextAttack's ``UniversalSentenceEncoder`` constraint with :class:`EncodingCache`."""


def sentence_encoder(kind: str = "auto", threshold: float | None = None):
    """The synonym attack's sentence-similarity constraint (window 15, angular metric).

    ``use``: TextAttack's Universal Sentence Encoder (``use`` extra, online or cached);
    ``sbert``: all-MiniLM-L6-v2 from the ``offline`` extra through TextAttack's ``SBERT``
    constraint, with the same angular threshold; ``auto``: USE when available, else SBERT.
    Both come with :class:`EncodingCache` (same scores, each
    distinct window encoded once).
    """
    if kind == "auto":
        kind = "use" if resources.use_available() else "sbert"
    threshold = resources.USE_THRESHOLD if threshold is None else threshold
    options = {"threshold": threshold, **resources.ENCODER_WINDOW_OPTIONS}
    if kind == "use":
        return CachedUniversalSentenceEncoder(**options)
    if kind == "sbert":
        encoder = CachedSBERT(model_name=str(resources.minilm_path()), **options)
        encoder.model_name = "all-MiniLM-L6-v2 (local)"
        return encoder
    raise UsageError(f"Unknown sentence encoder {kind!r}; choose auto, use or sbert.")
