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

from ...errors import FormatError
from ..base import CSV_MAX, InputFile, ParseContext, Parsed, RowError, Source
from ..text import head_text, read_text
from .enedis_common import (
    interval_uid,
    meter_id,
    meters_frame,
    norm,
    number,
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
    table = split_table(read_text(inp)[0])
    if not is_enedis_series(table):
        raise FormatError("expected an Enedis load curve with `Horodate;Valeur` columns",
                          file=inp.name, hint="download the load curve again from Enedis")
    factor = _POWER_UNITS.get(unit_of(table))
    if factor is None:
        raise FormatError("expected a load curve in W", file=inp.name, line=table.header_line,
                          hint="this looks like another Enedis export (daily Wh or index)")
    meter = meter_id(table, inp.basename)
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

    frame = pd.DataFrame({"line": lines, "end_at": ends, "w": watts,
                          "pas": np.nan if pas_col is None else [_row_step(c[pas_col])
                                                                 for c in cells]})
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
                  errors=errors, rows_read=len(table.rows))


def _plain_watts(texts: list[str], factor: float) -> np.ndarray | None:
    """The values of a clean file in one pass (what `number` gives row by row): None when
    one is anything else than digits with an optional decimal part, or empty (a gap)."""
    if not _PLAIN_VALUES.fullmatch("\n".join(texts) + "\n"):
        return None
    values = np.array([float(t.replace(",", ".")) if t else np.nan for t in texts])
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
