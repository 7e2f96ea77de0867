"""Interpreter start-up cost of the textattack_bat.pth hook (issue 2).

Two fresh, bare virtual environments side by side: one without the plugin, one with exactly
what `pip install -e .` adds to site-packages (a path entry for the project and
textattack_bat.pth). Runs `python -c pass` alternately in both and reports medians.

    python bench/startup.py --runs 200
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_env(path: Path, with_plugin: bool) -> Path:
    venv.EnvBuilder(with_pip=False).create(path)
    python = path / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [python, "-c", "import site; print(site.getsitepackages()[0])"], text=True
        ).strip()
    )
    if with_plugin:
        (site / "textattack_bat_path.pth").write_text(str(ROOT) + "\n")
        (site / "zz_textattack_bat.pth").write_text((ROOT / "textattack_bat.pth").read_text())
    return python


def time_once(python: Path) -> float:
    start = time.perf_counter()
    subprocess.run([python, "-c", "pass"], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        without = make_env(Path(tmp) / "without", with_plugin=False)
        with_plugin = make_env(Path(tmp) / "with", with_plugin=True)
        check = subprocess.check_output(
            [
                with_plugin,
                "-c",
                "import sys; print('textattack_bat.plugin.autoload' in sys.modules)",
            ],
            text=True,
        )
        assert check.strip() == "True", "the plugin's .pth did not run"
        for python in (without, with_plugin):  # warm the file cache
            time_once(python)
        a, b = [], []
        for _ in range(args.runs):
            a.append(time_once(without))
            b.append(time_once(with_plugin))
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"python {sys.version.split()[0]}, {args.runs} alternating runs of `python -c pass`")
    print("| environment | median ms | p90 ms |\n|---|---|---|")
    print(f"| without plugin | {1000 * ma:.2f} | {1000 * statistics.quantiles(a, n=10)[-1]:.2f} |")
    print(
        f"| with textattack_bat.pth | {1000 * mb:.2f} | {1000 * statistics.quantiles(b, n=10)[-1]:.2f} |"
    )
    print(f"\nadded: {1000 * (mb - ma):.2f} ms (ratio {mb / ma:.3f}); target < 5 ms")


if __name__ == "__main__":
    main()
