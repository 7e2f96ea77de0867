"""What a word is, for every table, sampler and sense policy: a maximal run of ASCII letters;
and the Penn Treebank tags of a word sequence (NLTK's tagger, cached)."""

from __future__ import annotations

import re
from functools import lru_cache

WORD = re.compile(r"[A-Za-z]+")


@lru_cache(maxsize=4096)
def penn_tags(words: tuple[str, ...]) -> tuple[str, ...]:
    """NLTK's Penn Treebank tag of each word of ``words`` (one sentence or column)."""
    import nltk

    return tuple(tag for _, tag in nltk.pos_tag(list(words)))
