"""The TextAttack CLI plug-in: the start-up hook, the registration of recipes and training
methods, and ``textattack train`` support.
"""

from textattack_bat import _submodule_getattr

__getattr__ = _submodule_getattr(__name__)
