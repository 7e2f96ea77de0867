"""Every recipe name, written once: CLI name -> recipe class, and how each derived class differs.

Import-free (the task registry and the sense policy names only), so the plug-in registers the
CLI names without importing TextAttack; :mod:`textattack_bat.attack.recipes` builds the derived
classes from the same table. CLI names cannot carry parameters, so each preset, protocol and
sense policy has its own name: ``antonym-under[-PRESET][-improve][-senses-POLICY]`` and
``negation-under[-PRESET][-improve]``.
"""

from __future__ import annotations

from typing import NamedTuple

from textattack_bat.lexicon.senses import SENSE_POLICIES, policy_suffix
from textattack_bat.tasks import presets

MODULE = "textattack_bat.attack.recipes"


class RecipeName(NamedTuple):
    """``cli`` -> class ``cls``; a derived class subclasses ``base`` and sets ``attributes``."""

    cli: str
    cls: str
    base: str | None = None  # None: written by hand in the recipes module
    attributes: tuple[tuple[str, object], ...] = ()
    doc: str = ""


def _family(cli: str, cls: str, what: str) -> list[RecipeName]:
    """``cli`` and ``cli-improve`` (classes ``cls``, ``cls[:-len("Chen2022")]Improve``, written by
    hand), then per task preset ``cli-PRESET`` and ``cli-PRESET-improve``."""
    stem = cls.removesuffix("Chen2022")
    family = [RecipeName(cli, cls), RecipeName(f"{cli}-improve", f"{stem}Improve")]
    for preset, task in presets().items():
        skipped = ", ".join(f"{task.label_names[i]} ({i})" for i in task.antonym_skip_labels)
        preset_cls = f"{stem}{preset.upper()}"
        family.append(
            RecipeName(
                f"{cli}-{preset}",
                preset_cls,
                cls,
                (("skip_labels", task.antonym_skip_labels),),
                f"``{cli}-{preset}``: ``{cli}`` ({what}) with {skipped} skipped.",
            )
        )
        family.append(
            RecipeName(
                f"{cli}-{preset}-improve",
                f"{preset_cls}Improve",
                preset_cls,
                (("improve_only", True),),
                f"``{cli}-{preset}-improve``: the authors' improve-only protocol.",
            )
        )
    return family


def _table() -> tuple[RecipeName, ...]:
    antonym = _family("antonym-under", "AntonymUnderChen2022", "one antonym swap")
    negation = _family("negation-under", "NegationUnderChen2022", "one negation edit")
    variants = [
        RecipeName(
            f"{name.cli}-senses-{policy}",
            f"{name.cls}{policy_suffix(policy)}",
            name.cls,
            (("senses", policy),),
            f"``{name.cli}`` with antonyms from the {policy!r} sense policy.",
        )
        for name in antonym
        for policy in SENSE_POLICIES
    ]
    return (
        *antonym,
        *variants,
        *negation,
        RecipeName("synonym-over", "SynonymOverChen2022"),
    )


RECIPES: tuple[RecipeName, ...] = _table()
# CLI name -> dotted path, as TextAttack's ATTACK_RECIPE_NAMES lists its own recipes
RECIPE_NAMES: dict[str, str] = {r.cli: f"{MODULE}.{r.cls}" for r in RECIPES}
