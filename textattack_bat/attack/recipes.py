"""Attack recipes for both sensitivities (Chen, Ji & Evans, Findings of EMNLP 2022).

Each recipe is a TextAttack ``AttackRecipe``: goal function + constraints + transformation +
search, built by ``build(model_wrapper, **options)``. CLI names (``textattack attack --recipe
NAME``) and the derived classes (one per preset, protocol and sense policy) are listed once in
:mod:`textattack_bat.attack.recipe_names`; the classes are built at the end of this module.
"""

from __future__ import annotations

from collections.abc import Iterable

from textattack import Attack
from textattack.attack_recipes import AttackRecipe
from textattack.constraints.grammaticality import PartOfSpeech
from textattack.constraints.overlap import MaxWordsPerturbed
from textattack.constraints.pre_transformation import RepeatModification, StopwordModification
from textattack.constraints.semantics.sentence_encoders import SentenceEncoder
from textattack.models.wrappers import ModelWrapper
from textattack.search_methods import GreedyWordSwapWIR, SearchMethod
from textattack.transformations import Transformation

from textattack_bat import resources
from textattack_bat.attack.constraints import TEXTFOOLER_STOPWORDS, ColumnModification, MaxEdits
from textattack_bat.attack.constraints import sentence_encoder as build_sentence_encoder
from textattack_bat.attack.goal_functions import UndersensitivityClassification
from textattack_bat.attack.recipe_names import RECIPES
from textattack_bat.attack.search_methods import GreedyWordSwapWIRRankIfNeeded
from textattack_bat.attack.transformations import WordNegation, WordSwapAntonym
from textattack_bat.errors import UsageError
from textattack_bat.lexicon.senses import SensePolicy

WIR_METHODS = ("auto", "gradient", "delete", "unk", "weighted-saliency", "random")


def supports_gradients(model_wrapper: ModelWrapper) -> bool:
    """True when the wrapper implements ``get_grad`` (TextAttack's HF and PyTorch wrappers do)."""
    return type(model_wrapper).get_grad is not ModelWrapper.get_grad


def resolve_wir_method(model_wrapper: ModelWrapper, wir_method: str) -> str:
    """``auto``: gradient ranking (as the authors) when the wrapper has gradients, else deletion."""
    if wir_method not in WIR_METHODS:
        raise UsageError(f"Unknown wir_method {wir_method!r}; choose one of {WIR_METHODS}.")
    if wir_method == "auto":
        return "gradient" if supports_gradients(model_wrapper) else "delete"
    if wir_method == "gradient" and not supports_gradients(model_wrapper):
        raise UsageError(
            f"wir_method='gradient' needs a model wrapper with get_grad(); "
            f"{type(model_wrapper).__name__} has none. Use wir_method='delete' (or 'auto')."
        )
    return wir_method


class AntonymUnderChen2022(AttackRecipe):
    """Undersensitivity attack: one WordNet antonym swap that leaves the prediction unchanged.

    Transformation: :class:`WordSwapAntonym`. Constraints: TextFooler stopwords, PartOfSpeech
    (no verb/noun swap), at most one perturbed word across all input columns, no repeated
    modification; no sentence-similarity constraint. Search: TextAttack's ``GreedyWordSwapWIR``
    (:class:`GreedyWordSwapWIRRankIfNeeded`: no gradient where one word or none can be swapped).
    Goal: :class:`UndersensitivityClassification`.

    Options:
        skip_labels: ground-truth labels not attacked (presets set NLI neutral / QQP non-duplicate).
        modifiable_columns: input columns that may be modified (default: all, e.g. premise OR hypothesis).
        wir_method: word ranking; ``auto`` = gradient when the wrapper supports it, else deletion.
        improve_only: the authors' protocol (accept a swap only if it raises p(label)).
        inflect: inflect antonyms like the original word (False: bare WordNet lemmas).
        stopwords: words never swapped (default: TextFooler's list).
        search_method: replaces the greedy search (evaluation uses GreedyWordSwapWIRProtocols).
        senses: which senses of a word in its sentence give antonyms (:mod:`textattack_bat.lexicon.senses`;
            default ``DEFAULT_SENSES``); CLI: ``<recipe>-senses-<policy>``.
    """

    skip_labels: tuple[int, ...] = ()
    improve_only: bool = False
    senses: str | None = None

    @classmethod
    def build(
        cls,
        model_wrapper: ModelWrapper,
        skip_labels: Iterable[int] | None = None,
        modifiable_columns: Iterable[str] | None = None,
        wir_method: str = "auto",
        improve_only: bool | None = None,
        inflect: bool = True,
        stopwords: Iterable[str] | None = None,
        search_method: SearchMethod | None = None,
        senses: str | SensePolicy | None = None,
    ) -> Attack:
        transformation, constraints = antonym_swap(inflect, stopwords, senses or cls.senses)
        return undersensitivity_attack(
            cls,
            model_wrapper,
            transformation,
            constraints,
            skip_labels,
            modifiable_columns,
            wir_method,
            improve_only,
            search_method,
        )


def antonym_swap(
    inflect: bool = True,
    stopwords: Iterable[str] | None = None,
    senses: str | SensePolicy | None = None,
) -> tuple[WordSwapAntonym, list]:
    """The antonym recipes' transformation and constraints (the column rule aside): TextFooler
    stopwords (or ``stopwords``), at most one perturbed word, PoS kept (no verb/noun swap), no
    repeated modification. BAT's aligned copies (:class:`~textattack_bat.attack.copies.AttackCopies`)
    are drawn from the same pair."""
    resources.require_nltk("wordnet", "pos-tagger", "universal-tagset")
    constraints = [
        RepeatModification(),
        StopwordModification(
            stopwords=set(TEXTFOOLER_STOPWORDS if stopwords is None else stopwords)
        ),
        MaxWordsPerturbed(max_num_words=1),
        PartOfSpeech(allow_verb_noun_swap=False),
    ]
    return WordSwapAntonym(inflect=inflect, senses=senses), constraints


def negation_edit() -> tuple[WordNegation, list]:
    """The negation recipes' transformation and constraints: one negation edit (no stopword
    list: negations are made at auxiliaries and negators)."""
    resources.require_nltk("pos-tagger")
    return WordNegation(), [MaxEdits(1)]


def undersensitivity_attack(
    recipe: type[AttackRecipe],
    model_wrapper: ModelWrapper,
    transformation: Transformation,
    constraints: list,
    skip_labels: Iterable[int] | None,
    modifiable_columns: Iterable[str] | None,
    wir_method: str,
    improve_only: bool | None,
    search_method: SearchMethod | None,
) -> Attack:
    """The part every undersensitivity recipe shares: ``constraints`` plus the column rule, the
    :class:`UndersensitivityClassification` goal (the recipe class's ``skip_labels`` and
    ``improve_only`` where the caller gives None) and the greedy search with word ranking."""
    if modifiable_columns is not None:
        constraints = [*constraints, ColumnModification(modifiable_columns)]
    goal_function = UndersensitivityClassification(
        model_wrapper,
        skip_labels=recipe.skip_labels if skip_labels is None else skip_labels,
        improve_only=recipe.improve_only if improve_only is None else improve_only,
    )
    if search_method is None:
        search_method = GreedyWordSwapWIRRankIfNeeded(
            wir_method=resolve_wir_method(model_wrapper, wir_method)
        )
    return Attack(goal_function, constraints, transformation, search_method)


class AntonymUnderImprove(AntonymUnderChen2022):
    """``antonym-under`` with the authors' improve-only protocol (reproduces published ASRs)."""

    improve_only = True


class NegationUnderChen2022(AttackRecipe):
    """Undersensitivity attack by negation: one negation inserted or removed (``plays -> does not
    play``, ``isn't -> is``) that leaves the prediction unchanged (Niu & Bansal 2018; the second
    undersensitivity attack of Chen et al.'s released code).

    Transformation: :class:`WordNegation` (already negated verbs are skipped). Constraints: one
    edit (:class:`MaxEdits`; an edit may change several words), no stopword list (negation edits
    are made at auxiliaries and negators, which stopword lists hold). Search: TextAttack's
    ``GreedyWordSwapWIR`` over the words that have an edit (:class:`GreedyWordSwapWIRRankIfNeeded`).
    Goal: :class:`UndersensitivityClassification`.

    Options: ``skip_labels``, ``modifiable_columns``, ``wir_method``, ``improve_only`` and
    ``search_method`` as in :class:`AntonymUnderChen2022`.
    """

    skip_labels: tuple[int, ...] = ()
    improve_only: bool = False

    @classmethod
    def build(
        cls,
        model_wrapper: ModelWrapper,
        skip_labels: Iterable[int] | None = None,
        modifiable_columns: Iterable[str] | None = None,
        wir_method: str = "auto",
        improve_only: bool | None = None,
        search_method: SearchMethod | None = None,
    ) -> Attack:
        transformation, constraints = negation_edit()
        return undersensitivity_attack(
            cls,
            model_wrapper,
            transformation,
            constraints,
            skip_labels,
            modifiable_columns,
            wir_method,
            improve_only,
            search_method,
        )


class NegationUnderImprove(NegationUnderChen2022):
    """``negation-under`` with the authors' improve-only protocol."""

    improve_only = True


class SynonymOverChen2022(AttackRecipe):
    """Oversensitivity attack (TextFooler-style): synonym swaps that flip the prediction.

    Transformation: :class:`WordSwapTable` over a synonym table, or over embedding neighbours
    with cosine >= ``threshold`` (at most ``k`` that pass the synonym filters of
    :mod:`textattack_bat.lexicon.synonym_filters`) when no table is given.
    Constraints: no repeated modification, TextFooler stopwords, PartOfSpeech (verb/noun swap
    allowed), sentence-encoder similarity (USE, angular >= 0.840845057, window 15, when the
    ``use`` extra is installed and reachable; else local SBERT all-MiniLM-L6-v2 with the same
    threshold: see the printed attack). Both columns of a pair may be perturbed (unless
    ``modifiable_columns`` says otherwise). Untargeted goal, greedy search with deletion word
    ranking over the words that have a synonym.

    Options:
        synonyms: a synonym table (path or mapping); None: embedding neighbours.
        embedding: ``auto`` (``counter-fitted`` when reachable, else ``glove-counterfitted``) |
            ``counter-fitted`` | ``glove`` | ``glove-counterfitted`` | a vectors file (when
            ``synonyms`` is None).
        threshold, k: the embedding neighbourhood.
        sentence_encoder: ``auto`` | ``use`` | ``sbert`` | a built ``SentenceEncoder`` constraint
            (reused as is, e.g. across epochs) | None (no similarity constraint).
        wir_method: word ranking (TextFooler: ``delete``).
        modifiable_columns: input columns that may be modified (default: all; TextFooler's NLI
            setting is ``["hypothesis"]``).
    """

    @classmethod
    def build(
        cls,
        model_wrapper: ModelWrapper,
        synonyms=None,
        embedding: str = "auto",
        threshold: float = 0.8,
        k: int = 50,
        sentence_encoder: str | SentenceEncoder | None = "auto",
        wir_method: str = "delete",
        stopwords: Iterable[str] | None = None,
        modifiable_columns: Iterable[str] | None = None,
    ) -> Attack:
        from textattack.goal_functions import UntargetedClassification

        from textattack_bat.attack.transformations import WordSwapTable
        from textattack_bat.lexicon.tables import (
            EmbeddingNeighbours,
            SynonymTable,
            load_embedding,
        )

        resources.require_nltk("pos-tagger", "universal-tagset")
        if synonyms is None:
            synonyms = EmbeddingNeighbours(load_embedding(embedding), threshold=threshold, k=k)
        elif isinstance(synonyms, (str, bytes)) or hasattr(synonyms, "__fspath__"):
            synonyms = SynonymTable.load(synonyms)
        constraints = [
            RepeatModification(),
            StopwordModification(
                stopwords=set(TEXTFOOLER_STOPWORDS if stopwords is None else stopwords)
            ),
            PartOfSpeech(allow_verb_noun_swap=True),
        ]
        if modifiable_columns is not None:
            constraints.append(ColumnModification(modifiable_columns))
        if isinstance(sentence_encoder, str):
            constraints.append(build_sentence_encoder(sentence_encoder))
        elif sentence_encoder is not None:
            constraints.append(sentence_encoder)
        goal_function = UntargetedClassification(model_wrapper)
        search_method = GreedyWordSwapWIR(wir_method=resolve_wir_method(model_wrapper, wir_method))
        return Attack(
            goal_function, constraints, WordSwapTable(synonyms, max_candidates=k), search_method
        )


def _derived_classes() -> dict[str, type[AttackRecipe]]:
    """The classes of :data:`~textattack_bat.attack.recipe_names.RECIPES` not written above."""
    classes: dict[str, type[AttackRecipe]] = {
        "AntonymUnderChen2022": AntonymUnderChen2022,
        "AntonymUnderImprove": AntonymUnderImprove,
        "NegationUnderChen2022": NegationUnderChen2022,
        "NegationUnderImprove": NegationUnderImprove,
        "SynonymOverChen2022": SynonymOverChen2022,
    }
    for recipe in RECIPES:
        if recipe.base is not None:
            attributes = {"__module__": __name__, "__doc__": recipe.doc, **dict(recipe.attributes)}
            classes[recipe.cls] = type(recipe.cls, (classes[recipe.base],), attributes)
    return classes


globals().update(_derived_classes())
