"""Evaluation: attack success rates under both protocols, the robustness callback, human gold
edits, the representation probe, Wilson rates and plots.
"""

from textattack_bat import _submodule_getattr

__getattr__ = _submodule_getattr(__name__)
