"""What the Google location formats share: E7 and "lat°, lon°" coordinates, timestamps,
and a collector that turns records into a `places` frame plus row errors.

Row errors name the record's 1-based position in its list ("record 17") and the line the
record starts on (the files are read as text, so the line is known; a minified file is all
line 1, hence the record number too). Messages never quote coordinates, names or times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..base import Parsed, RowError

BATCH = 200_000  # records per frame piece: keeps Python lists small on GB-sized files

# "48.8566100°, 2.3522200°" (Android Timeline.json), "geo:48.85,2.29" (iOS export)
_LATLNG = re.compile(r"\s*(?:geo:)?\s*(-?\d+(?:\.\d+)?)\s*°?\s*,\s*(-?\d+(?:\.\d+)?)\s*°?\s*"
                     r"(?:;.*)?")
# the times Google writes since 2021 (`2024-04-02T06:33:34.000Z`), or none: the fast path
_UTC_LINES = re.compile(r"(?:(?:(?:19|20)\d\d-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,3})?Z)?\n)*")


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
    fast = _utc_times(values)
    if fast is not None:
        return fast
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


def _utc_times(values: list[object]) -> pd.Series | None:
    """`to_utc` for the usual file, every time `...T06:33:34.000Z` or missing: NumPy parses
    them in C (pandas' ISO 8601 parser goes row by row). None for anything else."""
    if not all(v is None or isinstance(v, str) for v in values):
        return None
    texts = [v or "" for v in values]
    if not _UTC_LINES.fullmatch("\n".join(texts) + "\n"):
        return None
    try:  # NumPy refuses a day or an hour out of range as pandas does: full path
        utc = np.array([t[:-1] or "NaT" for t in texts], dtype="datetime64[ms]")
    except ValueError:
        return None
    return pd.Series(utc).dt.tz_localize("UTC")


def _stamps(times: pd.Series) -> list[str]:
    """UTC times (no gap) as `2024-04-02T06:33:34.000Z`; NumPy formats them in C."""
    values = times.dt.tz_localize(None).to_numpy("datetime64[ms]")
    if len(values) and (values.min() < np.datetime64("1000-01-01")
                        or values.max() >= np.datetime64("9999-01-01")):
        return (times.dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3] + "Z").tolist()
    return [t + "Z" for t in np.datetime_as_string(values, unit="ms").tolist()]


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
        """Type the gathered rows: a few bulk operations per column (a file of 80 visits
        costs what one of 80,000 costs in pandas calls), then keep the rows with times."""
        if not self._cols:
            return
        cols, self._cols = self._cols, {}
        start, end = to_utc(cols["start"]), to_utc(cols["end"])
        bad_start = start.isna().to_numpy()
        bad_end = end.isna().to_numpy() & pd.Series(cols["end"], dtype=object).notna().to_numpy()
        for i in np.flatnonzero(bad_start | bad_end):
            what = "a start time" if bad_start[i] else "an end time"
            self._error(int(cols["line"][i]), int(cols["record"][i]),
                        f"{what} (ISO 8601 or epoch milliseconds)")
        ok = ~(bad_start | bad_end)
        frame = pd.DataFrame({
            "start_at": start, "end_at": end,
            "lat": np.array(cols["lat"], dtype="float64"),
            "lon": np.array(cols["lon"], dtype="float64"),
            "accuracy_m": np.array(cols["accuracy_m"], dtype="float64"),
            "kind": pd.array(cols["kind"], dtype="string"),
            "name": pd.array(cols["name"], dtype="string"),
        })[ok]
        # a Google place visited at a given time is the same visit in any export of it
        pids = [p for p, keep in zip(cols["place_id"], ok, strict=True) if keep]
        stamps = _stamps(frame["start_at"])
        frame["uid"] = pd.array([None if p is None else f"gplace:{p}:{t}"
                                 for p, t in zip(pids, stamps, strict=True)], dtype="string")
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
