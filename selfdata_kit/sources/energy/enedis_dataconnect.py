"""Enedis Data Connect API JSON (France, electricity meters "Linky"), as saved by users and tools.

Enedis' Data Connect API (metering data v5, also relayed by services such as MyElectricalData)
answers one JSON document per call: `{"meter_reading": {"usage_point_id", "start", "end",
"quality", "reading_type": {...}, "interval_reading": [{"value", "date", ...}]}}`.

Variants handled:
- daily consumption: `reading_type.unit` "Wh", readings dated "YYYY-MM-DD": the local day
  00:00-24:00 Europe/Paris (23 or 25 hours on DST days), kWh = Wh / 1000;
- load curve: unit "W", aggregate "average", readings dated "YYYY-MM-DD hh:mm:ss" = the local
  END of the interval, without offset, each with `interval_length` PT10M / PT15M / PT30M / PT60M;
  kWh = W x hours / 1000;
- wrappers tools save: a JSON list of such responses (the API serves at most 7 days of load
  curve per call, so tools concatenate calls), or the `meter_reading` object itself without
  its top-level key.
Not handled: the daily maximum power (unit "VA", aggregate "max") is not energy and is refused.
The JSON does not say whether it is consumption or production (the call did): both read alike.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd

from ...errors import FormatError
from ..base import JSON_MAX, InputFile, ParseContext, Parsed, RowError, Source
from ._json import KeyLines, load_json, looks_like_json
from .enedis_common import interval_uid

TZ = "Europe/Paris"  # Enedis writes local times without offset
_ENERGY_UNITS = {"Wh": Decimal(1000), "kWh": Decimal(1)}  # per-interval energy -> divisor to kWh
_POWER_UNITS = {"W": Decimal(1000), "kW": Decimal(1)}  # average power over the interval
_ISO_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$")


def detect(inp: InputFile) -> bool:
    head = looks_like_json(inp)
    return '"meter_reading"' in head or '"interval_reading"' in head


def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
    what = "an Enedis Data Connect meter_reading document"
    doc, text = load_json(inp, what)
    responses = _responses(doc)
    if not responses:
        raise FormatError(f"expected {what} (with usage_point_id and interval_reading)",
                          file=inp.name, hint="save the API response body as it was received")
    total = sum(len(r.get("interval_reading") or []) for r in responses)
    lines = KeyLines(text, "date", total)
    frames, meters, errors, first = [], {}, [], 0
    for mr in responses:
        frame, unit, errs = _response(mr, first, lines, inp.name)
        first += len(mr.get("interval_reading") or [])
        errors += errs
        if len(frame):
            frames.append(frame)
            meters.setdefault(frame["meter_id"].iloc[0], unit)
    energy = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    meter_frame = pd.DataFrame({"meter_id": list(meters), "commodity": "electricity",
                                "provider": "Enedis", "unit": list(meters.values())})
    return Parsed(tables={"meters": meter_frame, "energy": energy}, errors=errors,
                  rows_read=total)


def _responses(doc: Any) -> list[dict]:
    """The meter_reading objects of a response, a list of responses, or a bare object."""
    items = doc if isinstance(doc, list) else [doc]
    found = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("meter_reading"), dict):
            item = item["meter_reading"]
        if isinstance(item, dict) and isinstance(item.get("interval_reading"), list):
            found.append(item)
    return found


def _response(mr: dict, first: int, lines: KeyLines,
              name: str) -> tuple[pd.DataFrame, str, list[RowError]]:
    prm = str(mr.get("usage_point_id") or "").strip()
    if not prm:
        raise FormatError("expected a usage_point_id in meter_reading", file=name,
                          hint="save the API response body as it was received")
    rt = mr.get("reading_type") if isinstance(mr.get("reading_type"), dict) else {}
    unit = str(rt.get("unit") or "").strip()
    if str(rt.get("aggregate") or "").lower() == "max" or unit in ("VA", "kVA"):
        raise FormatError("this is a maximum power (VA), not an energy reading", file=name,
                          hint="import the daily consumption or the load curve instead")
    if unit not in _ENERGY_UNITS and unit not in _POWER_UNITS:
        raise FormatError(f"expected reading_type.unit Wh or W, found {unit[:10]!r}", file=name,
                          hint="only energy (Wh) and average power (W) readings are imported")
    divisor = _ENERGY_UNITS.get(unit) or _POWER_UNITS[unit]
    default_length = _duration(rt.get("interval_length") or rt.get("measuring_period"))
    quality = str(mr.get("quality") or "").strip() or None  # BRUT (raw) or CORRIGE (corrected)

    starts, ends, values, kept, errors = [], [], [], [], []
    for k, r in enumerate(mr["interval_reading"]):
        row = _reading(r, default_length)
        if isinstance(row, str):
            errors.append(RowError(lines(first + k), row))
            continue
        kept.append(k)
        starts.append(row[0])
        ends.append(row[1])
        values.append(row[2])
    if not ends:
        return pd.DataFrame(), unit, errors

    # A daily reading has its local start; a curve reading only its local end, and on the
    # autumn change the end times 02:00-02:59 come twice: the first time is summer time
    # (CEST), the repeat winter time (CET), so ambiguity is resolved by order of appearance.
    # A local time in the spring gap cannot be a real reading: it becomes NaT, then an error.
    naive_end = pd.Series(pd.to_datetime([e for e, _ in ends]))
    first_seen = (~naive_end.duplicated(keep="first")).to_numpy()
    end_at = pd.DatetimeIndex(naive_end).tz_localize(
        TZ, ambiguous=first_seen, nonexistent="NaT").tz_convert("UTC")
    lengths = pd.to_timedelta([length for _, length in ends])
    daily_start = pd.DatetimeIndex(pd.to_datetime(starts)).tz_localize(
        TZ, ambiguous="raise", nonexistent="raise").tz_convert("UTC")  # midnight, never ambiguous
    start_at = pd.DatetimeIndex([s if length is pd.NaT else e - length for s, e, length in
                                 zip(daily_start, end_at, lengths, strict=True)])
    seconds = (end_at - start_at) // pd.Timedelta(seconds=1)

    frame = pd.DataFrame({"meter_id": prm, "start_at": start_at, "end_at": end_at})
    power = unit in _POWER_UNITS
    frame["kwh"] = [None if v is None else float(
                        v * (Decimal(int(sec)) / 3600 if power else 1) / divisor)
                    for v, sec in zip(values, seconds.fillna(0), strict=True)]
    frame["quality"] = [quality if v is not None else "value_missing" for v in values]
    bad = frame["end_at"].isna()
    for k in bad[bad].index:
        errors.append(RowError(lines(first + kept[k]), "expected a local time that exists"
                               " (the date falls in the spring daylight-saving gap)"))
    frame = frame[~bad]
    frame["uid"] = interval_uid(prm, frame["start_at"], frame["end_at"])
    return frame.reset_index(drop=True), unit, errors


def _reading(r: Any, default_length: timedelta | None):
    """(local start or None, (local end, length or None), value) of one reading, or an error."""
    if not isinstance(r, dict):
        return "expected an object in interval_reading"
    raw = r.get("value")
    value = None
    if raw is not None and str(raw).strip() != "":
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            return "expected a number in column value"
        if not value.is_finite():
            return "expected a number in column value"
    date_s = str(r.get("date") or "").strip()
    try:
        if len(date_s) == 10:  # a day: 00:00 to 24:00 local
            day = datetime.strptime(date_s, "%Y-%m-%d")
            return day, (day + timedelta(days=1), None), value
        end = datetime.strptime(date_s.replace("T", " ")[:19], "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return "expected a date YYYY-MM-DD or YYYY-MM-DD hh:mm:ss in column date"
    length = _duration(r.get("interval_length")) or default_length
    if length is None:
        return "expected an interval_length such as PT30M"
    return None, (end, length), value


def _duration(text: Any) -> timedelta | None:
    """'PT30M' -> 30 minutes, 'P1D' -> 1 day; None when absent or not understood."""
    m = _ISO_DURATION.match(str(text or "").strip().upper())
    if not m or not any(m.groups()):
        return None
    d, h, mi = (int(g or 0) for g in m.groups())
    return timedelta(days=d, hours=h, minutes=mi) or None


SOURCE = Source(
    name="enedis-dataconnect",
    title="Enedis Data Connect API JSON (daily Wh, load curve W)",
    kind="energy",
    detect=detect,
    parse=parse,
    extensions=(".json",),
    max_bytes=JSON_MAX,
)
