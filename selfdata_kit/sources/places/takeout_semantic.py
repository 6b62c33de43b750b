"""Google Takeout "Semantic Location History": one file per month,
`Location History/Semantic Location History/2019/2019_JANUARY.json` (Google Maps Timeline).

`{"timelineObjects": [...]}`, each object holding one of:
- `placeVisit`: a stay at a place. `location` has `latitudeE7` / `longitudeE7`, `placeId`,
  `name`, `address` (lines separated by "\\n"), `semanticType`; older files may lack the
  coordinates in `location` and give `centerLatE7` / `centerLngE7` on the visit instead.
  -> kind `visit`, name = the place's name, else its address (lines joined with ", ").
- `activitySegment`: a move between two places, `activityType` such as IN_PASSENGER_VEHICLE
  or WALKING, `startLocation` / `endLocation`, `distance` in metres.
  -> kind `activity`, name = the activity type, coordinates = the start location.
Both carry `duration` with `startTimestampMs` / `endTimestampMs` (epoch ms strings, up to
2021) or `startTimestamp` / `endTimestamp` (ISO 8601, since then).

A visit with a `placeId` gets the natural key `gplace:<placeId>:<start UTC>`, so the same visit
in two exports is stored once. Not kept: `childVisits`, `otherCandidateLocations`, the
waypoint and raw paths of activities, distances and confidences. A visit or activity without
coordinates is kept with NULL lat/lon; one without a readable start time is a row error.
"""

from __future__ import annotations

import re

from ..base import JSON_MAX, InputFile, ParseContext, Parsed, Source
from ..text import head_text
from ._common import Collector, code, e7_pair
from ._jsonstream import iter_list

_START = re.compile(r'\A\ufeff?\s*\{\s*"timelineObjects"\s*:\s*\[')


def detect(inp: InputFile) -> bool:
    return bool(_START.match(head_text(inp)))


def _times(obj: dict) -> tuple[object, object]:
    d = obj.get("duration")
    if not isinstance(d, dict):
        return None, None
    start = d.get("startTimestamp", d.get("startTimestampMs"))
    return start, d.get("endTimestamp", d.get("endTimestampMs"))


def _place_name(loc: dict) -> str | None:
    name = loc.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    address = loc.get("address")
    if isinstance(address, str) and address.strip():
        return ", ".join(part.strip() for part in address.splitlines() if part.strip())
    return None


def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
    rows = Collector()
    with inp.open() as f:
        for n, (line, obj) in enumerate(iter_list(f, inp.name, "timelineObjects"), start=1):
            visit = obj.get("placeVisit") if isinstance(obj, dict) else None
            move = obj.get("activitySegment") if isinstance(obj, dict) else None
            if isinstance(visit, dict):
                loc = visit.get("location") if isinstance(visit.get("location"), dict) else {}
                lat, lon = e7_pair(loc)
                if lat is None or lon is None:
                    lat, lon = e7_pair(visit, "centerLatE7", "centerLngE7")
                start, end = _times(visit)
                rows.add(line, n, kind="visit", start=start, end=end, lat=lat, lon=lon,
                         name=_place_name(loc), place_id=loc.get("placeId"))
            elif isinstance(move, dict):
                lat, lon = e7_pair(move.get("startLocation"))
                start, end = _times(move)
                rows.add(line, n, kind="activity", start=start, end=end, lat=lat, lon=lon,
                         name=code(move.get("activityType")))
            else:
                rows.reject(line, n, "a placeVisit or an activitySegment")
    return Parsed(tables={"places": rows.frame()}, errors=rows.errors, rows_read=rows.rows_read)


SOURCE = Source(
    name="google-semantic-history",
    title="Google Takeout Semantic Location History (monthly place visits and activities)",
    kind="places",
    detect=detect,
    parse=parse,
    extensions=(".json",),
    max_bytes=JSON_MAX,
)
