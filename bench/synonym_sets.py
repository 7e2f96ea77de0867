"""Synonym sets: SimLex-999 and table statistics for plain GloVe, the old and the new vectors (issue 22).

Vectors compared (all from the offline GloVe 6B-50d, 100k most frequent lower-case words):
  glove                 plain GloVe
  legacy                the landed code before issue 22 (``--legacy-commit``, read with ``git show``):
                        counter-fitting (2016 objective, 100 Adam steps) to WordNet synonyms and
                        antonyms found through NLTK
  cf2016-ppdb+wordnet   the 2016 objective on the new constraints (PPDB 2.0 + WordNet)
  ar-ppdb               attract-repel on the PPDB 2.0 pairs only
  ar-ppdb+wordnet       + WordNet (antonym file and rule, synonyms of the first two senses)
  ar-default            + morphology (inflectional attract): ``glove-counterfitted`` now
For each: SimLex-999 Spearman rho (Hill et al. 2015; all 999 pairs that both words are in the
vocabulary, and by part of speech), seconds to fit. For the legacy vectors and the default,
table statistics on the vocabularies of SNLI test and MNLI dev-matched rows: mean set size,
share of words with a candidate, share of candidates that are WordNet synonyms of the word in
some sense (a shared synset through NLTK, other forms of the word itself not counted), share
of other forms of the word, share of WordNet or PPDB antonyms, and function words in the sets
of content words; the filters off and on; thresholds 0.7 / 0.75 / 0.8 for the default. The
checks use NLTK and the data files directly, not the filters under test. Each run fits in a
fresh cache.

    python bench/synonym_sets.py --out bench/results/synonym_sets --legacy-commit 4419a2b
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scipy.stats import spearmanr

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TEXTATTACK_BAT_SHARED", ROOT.parent / "shared"))
WORDS_SHOWN = ("big", "good", "happy", "fast", "car", "woman", "small", "talking", "beautiful")


def simlex_pairs() -> list[tuple[str, str, str, float]]:
    lines = (SHARED / "data" / "lexical" / "SimLex-999.txt").read_text().splitlines()[1:]
    return [(p[0], p[1], p[2], float(p[3])) for p in (line.split("\t") for line in lines)]


def simlex(embedding) -> dict:
    """Spearman rho of cosine against SimLex-999, all pairs and by part of speech."""
    pairs = [p for p in simlex_pairs() if p[0] in embedding.index and p[1] in embedding.index]
    out = {"pairs": len(pairs)}
    for pos in ("all", "A", "N", "V"):
        chosen = [p for p in pairs if pos == "all" or p[2] == pos]
        cosines = [
            float(embedding.vectors[embedding.index[a]] @ embedding.vectors[embedding.index[b]])
            for a, b, _, _ in chosen
        ]
        out[f"rho_{pos}"] = round(float(spearmanr([p[3] for p in chosen], cosines)[0]), 4)
    return out


def vocabulary_of(path: Path, rows: int) -> list[str]:
    from textattack_bat.lexicon.tables import vocabulary

    with path.open() as handle:
        data = [json.loads(line) for _, line in zip(range(rows), handle)]
    return vocabulary(row[c] for row in data for c in ("premise", "hypothesis"))


class Checks:
    """Independent checks of a (word, candidate) pair: NLTK WordNet, lemminflect, the files."""

    def __init__(self):
        from lemminflect import getAllLemmas
        from nltk.corpus import stopwords, wordnet

        from textattack_bat.lexicon.stopwords import AUXILIARIES, TEXTFOOLER_STOPWORDS

        self.wn, self.get_lemmas = wordnet, getAllLemmas
        self.function_words = (
            set(stopwords.words("english")) | set(TEXTFOOLER_STOPWORDS) | set(AUXILIARIES)
        )
        self.file_antonyms = set()
        for name in ("ppdb_antonyms.txt", "wordnet_antonyms.txt"):
            for line in (SHARED / "data" / "lexical" / name).read_text().splitlines():
                a, b = line.split()
                self.file_antonyms |= {(a, b), (b, a)}
        self._synsets: dict[str, set] = {}

    def synsets(self, word: str) -> set:
        if word not in self._synsets:
            self._synsets[word] = set(self.wn.synsets(word))
        return self._synsets[word]

    def lemmas(self, word: str) -> set[str]:
        found = {word} | {m for p in "nvar" if (m := self.wn.morphy(word, p))}
        for forms in self.get_lemmas(word).values():
            found.update(forms)
        return found

    def inflection(self, word: str, candidate: str) -> bool:
        return bool(self.lemmas(word) & self.lemmas(candidate))

    def wordnet_synonym(self, word: str, candidate: str) -> bool:
        return not self.inflection(word, candidate) and bool(
            self.synsets(word) & self.synsets(candidate)
        )

    def antonym(self, word: str, candidate: str) -> bool:
        lemmas_c = self.lemmas(candidate)
        for lemma in self.lemmas(word):
            if any((lemma, c) in self.file_antonyms for c in lemmas_c | {candidate}):
                return True
            for synset in self.wn.synsets(lemma):
                for name in synset.lemmas():
                    if {a.name().lower() for a in name.antonyms()} & lemmas_c:
                        return True
        return False


def table_statistics(table, checks: Checks) -> dict:
    pairs = [(w, c) for w, cs in table.items() for c in cs]
    n = max(len(pairs), 1)
    content = [w for w in table if w not in checks.function_words]
    return {
        "words_in_embedding": len(table),
        "with_candidates": round(sum(bool(c) for c in table.values()) / max(len(table), 1), 4),
        "mean_set_size": round(len(pairs) / max(len(table), 1), 3),
        "wordnet_synonym_share": round(sum(checks.wordnet_synonym(w, c) for w, c in pairs) / n, 4),
        "inflection_share": round(sum(checks.inflection(w, c) for w, c in pairs) / n, 4),
        "antonym_share": round(sum(checks.antonym(w, c) for w, c in pairs) / n, 5),
        "function_words_in_content_sets": sum(
            c in checks.function_words for w in content for c in table[w]
        ),
    }


def legacy_module(commit: str):
    """The landed ``counterfitting`` module at ``commit``, imported from ``git show``."""
    source = subprocess.run(
        ["git", "show", f"{commit}:textattack_bat/counterfitting.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "legacy_counterfitting.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("legacy_counterfitting", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def fit(name: str, glove, legacy_commit: str):
    from textattack_bat.lexicon import counterfitting as cf

    os.environ["TA_CACHE_DIR"] = tempfile.mkdtemp(prefix="ta-cache-")  # fresh: time the fit
    start = time.perf_counter()
    if name == "glove":
        vectors = glove
    elif name == "legacy":
        legacy = legacy_module(legacy_commit)
        synonyms, antonyms = legacy.wordnet_constraints(glove)
        vectors = legacy.counter_fit(glove, synonyms, antonyms, device="cpu")
    else:
        configs = {
            "cf2016-ppdb+wordnet": cf.CounterFittingConfig(
                objective="counter-fitting", sources=("ppdb", "wordnet")
            ),
            "ar-ppdb": cf.CounterFittingConfig(sources=("ppdb",)),
            "ar-ppdb+wordnet": cf.CounterFittingConfig(sources=("ppdb", "wordnet")),
            "ar-default": cf.CounterFittingConfig(),
        }
        vectors = cf.counter_fitted(glove, configs[name])
    return vectors, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="bench/results/synonym_sets")
    parser.add_argument("--legacy-commit", default="4419a2b")
    parser.add_argument("--rows", type=int, default=1500, help="rows per vocabulary")
    args = parser.parse_args()

    from textattack_bat.lexicon.tables import build_synonym_table, load_embedding

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    glove = load_embedding("glove")
    vocabularies = {
        "snli_test": vocabulary_of(SHARED / "data" / "snli_test.jsonl", args.rows),
        "mnli_dev_matched": vocabulary_of(
            SHARED / "data" / "mnli_validation_matched_0_7999.jsonl", args.rows
        ),
    }
    checks = Checks()
    results = {
        "command": "python bench/synonym_sets.py " + " ".join(sys.argv[1:]),
        "rows_per_vocabulary": args.rows,
        "vocabulary_sizes": {k: len(v) for k, v in vocabularies.items()},
        "vectors": {},
        "tables": [],
        "sets": {},
    }
    names = ("glove", "legacy", "cf2016-ppdb+wordnet", "ar-ppdb", "ar-ppdb+wordnet", "ar-default")
    for name in names:
        vectors, seconds = fit(name, glove, args.legacy_commit)
        results["vectors"][name] = {
            "source": vectors.source,
            "fit_seconds": round(seconds, 1),
            **simlex(vectors),
        }
        print(name, results["vectors"][name], flush=True)
        if name not in ("glove", "legacy", "ar-default"):
            continue
        # ("antonym",): the builder before issue 22 (it excluded WordNet antonyms only)
        settings = [(0.8, ("antonym",)), (0.8, "default")]
        if name == "ar-default":
            settings = [(0.8, ())] + settings + [(0.75, "default"), (0.7, "default")]
        for threshold, filters in settings:
            for vocab_name, words in vocabularies.items():
                kwargs = {} if filters == "default" else {"filters": filters}
                start = time.perf_counter()
                table = build_synonym_table(words, vectors, threshold=threshold, k=50, **kwargs)
                row = {
                    "vectors": name,
                    "threshold": threshold,
                    "k": 50,
                    "filters": table.metadata["filters"],
                    "vocabulary": vocab_name,
                    "build_seconds": round(time.perf_counter() - start, 2),
                    **table_statistics(table, checks),
                }
                results["tables"].append(row)
                print(row, flush=True)
                if vocab_name == "snli_test" and threshold == 0.8:
                    key = f"{name}, filters: {', '.join(table.metadata['filters']) or 'none'}"
                    results["sets"][key] = {w: list(table.get(w, ())) for w in WORDS_SHOWN}
    (out / "synonym_sets.json").write_text(json.dumps(results, indent=1))
    (out / "synonym_sets.md").write_text(markdown(results))
    print(f"wrote {out / 'synonym_sets.json'} and {out / 'synonym_sets.md'}")
    return 0


def markdown(results: dict) -> str:
    lines = [
        "# Synonym sets (issue 22)",
        "",
        f"`{results['command']}`",
        "",
        "## SimLex-999 (Spearman rho of cosine; 2 CPU cores, fresh cache each)",
        "",
        "| vectors | source | pairs | rho | rho A | rho N | rho V | fit s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, v in results["vectors"].items():
        lines.append(
            f"| {name} | {v['source']} | {v['pairs']} | **{v['rho_all']:.3f}** | "
            f"{v['rho_A']:.3f} | {v['rho_N']:.3f} | {v['rho_V']:.3f} | {v['fit_seconds']} |"
        )
    sizes = results["vocabulary_sizes"]
    lines += [
        "",
        f"## Tables (k 50; vocabularies of the first {results['rows_per_vocabulary']} rows: "
        + ", ".join(f"{k} {v} words" for k, v in sizes.items())
        + ")",
        "",
        "WordNet synonym: shares a synset with the word (NLTK), other forms of the word not "
        "counted. Inflection: another form of the word itself. Antonym: WordNet (any sense) or "
        "PPDB/WordNet antonym file. Function words: stopwords and auxiliaries in the sets of "
        "content words (a count).",
        "",
        "| vectors | threshold | filters | vocabulary | with candidates | mean set | WordNet synonym "
        "| inflection | antonym | function words | build s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results["tables"]:
        lines.append(
            f"| {r['vectors']} | {r['threshold']} | {', '.join(r['filters']) or 'none'} | "
            f"{r['vocabulary']} | {r['with_candidates']:.1%} | {r['mean_set_size']:.2f} | "
            f"{r['wordnet_synonym_share']:.1%} | {r['inflection_share']:.1%} | "
            f"{r['antonym_share']:.2%} | {r['function_words_in_content_sets']} | "
            f"{r['build_seconds']} |"
        )
    lines += ["", "## Sets (SNLI test vocabulary, threshold 0.8)", ""]
    for key, sets in results["sets"].items():
        lines.append(f"**{key}**")
        lines.append("")
        for word, candidates in sets.items():
            lines.append(f"- {word}: {', '.join(candidates) or '(none)'}")
        lines.append("")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
