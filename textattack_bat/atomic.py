"""Atomic writes: the bytes go to a temporary file in the target's folder, then ``os.replace``
puts it in place, so a reader (a resume, a user) sees the old file or the new one, never a
torn one."""

from __future__ import annotations

import os
import shutil
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


def write_dir(path: str | Path, write: Callable[[Path], object]) -> Path:
    """``write(temporary_dir)`` fills a temporary folder beside ``path``, which then takes its
    place: a reader sees a complete folder or none. An existing ``path`` is moved aside first and
    removed after; a kill between the two renames leaves it as ``.NAME.*.old``, which
    :func:`clean_leftovers` puts back."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent))
    try:
        temporary.chmod(0o755)
        write(temporary)
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
            os.replace(path, old)
            os.replace(temporary, path)
            shutil.rmtree(old)
        else:
            os.replace(temporary, path)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return path


def clean_leftovers(folder: str | Path) -> None:
    """Remove the temporary files and folders a killed :func:`write_with` or :func:`write_dir`
    left in ``folder``; a folder moved aside whose replacement never arrived is put back."""
    folder = Path(folder)
    if not folder.is_dir():
        return
    for leftover in sorted(folder.glob(".*.partial")):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
    for old in sorted(folder.glob(".*.old")):
        original = folder / old.name[1:].rsplit(".", 2)[0]
        if original.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(old, original)
