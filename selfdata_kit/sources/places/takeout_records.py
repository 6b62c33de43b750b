"""Google Takeout location history, raw points: `Location History/Records.json` (2019+) and
the legacy `Location History/Location History.json` (Google Takeout, Google Maps Timeline).

Both are `{"locations": [...]}`, one record per position fix:
- legacy: `"timestampMs": "1437263846012"` (epoch milliseconds, a string);
- Records.json: `"timestamp": "2022-01-12T17:18:24.190Z"` (ISO 8601, also without
  milliseconds or with an offset such as `+01:00`).
Coordinates are `latitudeE7` / `longitudeE7` (degrees x 10^7); some exports wrote negative
ones as unsigned 32-bit integers (see `_common.e7`). `accuracy` is a radius in metres.

Each record becomes one `point` row: `start_at` is the fix's time and `end_at` is NULL (a fix
is an instant, not a stay). The nested `activity` guesses, `source`, `deviceTag`, altitude,
velocity and heading are not kept. A record without usable coordinates or time is a row error.
The file is streamed (`_jsonstream`): a multi-GB Records.json is read in 1 MiB chunks, and
its rows go to the store CHUNK_ROWS at a time (`stream`), in the file's one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..base import CHUNK_ROWS, POINTS_MAX, InputFile, ParseContext, Parsed, Source, whole
from ..text import head_text
from ._common import Collector, e7_pair
from ._jsonstream import iter_list

_START = re.compile(r'\A\ufeff?\s*\{\s*"locations"\s*:\s*\[')


def detect(inp: InputFile) -> bool:
    head = head_text(inp)
    return bool(_START.match(head)) and ('"latitudeE7"' in head or '"timestampMs"' in head)


def stream(inp: InputFile, ctx: ParseContext, chunk_rows: int = CHUNK_ROWS) -> Iterator[Parsed]:
    rows = Collector()
    with inp.open() as f:
        for n, (line, rec) in enumerate(iter_list(f, inp.name, "locations"), start=1):
            if rows.pending >= chunk_rows:
                yield rows.take()
            if not isinstance(rec, dict):
                rows.reject(line, n, "a location object")
                continue
            lat, lon = e7_pair(rec)
            start = rec.get("timestamp") if "timestamp" in rec else rec.get("timestampMs")
            if start is None:
                rows.reject(line, n, "a timestamp or timestampMs")
                continue
            rows.add(line, n, kind="point", start=start, lat=lat, lon=lon,
                     accuracy=rec.get("accuracy"))
    yield rows.take()


def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
    return whole(stream(inp, ctx))


SOURCE = Source(
    name="google-location-records",
    title="Google Takeout location history points (Records.json, legacy Location History.json)",
    kind="places",
    detect=detect,
    parse=parse,
    extensions=(".json",),
    max_bytes=POINTS_MAX,
    stream=stream,
    split_hint=("split it by year, e.g. `jq '{locations: [.locations[] | select(.timestamp"
                " | startswith(\"2019\"))]}' Records.json > Records-2019.json`, and import"
                " each part"),
)
