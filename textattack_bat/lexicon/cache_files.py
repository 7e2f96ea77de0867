"""Vectors computed once per machine and kept under TextAttack's cache folder: a ``.npy`` array
and a JSON document side by side, named by a key that hashes everything they were computed from.

Both files are written atomically (:mod:`textattack_bat.atomic`), so a process that reads them
(another rank, another test) never sees half a file; two processes that compute the same entry
at once both write it whole, and the last rename wins. Arrays are read with
``allow_pickle=False``: nothing in the cache is unpickled.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from textattack_bat import atomic


def cache_dir(kind: str) -> Path:
    """``$TA_CACHE_DIR/textattack_bat/<kind>`` (``~/.cache/textattack`` without the variable)."""
    from textattack_bat import resources

    return resources.textattack_cache_dir() / "textattack_bat" / kind


def digest(fields: dict, *blobs: bytes) -> str:
    """20 hex digits of SHA-256 over ``blobs`` and ``fields`` (JSON, sorted keys)."""
    sha = hashlib.sha256()
    for blob in blobs:
        sha.update(blob)
    sha.update(json.dumps(fields, sort_keys=True).encode())
    return sha.hexdigest()[:20]


def paths(kind: str, key: str) -> tuple[Path, Path]:
    """The entry's array file and JSON file."""
    folder = cache_dir(kind)
    return folder / f"{key}.npy", folder / f"{key}.json"


def read(kind: str, key: str) -> tuple[np.ndarray, dict] | None:
    """The entry's vectors and JSON document, or None when it is not cached."""
    vectors_path, meta_path = paths(kind, key)
    if not (vectors_path.is_file() and meta_path.is_file()):
        return None
    return np.load(vectors_path, allow_pickle=False), json.loads(meta_path.read_text())


def write(kind: str, key: str, vectors: np.ndarray, meta: dict) -> None:
    """Store an entry (array first, then the JSON whose presence marks it complete)."""
    vectors_path, meta_path = paths(kind, key)

    def save_array(temporary: Path) -> None:
        with temporary.open("wb") as file:  # a file object: np.save adds no ".npy" to it
            np.save(file, vectors, allow_pickle=False)

    atomic.write_with(vectors_path, save_array)
    atomic.write_text(meta_path, json.dumps(meta))
