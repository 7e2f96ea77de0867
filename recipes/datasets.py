"""The TextAttack dataset file shipped in the package (``textattack_bat/data/datasets.py``), for
``--dataset-from-file recipes/datasets.py[^NAME]`` from a checkout. Outside one, point at the
shipped file itself: ``--dataset-from-file "$(textattack-bat data-path datasets.py)"``."""

import runpy

from textattack_bat.datasets import shipped_path

globals().update(
    {
        k: v
        for k, v in runpy.run_path(str(shipped_path("datasets.py"))).items()
        if not k.startswith("__")
    }
)
