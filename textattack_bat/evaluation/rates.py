"""Rates with their counts and a 95% Wilson score interval.

For k successes in n trials, p = k / n and z = 1.96:

    centre = (p + z^2 / 2n) / (1 + z^2 / n)
    half   = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2)

The interval is [centre - half, centre + half]; it stays inside [0, 1] and is defined for k = 0
and k = n (E. B. Wilson, JASA 1927). n = 0 has no rate and no interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from textattack_bat.errors import UsageError

Z95 = 1.959963984540054


def wilson_interval(successes: int, trials: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of ``successes / trials``; None when ``trials`` is 0."""
    if trials < 0 or not 0 <= successes <= trials:
        raise UsageError(f"Need 0 <= successes <= trials, got {successes} of {trials}.")
    if trials == 0:
        return None
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Rate:
    """``successes`` of ``trials``, with the rate and its 95% Wilson interval."""

    successes: int
    trials: int

    @property
    def value(self) -> float | None:
        return self.successes / self.trials if self.trials else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.successes, self.trials)

    def to_dict(self) -> dict:
        interval = self.interval
        return {
            "rate": self.value,
            "count": self.successes,
            "n": self.trials,
            "ci95": list(interval) if interval else None,
        }

    @classmethod
    def from_dict(cls, saved: dict) -> Rate:
        """A rate back from a report: an attack summary (``succeeded``/``attacked``) or
        :meth:`to_dict`'s ``count``/``n``."""
        if "succeeded" in saved:
            return cls(saved["succeeded"], saved["attacked"])
        return cls(saved["count"], saved["n"])

    def format(self, digits: int = 1) -> str:
        """``"57.5% (115/200, 95% CI 50.6-64.1)"``; ``"-"`` when there are no trials."""
        if not self.trials:
            return "-"
        low, high = self.interval
        return (
            f"{100 * self.value:.{digits}f}% ({self.successes}/{self.trials}, "
            f"95% CI {100 * low:.{digits}f}-{100 * high:.{digits}f})"
        )

    def cell(self, digits: int = 1) -> str:
        """A table cell: ``"57.5 [50.6, 64.1] (115/200)"`` (percent); ``"-"`` with no trials."""
        if not self.trials:
            return "-"
        low, high = self.interval
        return (
            f"{100 * self.value:.{digits}f} [{100 * low:.{digits}f}, {100 * high:.{digits}f}] "
            f"({self.successes}/{self.trials})"
        )

    def overlaps(self, other: Rate) -> bool:
        """True when the two 95% intervals overlap (no measurable difference)."""
        a, b = self.interval, other.interval
        return a is None or b is None or (a[0] <= b[1] and b[0] <= a[1])
