"""Day first or month first? Decided from every date of a file, not line by line.

Exports written in the phone's or browser's locale (WhatsApp, Netflix's title list) write
`12/31/23` in the US and `31/12/23` elsewhere, with nothing in the file saying which. One
number over 12 settles it for the whole file; when none is, the order under which the
dates run in order (exports are chronological, newest or oldest first) wins; a tie goes to
`tie` (the caller's best guess, e.g. month first for a 12-hour clock).
"""

from __future__ import annotations

from collections.abc import Sequence


def day_first(pairs: Sequence[tuple[int, int, int]], tie: bool = True) -> bool:
    """True when (a, b, year) triples read as day/month, False as month/day."""
    if any(a > 12 for a, _, _ in pairs):
        return True
    if any(b > 12 for _, b, _ in pairs):
        return False
    return _turns(pairs, True) < _turns(pairs, False) if _turns(pairs, True) != _turns(
        pairs, False) else tie


def _turns(pairs: Sequence[tuple[int, int, int]], dayfirst: bool) -> int:
    """How often the dates change direction (0 for a sorted list, either way)."""
    keys = [(y, b, a) if dayfirst else (y, a, b) for a, b, y in pairs]
    ups = sum(1 for x, y in zip(keys, keys[1:], strict=False) if y > x)
    downs = sum(1 for x, y in zip(keys, keys[1:], strict=False) if y < x)
    return min(ups, downs)


def full_year(year: int) -> int:
    """Two-digit years are this century's (WhatsApp, Netflix: 23 -> 2023)."""
    return 2000 + year if year < 100 else year
