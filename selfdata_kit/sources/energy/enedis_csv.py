"""Enedis load curve ("courbe de charge") CSV, from the customer site "Mon compte Enedis" >
"Mes données de consommation" > "Télécharger mes données" (Linky meters, France).

Variants handled:
- the classic layout: UTF-8 BOM, a metadata pair (`Identifiant PRM;Type de donnees;...;Unite;
  Pas en minutes` and its values, `Courbe de charge` ... `W`), then `Horodate;Valeur`;
- the newer one-row-per-reading layout: `Identifiant PRM;Date de début;Date de fin;Grandeur
  physique;Grandeur métier;Etape métier;Unité;Horodate;Valeur;Nature;Pas;...` with Unité `W`
  and a per-row step `PT30M`;
- times with an offset (`2022-10-24T00:30:00+02:00`) or Europe/Paris wall times without one
  (see `enedis_common.to_utc` for the autumn repeated hour);
- the step changing part way (60 -> 30 minutes), gaps, and empty values (gaps, not zeros).

Each value is the AVERAGE POWER in W over the interval that ENDS at its time, so
kWh = W x step_hours / 1000. The step of a reading (unless the row states it):
1. the gap since the previous reading, when a neighbouring reading has the same gap (the
   reading sits in a run of that step: this follows a 60 -> 30 change exactly);
2. otherwise (a hole in the data before it, or the first row) the step of the next reading,
   else of the previous one, else the metadata `Pas en minutes`, else the gap itself (or, for
   the first row, the next gap) if it is a step Enedis uses (5, 10, 15, 30, 60 minutes);
   never longer than the gap since the previous reading.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ...errors import FormatError
from ..base import CSV_MAX, InputFile, ParseContext, Parsed, RowError, Source
from ..text import head_text, read_text
from .enedis_common import (
    interval_uid,
    meter_id,
    meters_frame,
    norm,
    number,
    offset_times,
    split_clean_curve,
    split_table,
    to_utc,
)

_POWER_UNITS = {"w": 1.0, "kw": 1000.0}  # unit -> W (not VA: that is the daily maximum power)
_ENEDIS_STEPS = (5.0, 10.0, 15.0, 30.0, 60.0)  # minutes
_ISO_STEP = re.compile(r"^PT(\d+)([MH])$", re.IGNORECASE)
_PLAIN_VALUES = re.compile(r"(?:(?:\d+(?:[.,]\d+)?)?\n)*")  # '1180', '12,5' or '' per line


def unit_of(table) -> str:
    """The unit named by the metadata (`Unite`) or by the rows' `Unité` column."""
    return norm(table.meta.get("unite") or table.first(table.col("unite")))


def is_enedis_series(table) -> bool:
    """`Identifiant PRM` above or in the header, and `Horodate` + `Valeur` columns."""
    has_prm = "identifiant prm" in table.meta or "identifiant prm" in table.header
    return has_prm and "horodate" in table.header and "valeur" in table.header


def detect(inp: InputFile) -> bool:
    table = split_table(head_text(inp))
    return is_enedis_series(table) and unit_of(table) in _POWER_UNITS


def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
    text = read_text(inp)[0]
    clean = split_clean_curve(text)  # the usual file: its rows read in bulk
    table = clean[0] if clean else split_table(text)
    if not is_enedis_series(table):
        raise FormatError("expected an Enedis load curve with `Horodate;Valeur` columns",
                          file=inp.name, hint="download the load curve again from Enedis")
    factor = _POWER_UNITS.get(unit_of(table))
    if factor is None:
        raise FormatError("expected a load curve in W", file=inp.name, line=table.header_line,
                          hint="this looks like another Enedis export (daily Wh or index)")
    meter = meter_id(table, inp.basename)
    read = _read_clean(clean[1], table.header_line, factor) if clean else None
    if read is None:  # anything unusual: row by row, each bad row named
        if clean:
            table = split_table(text)
        read = _read_rows(table, factor)
    lines, ends, watts, pas, errors = read
    frame = pd.DataFrame({"line": lines, "end_at": ends, "w": watts, "pas": pas})
    frame = frame[frame["end_at"].notna()]
    # file order matters (the autumn hour): a time not after an earlier one is refused
    earlier = frame["end_at"].cummax().shift()
    backwards = frame["end_at"] <= earlier
    errors += [RowError(line, "expected times in increasing order in column Horodate")
               for line in frame.loc[backwards, "line"]]
    frame = frame[~backwards].reset_index(drop=True)
    frame["step"] = _steps(frame, _meta_step(table.meta.get("pas en minutes", "")))

    unknown = frame["step"].isna() & frame["w"].notna()
    errors += [RowError(line, "expected readings at a regular step around this time")
               for line in frame.loc[unknown, "line"]]
    frame = frame[frame["w"].notna() & frame["step"].notna()]  # empty values are gaps
    steps = pd.to_timedelta(frame["step"], unit="min")
    energy = pd.DataFrame({
        "meter_id": meter,
        "start_at": frame["end_at"] - steps,
        "end_at": frame["end_at"],
        "kwh": frame["w"] * frame["step"] / 60 / 1000,
    })
    energy["uid"] = interval_uid(meter, energy["start_at"], energy["end_at"])
    errors.sort(key=lambda e: e.line or 0)
    return Parsed(tables={"meters": meters_frame(meter), "energy": energy.reset_index(drop=True)},
                  errors=errors, rows_read=len(lines))


def _read_clean(rows: list[str], header_line: int, factor: float) -> tuple | None:
    """The columns of `split_clean_curve`'s rows (each `time;value`, the time 25
    characters) without cutting them one by one; None when a time or value needs the
    per-row path (a day out of range, an unusual offset, an infinite value)."""
    ends = offset_times([r[:25] for r in rows], checked=True)
    if ends is None:
        return None
    watts = _plain_watts([r[26:] for r in rows], factor, checked=True)
    if watts is None:
        return None
    lines = list(range(header_line + 1, header_line + 1 + len(rows)))
    return lines, ends, watts, np.nan, []


def _read_rows(table, factor: float) -> tuple:
    """The columns of `split_table`'s rows, one by one: (line numbers, end times, watts,
    the rows' own step, errors); a bad row is named and its time set to NaT."""
    t_col, v_col, pas_col = table.col("horodate"), table.col("valeur"), table.col("pas")
    lines = [line for line, _ in table.rows]
    width = len(table.header)
    cells = [row if len(row) >= width else row + [""] * (width - len(row))
             for _, row in table.rows]
    ends, errors = to_utc([c[t_col] for c in cells], lines, "Horodate")

    watts = _plain_watts([c[v_col] for c in cells], factor)
    if watts is None:  # not a clean file: row by row, to name each bad row
        watts = np.full(len(cells), np.nan)
        for i, c in enumerate(cells):
            try:
                value = number(c[v_col])
            except ValueError:
                errors.append(RowError(lines[i],
                                       "expected a power in W (a number) in column Valeur"))
                ends.iloc[i] = pd.NaT
                continue
            if value is not None and value < 0:
                errors.append(RowError(lines[i], "expected a power of 0 or more in column Valeur"))
                ends.iloc[i] = pd.NaT
            elif value is not None:
                watts[i] = value * factor
    pas = np.nan if pas_col is None else [_row_step(c[pas_col]) for c in cells]
    return lines, ends, watts, pas, errors


def _plain_watts(texts: list[str], factor: float, checked: bool = False) -> np.ndarray | None:
    """The values of a clean file in one pass (what `number` gives row by row): None when
    one is anything else than digits with an optional decimal part, or empty (a gap).
    `checked`: the texts are known to be of that shape."""
    if not (checked or _PLAIN_VALUES.fullmatch("\n".join(texts) + "\n")):
        return None
    # Arrow's cast reads a decimal text to the same double as `float` (both round
    # correctly); an empty value is a null, NaN in NumPy (a gap)
    text = pc.replace_substring(pa.array(texts, pa.string()), ",", ".")
    values = pc.cast(pc.if_else(pc.equal(text, ""), None, text),
                     pa.float64()).to_numpy(zero_copy_only=False)
    if np.isinf(values).any():  # '1' x 400 digits: the per-row path refuses it
        return None
    return values * factor


def _steps(frame: pd.DataFrame, meta_step: float) -> pd.Series:
    """Each reading's step in minutes, by the rule in the module docstring."""
    gap = frame["end_at"].diff().dt.total_seconds() / 60
    regular = (gap == gap.shift(1)) | (gap == gap.shift(-1))
    step = frame["pas"].astype(float)  # the row's own `Pas` column wins
    step = step.fillna(gap.where(regular))
    step = step.fillna(gap.shift(-1).where(regular.shift(-1, fill_value=False)))
    step = step.fillna(gap.shift(1).where(regular.shift(1, fill_value=False)))
    step = step.fillna(meta_step)
    step = step.fillna(gap.where(gap.isin(_ENEDIS_STEPS)))
    step = step.fillna(gap.shift(-1).where(gap.shift(-1).isin(_ENEDIS_STEPS)))  # first row
    return step.where(~(step > gap), gap)  # a reading never reaches back past the previous one


def _row_step(text: str) -> float:
    m = _ISO_STEP.match(text.strip())
    if not m:
        return np.nan
    return float(m.group(1)) * (60 if m.group(2).upper() == "H" else 1)


def _meta_step(text: str) -> float:
    try:
        value = number(text)
    except ValueError:
        return np.nan
    return value if value else np.nan


SOURCE = Source(
    name="enedis-load-curve",
    title="Enedis load curve CSV (courbe de charge, W, Mon compte Enedis)",
    kind="energy",
    detect=detect,
    parse=parse,
    extensions=(".csv",),
    max_bytes=CSV_MAX,
)
