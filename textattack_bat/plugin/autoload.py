"""Start-up hook that plugs textattack-bat into TextAttack's command line.

``textattack_bat.pth`` (installed into site-packages) imports this module at interpreter
start. It must stay cheap: it imports only ``os`` and ``sys`` and installs one
``sys.meta_path`` finder. The finder does nothing until a TextAttack module we extend is
imported; then it lets the real loader run and calls
:func:`textattack_bat.plugin.registration.on_module_loaded` on the fresh module.

Opt out with ``TEXTATTACK_BAT_DISABLE_AUTOLOAD=1``.
"""

import os
import sys

DISABLE_ENV = "TEXTATTACK_BAT_DISABLE_AUTOLOAD"

# TextAttack modules whose import triggers registration (see registration.on_module_loaded).
WATCHED_MODULES = frozenset(
    {
        "textattack",
        "textattack.attack_args",
        "textattack.training_args",
        "textattack.commands.train_model_command",
        "textattack.commands.attack_command",
    }
)


class _LoaderProxy:
    """Wraps a module loader; after ``exec_module`` it hands the module to registration."""

    def __init__(self, loader, fullname):
        self._loader = loader
        self._fullname = fullname

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        from textattack_bat.plugin import registration

        registration.before_module_exec(self._fullname)
        self._loader.exec_module(module)
        registration.on_module_loaded(self._fullname, module)

    def __getattr__(self, name):  # get_source, is_package, ... for inspect and friends
        return getattr(self._loader, name)


class TextAttackHook:
    """A ``sys.meta_path`` finder that only watches :data:`WATCHED_MODULES`."""

    def find_spec(self, fullname, path, target=None):
        if fullname not in WATCHED_MODULES:
            return None
        for finder in sys.meta_path:
            if finder is self or isinstance(finder, TextAttackHook):
                continue
            find_spec = getattr(finder, "find_spec", None)
            spec = find_spec(fullname, path, target) if find_spec else None
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _LoaderProxy(spec.loader, fullname)
        return spec


def is_disabled() -> bool:
    return os.environ.get(DISABLE_ENV, "").strip().lower() not in ("", "0", "false", "no")


def install() -> bool:
    """Install the hook once. Returns True when the hook is (now) active."""
    if is_disabled():
        return False
    if any(isinstance(finder, TextAttackHook) for finder in sys.meta_path):
        return True
    sys.meta_path.insert(0, TextAttackHook())
    return True


install()
