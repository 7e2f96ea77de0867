"""The documentation site builds with no warning (``mkdocs build --strict``: a broken link or an
unresolvable reference fails it), and its API page covers every public name."""

from __future__ import annotations

import os
import re
import subprocess

from conftest import ROOT, script

import textattack_bat


def test_the_api_page_names_every_public_name():
    page = (ROOT / "docs" / "api.md").read_text()
    documented = set(re.findall(r"::: textattack_bat\.[\w.]*\.(\w+)", page))
    tabled = set(re.findall(r"^\| `(\w+)` \|", page, flags=re.M))
    assert sorted(set(textattack_bat.__all__) - documented - tabled) == []
    for name in documented:  # each ::: entry points at the module that defines the name
        assert f"::: textattack_bat.{textattack_bat._EXPORTS[name]}.{name}" in page


def test_the_docs_site_builds_strictly(tmp_path):
    out = subprocess.run(
        [script("mkdocs"), "build", "--strict", "--quiet", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert (tmp_path / "site" / "api" / "index.html").is_file()
