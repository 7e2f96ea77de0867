"""What a word is, for every table, sampler and sense policy: a maximal run of ASCII letters."""

from __future__ import annotations

import re

WORD = re.compile(r"[A-Za-z]+")
