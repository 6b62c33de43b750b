"""What the Enedis customer-site CSV exports ("Mon compte Enedis", "Mes données de
consommation") share: metadata lines above a header, `;` cells, a trailer block after the
data, the PRM as meter id, and Europe/Paris wall times with or without an offset.

Used by `enedis_csv` (load curve), `enedis_daily` and `enedis_index`; not a source itself.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from ..base import RowError

PARIS = "Europe/Paris"
_PRM = re.compile(r"(?<!\d)\d{14}(?!\d)")
_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")
_NAIVE = r"\d{4}-\d\d-\d\d(?: \d\d:\d\d(?::\d\d(?:\.\d+)?)?)?"
_FR_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})")
# the usual load-curve time, one per line, and the offsets France has used: the fast path
_ISO_OFFSET_LINES = re.compile(r"(?:(?:19|20|21)\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d\n)*")
_PLAIN_OFFSET = re.compile(r"[+-](?:0\d|1[0-4]):(?:00|30|45)")
# a clean load-curve row: that time, `;`, and a plain number or nothing (a gap)
_CLEAN_CURVE_ROWS = re.compile(
    r"(?:(?:19|20|21)\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d;(?:\d+(?:[.,]\d+)?)?\n)*")


def norm(cell: str) -> str:
    """'Unité ' -> 'unite': header names without accents, case or stray spaces."""
    text = unicodedata.normalize("NFKD", cell.strip().strip('"'))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).lower().split())


@dataclass
class Table:
    """An export cut into its parts: metadata above the header, the header, the data rows
    (with their 1-based line numbers) and nothing of the trailer."""

    meta: dict[str, str] = field(default_factory=dict)  # normalised name -> value
    header: list[str] = field(default_factory=list)  # normalised column names
    header_line: int = 0
    rows: list[tuple[int, list[str]]] = field(default_factory=list)

    def col(self, *names: str) -> int | None:
        for name in names:
            if name in self.header:
                return self.header.index(name)
        return None

    def first(self, column: int | None) -> str:
        """The column's value in the first data row ('' when there is none)."""
        if column is None or not self.rows or column >= len(self.rows[0][1]):
            return ""
        return self.rows[0][1][column].strip()


def _is_header(line: str) -> bool:
    # a cheap refusal of most lines first: the names sought are ASCII once `norm` has
    # dropped the accents, so they show in the line's ASCII folding if anywhere
    folded = unicodedata.normalize("NFKD", line).encode("ascii", "ignore").lower()
    if b"horodate" not in folded and b"valeur" not in folded:
        return False
    names = [norm(c) for c in line.split(";")]
    return "horodate" in names or any(n.startswith("valeur (en") for n in names)


def split_table(text: str) -> Table:
    """Find the header (the first line naming `Horodate` or `Valeur (en ...)`), read the
    `name;...` / `value;...` metadata pair (the two non-blank lines above it) and the data
    rows below it.

    The data ends at the first blank line or at the first line whose first cell does not
    start with a digit (every data row starts with a date): what follows is the trailer
    (`Type de relevé;...`, `Date de mise à jour ...`, a second small table) and is ignored.
    """
    lines = text.lstrip("\ufeff").splitlines()
    table, i = _header(lines)
    if i is None:
        return table
    end = i + 1
    while end < len(lines) and not _ends_data(lines[end]):
        end += 1
    table.rows = [(j + 1, lines[j].split(";")) for j in range(i + 1, end)]
    return table


def split_clean_curve(text: str) -> tuple[Table, list[str]] | None:
    """`split_table` for the usual load curve, without cutting its rows: a `Horodate;Valeur`
    header and every data row exactly `2024-01-01T00:30:00+01:00;1180` (a value of digits
    with an optional decimal part, or empty). Returns the table without its rows and the
    data lines, the first at line `header_line + 1`; None for anything else (then
    `split_table`, which finds and names the odd rows)."""
    lines = text.lstrip("\ufeff").splitlines()
    table, i = _header(lines)
    if i is None or table.header != ["horodate", "valeur"]:
        return None
    block = "\n".join(lines[i + 1:]) + "\n"
    n = block.count("\n", 0, _CLEAN_CURVE_ROWS.match(block).end())
    # the clean rows must be all the data: what follows ends it as `split_table` says
    if i + 1 + n < len(lines) and not _ends_data(lines[i + 1 + n]):
        return None
    return table, lines[i + 1:i + 1 + n]


def _header(lines: list[str]) -> tuple[Table, int | None]:
    """The table's header and metadata, and the header's index in `lines` (None: none)."""
    table = Table()
    for i, line in enumerate(lines):
        if not _is_header(line):
            continue
        table.header, table.header_line = [norm(c) for c in line.split(";")], i + 1
        above = [line for line in lines[:i] if line.strip()][-2:]
        if len(above) == 2:
            names, values = above[0].split(";"), above[1].split(";")
            table.meta = {norm(n): v.strip() for n, v in zip(names, values, strict=False)}
        return table, i
    return table, None


def _ends_data(line: str) -> bool:
    """A blank line, or one whose first cell does not start with a digit (a data row
    starts with a date; one starting with a digit needs no split)."""
    return not line[:1].isdigit() and (not line.strip()
                                       or not line.split(";")[0].strip()[:1].isdigit())


def meter_id(table: Table, basename: str) -> str:
    """The PRM (14 digits) from the metadata, the `Identifiant PRM` column or the file name;
    'enedis' when none is given (redacted exports write `1429xxxxxxxxxx`)."""
    candidates = [table.meta.get("identifiant prm", ""),
                  table.first(table.col("identifiant prm")), basename]
    for text in candidates:
        found = _PRM.search(text)
        if found:
            return found.group(0)
    return "enedis"


def interval_uid(meter: str, start: pd.Series, end: pd.Series) -> pd.Series:
    """One key per meter and interval for every Enedis export (customer-site CSVs, Data
    Connect JSON), so the same interval read from two exports is stored once."""
    fast = _utc_seconds(start), _utc_seconds(end)
    if fast[0] is not None and fast[1] is not None:
        return _uid_strings(f"enedis:{meter}:", *fast, index=start.index)
    iso = "%Y-%m-%dT%H:%M:%SZ"
    return f"enedis:{meter}:" + start.dt.strftime(iso) + "/" + end.dt.strftime(iso)


def _utc_seconds(times: pd.Series) -> np.ndarray | None:
    """UTC times as datetime64[s]; None where formatting them by `_uid_strings` could
    differ from strftime: a gap, a fraction of a second, a year not of 4 digits."""
    values = times.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[ns]")
    if not len(values) or np.isnat(values).any():
        return None
    seconds = values.astype("datetime64[s]")
    if (seconds != values).any() or seconds.min() < np.datetime64("1000-01-01T00:00:00") \
            or seconds.max() >= np.datetime64("9999-01-01T00:00:00"):
        return None
    return seconds


def _uid_strings(prefix: str, start: np.ndarray, end: np.ndarray,
                 index: pd.Index) -> pd.Series:
    """`{prefix}2024-01-01T00:00:00Z/2024-01-01T00:30:00Z` per row, what strftime gives,
    written as bytes by NumPy (a row of ASCII codes per uid) instead of a string per row."""
    head = np.frombuffer(prefix.encode("utf-8"), np.uint8)
    n, at = len(head), len(head) + 21
    rows = np.empty((len(start), at + 20), np.uint8)
    rows[:, :n] = head
    rows[:, n:n + 19] = _iso_ascii(start)
    rows[:, n + 19:at] = np.frombuffer(b"Z/", np.uint8)
    rows[:, at:at + 19] = _iso_ascii(end)
    rows[:, -1] = ord("Z")
    texts = pa.array(rows.view(f"S{rows.shape[1]}").ravel(), pa.binary()).cast(pa.string())
    return pd.Series(pd.array(texts, dtype=pd.StringDtype("pyarrow", na_value=np.nan)),
                     index=index)


def _iso_ascii(seconds: np.ndarray) -> np.ndarray:
    """datetime64[s] of years 1000-9999 -> `YYYY-MM-DDTHH:MM:SS` as rows of ASCII codes."""
    days, months = seconds.astype("datetime64[D]"), seconds.astype("datetime64[M]")
    of_day = (seconds - days.astype("datetime64[s]")).astype(np.int64)
    out = np.empty((len(seconds), 19), np.uint8)
    for col, width, value in (
            (0, 4, seconds.astype("datetime64[Y]").astype(np.int64) + 1970),
            (5, 2, months.astype(np.int64) % 12 + 1),
            (8, 2, (days - months.astype("datetime64[D]")).astype(np.int64) + 1),
            (11, 2, of_day // 3600), (14, 2, of_day // 60 % 60), (17, 2, of_day % 60)):
        for k in range(width):  # digits right to left
            out[:, col + width - 1 - k] = 48 + value % 10
            value = value // 10
    out[:, [4, 7]], out[:, 10], out[:, [13, 16]] = ord("-"), ord("T"), ord(":")
    return out


def meters_frame(meter: str) -> pd.DataFrame:
    return pd.DataFrame([{"meter_id": meter, "commodity": "electricity", "provider": "Enedis",
                          "unit": "kWh"}])


def number(text: str) -> float | None:
    """'1234', '1234,5', '1 234' -> float; '' -> None (a gap). Raises ValueError."""
    s = re.sub(r"[\s\u00a0\u202f]", "", text.strip().strip('"')).replace(",", ".")
    if not s:
        return None
    value = float(s)  # ValueError for anything else
    if not np.isfinite(value):
        raise ValueError("not a number")
    return value


def to_utc(texts: list[str], lines: list[int], column: str
           ) -> tuple[pd.Series, list[RowError]]:
    """Enedis times -> UTC timestamps (NaT where a row is bad, with its RowError).

    With an offset (`2022-10-24T00:30:00+02:00`) the offset is exact. Without one the time
    is a Europe/Paris wall time. In the autumn the hour 02:00-03:00 appears twice, in order:
    an ambiguous time is summer time (CEST) until the wall clock goes back on that day, and
    standard time (CET) after, so the rows' order decides (`ambiguous=` a boolean array).
    A time that does not exist (spring 02:00-03:00) never appears in a valid export: it is a
    RowError, not shifted (`nonexistent="NaT"`).
    """
    fast = offset_times(texts)
    if fast is not None:
        return fast, []
    raw = pd.Series([t.strip().strip('"') for t in texts], dtype=object)
    # 31/03/2024 01:00 -> 2024-03-31 01:00 so one ISO parser reads both
    iso = raw.str.replace(_FR_DATE, r"\3-\2-\1", regex=True).str.replace("T", " ", n=1)
    has_offset = iso.str.contains(_OFFSET)
    # a damaged time (a year pandas cannot hold in nanoseconds such as 8999, a cut offset
    # such as "+0") is a bad row, not a crash: only plain times or times with an offset
    iso = iso.where(iso.str.match(r"(19|20|21)\d\d-")
                    & (has_offset | iso.str.fullmatch(_NAIVE)), "")
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
    if has_offset.any():
        out[has_offset] = pd.to_datetime(iso[has_offset], utc=True, format="ISO8601",
                                         errors="coerce")
    naive_idx = ~has_offset
    nonexistent = pd.Series(False, index=raw.index)
    if naive_idx.any():
        wall = pd.Series(pd.to_datetime(iso[naive_idx], format="ISO8601", errors="coerce"))
        dst = _summer_time_flags(wall)
        local = pd.DatetimeIndex(wall).tz_localize(PARIS, ambiguous=dst.to_numpy(),
                                                   nonexistent="NaT")
        out[naive_idx] = local.tz_convert("UTC")
        nonexistent[naive_idx] = wall.notna().to_numpy() & local.isna()
    errors = []
    for pos in np.flatnonzero(out.isna().to_numpy()):
        if nonexistent.iloc[pos]:
            msg = (f"expected a time that exists in Europe/Paris in column {column}"
                   " (02:00-03:00 is skipped on the spring DST day)")
        else:
            msg = f"expected a date and time like 2024-03-31T01:30:00+01:00 in column {column}"
        errors.append(RowError(lines[pos], msg))
    return out, errors


def offset_times(texts: list[str], checked: bool = False) -> pd.Series | None:
    """The fast path of `to_utc` for the common file, every time `2024-01-01T00:30:00+01:00`
    and valid: NumPy parses the wall times in C and each distinct offset (two in France) is
    subtracted in bulk, instead of a per-row parse. None (use the full path, which also
    locates the bad rows) as soon as one time is anything else. `checked`: the texts are
    known to have that shape (`split_clean_curve`), only their values are checked."""
    if not texts or not (checked or _ISO_OFFSET_LINES.fullmatch("\n".join(texts) + "\n")):
        return None
    offsets = [t[19:] for t in texts]
    distinct = set(offsets)
    if not all(_PLAIN_OFFSET.fullmatch(o) for o in distinct):
        return None
    try:  # NumPy refuses a day, hour or second out of range as pandas does: full path
        wall = np.array([t[:19] for t in texts], dtype="datetime64[s]")
    except ValueError:
        return None
    seconds = {o: (1 if o[0] == "+" else -1) * (int(o[1:3]) * 3600 + int(o[4:6]) * 60)
               for o in distinct}
    if len(distinct) == 1:
        shift = np.timedelta64(seconds[offsets[0]], "s")
    else:
        shift = np.array([seconds[o] for o in offsets], dtype="timedelta64[s]")
    utc = (wall - shift).astype("datetime64[ns]")
    return pd.Series(utc).dt.tz_localize("UTC")


def _summer_time_flags(wall: pd.Series) -> pd.Series:
    """For each wall time, True (CEST) unless it is an ambiguous autumn time that comes
    after the clock went back: a wall time not later than the previous ambiguous one that
    day (02:00, 02:30, 02:00 <- here, 02:30)."""
    flags = pd.Series(True, index=wall.index)
    ok = wall.dropna()
    if ok.empty:
        return flags
    as_true = pd.DatetimeIndex(ok).tz_localize(PARIS, ambiguous=True, nonexistent="NaT")
    as_false = pd.DatetimeIndex(ok).tz_localize(PARIS, ambiguous=False, nonexistent="NaT")
    amb = ok[(as_true != as_false) & ~as_true.isna()]
    if amb.empty:
        return flags
    went_back = amb.groupby(amb.dt.date).transform(
        lambda s: (s.diff() <= pd.Timedelta(0)).cummax())
    flags[amb.index] = ~went_back.astype(bool)
    return flags
