"""`selfdata check`: is a store file whole, and can it be repaired from its own data?

DuckDB has no integrity pragma, but it checks a block's checksum whenever it reads the block
and skips blocks a query does not need (`count(*)` reads none). So every column of every
table is read by hashing it, one row group at a time (filtered by `rowid`): a damaged block
fails its row group only, and the row groups that read are what a repair can save.
Not checked: the indexes of the primary keys (read only when a key is looked up); a repair
rebuilds them anyway.

The file is opened read-only and never written. `repair` writes a new store next to it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from ..errors import StoreError, StoreUnusableError
from .failures import unusable
from .forget import PENDING
from .tables import PERSON_TABLES, migration_connection, migrations

ROW_GROUP = 122_880  # DuckDB's rows per row group: the unit a damaged block makes unreadable
# tables of ours whose rows refer to an import
WITH_IMPORT_ID = ("balances", "transactions", "calls", "energy", "places", "import_issues")
WITH_UID = ("transactions", "calls", "energy", "places")


@dataclass
class TableCheck:
    name: str
    rows: int = 0               # rows read
    row_groups: int = 0         # row groups in the file
    damaged_row_groups: int = 0  # row groups with a block that fails its checksum
    damaged_rows: int = 0       # rows in them (counting rows reads no data block)

    @property
    def damaged(self) -> bool:
        return self.damaged_row_groups > 0


@dataclass
class CheckReport:
    path: str
    opened: bool = True
    open_error: str | None = None
    schema_versions: list[int] = field(default_factory=list)
    shipped_versions: list[int] = field(default_factory=list)
    schema_differences: list[str] = field(default_factory=list)  # vs a freshly migrated store
    tables: dict[str, TableCheck] = field(default_factory=dict)
    rows_per_person: dict[str, dict[str, int]] = field(default_factory=dict)
    without_import: dict[str, int] = field(default_factory=dict)  # import_id not in imports
    without_person: dict[str, int] = field(default_factory=dict)  # person_id not in persons
    duplicate_uids: dict[str, int] = field(default_factory=dict)
    has_key: bool = True
    forget_pending: bool = False

    @property
    def problems(self) -> list[str]:
        """What is wrong, one sentence each, in the user's words."""
        if not self.opened:
            return [f"the file cannot be opened as a store: {self.open_error}"]
        found = []
        missing = sorted(set(self.shipped_versions) - set(self.schema_versions))
        newer = sorted(set(self.schema_versions) - set(self.shipped_versions))
        if newer:
            found.append(f"schema versions {newer} come from a newer selfdata_kit")
        elif missing and not self.schema_versions:
            found.append("no schema version: not a selfdata_kit store, or its migrations"
                         " table is lost")
        # an older store is not a problem: any writing command applies the missing versions
        found += [f"schema: {d}" for d in self.schema_differences]
        for t in self.tables.values():
            if t.damaged:
                found.append(f"{t.name}: {t.damaged_rows} row(s) unreadable (blocks that fail"
                             f" their checksum), {t.rows} readable")
        found += [f"{t}: {n} row(s) refer to an import missing from the import log"
                  for t, n in self.without_import.items() if n]
        found += [f"{t}: {n} row(s) refer to a person missing from `persons`"
                  for t, n in self.without_person.items() if n]
        found += [f"{t}: {n} duplicate uid(s) (the unique index is damaged)"
                  for t, n in self.duplicate_uids.items() if n]
        if not self.has_key:
            found.append("the pseudonymisation key is missing: new imports would give known"
                         " contacts new pseudonyms")
        if self.forget_pending:
            found.append("a `forget` was interrupted before the file was rewritten (the next"
                         " writing command finishes it)")
        return found

    @property
    def lost_by_repair(self) -> list[str]:
        return [t.name for t in self.tables.values() if t.damaged]

    @property
    def verdict(self) -> str:
        """healthy | repairable (nothing lost) | repairable-with-loss | not-repairable"""
        if not self.opened or "store_meta" not in self.tables:
            return "not-repairable"
        if not self.problems:
            return "healthy"
        newer = set(self.schema_versions) - set(self.shipped_versions)
        if newer:
            return "not-repairable"  # by this version: a newer one knows the schema
        return "repairable-with-loss" if self.lost_by_repair else "repairable"

    def to_json(self) -> dict:
        data = asdict(self)
        data["tables"] = {n: {**asdict(t), "damaged": t.damaged}
                          for n, t in self.tables.items()}
        return {**data, "problems": self.problems, "verdict": self.verdict,
                "lost_by_repair": self.lost_by_repair}


def check_store(path: Path) -> CheckReport:
    """Read every block of every table of the store at `path` (read-only) and report."""
    if not path.is_file():
        raise StoreError("no store file here", file=str(path),
                         hint="give the store's path with --store")
    report = CheckReport(str(path), shipped_versions=[v for v, _, _ in migrations()])
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as e:
        failure = unusable(e, path)
        if failure is not None and "damaged" not in failure.message:
            raise failure from None  # a lock or a permission: not the file's fault
        report.opened, report.open_error = False, _first_line(e)
        return report
    try:
        _check(con, report)
    finally:
        con.close()
    return report


def _check(con: duckdb.DuckDBPyConnection, report: CheckReport) -> None:
    tables = _table_names(con)
    for name in tables:
        report.tables[name] = _read_every_block(con, name)
    readable = {n for n, t in report.tables.items() if not t.damaged}
    if "schema_migrations" in readable:
        report.schema_versions = [v for (v,) in con.execute(
            "SELECT version FROM schema_migrations ORDER BY 1").fetchall()]
    report.schema_differences = _schema_differences(con, report.schema_versions)
    per_person: dict[str, dict[str, int]] = {}
    for name in ("persons", *PERSON_TABLES[:-1], "imports"):
        if name in readable:
            for person, n in con.execute(f"SELECT person_id, count(*) FROM {name}"
                                         " GROUP BY 1 ORDER BY 1").fetchall():
                per_person.setdefault(person, {})[name] = n
    report.rows_per_person = per_person
    if "imports" in readable:
        for name in sorted(readable & set(WITH_IMPORT_ID)):
            report.without_import[name] = con.execute(
                f"SELECT count(*) FROM {name} t WHERE NOT EXISTS"
                " (SELECT 1 FROM imports i WHERE i.import_id = t.import_id)").fetchall()[0][0]
    if "persons" in readable:
        for name in sorted(readable & {*PERSON_TABLES[:-1], "imports"}):
            report.without_person[name] = con.execute(
                f"SELECT count(*) FROM {name} t WHERE NOT EXISTS"
                " (SELECT 1 FROM persons p WHERE p.person_id = t.person_id)").fetchall()[0][0]
    for name in sorted(readable & set(WITH_UID)):
        report.duplicate_uids[name] = con.execute(
            f"SELECT count(*) - count(DISTINCT (person_id, uid)) FROM {name}").fetchall()[0][0]
    if "store_meta" in readable:
        keys = {k for (k,) in con.execute("SELECT key FROM store_meta").fetchall()}
        report.has_key = "hmac_key" in keys
        report.forget_pending = PENDING in keys


def _table_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [t for (t,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
        " AND schema_name = 'main' ORDER BY 1").fetchall()]


def row_groups(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[int, int]]:
    """`rowid` ranges [start, end) of one row group each (`max(rowid)` reads no block)."""
    last = con.execute(f"SELECT max(rowid) FROM {table}").fetchall()[0][0]
    if last is None:
        return []
    return [(start, start + ROW_GROUP) for start in range(0, last + 1, ROW_GROUP)]


def _read_every_block(con: duckdb.DuckDBPyConnection, table: str) -> TableCheck:
    check = TableCheck(table)
    for start, end in row_groups(con, table):
        check.row_groups += 1
        where = f"WHERE rowid >= {start} AND rowid < {end}"
        try:  # hashing every column reads every block of the row group
            check.rows += con.execute(f"SELECT count(*), sum(hash(COLUMNS(*))) FROM {table}"
                                      f" {where}").fetchall()[0][0]
        except duckdb.Error as e:
            if not is_damage(e):
                raise
            check.damaged_row_groups += 1
            check.damaged_rows += con.execute(f"SELECT count(*) FROM {table} {where}"
                                              ).fetchall()[0][0]
    return check


def _schema_differences(con: duckdb.DuckDBPyConnection, versions: list[int]) -> list[str]:
    """Tables and columns that differ from what the store's own migrations make."""
    fresh = migration_connection()
    try:
        for version, _, sql in migrations():
            if version in versions:
                fresh.execute(sql)
        want, have = _columns(fresh), _columns(con)
    finally:
        fresh.close()
    found = [f"table {t} is missing" for t in sorted(set(want) - set(have))]
    for table in sorted(set(want) & set(have)):
        if want[table] != have[table]:
            found.append(f"table {table} has columns {have[table]}, expected {want[table]}")
    return found


def _columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    columns: dict[str, list[str]] = {}
    for table, column, kind in con.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns()"
            " WHERE database_name = current_database() AND schema_name = 'main'"
            " AND table_name <> 'schema_migrations'"
            " ORDER BY table_name, column_index").fetchall():
        columns.setdefault(table, []).append(f"{column} {kind}")
    return columns


def is_damage(error: duckdb.Error) -> bool:
    failure = unusable(error, Path("store"))
    return isinstance(failure, StoreUnusableError) and "damaged" in failure.message


def _first_line(error: BaseException) -> str:
    return str(error).splitlines()[0][:200] if str(error) else type(error).__name__
