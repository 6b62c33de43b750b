"""`selfdata check --repair`: a new store made of what a damaged one can still read.

The damaged file is opened read-only and never changed. The new store is made by this
version's migrations; every row group that reads is copied into it (`INSERT OR IGNORE`: a
damaged unique index may have let a duplicate in), with the store's own pseudonymisation key
so that contacts keep their pseudonyms; persons named by rows but lost from `persons` are
added back. What could not be read is gone from the copy: importing the same export files
again brings it back (rows already there are skipped).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ..errors import StoreError
from .check import CheckReport, check_store, is_damage, row_groups
from .connection import open_store
from .forget import PENDING
from .tables import PERSON_TABLES


def default_repair_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.repaired{path.suffix or '.duckdb'}")


def repair_store(path: Path, out: Path, report: CheckReport | None = None) -> CheckReport:
    """Write a new store at `out` from the readable rows of `path`; the new store's check."""
    report = report or check_store(path)
    if report.verdict == "not-repairable":
        raise StoreError("this store cannot be repaired from its own data", file=str(path),
                         hint="restore it from a backup; or import your export files again"
                              " into a new store (--store new.duckdb)")
    if out.exists() or Path(f"{out}.wal").exists():
        raise StoreError("a file is already there: the repair writes a new store, never over"
                         " a file", file=str(out), hint="give another --out, or move it away")
    try:
        _copy_into(out, path, report)
    except BaseException:
        for made in (out, Path(f"{out}.wal")):
            made.unlink(missing_ok=True)
        raise
    return check_store(out)


def _copy_into(out: Path, path: Path, report: CheckReport) -> None:
    with open_store(out) as fresh:
        fresh.run(f"ATTACH '{_sql_text(path)}' AS damaged (READ_ONLY)")
        fresh.run("DELETE FROM store_meta")  # the old store's key, if it reads
        targets = {t for (t,) in fresh.run(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
            " AND schema_name = 'main' AND table_name <> 'schema_migrations'")}
        for name in sorted(targets & {n for n in report.tables}):
            _copy_readable(fresh.con, name)
        fresh.run(f"DELETE FROM store_meta WHERE key = '{PENDING}'")
        _add_lost_persons(fresh.con)
        fresh.run("DETACH damaged")
    # a store without its key gets a new one (known contacts will get new pseudonyms)
    with open_store(out):
        pass


def _copy_readable(con: duckdb.DuckDBPyConnection, table: str) -> None:
    for start, end in row_groups(con, f"damaged.{table}"):
        try:
            con.execute(f"INSERT OR IGNORE INTO {table} BY NAME SELECT * FROM damaged.{table}"
                        f" WHERE rowid >= {start} AND rowid < {end}").fetchall()
        except duckdb.Error as e:
            if not is_damage(e):
                raise


def _add_lost_persons(con: duckdb.DuckDBPyConnection) -> None:
    named = " UNION ".join(f"SELECT DISTINCT person_id FROM {t}"
                           for t in (*PERSON_TABLES[:-1], "imports"))
    con.execute(f"INSERT INTO persons (person_id, display_name) SELECT person_id, person_id"
                f" FROM ({named}) WHERE person_id NOT IN (SELECT person_id FROM persons)"
                ).fetchall()


def _sql_text(path: Path) -> str:
    return str(path).replace("'", "''")
