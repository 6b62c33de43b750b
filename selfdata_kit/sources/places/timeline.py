"""Google Maps Timeline exported from the phone (2024+, once Timeline moved on-device):
Android "Timeline.json" (Settings > Location > Location services > Timeline > Export) and the
iOS export (Google Maps > Your Timeline > Export, often named `location-history.json`).

Android: `{"semanticSegments": [...], "rawSignals": [...], "userLocationProfile": {...}}`;
iOS: a top-level list of the same segments. Each segment has `startTime` / `endTime`
(ISO 8601 with the local offset) and one of:
- `visit.topCandidate`: `placeLocation` (Android `{"latLng": "48.8566100°, 2.3522200°"}`,
  iOS `"geo:48.856610,2.352220"`), `semanticType` (HOME, WORK, UNKNOWN ...), `placeId`
  (iOS `placeID`) -> kind `visit`, name = the semantic type;
- `activity`: `start` / `end` (same two spellings), `topCandidate.type` (Android WALKING,
  iOS "walking") -> kind `activity`, name = the type in the Android spelling, at its start;
- `timelinePath`: points with `point` and `time` (iOS: `durationMinutesOffsetFromStartTime`
  from the segment's start) -> one `point` row each, without accuracy;
- `timelineMemory` (trip summaries): not kept.
`rawSignals` (the last days' raw fixes) and `userLocationProfile` are not read. A visit with a
place id gets the key `gplace:<placeId>:<start UTC>`, as in Semantic Location History.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pandas as pd

from ..base import CHUNK_ROWS, POINTS_MAX, InputFile, ParseContext, Parsed, Source, whole
from ..text import head_text
from ._common import Collector, code, latlng
from ._jsonstream import iter_list

_ANDROID = re.compile(r'\A\ufeff?\s*\{')
_IOS = re.compile(r'\A\ufeff?\s*\[\s*\{')


def detect(inp: InputFile) -> bool:
    head = head_text(inp)
    if _ANDROID.match(head):
        return '"semanticSegments"' in head
    return bool(_IOS.match(head)) and '"startTime"' in head and '"endTime"' in head and (
        '"topCandidate"' in head or '"timelinePath"' in head)


def _path(rows: Collector, line: int, n: int, seg: dict, path: list) -> None:
    for p in path:
        p = p if isinstance(p, dict) else {}
        lat, lon = latlng(p.get("point"))
        when = p.get("time")
        if when is None and "durationMinutesOffsetFromStartTime" in p:  # iOS
            try:
                when = (pd.Timestamp(seg["startTime"]) + pd.Timedelta(
                    minutes=float(p["durationMinutesOffsetFromStartTime"]))).isoformat()
            except (KeyError, TypeError, ValueError):
                when = None
        rows.add(line, n, kind="point", start=when, lat=lat, lon=lon)


def stream(inp: InputFile, ctx: ParseContext, chunk_rows: int = CHUNK_ROWS) -> Iterator[Parsed]:
    rows = Collector()
    key = "semanticSegments" if _ANDROID.match(head_text(inp)) else None
    with inp.open() as f:
        for n, (line, seg) in enumerate(iter_list(f, inp.name, key), start=1):
            if rows.pending >= chunk_rows:
                yield rows.take()
            if not isinstance(seg, dict):
                rows.reject(line, n, "a segment object")
                continue
            start, end = seg.get("startTime"), seg.get("endTime")
            visit, move = seg.get("visit"), seg.get("activity")
            if isinstance(visit, dict):
                top = visit.get("topCandidate") if isinstance(visit.get("topCandidate"),
                                                               dict) else {}
                lat, lon = latlng(top.get("placeLocation"))
                rows.add(line, n, kind="visit", start=start, end=end, lat=lat, lon=lon,
                         name=code(top.get("semanticType")),
                         place_id=top.get("placeId", top.get("placeID")))
            elif isinstance(move, dict):
                top = move.get("topCandidate") if isinstance(move.get("topCandidate"),
                                                             dict) else {}
                lat, lon = latlng(move.get("start"))
                rows.add(line, n, kind="activity", start=start, end=end, lat=lat, lon=lon,
                         name=code(top.get("type")))
            elif isinstance(seg.get("timelinePath"), list):
                _path(rows, line, n, seg, seg["timelinePath"])
            # other segments (timelineMemory) hold summaries of the rows above: not rows
    yield rows.take()


def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
    return whole(stream(inp, ctx))


SOURCE = Source(
    name="google-timeline",
    title="Google Maps Timeline exported from the phone (Timeline.json, Android and iOS)",
    kind="places",
    detect=detect,
    parse=parse,
    extensions=(".json",),
    max_bytes=POINTS_MAX,
    stream=stream,
)
