"""What the Google location formats share: E7 and "lat°, lon°" coordinates, timestamps,
and a collector that turns records into a `places` frame plus row errors.

Row errors name the record's 1-based position in its list ("record 17") and the line the
record starts on (the files are read as text, so the line is known; a minified file is all
line 1, hence the record number too). Messages never quote coordinates, names or times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from ..base import Parsed, RowError

BATCH = 200_000  # records per frame piece: keeps Python lists small on GB-sized files

# "48.8566100°, 2.3522200°" (Android Timeline.json), "geo:48.85,2.29" (iOS export)
_LATLNG = re.compile(r"\s*(?:geo:)?\s*(-?\d+(?:\.\d+)?)\s*°?\s*,\s*(-?\d+(?:\.\d+)?)\s*°?\s*"
                     r"(?:;.*)?")


def e7(value: object, limit: int) -> float | None:
    """latitudeE7 / longitudeE7 to degrees. Some exports wrote coordinates as unsigned 32-bit
    integers: a value past the valid range (90° / 180° as E7) is a negative one wrapped."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    v = int(value)
    if v > limit:
        v -= 4294967296  # 2**32
    return v / 1e7 if -limit <= v <= limit else None


def e7_pair(obj: object, lat_key: str = "latitudeE7",
            lon_key: str = "longitudeE7") -> tuple[float | None, float | None]:
    if not isinstance(obj, dict):
        return None, None
    return e7(obj.get(lat_key), 900_000_000), e7(obj.get(lon_key), 1_800_000_000)


def latlng(text: object) -> tuple[float | None, float | None]:
    """Degrees from "48.85°, 2.29°", "geo:48.85,2.29" or {"latLng": "..."}."""
    if isinstance(text, dict):
        text = text.get("latLng") or text.get("LatLng")
    m = _LATLNG.fullmatch(text) if isinstance(text, str) else None
    if not m:
        return None, None
    lat, lon = float(m.group(1)), float(m.group(2))
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else (None, None)


def code(value: object) -> str | None:
    """Activity and place types are spelt IN_PASSENGER_VEHICLE on Android and
    "in passenger vehicle" on iOS: store the Android spelling."""
    if not isinstance(value, str) or not value.strip():
        return None
    return re.sub(r"[\s-]+", "_", value.strip()).upper()


def to_utc(values: list[object]) -> pd.Series:
    """ISO 8601 strings (any offset, Z, with or without milliseconds) or epoch milliseconds
    (`timestampMs`, string or number) to UTC; NaT where unreadable or missing. Google
    writes UTC or an offset; a time without one is read as UTC."""
    s = pd.Series(values, dtype=object)
    is_ms = s.map(lambda v: (isinstance(v, int) and not isinstance(v, bool))
                  or (isinstance(v, str) and v.strip().lstrip("-").isdigit()))
    out = pd.to_datetime(s.where(~is_ms & s.map(lambda v: isinstance(v, str))),
                         utc=True, format="ISO8601", errors="coerce")
    if is_ms.any():
        ms = pd.to_numeric(s.where(is_ms), errors="coerce")
        # outside 1970..2100 is not a real fix; also keeps to_datetime within its range
        ms = ms.where((ms >= 0) & (ms < 4102444800000))
        out = out.where(~is_ms, pd.to_datetime(ms, unit="ms", utc=True))
    return out.astype("datetime64[ms, UTC]")


@dataclass
class Collector:
    """Rows of the `places` table, gathered record by record, checked and typed in batches."""

    pieces: list[pd.DataFrame] = field(default_factory=list)
    rows_read: int = 0
    _errors: list[tuple[int, RowError]] = field(default_factory=list)
    _cols: dict[str, list] = field(default_factory=dict)

    def _error(self, line: int, record: int, what: str) -> None:
        self._errors.append((record, RowError(line, f"record {record}: expected {what}")))

    def reject(self, line: int, record: int, what: str) -> None:
        self.rows_read += 1
        self._error(line, record, what)

    @property
    def errors(self) -> list[RowError]:
        return [e for _, e in sorted(self._errors, key=lambda t: t[0])]

    def add(self, line: int, record: int, *, kind: str, start: object, end: object = None,
            lat: float | None = None, lon: float | None = None, accuracy: object = None,
            name: str | None = None, place_id: object = None) -> None:
        """`start` / `end` are raw strings or epoch ms, checked in `_flush`."""
        self.rows_read += 1
        if kind == "point" and (lat is None or lon is None):
            self._error(line, record, "a latitude and a longitude in range")
            return
        if accuracy is not None and (isinstance(accuracy, bool)
                                     or not isinstance(accuracy, int | float)):
            self._error(line, record, "a number in accuracy")
            return
        row = {"line": line, "record": record, "kind": kind, "start": start, "end": end,
               "lat": lat, "lon": lon, "accuracy_m": accuracy, "name": name,
               "place_id": place_id if isinstance(place_id, str) and place_id else None}
        for k, v in row.items():
            self._cols.setdefault(k, []).append(v)
        if len(self._cols["line"]) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if not self._cols:
            return
        raw = pd.DataFrame(self._cols)
        self._cols = {}
        start, end = to_utc(raw["start"].tolist()), to_utc(raw["end"].tolist())
        bad_start = start.isna()
        bad_end = end.isna() & raw["end"].notna()
        for i in raw.index[bad_start | bad_end]:
            what = "a start time" if bad_start[i] else "an end time"
            self._error(int(raw.at[i, "line"]), int(raw.at[i, "record"]),
                        f"{what} (ISO 8601 or epoch milliseconds)")
        ok = ~(bad_start | bad_end)
        frame = pd.DataFrame({
            "start_at": start, "end_at": end,
            "lat": raw["lat"].astype("float64"), "lon": raw["lon"].astype("float64"),
            "accuracy_m": raw["accuracy_m"].astype("float64"),
            "kind": raw["kind"].astype("string"), "name": raw["name"].astype("string"),
        })[ok]
        pid = raw["place_id"][ok]
        # a Google place visited at a given time is the same visit in any export of it
        stamp = frame["start_at"].dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3] + "Z"
        frame["uid"] = ("gplace:" + pid.astype("string") + ":" + stamp).where(pid.notna())
        self.pieces.append(frame)

    @property
    def pending(self) -> int:
        """Rows read (kept or rejected) since the last `take`."""
        return self.rows_read

    def take(self) -> Parsed:
        """The rows, errors and count gathered since the last `take`, as one streamed piece
        (called between records, so a record's rows and errors stay in one piece)."""
        piece = Parsed(tables={"places": self.frame()}, errors=self.errors,
                       rows_read=self.rows_read)
        self.pieces, self._errors, self.rows_read = [], [], 0
        return piece

    def frame(self) -> pd.DataFrame:
        self._flush()
        if not self.pieces:
            return pd.DataFrame(columns=["start_at", "end_at", "lat", "lon", "accuracy_m",
                                         "kind", "name", "uid"])
        return pd.concat(self.pieces, ignore_index=True)
