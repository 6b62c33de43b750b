"""The data a report reads, as a digest: what decides whether a rendered report is up to date.

One SQL pass per table gives, per person, the row count and the sum of a hash of every row
(all its columns but `import_id`, so importing the same rows again, from the same file or
another, changes nothing; editing, adding or deleting one row changes the sum). The import
log counts only as far as a page shows it (`analysis.coverage.IMPORT_LOG`: distinct files,
duplicates). Which tables a report reads is declared in `reports.READS`.
"""

from __future__ import annotations

import hashlib
import json

import duckdb

from ..analysis.coverage import IMPORT_LOG, KIND_OF_TABLE

KEY = "person_id"
NOT_DATA = {"import_id"}  # which import brought a row is not what a page shows


def table_digests(con: duckdb.DuckDBPyConnection, tables: set[str],
                  persons: list[str] | None = None) -> dict[tuple[str, str], str]:
    """{(person, table): "count:sum of row hashes"} for `tables` and the `persons` table
    (None: every person). A person without rows in a table has no entry."""
    where = f"WHERE {KEY} IN (SELECT unnest($persons))" if persons is not None else ""
    params = {"persons": persons} if persons is not None else {}
    out: dict[tuple[str, str], str] = {}
    for table in sorted({*tables, "persons"}):
        columns = [c for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database()"
            " AND schema_name = 'main' AND table_name = ? ORDER BY column_index",
            [table]).fetchall() if c not in NOT_DATA]
        row = ", ".join(f'"{c}"' for c in columns)
        for person, n, total in con.execute(
                f"SELECT {KEY}, count(*), sum(hash({row})) FROM {table} {where} GROUP BY 1",
                params).fetchall():
            out[(person, table)] = f"{n}:{total}"
    for person, kind, files, duplicates in con.execute(
            f"SELECT * FROM ({IMPORT_LOG}) {where}", params).fetchall():
        out[(person, f"imports:{kind}")] = f"{files}:{duplicates}"
    return out


def data_digest(digests: dict[tuple[str, str], str], persons: list[str],
                tables: tuple[str, ...]) -> str:
    """One digest of what `tables` (and the person rows, and the import-log figures of their
    kinds) hold about `persons`."""
    kinds = [f"imports:{KIND_OF_TABLE[t]}" for t in tables if t in KIND_OF_TABLE]
    parts = {f"{p}/{t}": digests.get((p, t)) for p in persons
             for t in ("persons", *tables, *kinds)}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
