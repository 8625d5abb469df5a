"""How sure a rate is: the 95 % Wilson score interval of a share, Newcombe's interval of a
difference between two shares, and the rule for when a group is too small to say anything.

Pure arithmetic on counts (no database), so every figure that reports a share — on the staff
insight page and on a mentor's own page — gives its interval the same way, and the tests can
check it against answers worked out by hand.

- Wilson (1927): unlike the textbook p ± z·√(p(1−p)/n), it never leaves [0, 1] and stays honest
  for small n and shares near 0 or 1 (0 of 5 is not "0 % ± 0").
- Newcombe (1998, method 10): the interval of p₁ − p₂ built from each share's Wilson interval;
  recommended over the simple Wald difference for the same reasons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile: a two-sided 95 % interval


@dataclass(frozen=True)
class Share:
    """`part` of `whole`, with its 95 % Wilson interval (all as fractions of 1)."""

    part: int
    whole: int
    rate: float
    low: float
    high: float


def wilson(part: int, whole: int, z: float = Z95) -> Share | None:
    """The share `part`/`whole` and its Wilson score interval; None when `whole` is 0."""
    if whole <= 0:
        return None
    if not 0 <= part <= whole:
        raise ValueError(f"a share needs 0 <= part <= whole, not {part} of {whole}")
    p = part / whole
    z2 = z * z
    denominator = 1 + z2 / whole
    centre = (p + z2 / (2 * whole)) / denominator
    half = z * math.sqrt(p * (1 - p) / whole + z2 / (4 * whole * whole)) / denominator
    # Exactly 0 or 1 at the ends (the formula lands there up to rounding).
    low = 0.0 if part == 0 else max(0.0, centre - half)
    high = 1.0 if part == whole else min(1.0, centre + half)
    return Share(part, whole, p, low, high)


@dataclass(frozen=True)
class Difference:
    """first.rate − second.rate, with Newcombe's 95 % interval."""

    first: Share
    second: Share
    difference: float
    low: float
    high: float

    @property
    def clear(self) -> bool:
        """The interval leaves out 0: the data say which way the difference goes."""
        return self.low > 0 or self.high < 0


def newcombe(first: Share | None, second: Share | None) -> Difference | None:
    """The difference of two shares and its interval; None when either share has no people."""
    if first is None or second is None:
        return None
    d = first.rate - second.rate
    low = d - math.sqrt((first.rate - first.low) ** 2 + (second.high - second.rate) ** 2)
    high = d + math.sqrt((first.high - first.rate) ** 2 + (second.rate - second.low) ** 2)
    return Difference(first, second, d, max(-1.0, low), min(1.0, high))
