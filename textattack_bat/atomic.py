"""Atomic writes: the bytes go to a temporary file in the target's folder, then ``os.replace``
puts it in place, so a reader (a resume, a user) sees the old file or the new one, never a
torn one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_with(path: str | Path, write: Callable[[Path], object]) -> Path:
    """``write(temporary_path)`` fills a temporary file beside ``path``, which then replaces
    ``path`` in one step; on an error the temporary file is removed and ``path`` is untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    try:
        write(Path(name))
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return path


def write_text(path: str | Path, text: str) -> Path:
    """``Path.write_text`` (UTF-8), atomically."""
    return write_with(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))
