"""Which WordNet senses of a word its sentence uses: the sense policies of the antonym look-up.

An antonym swap is an error of the model only if the swap really reverses the meaning, so the
antonym should come from the sense the word has in its sentence. Each policy maps
(word's candidate synsets, the sentence's words, the word's index) to the synsets kept:

- ``all``: every synset (the authors' rule, context-free);
- ``first-sense``: WordNet's first (most frequent) synset only;
- ``lesk``: extended-gloss Lesk. Score(s) = |C ∩ G(s)|, C the sentence's content words, G(s) the
  content words of s's definition, examples and lemma names and those of its hypernyms and
  head/similar synsets. Keep the synsets with the best score (all of them when nothing overlaps);
- ``context``: Score(s) = cos(E(sentence), E(definition and examples of s)), E the local
  all-MiniLM-L6-v2 sentence encoder (batched; each distinct text encoded once; the
  descriptions of every sense the look-up can score can be encoded once per machine and
  cached, :func:`description_table`). Keep s with
  Score(s) >= max Score - ``margin``; then, when the best-scoring sense also shares a neighbour
  of the word with one of its WordNet examples (:func:`shares_collocation`), keep only the kept
  senses that share one.

Satellite adjective senses (WordNet ``s``) give no antonyms (``indirect=False`` in
:class:`~textattack_bat.lexicon.antonyms.WordNetAntonyms`). The default (``context``, margin 0.25,
with the collocation check) and the measurements behind it: ``bench/README.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from textattack_bat.errors import UsageError
from textattack_bat.lexicon.tokens import WORD

SENSE_POLICIES: tuple[str, ...] = ("all", "first-sense", "lesk", "context")
DEFAULT_SENSES = "context"
CONTEXT_MARGIN = 0.25
HUB_ENCODER = "sentence-transformers/all-MiniLM-L6-v2"
ENCODER_BATCH_SIZE = 16  # encoder inputs per forward pass (the fastest on 2 CPU cores)


def embed(encoder, texts: Sequence[str]):
    """The SentenceTransformer ``encoder``'s unit-length embeddings of ``texts`` (numpy, a row each)."""
    return encoder.encode(
        list(texts), batch_size=ENCODER_BATCH_SIZE, normalize_embeddings=True, convert_to_numpy=True
    )


def policy_suffix(policy: str) -> str:
    """Class-name suffix of a recipe's sense variant: ``first-sense`` -> ``SensesFirstSense``."""
    return "Senses" + "".join(part.title() for part in get_policy(policy).name.split("-"))


def describe(
    synset, exclude: str | None = None, examples: bool = True, lemmas: bool = False
) -> str:
    """The text a synset is recognised by: with ``lemmas`` its lemma names first
    (``"implemental, instrumental, subservient: ..."``), then its definition and its examples
    (``exclude`` left out, so a sentence is never compared with a description containing itself)."""
    texts = [synset.definition()]
    if examples:
        texts += [e for e in synset.examples() if e != exclude]
    text = "; ".join(texts)
    if lemmas:
        text = ", ".join(name.replace("_", " ") for name in synset.lemma_names()) + ": " + text
    return text


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from nltk.corpus import stopwords

    return frozenset(stopwords.words("english"))


def content_words(text: str) -> set[str]:
    """Lower-cased alphabetic tokens of ``text``, stopwords removed, each with its WordNet base form."""
    from nltk.corpus import wordnet

    words = set()
    for token in WORD.findall(text.lower()):
        if token in _stopwords() or len(token) < 2:
            continue
        words.add(token)
        base = wordnet.morphy(token)
        if base:
            words.add(base)
    return words


class SensePolicy:
    """Base policy: keep every synset. ``select`` returns the kept synsets, in WordNet order."""

    name = "all"
    needs_context = False

    def select(
        self,
        synsets: Sequence,
        words: Sequence[str] = (),
        index: int = 0,
        exclude: str | None = None,
    ) -> list:
        return list(synsets)

    def prefetch(self, requests: Sequence[tuple[Sequence, Sequence[str], int]]) -> None:
        """Prepare for :meth:`select` on each ``(synsets, words, index)`` at once (a policy
        that encodes text encodes all of it in one call); no effect on what ``select`` keeps."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class AllSenses(SensePolicy):
    """Every synset of the word: the authors' rule."""


class FirstSense(SensePolicy):
    """WordNet's first synset (its most frequent sense in SemCor) only."""

    name = "first-sense"

    def select(self, synsets, words=(), index=0, exclude=None):
        return list(synsets[:1])


class LeskSenses(SensePolicy):
    """Extended-gloss Lesk (Banerjee & Pedersen 2002, overlap counted as a set)."""

    name = "lesk"
    needs_context = True

    @staticmethod
    @lru_cache(maxsize=2**16)
    def _signature(synset, exclude: str | None) -> frozenset[str]:
        related = synset.hypernyms() + synset.similar_tos() + synset.also_sees()
        texts = [describe(synset, exclude), " ".join(synset.lemma_names())]
        texts += [describe(other) + " " + " ".join(other.lemma_names()) for other in related]
        return frozenset(content_words(" ".join(texts).replace("_", " ")))

    def scores(self, synsets, words, index, exclude=None) -> list[int]:
        context = content_words(" ".join(w for i, w in enumerate(words) if i != index))
        return [len(context & self._signature(s, exclude)) for s in synsets]

    def select(self, synsets, words=(), index=0, exclude=None):
        if len(synsets) < 2:
            return list(synsets)
        scores = self.scores(synsets, words, index, exclude)
        best = max(scores)
        if best == 0:  # no evidence: no filtering
            return list(synsets)
        return [s for s, score in zip(synsets, scores) if score == best]


class ContextSenses(SensePolicy):
    """Senses whose description the sentence encoder finds within ``margin`` (cosine) of the
    best one. ``examples`` / ``lemmas``: put the sense's examples / lemma names into its description.
    ``collocations``: when the best sense also :func:`shares_collocation` with the sentence (one
    sense per collocation, Yarowsky 1993), keep only the kept senses that share one: two
    independent signals agree, so the margin's doubt is settled. ``table``: read sense
    descriptions from the cached :func:`description_table` when there is one (built by
    :meth:`build_table` or ``textattack-bat build-sense-table``); otherwise, and with False, each
    description is encoded when first needed, as sentences are. Either way a description's
    vector is the encoder's; only batching's floating-point noise (about 1e-7) differs."""

    name = "context"
    needs_context = True

    def __init__(
        self,
        margin: float = CONTEXT_MARGIN,
        examples: bool = True,
        lemmas: bool = False,
        collocations: bool = True,
        device=None,
        table: bool = True,
    ):
        self.margin = margin
        self.examples = examples
        self.lemmas = lemmas
        self.collocations = collocations
        self.device = device
        self.table = table
        self._model = None
        self._cache: dict[str, object] = {}
        self._table_read = False

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_model": None, "_cache": {}, "_table_read": False}

    def __repr__(self) -> str:
        return (
            f"ContextSenses(margin={self.margin}, examples={self.examples}, "
            f"lemmas={self.lemmas}, collocations={self.collocations})"
        )

    def _encoder(self):
        """The process's one sentence encoder for this device (:func:`shared_encoder`)."""
        if self._model is None:
            import textattack

            from textattack_bat import resources

            # None: TextAttack's device, which ``--device`` sets (not CUDA whenever present)
            device = (
                resources.resolve_device(self.device)
                if self.device is not None
                else textattack.shared.utils.device
            )
            self._model = shared_encoder(encoder_source(), str(device))
        return self._model

    def encode(self, texts: Sequence[str]):
        """Unit-length embeddings of ``texts`` (numpy, one row each); each distinct text is
        encoded once per policy instance, in one batch per call. With ``table``, sense
        descriptions come from :func:`description_table`."""
        import numpy as np

        if self.table and not self._table_read:
            self._cache.update(description_table(self.examples, self.lemmas) or {})
            self._table_read = True
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            self._cache.update(zip(missing, self._encode_new(missing)))
        return np.stack([self._cache[t] for t in texts])

    def _encode_new(self, texts: list[str]):
        """The encoder's unit-length embeddings of ``texts`` (the batched attack engine,
        :mod:`textattack_bat.attack.engine`, gathers these calls across examples)."""
        return embed(self._encoder(), texts)

    def build_table(self) -> int:
        """Encode and cache the :func:`description_table` of this policy's settings unless it
        is cached already (minutes on a CPU, once per machine); the number of descriptions."""
        table = description_table(self.examples, self.lemmas, self._encoder)
        self._table_read = False  # read it on the next call
        return len(table)

    def texts(self, synsets, words, exclude=None) -> list[str]:
        """What :meth:`scores` encodes: the sentence, then each synset's description."""
        return [" ".join(words)] + [
            describe(s, exclude, self.examples, self.lemmas) for s in synsets
        ]

    def scores(self, synsets, words, index, exclude=None):
        vectors = self.encode(self.texts(synsets, words, exclude))
        return vectors[1:] @ vectors[0]

    def prefetch(self, requests):
        """Encode every text that :meth:`select` will score for ``requests`` in one call."""
        texts = [
            t
            for synsets, words, _ in requests
            if len(synsets) > 1
            for t in self.texts(synsets, words)
        ]
        if texts:
            self.encode(texts)

    def select(self, synsets, words=(), index=0, exclude=None):
        if len(synsets) < 2:
            return list(synsets)
        scores = self.scores(synsets, words, index, exclude)
        top = int(scores.argmax())
        kept = [s for s, score in zip(synsets, scores) if score >= scores[top] - self.margin]
        if self.collocations and words and shares_collocation(synsets[top], words, index, exclude):
            kept = [s for s in kept if shares_collocation(s, words, index, exclude)]
        return kept


# Neighbours that identify a sense: content words, and the prepositions and particles that
# complement a verb or adjective ("instrumental in", "stand on", "give up"). Other stopwords
# (articles, pronouns, auxiliaries, conjunctions: "She buries") say nothing of the sense.
_FRAME_WORDS = frozenset(
    "about above across after against along among around at before behind below beneath beside "
    "between beyond by down during for from in inside into like near of off on onto out outside "
    "over past since through throughout to toward towards under until up upon with within without".split()
)


def _weak_neighbour(word: str) -> bool:
    return word in _stopwords() and word not in _FRAME_WORDS


def _neighbours(tokens: Sequence[str], index: int) -> set[tuple[str, str]]:
    """(side, word) pairs next to ``tokens[index]``, lower-cased."""
    pairs = set()
    if index > 0:
        pairs.add(("left", tokens[index - 1].lower()))
    if index + 1 < len(tokens):
        pairs.add(("right", tokens[index + 1].lower()))
    return pairs


@lru_cache(maxsize=2**16)
def _example_neighbours(synset, exclude: str | None) -> frozenset[tuple[str, str]]:
    """(side, word) pairs next to the synset's own word in its examples (``exclude`` left out):
    ``("right", "in")`` from "instrumental in solving the crime"."""
    from nltk.corpus import wordnet

    pos = "a" if synset.pos() == "s" else synset.pos()
    forms = {name.lower() for name in synset.lemma_names()}
    pairs = set()
    for example in synset.examples():
        if example == exclude:
            continue
        tokens = [t.lower() for t in WORD.findall(example)]
        for i, token in enumerate(tokens):
            if token in forms or wordnet.morphy(token, pos) in forms:
                pairs |= _neighbours(tokens, i)
    return frozenset(p for p in pairs if not _weak_neighbour(p[1]))


def shares_collocation(
    synset, words: Sequence[str], index: int, exclude: str | None = None
) -> bool:
    """Whether the word at ``words[index]`` has the same left or right neighbour as the
    synset's word in one of the synset's examples (a content word, or a preposition or
    particle: articles, pronouns and auxiliaries do not count)."""
    return bool(_neighbours(words, index) & _example_neighbours(synset, exclude))


# --------------------------------------------------------------------------- description table

TABLE_KIND = "sense_descriptions"
# Bumped when what the table holds changes: old cache entries are then not reused.
TABLE_VERSION = 1
TABLE_MIN_ROWS = 2000  # evaluation and BAT training build the table for runs this large


def wants_table(senses: str | SensePolicy | None, rows: int) -> bool:
    """Whether a run of ``rows`` rows with the sense policy ``senses`` builds the description
    table first: the ``context`` policy (the default) on :data:`TABLE_MIN_ROWS` rows or more,
    where the table's build (minutes on a CPU, once per machine) costs less than it saves."""
    name = getattr(senses, "name", senses or DEFAULT_SENSES)
    return name == ContextSenses.name and rows >= TABLE_MIN_ROWS


@lru_cache(maxsize=4)
def shared_encoder(source: str, device: str):
    """One ``SentenceTransformer`` per (model, device) in a process, shared by every
    :class:`ContextSenses` (a per-epoch evaluation builds a new policy; it reuses this one)."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(source, device=device)


def encoder_source() -> str:
    """The ``context`` policy's sentence encoder: the installed MiniLM's folder, else (online)
    the same model from the hub; offline without it, the resource error that names the fix."""
    from textattack_bat import resources

    try:
        return str(resources.minilm_path())
    except resources.ResourceNotFoundError:
        if resources.is_offline():
            raise
        return HUB_ENCODER


@lru_cache(maxsize=8)
def _fingerprint(source: str) -> str:
    """SHA-256 of a local file or folder (its files' relative names and contents); anything
    else (a hub name) as is."""
    import hashlib
    from pathlib import Path

    root = Path(source)
    if not root.exists():
        return source
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    sha = hashlib.sha256()
    for path in files:
        sha.update(path.relative_to(root).as_posix().encode() + b"\0")
        sha.update(path.read_bytes())
    return sha.hexdigest()


@lru_cache(maxsize=1)
def description_synsets() -> tuple:
    """Every synset whose description the antonym look-up can score, sorted by name: all senses
    of each word that shares a sense with an antonym (WordNet's direct antonyms, any PoS)."""
    from nltk.corpus import wordnet

    words = {
        name
        for synset in wordnet.all_synsets()
        if any(lemma.antonyms() for lemma in synset.lemmas())
        for name in synset.lemma_names()
    }
    synsets = {s for word in words for s in wordnet.synsets(word)}
    return tuple(sorted(synsets, key=lambda s: s.name()))


_TABLES: dict[str, dict] = {}


def _table_key(examples: bool, lemmas: bool) -> tuple[str, dict]:
    from textattack_bat import resources
    from textattack_bat.lexicon import cache_files

    fields = {
        "encoder": _fingerprint(encoder_source()),
        "wordnet": _fingerprint(resources.nltk_resource("wordnet")),
        "examples": examples,
        "lemmas": lemmas,
        "synsets": "antonym words",  # description_synsets()
        "version": TABLE_VERSION,
    }
    return cache_files.digest(fields), fields


def description_table_path(examples: bool = True, lemmas: bool = False):
    """Where the :func:`description_table` of these settings is (or would be) cached."""
    from textattack_bat.lexicon import cache_files

    return cache_files.paths(TABLE_KIND, _table_key(examples, lemmas)[0])[0]


def description_table(examples: bool = True, lemmas: bool = False, encoder=None) -> dict | None:
    """``description text -> unit-length embedding`` for every :func:`description_synsets`
    synset, described by :func:`describe` with ``examples`` / ``lemmas``.

    Read from :mod:`~textattack_bat.lexicon.cache_files`, keyed by the encoder's files, WordNet's
    files and the settings; a process reads it once. When it is not cached:
    with ``encoder`` (a callable giving the SentenceTransformer) it is encoded now, in a fixed
    order and batch size, and cached; without, None."""
    from textattack_bat.lexicon import cache_files

    key, fields = _table_key(examples, lemmas)
    if key not in _TABLES:
        entry = cache_files.read(TABLE_KIND, key)
        if entry is None:
            if encoder is None:
                return None
            entry = _build_table(key, fields, description_synsets(), examples, lemmas, encoder)
        vectors, meta = entry
        _TABLES[key] = dict(zip(meta["texts"], vectors))
    return _TABLES[key]


def _build_table(key: str, fields: dict, synsets: Sequence, examples: bool, lemmas: bool, encoder):
    import time

    from textattack.shared import logger

    from textattack_bat.lexicon import cache_files

    texts = sorted({describe(s, None, examples, lemmas) for s in synsets})
    logger.info(
        f"Encoding {len(texts)} WordNet sense descriptions for the context sense policy, once "
        f"(cached in {cache_files.cache_dir(TABLE_KIND)})."
    )
    start = time.perf_counter()
    vectors = embed(encoder(), texts)
    meta = {
        **fields,
        "format": "textattack-bat/sense-descriptions",
        "synset_count": len(synsets),
        "seconds": round(time.perf_counter() - start, 1),
        "texts": texts,
    }
    cache_files.write(TABLE_KIND, key, vectors, meta)
    return cache_files.read(TABLE_KIND, key)


def get_policy(policy: str | SensePolicy | None = None) -> SensePolicy:
    """The one place a sense policy is resolved: an instance from its name (None:
    ``DEFAULT_SENSES``) or the instance itself; a ValueError naming the choices otherwise."""
    if isinstance(policy, SensePolicy):
        return policy
    name = DEFAULT_SENSES if policy is None else policy
    classes = {
        "all": AllSenses,
        "first-sense": FirstSense,
        "lesk": LeskSenses,
        "context": ContextSenses,
    }
    if name not in classes:
        raise UsageError(
            f"Unknown antonym sense policy {name!r}; choose one of {', '.join(SENSE_POLICIES)}."
        )
    return classes[name]()
