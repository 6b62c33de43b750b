"""A store read from the Parquet export (`selfdata export --format parquet`), out of core.

`parquet_connection(folder)` returns an in-memory DuckDB connection where each canonical
table is a view over its hive-partitioned files (`TABLE/person_id=.../*.parquet`), with the
store's own column names, order and types: the analyses' SQL runs on it unchanged, and
DuckDB streams the files instead of loading them. A table the export left out (it had no
row) is an empty table of the migrated schema.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ..errors import SelfdataError
from .export import EXPORTED
from .tables import migration_connection, migrations


def parquet_connection(folder: Path) -> duckdb.DuckDBPyConnection:
    """Views over the Parquet export in `folder`; a SelfdataError if it is not one."""
    if not (folder / "persons").is_dir():
        raise SelfdataError("not a Parquet export of a store (no persons/ folder)",
                            file=str(folder),
                            hint="make one with `selfdata export --format parquet --out DIR`")
    con = migration_connection()
    for _, _, sql in migrations():  # the schema, so that every table has its columns
        con.execute(sql)
    for table in EXPORTED:
        if not (folder / table).is_dir():
            continue  # no row in the store: the empty table stays
        columns = con.execute(
            "SELECT column_name, data_type FROM duckdb_columns()"
            " WHERE table_name = ? AND schema_name = 'main' ORDER BY column_index",
            [table]).fetchall()
        pattern = str(folder / table / "**" / "*.parquet").replace("'", "''")
        select = ", ".join(f'CAST("{name}" AS {kind}) AS "{name}"' for name, kind in columns)
        con.execute(f"DROP TABLE {table}")
        # person_id comes from the folder names (hive partitioning), always as text
        con.execute(f"CREATE VIEW {table} AS SELECT {select} FROM read_parquet('{pattern}',"
                    " hive_partitioning = true, hive_types = {'person_id': VARCHAR})")
    return con
