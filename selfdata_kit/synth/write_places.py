"""Location history as Google Takeout writes it: `Takeout/Location History (Timeline)/Semantic
Location History/<year>/<year>_<MONTH>.json`, one file per month, each a `timelineObjects` list
of `placeVisit` (location with latitudeE7/longitudeE7/name/address/placeId, duration with ISO
UTC start/end timestamps) and `activitySegment` (the travel between two visits).

An object goes in the file of the month (local time) in which it starts, as Google does; a home
visit over midnight at a month's end is in the earlier month only.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .clock import TZ
from .days import Located
from .persona import Persona

MONTHS = ("JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST",
          "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER")
SEMANTIC = Path("Takeout") / "Location History (Timeline)" / "Semantic Location History"


def _iso(epoch: np.ndarray) -> list[str]:
    text = np.datetime_as_string(epoch.astype("datetime64[s]"), unit="ms")
    return [t + "Z" for t in text.tolist()]


def _e7(x: float) -> int:
    return int(round(x * 1e7))


def _distance_m(a, b) -> int:
    dy = (a.lat - b.lat) * 111_200
    dx = (a.lon - b.lon) * 111_200 * np.cos(np.radians(a.lat))
    return int(round(float(np.hypot(dx, dy)) * 1.25))  # roads are not straight


def write_semantic(p: Persona, loc: Located, folder: Path, segments: bool = True) -> int:
    """Writes the monthly files; returns the number of placeVisit objects written.
    `segments=False` leaves out the activitySegments (a thinner history, as Google writes
    when it detected no movement type)."""
    starts, ends = _iso(loc.start), _iso(loc.end)
    seg_start = [""] + ends[:-1]
    month = pd.DatetimeIndex(loc.start * 10**9, tz="UTC").tz_convert(TZ).month.to_numpy()
    seg_month = np.concatenate([[0], pd.DatetimeIndex(loc.end[:-1] * 10**9, tz="UTC")
                                .tz_convert(TZ).month.to_numpy()])
    device = 1_000_000_000 + int(p.prm[-9:]) % 900_000_000
    objects: dict[int, list[dict]] = {m: [] for m in range(1, 13)}
    for i, place in enumerate(loc.place.tolist()):
        pl = p.places[place]
        if i > 0 and segments:
            prev = p.places[int(loc.place[i - 1])]
            objects[int(seg_month[i])].append({"activitySegment": {
                "startLocation": {"latitudeE7": _e7(prev.lat), "longitudeE7": _e7(prev.lon)},
                "endLocation": {"latitudeE7": _e7(pl.lat), "longitudeE7": _e7(pl.lon)},
                "duration": {"startTimestamp": seg_start[i], "endTimestamp": starts[i]},
                "distance": _distance_m(prev, pl), "activityType": loc.seg_mode[i],
                "confidence": "HIGH"}})
        location = {"latitudeE7": _e7(pl.lat), "longitudeE7": _e7(pl.lon),
                    "placeId": pl.place_id, "address": pl.address, "name": pl.name,
                    "sourceInfo": {"deviceTag": device}}
        if pl.kind in ("home", "work"):
            location["semanticType"] = "TYPE_" + pl.kind.upper()
        objects[int(month[i])].append({"placeVisit": {
            "location": location,
            "duration": {"startTimestamp": starts[i], "endTimestamp": ends[i]},
            "placeConfidence": "HIGH_CONFIDENCE", "visitConfidence": 95,
            "placeVisitType": "SINGLE_PLACE"}})
    out = folder / SEMANTIC / str(p.year)
    out.mkdir(parents=True, exist_ok=True)
    for m, objs in objects.items():
        # Compact: Google indents these files, but whitespace means nothing to a JSON reader
        # and halves the size of a cohort.
        text = json.dumps({"timelineObjects": objs}, separators=(",", ":"), sort_keys=True,
                          ensure_ascii=False)
        (out / f"{p.year}_{MONTHS[m - 1]}.json").write_bytes(text.encode("utf-8"))
    return len(loc.place)
