"""Attack recipes as files for ``textattack attack --attack-from-file recipes/attacks.py^NAME``.

Each function takes TextAttack's model wrapper and returns an ``Attack``; options are the
recipe classes' ``build`` keywords (see README "Python API").
"""

from textattack_bat.attack.recipes import (
    AntonymUnderChen2022,
    AntonymUnderNLI,
    AntonymUnderQQP,
    NegationUnderNLI,
)


def attack(model_wrapper):
    """The default: ``antonym-under-nli`` (MNLI/SNLI, neutral skipped)."""
    return AntonymUnderNLI.build(model_wrapper)


def antonym_under(model_wrapper):
    return AntonymUnderChen2022.build(model_wrapper)


def antonym_under_nli(model_wrapper):
    return AntonymUnderNLI.build(model_wrapper)


def antonym_under_qqp(model_wrapper):
    return AntonymUnderQQP.build(model_wrapper)


def antonym_under_nli_improve(model_wrapper):
    """The authors' improve-only protocol (reproduces the published antonym ASRs)."""
    return AntonymUnderNLI.build(model_wrapper, improve_only=True)


def antonym_under_nli_hypothesis_only(model_wrapper):
    """Only the hypothesis may be swapped."""
    return AntonymUnderNLI.build(model_wrapper, modifiable_columns=["hypothesis"])


def negation_under_nli(model_wrapper):
    """One negation inserted or removed that keeps the prediction (neutral skipped)."""
    return NegationUnderNLI.build(model_wrapper)
