"""Enedis daily cumulative index CSV ("index quotidiens"), from the customer site
"Mon compte Enedis" > "Mes données de consommation" (Linky meters, France).

Layout: optional metadata pair (`Identifiant PRM;Type de donnees;...;Unite`), then a header
with `Horodate` and the meter's registers in Wh: `EAS F1` .. `EAS F10` (supplier registers,
e.g. F1 = heures creuses, F2 = heures pleines), often `EAS D1` .. `EAS D4` (distributor
registers) and `EAS T` (total); then a trailer block (a blank line, `Type de relevé;...`,
`Date de mise à jour ...`, a second small table) that is ignored.

Consumption is the difference between successive readings of `EAS T` (the sum of the `EAS F`
registers when the file has no `EAS T`), as an interval from one reading's time to the next.
A reading with an empty total is a gap: the next difference spans it. A total that goes DOWN
(a meter change or a reset) is a RowError on the later reading; with --skip-bad-rows that
interval is left out and the later reading starts the next difference.
The per-register split (HP/HC) has no column in the schema and is not kept.
"""

from __future__ import annotations

import pandas as pd

from ...errors import FormatError
from ..base import CSV_MAX, InputFile, ParseContext, Parsed, RowError, Source
from ..text import head_text, read_text
from .enedis_common import (
    Table,
    interval_uid,
    meter_id,
    meters_frame,
    norm,
    number,
    split_table,
    to_utc,
)

_ENERGY_UNITS = {"wh": 1000.0, "kwh": 1.0}  # unit -> divisor to kWh
_SUPPLIER = tuple(f"eas f{n}" for n in range(1, 11))


def _is_index(table: Table) -> bool:
    return "horodate" in table.header and ("eas t" in table.header or "eas f1" in table.header)


def detect(inp: InputFile) -> bool:
    return _is_index(split_table(head_text(inp)))


def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
    table = split_table(read_text(inp)[0])
    if not _is_index(table):
        raise FormatError("expected an Enedis index file with `Horodate` and `EAS T` columns",
                          file=inp.name, hint="download the daily index again from Enedis")
    factor = _ENERGY_UNITS.get(norm(table.meta.get("unite", "wh")) or "wh")
    if factor is None:
        raise FormatError("expected index values in Wh", file=inp.name, line=table.header_line)
    meter = meter_id(table, inp.basename)
    lines = [line for line, _ in table.rows]
    cells = [row + [""] * (len(table.header) - len(row)) for _, row in table.rows]
    times, errors = to_utc([c[table.col("horodate")] for c in cells], lines, "Horodate")
    total_col = table.col("eas t")
    columns = [total_col] if total_col is not None else [
        i for i, h in enumerate(table.header) if h in _SUPPLIER]
    name = "EAS T" if total_col is not None else "EAS F1 .. EAS F10"

    readings = []  # (time, total in Wh, line)
    for i, c in enumerate(cells):
        try:
            values = [number(c[j]) for j in columns]
        except ValueError:
            errors.append(RowError(lines[i], f"expected an index in Wh (a number) in {name}"))
            continue
        if pd.isna(times.iloc[i]) or all(v is None for v in values):
            continue  # a bad time is already reported; an empty index is a gap
        readings.append((times.iloc[i], sum(v for v in values if v is not None), lines[i]))

    readings.sort(key=lambda r: r[0])  # some exports list the newest day first
    rows, previous = [], None
    for when, total, line in readings:
        if previous is not None and when == previous[0]:
            errors.append(RowError(line, "expected one reading per time in column Horodate"))
            continue
        if previous is not None and total < previous[1]:
            errors.append(RowError(line, f"expected {name} not to go down (a meter change or"
                                         " reset?): the interval before it is left out"))
        elif previous is not None:
            rows.append((previous[0], when, (total - previous[1]) / factor))
        previous = (when, total)

    energy = pd.DataFrame(rows, columns=["start_at", "end_at", "kwh"])
    energy["start_at"] = pd.to_datetime(energy["start_at"], utc=True)
    energy["end_at"] = pd.to_datetime(energy["end_at"], utc=True)
    energy.insert(0, "meter_id", meter)
    energy["uid"] = interval_uid(meter, energy["start_at"], energy["end_at"])
    errors.sort(key=lambda e: e.line or 0)
    return Parsed(tables={"meters": meters_frame(meter), "energy": energy}, errors=errors,
                  rows_read=len(table.rows))


SOURCE = Source(
    name="enedis-index",
    title="Enedis daily index CSV (EAS F1..F10 / EAS T registers, Wh, Mon compte Enedis)",
    kind="energy",
    detect=detect,
    parse=parse,
    extensions=(".csv",),
    max_bytes=CSV_MAX,
)
