"""Perturbation tables: exact neighbour sets on a hand-made embedding, JSON round trip, real data."""

import json

import numpy as np
import pytest
from oracles import is_wordnet_antonym

from textattack_bat.lexicon.tables import (
    Embedding,
    PerturbationTable,
    build_antonym_table,
    build_synonym_table,
    load_embedding,
    vocabulary,
)


def unit(degrees):
    return [np.cos(np.radians(degrees)), np.sin(np.radians(degrees))]


# angles on the unit circle: cos(10 deg) = 0.985, cos(30 deg) = 0.866, cos(40 deg) = 0.766
ANGLES = {"good": 0, "bad": 5, "fine": 10, "nice": 30, "okay": 36.8, "far": 40, "cat": 180}


@pytest.fixture(scope="module")
def toy():
    words = list(ANGLES)
    return Embedding(words, np.array([unit(ANGLES[w]) for w in words], dtype=np.float32), "toy")


def test_exact_neighbours_threshold_k_and_antonym_exclusion(toy):
    only_antonyms = {"filters": ("antonym",)}
    table = build_synonym_table(["good", "nice", "cat"], toy, threshold=0.8, k=50, **only_antonyms)
    assert table["good"] == ("fine", "nice", "okay")  # bad (antonym) excluded; far below 0.8
    assert table["nice"] == ("okay", "far", "fine", "bad", "good")  # nice -> nasty is its antonym
    assert table["cat"] == ()
    # k counts the candidates that pass: bad is dropped, so k=2 still gives two
    two = build_synonym_table(["good"], toy, threshold=0.8, k=2, **only_antonyms)
    assert two["good"] == ("fine", "nice")
    unfiltered = build_synonym_table(["good"], toy, threshold=0.8, k=50, filters=())
    assert unfiltered["good"] == ("bad", "fine", "nice", "okay")
    assert unfiltered.metadata["filters"] == [] and two.metadata["filters"] == ["antonym"]


def test_json_round_trip_is_identical(toy, tmp_path):
    table = build_synonym_table(
        ["good", "nice"], toy, threshold=0.8, k=3, vocabulary_source="toy words"
    )
    path = table.save(tmp_path / "synonyms.json")
    loaded = PerturbationTable.load(path)
    assert (
        dict(loaded) == dict(table)
        and loaded.metadata == table.metadata
        and loaded.kind == "synonym"
    )
    data = json.loads(path.read_text())
    assert (
        data["format"] == "textattack-bat/perturbation-table"
        and data["metadata"]["threshold"] == 0.8
    )
    for key in ("source", "threshold", "k", "vocabulary", "library_version"):
        assert key in data["metadata"]


def test_bad_embedding_input(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_embedding(tmp_path / "missing.txt")
    ragged = tmp_path / "ragged.txt"
    ragged.write_text("good 0.1 0.2 0.3\nbad 0.1 0.2\n")
    with pytest.raises(ValueError, match="2 values, but earlier lines have 3"):
        load_embedding(ragged)
    matrix = tmp_path / "m.npy"
    np.save(matrix, np.zeros((3, 4)))
    (tmp_path / "vocab.txt").write_text("good\nbad\n")
    with pytest.raises(ValueError, match=r"has shape \(3, 4\) but .* lists 2 words"):
        load_embedding(matrix, vocab=tmp_path / "vocab.txt")
    with pytest.raises(ValueError, match="vocabulary is empty"):
        build_synonym_table(["123", "--"], Embedding(["a"], np.ones((1, 2)), "x"))


def test_text_vectors_skip_non_alphabetic_tokens(tmp_path):
    path = tmp_path / "vectors.txt"
    path.write_text("3 2\ngood 1 0\n, 0 1\nfine 0.99 0.1\n")
    embedding = load_embedding(path)
    assert embedding.words == ["good", "fine"]


@pytest.mark.slow
def test_real_glove_excludes_wordnet_antonyms_above_the_threshold():
    embedding = load_embedding("glove")
    for word, antonym in (("small", "large"), ("buy", "sell"), ("male", "female")):
        vectors = [embedding.vectors[embedding.index[w]] for w in (word, antonym)]
        assert float(vectors[0] @ vectors[1]) >= 0.95  # plain GloVe puts antonyms very close
        assert antonym in build_synonym_table([word], embedding, filters=())[word]
        assert antonym not in build_synonym_table([word], embedding)[word]
    unfiltered = build_synonym_table(["movie"], embedding, filters=())["movie"]
    assert {"film", "movies"} <= set(unfiltered)
    filtered = build_synonym_table(["movie"], embedding)["movie"]  # the default filters
    assert "film" in filtered and "movies" not in filtered  # another form of the word itself


def test_antonym_table_on_mnli_vocabulary(mnli_rows):
    words = vocabulary(t for r in mnli_rows for t in (r["premise"], r["hypothesis"]))
    table = build_antonym_table(words)
    assert len(table) > 100
    # hand-written pairs (WordNet 3.0 direct antonyms of these words)
    for word, expected in {"good": {"bad", "evil"}, "old": {"young", "new"}, "true": {"false"},
                           "increase": {"decrease"}, "large": {"small"}}.items():  # fmt: skip
        assert word in words and expected <= set(table[word]), (word, table.get(word))
    # every entry checked by the independent oracle (NLTK WordNet + lemminflect, not WordNetAntonyms)
    assert all(is_wordnet_antonym(w, a) for w in list(table)[:300] for a in table[w])
    assert all(w.isalpha() for candidates in table.values() for w in candidates)


BAD_TABLES = {
    "truncated.json": ('{"format": "textattack-bat/perturbation-table", "vers', "not a JSON"),
    "binary.json": (b"\x89PNG\r\n\x1a\n\x00\x00", "not a JSON"),
    "list.json": ("[1, 2]", "format='list'"),
    "other.json": ('{"format": "word2vec"}', "format='word2vec'"),
    "future.json": (
        '{"format": "textattack-bat/perturbation-table", "version": 2, "kind": "synonym", '
        '"entries": {}}',
        "format version 2",
    ),
    "entries.json": (
        '{"format": "textattack-bat/perturbation-table", "version": 1, "kind": "synonym", '
        '"entries": {"good": "fine"}}',
        "'entries' must map each word to a list",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_TABLES))
def test_a_bad_table_file_is_refused_in_one_line_naming_it(tmp_path, name):
    content, problem = BAD_TABLES[name]
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(ValueError) as error:
        PerturbationTable.load(path)
    message = str(error.value)
    assert "\n" not in message and str(path) in message and problem in message
    assert "build-tables" in message  # the fix


def test_a_table_of_the_wrong_kind_is_refused(tmp_path):
    from textattack_bat.lexicon.tables import AntonymTable, SynonymTable

    path = AntonymTable({"good": ("bad",)}).save(tmp_path / "antonyms.json")
    assert AntonymTable.load(path)["good"] == ("bad",)
    assert PerturbationTable.load(path).kind == "antonym"
    with pytest.raises(ValueError, match="kind 'antonym' where one of kind 'synonym'"):
        SynonymTable.load(path)
