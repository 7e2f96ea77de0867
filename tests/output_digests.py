"""Digests of what the synonym and antonym machinery outputs, for the cross-process tests.

``python tests/output_digests.py ROWS_FILE`` prints a JSON object of SHA-256 digests: the
offline counter-fitted vectors, the synonym and antonym tables of the rows' vocabulary, and
SAFER's and BAT's copies of the rows (both sense policies; negation and mixed negatives)."""

from __future__ import annotations

import hashlib
import json
import sys


def digest(value) -> str:
    if hasattr(value, "tobytes"):
        return hashlib.sha256(value.tobytes()).hexdigest()
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def main(rows_file: str) -> None:
    from textattack_bat.datasets import read_jsonl_rows
    from textattack_bat.lexicon.tables import (
        build_antonym_table,
        build_synonym_table,
        load_embedding,
        vocabulary,
    )
    from textattack_bat.training.samplers import (
        AntonymSampler,
        EitherSampler,
        NegationSampler,
        SynonymSampler,
    )

    rows = read_jsonl_rows(rows_file)
    examples = [(r["premise"], r["hypothesis"]) for r in rows]
    labels = [r["label"] for r in rows]
    words = vocabulary(t for example in examples for t in example)
    vectors = load_embedding("glove-counterfitted", progress=False)
    synonyms = build_synonym_table(words, vectors)
    antonyms = build_antonym_table(words)
    out = {
        "vectors": digest(vectors.vectors),
        "words": digest(vectors.words),
        "synonym_table": digest(synonyms.to_json()),
        "antonym_table": digest(antonyms.to_json()),
        "safer": digest(SynonymSampler(synonyms, seed=3)(examples, epoch=2)[0]),
        "synonym_one_word": digest(SynonymSampler(synonyms, seed=3, max_words=1)(examples, 2)[0]),
        "antonym_all": digest(
            AntonymSampler(antonyms, [1], seed=3, senses="all")(examples, labels, 2)[0]
        ),
        "antonym_context": digest(
            AntonymSampler(antonyms, [1], seed=3, senses="context")(examples, labels, 2)[0]
        ),
        "negation": digest(NegationSampler([1], seed=3)(examples, labels, 2)[0]),
        "antonym_or_negation": digest(
            EitherSampler(
                [AntonymSampler(antonyms, [1], seed=3, senses="all"), NegationSampler([1], seed=4)],
                seed=5,
            )(examples, labels, 2)[0]
        ),
        "synonyms_of_big": list(synonyms.get("big", ())),
    }
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1])
