"""EncodingCache: TextAttack's sentence-encoder scores with each distinct window encoded once.

Checked against TextAttack's own SBERT constraint on real MNLI rows with real MiniLM and
real WordNet synonym candidates.
"""

from __future__ import annotations

from collections import OrderedDict

import pytest
from textattack.constraints.semantics.sentence_encoders import SBERT
from textattack.shared import AttackedText
from textattack.transformations import WordSwapWordNet

from textattack_bat import resources
from textattack_bat.attack.constraints import CachedSBERT, sentence_encoder

OPTIONS = {"threshold": resources.USE_THRESHOLD, **resources.ENCODER_WINDOW_OPTIONS}


class CountingEncodes:
    """Wraps a constraint's ``encode`` and records every batch of sentences it is given."""

    def __init__(self, constraint):
        self.batches: list[list[str]] = []
        encode = constraint.encode

        def counted(sentences):
            self.batches.append(list(sentences))
            return encode(sentences)

        constraint.encode = counted

    @property
    def sentences(self) -> int:
        return sum(len(batch) for batch in self.batches)


@pytest.fixture(scope="module")
def encoders():
    stock = SBERT(model_name=str(resources.minilm_path()), **OPTIONS)
    return stock, sentence_encoder("sbert")


def candidates_at(text: AttackedText, index: int) -> list[AttackedText]:
    swap = WordSwapWordNet()
    found = swap(text, indices_to_modify=[index])
    for candidate in found:
        candidate.attack_attrs["last_transformation"] = swap
    return found


def richest_index(text: AttackedText) -> int:
    """The word index with the most WordNet synonym candidates."""
    return max(range(len(text.words)), key=lambda i: len(candidates_at(text, i)))


def pair(row) -> AttackedText:
    return AttackedText(OrderedDict(premise=row["premise"], hypothesis=row["hypothesis"]))


def long_rows(rows, count):
    return [pair(r) for r in rows if len(pair(r).words) >= 25][:count]


@pytest.mark.slow
def test_same_kept_candidates_and_scores_as_textattack_with_half_the_encodings(encoders, mnli_rows):
    stock, cached = encoders
    assert isinstance(cached, CachedSBERT)
    checked = 0
    for text in long_rows(mnli_rows, 6):
        index = richest_index(text)
        candidates = candidates_at(text, index)
        assert len(candidates) >= 3
        stock_count, cached_count = CountingEncodes(stock), CountingEncodes(cached)
        kept_stock = stock._check_constraint_many(candidates, text)
        stock_scores = [c.attack_attrs["similarity_score"] for c in candidates]
        kept_cached = cached._check_constraint_many(candidates, text)
        cached_scores = [c.attack_attrs["similarity_score"] for c in candidates]
        assert [c.text for c in kept_cached] == [c.text for c in kept_stock]
        assert cached_scores == pytest.approx(stock_scores, abs=1e-5)
        distinct = len({c.text_window_around_index(index, 15) for c in candidates})
        assert stock_count.sentences == 2 * len(candidates)
        assert cached_count.sentences == distinct + 1  # the shared starting window once
        checked += 1
    assert checked == 6


def test_texts_shorter_than_the_window_score_one_without_encoding(encoders, mnli_rows):
    _, cached = encoders
    short = next(pair(r) for r in mnli_rows if 6 <= len(pair(r).words) < 15)
    candidates = candidates_at(short, richest_index(short))
    assert candidates
    counter = CountingEncodes(cached)
    assert cached._check_constraint_many(candidates, short) == candidates
    assert counter.sentences == 0
    assert {c.attack_attrs["similarity_score"] for c in candidates} == {1.0}


def test_windows_seen_before_are_not_encoded_again_and_the_memo_is_bounded(mnli_rows):
    cached = sentence_encoder("sbert")
    text = long_rows(mnli_rows, 1)[0]
    candidates = [c for i in range(len(text.words)) for c in candidates_at(text, i)][:40]
    counter = CountingEncodes(cached)
    first = [c.text for c in cached._check_constraint_many(candidates, text)]
    encoded_first = counter.sentences
    assert encoded_first > 0
    assert [c.text for c in cached._check_constraint_many(candidates, text)] == first
    assert counter.sentences == encoded_first  # all from the memo

    small = sentence_encoder("sbert")
    small.cache_size = 5
    assert [c.text for c in small._check_constraint_many(candidates, text)] == first
    assert len(small._memo) == 5
    assert "_memo" not in small.__getstate__() and len(small._memo) == 5


def test_the_recipe_prints_the_cached_encoder_class():
    printed = repr(sentence_encoder("sbert"))
    assert printed.startswith("CachedSBERT(") and "all-MiniLM-L6-v2 (local)" in printed


def test_use_variant_has_textfooler_settings_and_pickles_without_memo_or_model():
    import pickle

    from textattack_bat.attack.constraints import CachedUniversalSentenceEncoder

    use = sentence_encoder("use")  # built lazily: nothing is downloaded until encode()
    assert isinstance(use, CachedUniversalSentenceEncoder)
    assert (use.threshold, use.metric, use.window_size) == (resources.USE_THRESHOLD, "angular", 15)
    use._memo = {"a window": None}
    use.model = object()
    state = use.__getstate__()
    assert "_memo" not in state and state["model"] is None
    assert use._memo and use.model is not None  # the live constraint keeps both
    restored = pickle.loads(pickle.dumps(use))
    assert restored.model is None and not hasattr(restored, "_memo")
