"""Netflix `NetflixViewingHistory.csv`, the list behind Account -> Profile -> Viewing activity
-> "Download all" on the web site.

Two columns, all quoted: `"Title","Date"`, the date in the browser's locale (`1/31/24` in the
US, `31/01/2024` in France; the order is decided from the whole file, `date_order`). There is
no time and no duration: `started_at` is 00:00 of that day in the person's time zone and
`duration_s` is None, so the report counts these titles per day and weekday but leaves them
out of anything by hour. Identical rows are two viewings (the store's occurrence number keeps
both). Kind 'episode' with the series as creator for "Show: Season 1: Title", else 'film'.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd

from ...errors import FormatError
from ..base import CSV_MAX, InputFile, ParseContext, Parsed, RowError, Source
from ..date_order import day_first, full_year
from ..text import head_text, read_text
from .common import clean, media_parsed, split_series

_DATE = re.compile(r"^(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})$")


def detect(inp: InputFile) -> bool:
    first = head_text(inp).lstrip("\ufeff").split("\n", 1)[0].strip().replace('"', "")
    return first in ("Title,Date", "Titre,Date")


def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
    text, _ = read_text(inp)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    if next(reader, None) is None:
        raise FormatError("expected a Title,Date header", file=inp.name, line=1)
    # (line, title, (a, b, year)); an ISO date 2024-01-31 is stored as (31, 1, 2024), day first
    found: list[tuple[int, str | None, tuple[int, int, int], bool]] = []
    errors: list[RowError] = []
    read = 0
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        read += 1
        m = _DATE.match(record[-1].strip()) if len(record) >= 2 else None
        if m is None:
            errors.append(RowError(reader.line_num, "expected a Date like 1/31/24 or 31/01/2024"))
            continue
        iso = len(m[1]) == 4
        parts = (int(m[3]), int(m[2]), int(m[1])) if iso else (
            int(m[1]), int(m[2]), full_year(int(m[3])))
        found.append((reader.line_num, clean(",".join(record[:-1])), parts, iso))
    dayfirst = day_first([p for _, _, p, iso in found if not iso], tie=False)
    rows: list[dict] = []
    for line, title, (a, b, year), iso in found:
        day, month = (a, b) if dayfirst or iso else (b, a)
        try:
            start = pd.Timestamp(year, month, day).tz_localize(ctx.timezone)
        except ValueError:
            errors.append(RowError(line, "expected a Date like 1/31/24 or 31/01/2024"))
            continue
        kind, series = split_series(title or "")
        rows.append({"service": "netflix", "kind": kind, "started_at": start,
                     "duration_s": None, "title": title, "creator": series})
    return media_parsed(rows, errors, read)


SOURCE = Source(
    name="netflix-titles",
    title="Netflix viewing history web download (NetflixViewingHistory.csv: Title, Date)",
    kind="media",
    detect=detect,
    parse=parse,
    extensions=(".csv",),
    max_bytes=CSV_MAX,
)
