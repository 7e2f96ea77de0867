"""Training: perturbation samplers, relevant positions and implied labels, distances,
reductions, losses, negative miners, representations, distributed helpers, random states,
``BATTrainingArgs`` and the SAFER / BAT trainers.
"""

from textattack_bat import _submodule_getattr

__getattr__ = _submodule_getattr(__name__)
