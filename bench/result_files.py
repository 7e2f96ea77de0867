"""A benchmark's result on disk: the JSON record and the same table as markdown, side by side."""

from __future__ import annotations

import json
from pathlib import Path


def write_result(out: str | Path, record: dict, lines: list[str]) -> Path:
    """Write ``record`` to ``out`` (JSON) and ``lines`` to ``out`` with the suffix ``.md``."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=1))
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    return out
