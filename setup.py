"""setup.cfg holds all metadata. This file only ships ``textattack_bat.pth`` (the start-up hook
that registers the plugin with TextAttack's CLI) into site-packages, for both
``pip install .`` (build_py) and ``pip install -e .`` (PEP 660 editable_wheel)."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.editable_wheel import editable_wheel

PTH = Path(__file__).parent / "textattack_bat.pth"


class build_py_with_pth(build_py):
    def run(self):
        super().run()
        self.copy_file(str(PTH), str(Path(self.build_lib, PTH.name)), preserve_mode=0)


class editable_wheel_with_pth(editable_wheel):
    def _select_strategy(self, name, tag, build_lib):
        return _AddPth(super()._select_strategy(name, tag, build_lib))


class _AddPth:
    """Wraps setuptools' editable strategy and adds our .pth next to its own."""

    def __init__(self, strategy):
        self.strategy = strategy

    def __call__(self, wheel, files, mapping):
        self.strategy(wheel, files, mapping)
        wheel.writestr(PTH.name, PTH.read_bytes())

    def __enter__(self):
        self.strategy.__enter__()
        return self

    def __exit__(self, *exc):
        return self.strategy.__exit__(*exc)


setup(cmdclass={"build_py": build_py_with_pth, "editable_wheel": editable_wheel_with_pth})
