"""GRDF and Enedis spreadsheet exports (.xlsx), from their customer sites.

- GRDF (monespace.grdf.fr, "Mes consommations" > "Télécharger"): a title block (title, PCE,
  period, export date), then a header row and one reading per row: daily informative
  readings (`Journée gazière`, index start/end in m³, `Volume consommé (m3)`, `Coefficient de
  conversion`, `Energie consommée (kWh)`, `Qualification`) or published billing-period
  readings (`Date de début`, `Date de fin`, the same columns). Dates are text (`01/01/2024`)
  or date cells. The rows are the GRDF JSON source's readings, read the same way (the gas
  day from 06:00 to 06:00 Europe/Paris, kWh and m³ kept, the same uid: the same reading from
  the JSON and the spreadsheet is stored once).
- Enedis ("Mon compte Enedis" > "Mes données de consommation" > "Télécharger"): the CSV
  export's content in a sheet, under a title row: the `Identifiant PRM;Type de donnees;...`
  metadata pair, then `Horodate | Valeur` (daily consumption in Wh, or the load curve in W),
  times as text. The rows are handed, as `;`-separated lines, to the Enedis CSV sources,
  which read them exactly as they read the CSV (same uid, row n = line n in messages).

A spreadsheet that is neither is "not a format selfdata_kit knows" (skipped in folders).
"""

from __future__ import annotations

import re
from datetime import date, datetime

import pandas as pd

from ...errors import FormatError, UnknownFormatError
from ..base import SPREADSHEET_MAX, InputFile, ParseContext, Parsed, RowError, Source
from . import enedis_csv, enedis_daily, enedis_index, grdf
from .enedis_common import norm
from .xlsx_sheet import is_xlsx, sheet_rows

HEADER_SEARCH_ROWS = 30
_FR_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})")
_PCE = re.compile(r"(?<![\dA-Z])(GI\d{6}|\d{14})(?![\dA-Z])")
# GRDF header cell (normalised) -> the key of the GRDF JSON reading it fills
GRDF_COLUMNS = (
    ("journee gaziere", "journeeGaziere"),
    ("date de debut", "dateDebutReleve"),
    ("date de fin", "dateFinReleve"),
    ("index de debut", "indexDebut"),
    ("index de fin", "indexFin"),
    ("volume", "volumeBrutConsomme"),
    ("energie", "energieConsomme"),
    ("coefficient", "coeffConversion"),
    ("qualification", "qualificationReleve"),
    ("type de releve", "natureReleve"),
)
ENEDIS_SOURCES = (enedis_csv.SOURCE, enedis_daily.SOURCE, enedis_index.SOURCE)


def detect(inp: InputFile) -> bool:
    return is_xlsx(inp)


def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
    rows = sheet_rows(inp)
    if (found := _grdf_header(rows)) is not None:
        return _parse_grdf(inp, rows, *found)
    text = "\n".join(";".join(r) for r in rows) + "\n"
    as_csv = InputFile.from_bytes(inp.name, text.encode("utf-8"))
    for source in ENEDIS_SOURCES:
        if source.detect(as_csv):
            return source.parse(as_csv, ctx)
    raise UnknownFormatError(
        "a spreadsheet, but not a GRDF or Enedis export this version knows (expected a"
        " header row naming 'Journée gazière' or 'Date de début' and 'Volume', or"
        " 'Horodate' and 'Valeur', in the first 30 rows)", file=inp.name,
        hint="export the data as CSV, or describe its columns with a layout file")


def _grdf_header(rows: list[list[str]]) -> tuple[int, dict[str, int]] | None:
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = [norm(c) for c in row]
        columns: dict[str, int] = {}
        for prefix, key in GRDF_COLUMNS:
            j = next((j for j, n in enumerate(names) if n.startswith(prefix)), None)
            if j is not None and key not in columns:
                columns[key] = j
        dated = "journeeGaziere" in columns or "dateDebutReleve" in columns
        if dated and "volumeBrutConsomme" in columns:
            return i, columns
    return None


def _parse_grdf(inp: InputFile, rows: list[list[str]], header: int,
                columns: dict[str, int]) -> Parsed:
    pce = _pce(rows[:header], inp.basename)
    found, errors, read = [], [], 0
    for n, row in enumerate(rows[header + 1:], start=header + 2):  # sheet row numbers
        if not any(c.strip() for c in row):
            continue
        cells = row + [""] * (max(columns.values()) + 1 - len(row))
        reading = {key: cells[j] for key, j in columns.items()}
        first = reading.get("journeeGaziere") or reading.get("dateDebutReleve") or ""
        if not first[:1].isdigit():
            break  # a trailer (totals, notes) ends the table
        read += 1
        bad = [key for key in ("journeeGaziere", "dateDebutReleve", "dateFinReleve")
               if reading.get(key) and not _iso_day(reading[key])]
        if bad:
            errors.append(RowError(n, f'expected a date like 31/12/2024 in column'
                                   f' "{rows[header][columns[bad[0]]].strip()}"'))
            continue
        for key in ("journeeGaziere", "dateDebutReleve", "dateFinReleve"):
            reading[key] = _iso_day(reading.get(key) or "")
        if not reading["journeeGaziere"]:
            reading.pop("journeeGaziere")
            if not reading["dateFinReleve"]:
                errors.append(RowError(n, "expected a date like 31/12/2024 in the end date"
                                       " column"))
                continue
        result = grdf._reading(pce, reading)  # the JSON source's reading of one relevé
        if isinstance(result, str):
            errors.append(RowError(n, result.replace("column energieConsomme",
                                                     "column Energie consommée (kWh)")
                                   .replace("column volumeBrutConsomme",
                                            "column Volume consommé (m3)")))
        else:
            found.append(result)
    if not read:
        raise FormatError("expected GRDF readings below the header row", file=inp.name,
                          line=header + 1, hint="download the consumption export again")
    energy = pd.DataFrame(found, columns=["meter_id", "start_at", "end_at", "kwh",
                                          "volume_m3", "quality", "uid"])
    energy["start_at"] = pd.to_datetime(energy["start_at"], utc=True)
    energy["end_at"] = pd.to_datetime(energy["end_at"], utc=True)
    energy["kwh"] = energy["kwh"].astype("float64")
    energy["volume_m3"] = energy["volume_m3"].astype("float64")
    meters = pd.DataFrame([{"meter_id": pce, "commodity": "gas", "provider": "GRDF",
                            "unit": "kWh"}])
    return Parsed(tables={"meters": meters, "energy": energy}, errors=errors, rows_read=read)


def _iso_day(text: str) -> str:
    """'01/01/2024' or '2024-01-01[T06:00:00]' -> '2024-01-01' ('' when not a date: the
    GRDF reading then says which date it expected)."""
    text = text.strip()
    if m := _FR_DATE.match(text):
        try:
            return date(int(m[3]), int(m[2]), int(m[1])).isoformat()
        except ValueError:
            return ""
    try:
        return datetime.fromisoformat(text).date().isoformat()
    except ValueError:
        return ""


def _pce(title_rows: list[list[str]], basename: str) -> str:
    """The delivery point (PCE: 14 digits, or GI + 6 digits) named in the title block or the
    file name; 'grdf' when none is given."""
    for text in [" ".join(r) for r in title_rows] + [basename]:
        if m := _PCE.search(text):
            return m.group(1)
    return "grdf"


SOURCE = Source(
    name="energy-xlsx",
    title="GRDF or Enedis spreadsheet export (.xlsx: gas readings, daily consumption,"
    " load curve)",
    kind="energy",
    detect=detect,
    parse=parse,
    extensions=(".xlsx",),
    max_bytes=SPREADSHEET_MAX,
)
