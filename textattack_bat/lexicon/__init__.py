"""Word relations: WordNet antonyms and their sense policies, embeddings, counter-fitting to
linguistic constraints, synonym filters, negation rules, and the JSON perturbation tables built
from them. Imports only :mod:`textattack_bat.resources`, ``tasks`` and ``datasets``.
"""

from textattack_bat import _submodule_getattr

__getattr__ = _submodule_getattr(__name__)
