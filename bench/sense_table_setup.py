"""The context policy's sense-description table before a benchmark's runs (once per machine)."""

from __future__ import annotations

import json
import time

from textattack_bat.lexicon.senses import ContextSenses, description_table_path


def sense_table() -> dict:
    """Build the context policy's sense-description table unless cached; how long it took."""
    path = description_table_path()
    cached = path.is_file()
    start = time.perf_counter()
    count = ContextSenses().build_table()
    seconds = time.perf_counter() - start
    built = json.loads(path.with_suffix(".json").read_text())["seconds"]
    how = (
        f"was in the cache already (its build took {built:.0f} s)"
        if cached
        else f"was built before the runs in {seconds:.0f} s ({built:.0f} s encoding)"
    )
    return {"descriptions": count, "cached_before": cached, "build_seconds": built, "how": how}
