"""textattack-bat: over- and undersensitivity attacks and Balanced Adversarial Training for TextAttack.

Importing this package is cheap and never touches the network: every public name is
resolved lazily (PEP 562), so ``import textattack_bat`` does not import TextAttack or torch.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    # resources
    "ResourceNotFoundError": "resources",
    # transformations
    "WordSwapAntonym": "transformations",
    "WordSwapTable": "transformations",
    "WordInsertionNegation": "transformations",
    "WordDeletionNegation": "transformations",
    "WordNetAntonyms": "antonyms",
    # antonym sense policies
    "SENSE_POLICIES": "senses",
    "AllSenses": "senses",
    "FirstSense": "senses",
    "LeskSenses": "senses",
    "ContextSenses": "senses",
    # goal functions
    "UndersensitivityClassification": "goal_functions",
    # recipes
    "AntonymUnderChen2022": "recipes",
    "AntonymUnderNLI": "recipes",
    "AntonymUnderQQP": "recipes",
    "AntonymUnderNLIImprove": "recipes",
    "AntonymUnderQQPImprove": "recipes",
    "AntonymUnderImprove": "recipes",
    "SynonymOverChen2022": "recipes",
    # datasets and models
    "load_jsonl_dataset": "datasets",
    "load_classifier": "models",
    "DynamicPaddingModelWrapper": "models",
    # evaluation
    "evaluate_robustness": "evaluation",
    "RobustnessCallback": "evaluation",
    "GreedyWordSwapWIRProtocols": "search_methods",
    "Rate": "rates",
    "wilson_interval": "rates",
    "GoldEdit": "gold_edits",
    "load_gold_edits": "gold_edits",
    "evaluate_gold_edits": "gold_edits",
    "RepresentationProbe": "diagnostics",
    "TASKS": "tasks",
    # perturbation tables and samplers
    "SynonymTable": "tables",
    "AntonymTable": "tables",
    "build_synonym_table": "tables",
    "build_antonym_table": "tables",
    "load_embedding": "tables",
    "counter_fit": "counterfitting",
    "CounterFittingConfig": "counterfitting",
    "linguistic_constraints": "lexical",
    "SynonymSampler": "samplers",
    "AntonymSampler": "samplers",
    # losses and distances
    "CosineDistance": "distances",
    "EuclideanDistance": "distances",
    "PairwiseContrastiveLoss": "losses",
    "TripletContrastiveLoss": "losses",
    "NegativeMiner": "miners",
    # trainers
    "SAFERTrainer": "trainers",
    "BATTrainer": "trainers",
    "BATTrainingArgs": "trainers",
}

_SUBMODULES = {
    "antonyms",
    "autoload",
    "cli",
    "constraints",
    "counterfitting",
    "datasets",
    "demo",
    "diagnostics",
    "distances",
    "distributed",
    "embeddings",
    "evaluation",
    "goal_functions",
    "lexical",
    "gold_edits",
    "losses",
    "miners",
    "negation",
    "models",
    "plots",
    "random_states",
    "rates",
    "recipes",
    "reductions",
    "registration",
    "relevance",
    "representations",
    "resources",
    "samplers",
    "search_methods",
    "senses",
    "stopwords",
    "synonym_filters",
    "tables",
    "tasks",
    "train_command",
    "trainers",
    "transformations",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        module = importlib.import_module(f"{__name__}.{_EXPORTS[name]}")
        return getattr(module, name)
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(__all__) | _SUBMODULES | {"__version__"})
