"""Every recipe name, written once: CLI name -> recipe class, and how each derived class differs.

Import-free (the task registry and the sense policy names only), so the plug-in registers the
CLI names without importing TextAttack; :mod:`textattack_bat.attack.recipes` builds the derived
classes from the same table. CLI names cannot carry parameters, so each preset, protocol and
sense policy has its own name: ``antonym-under[-PRESET][-improve][-senses-POLICY]``.
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


def _table() -> tuple[RecipeName, ...]:
    antonym = [
        RecipeName("antonym-under", "AntonymUnderChen2022"),
        RecipeName("antonym-under-improve", "AntonymUnderImprove"),
    ]
    for preset, task in presets().items():
        skipped = ", ".join(f"{task.label_names[i]} ({i})" for i in task.antonym_skip_labels)
        cls = f"AntonymUnder{preset.upper()}"
        antonym.append(
            RecipeName(
                f"antonym-under-{preset}",
                cls,
                "AntonymUnderChen2022",
                (("skip_labels", task.antonym_skip_labels),),
                f"``antonym-under-{preset}``: ``antonym-under`` with {skipped} skipped.",
            )
        )
        antonym.append(
            RecipeName(
                f"antonym-under-{preset}-improve",
                f"{cls}Improve",
                cls,
                (("improve_only", True),),
                f"``antonym-under-{preset}-improve``: the authors' improve-only protocol.",
            )
        )
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
    return (*antonym, *variants, RecipeName("synonym-over", "SynonymOverChen2022"))


RECIPES: tuple[RecipeName, ...] = _table()
# CLI name -> dotted path, as TextAttack's ATTACK_RECIPE_NAMES lists its own recipes
RECIPE_NAMES: dict[str, str] = {r.cli: f"{MODULE}.{r.cls}" for r in RECIPES}
