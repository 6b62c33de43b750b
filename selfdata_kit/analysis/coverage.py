"""What the data covers: period, rows, days without data, duplicates skipped at import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from .scope import LOCAL_DAY, Scope, in_period, query

# canonical table -> the kind of the sources that fill it (`imports.kind`)
KIND_OF_TABLE = {"transactions": "bank", "calls": "calls", "energy": "energy", "places": "places",
                 "media": "media"}

# What a page says of the import log, per person and kind: the distinct files imported, and
# the rows skipped as duplicates when each was first imported (rows found in more than one
# file). Importing the same file again changes neither: the page, and whether it needs to be
# rendered again (batch/digest.py reads this too), follow the data, not the log's length.
IMPORT_LOG = """
    SELECT person_id, kind, count(*) AS files, sum(duplicates) AS duplicates
    FROM (SELECT person_id, kind, sha256, arg_min(rows_duplicate, import_id) AS duplicates
          FROM imports WHERE kind IS NOT NULL GROUP BY ALL)
    GROUP BY ALL"""


@dataclass(frozen=True)
class Coverage:
    rows: int
    first: date | None
    last: date | None
    days_with_data: int
    days_in_range: int
    longest_gap_days: int  # the longest run of days without data between first and last
    imports: int
    duplicates_skipped: int

    @property
    def empty(self) -> bool:
        return self.rows == 0


def rows_of(con: duckdb.DuckDBPyConnection, person: str, tables: tuple[str, ...]) -> int:
    """How many rows `tables` hold about `person` (whatever the period)."""
    return sum(con.execute(f"SELECT count(*) FROM {table} WHERE person_id = ?",
                           [person]).fetchall()[0][0] for table in tables)


def coverage(con: duckdb.DuckDBPyConnection, scope: Scope, table: str) -> Coverage:
    """Coverage of `table` (a canonical table of `LOCAL_DAY`) for the scope."""
    day_expr = LOCAL_DAY[table]
    days = query(con, f"""
        SELECT {day_expr} AS day, count(*) AS n FROM {table}
        WHERE person_id = $person AND {in_period(day_expr)} GROUP BY 1 ORDER BY 1""", scope)
    log = con.execute(f"SELECT files, duplicates FROM ({IMPORT_LOG})"
                      " WHERE person_id = ? AND kind = ?",
                      [scope.person, KIND_OF_TABLE[table]]).fetchall()
    n_imports, duplicates = log[0] if log else (0, 0)
    if days.empty:
        return Coverage(0, None, None, 0, 0, 0, int(n_imports), int(duplicates))
    first, last = days["day"].min().date(), days["day"].max().date()
    gaps = days["day"].diff().dt.days.fillna(1) - 1
    return Coverage(
        rows=int(days["n"].sum()), first=first, last=last, days_with_data=len(days),
        days_in_range=(last - first).days + 1, longest_gap_days=int(gaps.max()),
        imports=int(n_imports), duplicates_skipped=int(duplicates))
