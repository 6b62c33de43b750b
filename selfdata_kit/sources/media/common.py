"""What every listening / viewing source returns: the `media` frame, typed.

`kind` is one of 'track', 'podcast', 'episode', 'film', 'video' (the CHECK of migration
003_media.sql); `duration_s` is what was played, in seconds, or None where the export has no
duration; `started_at` is UTC.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pandas as pd

from ...errors import FormatError
from ..base import InputFile, Parsed, RowError
from ..energy._json import KeyLines, load_json

MEDIA_COLUMNS = ["service", "kind", "started_at", "duration_s", "title", "creator"]

# A series episode as Netflix names it: "Show: Season 2: Episode title", "Show: Limited
# Series: ...", "Show: Part 1: ...", "Show: Chapter Three (Episode 3)", also in French.
_SERIES_MARK = re.compile(
    r":\s*(?:season|saison|series|série|limited series|mini-?series|minisérie|part|partie|"
    r"volume|book|livre|chapter|chapitre|collection|episode|épisode)\b[^:]*:"
    r"|\((?:episode|épisode) \d+\)\s*$", re.IGNORECASE)


def split_series(title: str) -> tuple[str, str | None]:
    """('episode', series) for a series episode's full title, else ('film', None)."""
    if title.lstrip().startswith(":"):  # "  : Episode 10": an episode whose show has no name
        return "episode", None
    if _SERIES_MARK.search(title) and ": " in title:
        return "episode", title.split(": ", 1)[0].strip()
    return "film", None


def media_parsed(rows: list[dict], errors: list[RowError], rows_read: int) -> Parsed:
    frame = pd.DataFrame(rows, columns=MEDIA_COLUMNS)
    frame["started_at"] = pd.to_datetime(frame["started_at"], utc=True)
    frame["duration_s"] = frame["duration_s"].astype("Int64")
    return Parsed(tables={"media": frame}, errors=errors, rows_read=rows_read)


def parse_json_items(inp: InputFile, what: str, expected: str, key: str,
                     read: Callable[[object], dict | str | None]) -> Parsed:
    """An export that is one JSON array, an item per play or viewing (Spotify, YouTube).
    `read(item)` gives the row, a reason the item cannot be read (str, reported with the
    line where the item's `key` stands), or None for an item left out (an ad, a search)."""
    data, text = load_json(inp, what)
    if not isinstance(data, list):
        raise FormatError(f"expected {expected}", file=inp.name, line=1)
    lines = KeyLines(text, key, len(data))
    rows: list[dict] = []
    errors: list[RowError] = []
    for n, item in enumerate(data):
        row = read(item)
        if isinstance(row, str):
            errors.append(RowError(lines(n), row))
        elif row is not None:
            rows.append(row)
    return media_parsed(rows, errors, len(data))


# the layouts `utc` is asked for, written out in full: read without strptime (per row)
_FIXED = {"%Y-%m-%d %H:%M": re.compile(r"(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d)"),
          "%Y-%m-%d %H:%M:%S": re.compile(r"(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)")}


def utc(text: str, fmt: str | None = None) -> datetime | None:
    """An ISO-like UTC time ('2024-01-31T20:15:02Z', '2024-01-31 20:15'), None if not one."""
    fixed = _FIXED.get(fmt or "")
    m = fixed.fullmatch(text.strip()) if fixed else None
    if m:
        try:
            return datetime(*map(int, m.groups()), tzinfo=UTC)
        except ValueError:  # a day or an hour out of range, as strptime says
            return None
    try:
        if fmt:
            return pd.Timestamp(datetime.strptime(text.strip(), fmt), tz="UTC").to_pydatetime()
        stamp = pd.Timestamp(text.strip())
    except (ValueError, TypeError):
        return None
    if stamp is pd.NaT:
        return None
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.to_pydatetime()


def clean(text: object) -> str | None:
    """A title or name as a string with its spaces tidied, None when empty or missing."""
    if not isinstance(text, str):
        return None
    text = " ".join(text.split())
    return text or None
