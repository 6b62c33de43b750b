"""GRDF customer-site JSON (France, natural gas meters "Gazpar"), from monespace.grdf.fr.

The customer site's consumption API (saved by users, or by tools such as PyGazpar) answers
`{"<PCE>": {"idPce": "<PCE>", "frequence": ..., "releves": [{...}, ...]}}`, one key per
delivery point (PCE). Each reading ("relevé") has `dateDebutReleve` / `dateFinReleve`,
`indexDebut` / `indexFin`, `volumeBrutConsomme` (m³), `energieConsomme` (kWh, the volume times
the conversion coefficient), `coeffConversion`, `qualificationReleve` ("Mesuré", "Estimé",
"Absence de Données" ...) and `natureReleve`.

Variants handled:
- daily "informative" readings (`natureReleve` "Informative Journalier"): `journeeGaziere` names
  the gas day, which runs from 06:00 to 06:00 the next day, Europe/Paris local time (so 23 or
  25 hours on DST days);
- published billing-period readings ("données publiées", `natureReleve` "Publiée",
  `journeeGaziere` null): one interval from the start date 06:00 to the end date 06:00;
- the same objects in a JSON list, or one `{"idPce", "releves"}` object without its key.
A reading whose energy is null is kept with its volume, kwh NULL and quality "energy_missing".
The dates carry an offset that is always +00:00 whatever the season, while the gas day starts at
06:00 local: only their date part is used, and 06:00 Europe/Paris is the boundary.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from ...errors import FormatError
from ..base import JSON_MAX, InputFile, ParseContext, Parsed, RowError, Source
from ._json import KeyLines, load_json, looks_like_json

TZ = ZoneInfo("Europe/Paris")
GAS_DAY_START = time(6, 0)  # 06:00 local exists every day and is never ambiguous
_MARKERS = ('"releves"', '"journeeGaziere"', '"idPce"')


def detect(inp: InputFile) -> bool:
    head = looks_like_json(inp)
    return any(m in head for m in _MARKERS)


def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
    what = "a GRDF consumption document ({PCE: {releves: [...]}})"
    doc, text = load_json(inp, what)
    points = _points(doc, inp.name)
    if not points:
        raise FormatError(f"expected {what}", file=inp.name,
                          hint="save the consumption data from monespace.grdf.fr as it came")
    total = sum(len(releves) for _, releves in points)
    lines = KeyLines(text, "dateDebutReleve", total)
    rows, errors, n = [], [], 0
    for pce, releves in points:
        for r in releves:
            row = _reading(pce, r)
            if isinstance(row, str):
                errors.append(RowError(lines(n), row))
            else:
                rows.append(row)
            n += 1
    energy = pd.DataFrame(rows, columns=["meter_id", "start_at", "end_at", "kwh", "volume_m3",
                                         "quality", "uid"])
    energy["start_at"] = pd.to_datetime(energy["start_at"], utc=True)
    energy["end_at"] = pd.to_datetime(energy["end_at"], utc=True)
    energy["kwh"] = energy["kwh"].astype("float64")
    energy["volume_m3"] = energy["volume_m3"].astype("float64")
    pces = list(dict.fromkeys(pce for pce, _ in points))
    meters = pd.DataFrame({"meter_id": pces, "commodity": "gas", "provider": "GRDF",
                           "unit": "kWh"})
    return Parsed(tables={"meters": meters, "energy": energy}, errors=errors, rows_read=total)


def _points(doc: Any, name: str) -> list[tuple[str, list]]:
    """(PCE, readings) for each delivery point, whichever wrapper the file uses."""
    items: list[tuple[str | None, Any]]
    if isinstance(doc, list):
        items = [(None, d) for d in doc]
    elif isinstance(doc, dict) and "releves" in doc:
        items = [(None, doc)]
    elif isinstance(doc, dict):
        items = list(doc.items())
    else:
        return []
    found = []
    for key, item in items:
        if not isinstance(item, dict) or not isinstance(item.get("releves"), list):
            continue
        pce = str(item.get("idPce") or key or "").strip()
        if not pce:
            raise FormatError("expected the delivery point number (idPce) of the readings",
                              file=name, hint="save the consumption data as it came, with its PCE")
        found.append((pce, item["releves"]))
    return found


def _reading(pce: str, r: Any) -> tuple | str:
    """One canonical row, or what was expected when the reading cannot be read."""
    if not isinstance(r, dict):
        return "expected an object in releves"
    try:
        if r.get("journeeGaziere"):  # daily reading: one gas day
            day = date.fromisoformat(str(r["journeeGaziere"])[:10])
            end_day = day + timedelta(days=1)
        else:  # published reading: from one meter read to the next
            day = date.fromisoformat(str(r.get("dateDebutReleve") or "")[:10])
            end_day = date.fromisoformat(str(r.get("dateFinReleve") or "")[:10])
    except ValueError:
        return "expected a date YYYY-MM-DD in journeeGaziere or dateDebutReleve/dateFinReleve"
    if end_day <= day:
        return "expected dateFinReleve after dateDebutReleve"
    kwh = _number(r.get("energieConsomme"))
    volume = _number(r.get("volumeBrutConsomme", r.get("volumeConsomme")))
    if kwh is False:
        return "expected a number in column energieConsomme"
    if volume is False:
        return "expected a number in column volumeBrutConsomme"
    quality = "energy_missing" if kwh is None else (
        str(r.get("qualificationReleve") or "").strip() or None)
    return (pce, _gas_time(day), _gas_time(end_day), kwh, volume, quality,
            f"grdf:{pce}:{day.isoformat()}/{end_day.isoformat()}")


def _gas_time(day: date) -> datetime:
    return datetime.combine(day, GAS_DAY_START, tzinfo=TZ)


def _number(value: Any) -> float | None | bool:
    """A float, None when absent, False when not a number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return False
    try:
        d = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        return False
    return float(d) if d.is_finite() else False


SOURCE = Source(
    name="grdf",
    title="GRDF customer-site JSON (daily and published gas readings)",
    kind="energy",
    detect=detect,
    parse=parse,
    extensions=(".json",),
    max_bytes=JSON_MAX,
)
