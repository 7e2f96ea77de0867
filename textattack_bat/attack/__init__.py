"""TextAttack components: transformations, goal functions, constraints, the search method and
the recipes that compose them (``antonym-under*``, ``synonym-over``).
"""

from textattack_bat import _submodule_getattr

__getattr__ = _submodule_getattr(__name__)
