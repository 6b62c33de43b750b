"""Enedis daily consumption ("consommation quotidienne") CSV, from the customer site
"Mon compte Enedis" > "Mes données de consommation" (Linky meters, France).

Variants handled (values in Wh, or kWh when the file says so):
- `Date de début;Date de fin;Valeur (en Wh)`, one day per row (metadata lines above allowed);
  a `Date de fin` equal to the start (an inclusive day) means one day;
- the classic layout: metadata pair (`Identifiant PRM;Type de donnees;...;Unite` with `Wh`)
  then `Horodate;Valeur`, Horodate = the day;
- the newer one-row-per-reading layout `Identifiant PRM;Date de début;Date de fin;Grandeur
  physique;Grandeur métier;Etape métier;Unité;Horodate;Valeur;Nature;Pas;...` with Unité
  `Wh` and Pas `P1D` (Date de début / Date de fin are then the export's period, not the day).

A day runs from 00:00 to 00:00 Europe/Paris (23 or 25 hours on DST days). Empty values are
gaps (no row); a negative value is a RowError.
"""

from __future__ import annotations

import pandas as pd

from ...errors import FormatError
from ..base import CSV_MAX, InputFile, ParseContext, Parsed, RowError, Source
from ..text import head_text, read_text
from .enedis_common import (
    PARIS,
    Table,
    interval_uid,
    meter_id,
    meters_frame,
    number,
    split_table,
    to_utc,
)
from .enedis_csv import is_enedis_series, unit_of

_ENERGY_UNITS = {"wh": 1000.0, "kwh": 1.0}  # unit -> divisor to kWh


def _layout(table: Table) -> tuple[str, float] | None:
    """('horodate' | 'period', divisor to kWh) for a daily export, else None."""
    if "horodate" in table.header:
        factor = _ENERGY_UNITS.get(unit_of(table))
        return ("horodate", factor) if is_enedis_series(table) and factor else None
    value = next((h for h in table.header if h.startswith("valeur (en")), "")
    factor = _ENERGY_UNITS.get(value.removeprefix("valeur (en").strip(" )"))
    dated = "date de debut" in table.header and "date de fin" in table.header
    return ("period", factor) if dated and factor else None


def detect(inp: InputFile) -> bool:
    return _layout(split_table(head_text(inp))) is not None


def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
    table = split_table(read_text(inp)[0])
    layout = _layout(table)
    if layout is None:
        raise FormatError("expected an Enedis daily consumption file in Wh", file=inp.name,
                          hint="download the daily consumption again from Enedis")
    kind, factor = layout
    meter = meter_id(table, inp.basename)
    lines = [line for line, _ in table.rows]
    cells = [row + [""] * (len(table.header) - len(row)) for _, row in table.rows]
    if kind == "horodate":
        day, errors = to_utc([c[table.col("horodate")] for c in cells], lines, "Horodate")
        v_col = table.col("valeur")
        start, end = _local_midnight(day), _local_midnight(day, days=1)
    else:
        v_col = next(i for i, h in enumerate(table.header) if h.startswith("valeur (en"))
        first, errors = to_utc([c[table.col("date de debut")] for c in cells], lines,
                               "Date de début")
        last, more = to_utc([c[table.col("date de fin")] for c in cells], lines, "Date de fin")
        errors += more
        start, end = _local_midnight(first), _local_midnight(last)
        end = end.where(end > start, _local_midnight(first, days=1))

    kwh = pd.Series(float("nan"), index=start.index)
    for i, c in enumerate(cells):
        try:
            value = number(c[v_col])
        except ValueError:
            errors.append(RowError(lines[i], "expected an energy in Wh (a number) in column"
                                   " Valeur"))
            continue
        if value is not None and value < 0:
            errors.append(RowError(lines[i], "expected an energy of 0 or more in column Valeur"))
        elif value is not None:
            kwh.iloc[i] = value / factor
    keep = kwh.notna() & start.notna() & end.notna()  # empty values are gaps, not zeros
    energy = pd.DataFrame({"meter_id": meter, "start_at": start[keep], "end_at": end[keep],
                           "kwh": kwh[keep]}).reset_index(drop=True)
    energy["uid"] = interval_uid(meter, energy["start_at"], energy["end_at"])
    errors.sort(key=lambda e: e.line or 0)
    return Parsed(tables={"meters": meters_frame(meter), "energy": energy}, errors=errors,
                  rows_read=len(table.rows))


def _local_midnight(utc: pd.Series, days: int = 0) -> pd.Series:
    """00:00 Europe/Paris of the local day of `utc` (plus `days` calendar days), in UTC.
    Midnight always exists once in Paris (the clocks change at 02:00 / 03:00)."""
    wall = utc.dt.tz_convert(PARIS).dt.tz_localize(None).dt.normalize()
    wall = wall + pd.Timedelta(days=days)
    return wall.dt.tz_localize(PARIS).dt.tz_convert("UTC")


SOURCE = Source(
    name="enedis-daily",
    title="Enedis daily consumption CSV (consommation quotidienne, Wh, Mon compte Enedis)",
    kind="energy",
    detect=detect,
    parse=parse,
    extensions=(".csv",),
    max_bytes=CSV_MAX,
)
