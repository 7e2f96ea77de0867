"""Counter-fitting: the objective on hand-made vectors, and big/large/small on the real GloVe package."""

import numpy as np
import pytest

from textattack_bat.counterfitting import (
    CounterFittingConfig,
    counter_fit,
    counter_fitted,
    wordnet_constraints,
)
from textattack_bat.tables import (
    Embedding,
    EmbeddingNeighbours,
    build_synonym_table,
    load_embedding,
)


def angle(words, degrees):
    return Embedding(
        words,
        np.array(
            [[np.cos(np.radians(d)), np.sin(np.radians(d)), 0.1] for d in degrees], dtype=np.float32
        ),
        "toy",
    )


def cosine(embedding, a, b):
    return float(embedding.vectors[embedding.index[a]] @ embedding.vectors[embedding.index[b]])


def test_attract_repel_preserve_on_hand_made_vectors():
    # big/large 60 degrees apart (cos 0.5), small 40 from large (cos 0.77)
    toy = angle(["big", "large", "small", "huge", "cat"], [0, 60, 100, 63, 180])
    synonym_pairs, antonym_pairs = wordnet_constraints(toy, min_synonym_cosine=0.4)
    index = toy.index
    assert {tuple(sorted((index["big"], index["large"])))} <= set(map(tuple, synonym_pairs))
    assert tuple(sorted((index["large"], index["small"]))) in set(map(tuple, antonym_pairs))
    assert not any(index["cat"] in pair for pair in synonym_pairs)
    fitted = counter_fit(toy, synonym_pairs, antonym_pairs, CounterFittingConfig(steps=300))
    assert cosine(fitted, "big", "large") > 0.9 > cosine(toy, "big", "large")
    assert cosine(fitted, "large", "small") < 0.1 < cosine(toy, "large", "small")
    assert fitted.words == toy.words and np.isfinite(fitted.vectors).all()


def test_synonym_filter_and_empty_constraints():
    far = angle(["big", "large"], [0, 80])  # cos 0.18: below the 0.4 filter
    synonym_pairs, antonym_pairs = wordnet_constraints(far, min_synonym_cosine=0.4)
    assert len(synonym_pairs) == 0 and len(antonym_pairs) == 0
    with pytest.raises(ValueError, match="nothing to fit"):
        counter_fit(far, synonym_pairs, antonym_pairs)


@pytest.mark.slow
def test_real_glove_counter_fitted_big_has_large_not_small():
    plain = load_embedding("glove", max_words=50_000)
    assert "large" not in EmbeddingNeighbours(plain)("big")  # plain GloVe: not a synonym space
    fitted = counter_fitted(plain)
    assert counter_fitted(plain).vectors.tobytes() == fitted.vectors.tobytes()  # cached, identical
    table = build_synonym_table(["big", "small", "good", "car", "begin"], fitted)
    assert "large" in table["big"] and "small" not in table["big"]
    assert "bad" not in table["good"]
    assert cosine(plain, "good", "bad") > 0.75 and cosine(fitted, "good", "bad") < 0.6
    assert "automobile" in table["car"] and "commence" in table["begin"]
    assert "automobile" not in EmbeddingNeighbours(plain)("car")
    assert "large" not in table["small"]
