"""The canonical tables as Parquet, partitioned by table and person, hive style
(`transactions/person_id=p0001/data_0.parquet`), readable by DuckDB, Spark or pandas
(`pd.read_parquet("out/transactions")`), or by `selfdata cohort --parquet` through
`store.parquet`. The pseudonymisation key (`store_meta`) is never exported."""

from __future__ import annotations

from pathlib import Path

import duckdb

from .tables import PERSON_TABLES

EXPORTED = (*PERSON_TABLES, "imports")


def export_parquet(con: duckdb.DuckDBPyConnection, out: Path,
                   persons: list[str] | None = None) -> dict[str, int]:
    """Write every canonical table (only `persons` if given) under `out`; rows per table."""
    counts: dict[str, int] = {}
    for table in EXPORTED:
        where = "WHERE list_contains($persons, person_id)" if persons else ""
        params = {"persons": persons} if persons else {}
        n = con.execute(f"SELECT count(*) FROM {table} {where}", params).fetchall()[0][0]
        counts[table] = n
        if n == 0:
            continue
        target = str(out / table).replace("'", "''")
        # the store's own row order (COPY keeps it), not a sort: a sum of DOUBLEs (kWh)
        # depends on the order it adds in, and `selfdata cohort --parquet` must print the
        # very figures the store gives
        con.execute(f"COPY (SELECT * FROM {table} {where}) TO '{target}'"
                    " (FORMAT parquet, PARTITION_BY (person_id), COMPRESSION zstd)",
                    params).fetchall()
    return counts
