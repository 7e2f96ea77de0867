"""textattack-bat: over- and undersensitivity attacks and Balanced Adversarial Training for TextAttack.

Importing this package is cheap and never touches the network: every public name is
resolved lazily (PEP 562), so ``import textattack_bat`` does not import TextAttack or torch.
"""

from __future__ import annotations

import importlib
import importlib.util

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    # resources
    "ResourceNotFoundError": "resources",
    # transformations
    "WordSwapAntonym": "attack.transformations",
    "WordSwapTable": "attack.transformations",
    "WordInsertionNegation": "attack.transformations",
    "WordDeletionNegation": "attack.transformations",
    "WordNegation": "attack.transformations",
    "MaxEdits": "attack.constraints",
    "WordNetAntonyms": "lexicon.antonyms",
    # antonym sense policies
    "SENSE_POLICIES": "lexicon.senses",
    "AllSenses": "lexicon.senses",
    "FirstSense": "lexicon.senses",
    "LeskSenses": "lexicon.senses",
    "ContextSenses": "lexicon.senses",
    # goal functions
    "UndersensitivityClassification": "attack.goal_functions",
    # recipes
    "AntonymUnderChen2022": "attack.recipes",
    "AntonymUnderNLI": "attack.recipes",
    "AntonymUnderQQP": "attack.recipes",
    "AntonymUnderNLIImprove": "attack.recipes",
    "AntonymUnderQQPImprove": "attack.recipes",
    "AntonymUnderImprove": "attack.recipes",
    "NegationUnderChen2022": "attack.recipes",
    "NegationUnderNLI": "attack.recipes",
    "NegationUnderQQP": "attack.recipes",
    "NegationUnderNLIImprove": "attack.recipes",
    "NegationUnderQQPImprove": "attack.recipes",
    "NegationUnderImprove": "attack.recipes",
    "SynonymOverChen2022": "attack.recipes",
    # datasets and models
    "load_jsonl_dataset": "datasets",
    "load_classifier": "models",
    "DynamicPaddingModelWrapper": "models",
    # evaluation
    "evaluate_robustness": "evaluation.robustness",
    "RobustnessCallback": "evaluation.robustness",
    "GreedyWordSwapWIRProtocols": "attack.search_methods",
    "GreedyWordSwapWIRRankIfNeeded": "attack.search_methods",
    "BatchedAttacker": "attack.engine",
    "Rate": "evaluation.rates",
    "wilson_interval": "evaluation.rates",
    "GoldEdit": "evaluation.gold_edits",
    "load_gold_edits": "evaluation.gold_edits",
    "evaluate_gold_edits": "evaluation.gold_edits",
    "RepresentationProbe": "evaluation.probe",
    "TASKS": "tasks",
    # perturbation tables and samplers
    "SynonymTable": "lexicon.tables",
    "AntonymTable": "lexicon.tables",
    "build_synonym_table": "lexicon.tables",
    "build_antonym_table": "lexicon.tables",
    "load_embedding": "lexicon.tables",
    "counter_fit": "lexicon.counterfitting",
    "CounterFittingConfig": "lexicon.counterfitting",
    "linguistic_constraints": "lexicon.lexical",
    "SynonymSampler": "training.samplers",
    "AntonymSampler": "training.samplers",
    "NegationSampler": "training.samplers",
    "EitherSampler": "training.samplers",
    # losses and distances
    "CosineDistance": "training.distances",
    "EuclideanDistance": "training.distances",
    "PairwiseContrastiveLoss": "training.losses",
    "TripletContrastiveLoss": "training.losses",
    "NegativeMiner": "training.miners",
    # trainers
    "SAFERTrainer": "training.trainers",
    "BATTrainer": "training.trainers",
    "BATTrainingArgs": "training.arguments",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        module = importlib.import_module(f"{__name__}.{_EXPORTS[name]}")
        return getattr(module, name)
    return _submodule_getattr(__name__)(name)


def _submodule_getattr(package: str):
    """A PEP 562 ``__getattr__`` for a room: ``room.module`` imports ``package.module`` on first use
    (TextAttack's CLI evaluates dotted recipe paths such as ``textattack_bat.attack.recipes.X``)."""

    def __getattr__(name: str) -> object:
        if name.startswith("_") or importlib.util.find_spec(f"{package}.{name}") is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return importlib.import_module(f"{package}.{name}")

    return __getattr__


def __dir__() -> list[str]:
    import pkgutil

    rooms = {m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")}
    return sorted(set(__all__) | rooms | {"__version__"})
