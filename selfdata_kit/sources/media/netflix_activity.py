"""Netflix `ViewingActivity.csv`, from the personal-information download (Account -> Security
& privacy -> Download your personal information; folder `CONTENT_INTERACTION`).

Header: `Profile Name,Start Time,Duration,Attributes,Title,Supplemental Video Type,Device
Type,Bookmark,Latest Bookmark,Country`. `Start Time` is UTC (`2024-01-31 20:15:02`),
`Duration` how long was watched (`00:42:10`). A series episode's title names its series
("Show: Season 2: Title (Episode 3)"): kind 'episode', creator the series; anything else is
kind 'film'. Trailers, teasers, hooks, recaps and previews (a `Supplemental Video Type`) are
read but left out: they play by themselves while browsing. Every profile of the account is
imported (the file mixes them); profile names, devices and countries are never read into
rows.
"""

from __future__ import annotations

import csv
import io
import re

from ...errors import FormatError
from ..base import CSV_MAX, InputFile, ParseContext, Parsed, RowError, Source
from ..text import head_text, read_text
from .common import clean, media_parsed, split_series, utc

HEADER = ("Profile Name", "Start Time", "Duration")
_DURATION = re.compile(r"^(\d{1,3}):([0-5]\d):([0-5]\d)$")


def detect(inp: InputFile) -> bool:
    first = head_text(inp).lstrip("\ufeff").split("\n", 1)[0]
    return all(h in first for h in HEADER) and "Title" in first


def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
    text, _ = read_text(inp)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    missing = [c for c in (*HEADER, "Title") if c not in (reader.fieldnames or [])]
    if missing:
        raise FormatError(f"expected the columns {', '.join(missing)} in the header",
                          file=inp.name, line=1)
    rows: list[dict] = []
    errors: list[RowError] = []
    read = 0
    for record in reader:
        read += 1
        line = reader.line_num
        if (record.get("Supplemental Video Type") or "").strip():
            continue  # a trailer, hook, recap ...: left out
        start = utc(record.get("Start Time") or "", "%Y-%m-%d %H:%M:%S")
        if start is None:
            errors.append(RowError(line, "expected a Start Time like 2024-01-31 20:15:02"))
            continue
        m = _DURATION.match((record.get("Duration") or "").strip())
        if m is None:
            errors.append(RowError(line, "expected a Duration like 00:42:10"))
            continue
        title = clean(record.get("Title"))
        kind, series = split_series(title or "")
        rows.append({"service": "netflix", "kind": kind, "started_at": start,
                     "duration_s": int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3]),
                     "title": title, "creator": series})
    return media_parsed(rows, errors, read)


SOURCE = Source(
    name="netflix-activity",
    title="Netflix viewing activity (ViewingActivity.csv, personal-information download)",
    kind="media",
    detect=detect,
    parse=parse,
    extensions=(".csv",),
    max_bytes=CSV_MAX,
)
