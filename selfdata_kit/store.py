"""The DuckDB store: open and migrate, import one parsed file atomically, forget a person.

One file holds any number of persons. Every import is one transaction: a file goes in whole
or not at all. Fact rows (transactions, calls, energy, places) carry a `uid` unique per
person: the source's own id where it has one, else a hash of the row's canonical values
plus its occurrence number among identical rows of the same file, so re-importing a file or
an overlapping export adds nothing while two identical coffees stay two rows.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from .errors import StoreError

DEFAULT_STORE = "selfdata.duckdb"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TableSpec:
    columns: dict[str, str]  # canonical columns a parser may fill -> DuckDB type
    key: tuple[str, ...]  # natural key within a person ("uid" for fact tables)
    derived: tuple[str, ...] = ()  # filled by enrichment, not part of a row's identity
    defaults: tuple[tuple[str, str], ...] = ()  # column -> SQL literal when the file has none
    has_import_id: bool = True

    @property
    def is_fact(self) -> bool:
        return self.key == ("uid",)


TABLES: dict[str, TableSpec] = {
    "accounts": TableSpec(
        {
            "account_id": "VARCHAR",
            "institution": "VARCHAR",
            "kind": "VARCHAR",
            "currency": "VARCHAR",
            "label": "VARCHAR",
        },
        key=("account_id",),
        has_import_id=False,
    ),
    "balances": TableSpec(
        {
            "account_id": "VARCHAR",
            "as_of": "DATE",
            "amount": "DECIMAL(18, 2)",
            "currency": "VARCHAR",
        },
        key=("account_id", "as_of"),
    ),
    "transactions": TableSpec(
        {
            "account_id": "VARCHAR",
            "booked_on": "DATE",
            "value_on": "DATE",
            "amount": "DECIMAL(18, 2)",
            "currency": "VARCHAR",
            "label": "VARCHAR",
            "counterparty": "VARCHAR",
            "bank_category": "VARCHAR",
            "category": "VARCHAR",
        },
        key=("uid",),
        derived=("category",),
        defaults=(("account_id", "'default'"),),  # files that do not name their account
    ),
    "contacts": TableSpec(
        {
            "contact_id": "VARCHAR",
            "pseudonym": "VARCHAR",
            "number_hmac": "VARCHAR",
            "label": "VARCHAR",
        },
        key=("contact_id",),
        has_import_id=False,
    ),
    "calls": TableSpec(
        {
            "started_at": "TIMESTAMPTZ",
            "duration_s": "INTEGER",
            "direction": "VARCHAR",
            "channel": "VARCHAR",
            "contact_id": "VARCHAR",
        },
        key=("uid",),
    ),
    "meters": TableSpec(
        {
            "meter_id": "VARCHAR",
            "commodity": "VARCHAR",
            "provider": "VARCHAR",
            "unit": "VARCHAR",
        },
        key=("meter_id",),
        has_import_id=False,
    ),
    "energy": TableSpec(
        {
            "meter_id": "VARCHAR",
            "start_at": "TIMESTAMPTZ",
            "end_at": "TIMESTAMPTZ",
            "kwh": "DOUBLE",
            "volume_m3": "DOUBLE",
            "quality": "VARCHAR",
        },
        key=("uid",),
    ),
    "places": TableSpec(
        {
            "start_at": "TIMESTAMPTZ",
            "end_at": "TIMESTAMPTZ",
            "lat": "DOUBLE",
            "lon": "DOUBLE",
            "accuracy_m": "DOUBLE",
            "kind": "VARCHAR",
            "name": "VARCHAR",
        },
        key=("uid",),
    ),
}

# Dimension tables first: a fact batch may also add the accounts / meters it refers to.
_ORDER = ("accounts", "meters", "contacts", "balances", "transactions", "calls", "energy", "places")
# Tables holding rows about a person, in the order `forget` clears them.
PERSON_TABLES = (*_ORDER, "persons")
DEFAULT_ACCOUNT = "default"


@dataclass(frozen=True)
class ImportCounts:
    import_id: int
    rows_read: int
    rows_inserted: int
    rows_duplicate: int
    rows_rejected: int


@contextmanager
def owner_only() -> Iterator[None]:
    """Files DuckDB creates meanwhile (store, WAL, temporary copies) are owner-only: they hold
    personal data. umask is process-wide, so this only ever makes other files stricter."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def default_store_path() -> Path:
    return Path(os.environ.get("SELFDATA_STORE") or DEFAULT_STORE)


def open_store(path: str | Path | None = None, *, read_only: bool = False) -> Store:
    """Open (creating and migrating if needed) the store at `path`, default `$SELFDATA_STORE`."""
    return Store(Path(path) if path else default_store_path(), read_only=read_only)


def _migrations() -> list[tuple[int, str, str]]:
    files = sorted(
        (f for f in resources.files("selfdata_kit.schema").iterdir() if f.name.endswith(".sql")),
        key=lambda f: f.name,
    )
    return [(int(f.name.split("_", 1)[0]), f.name, f.read_text("utf-8")) for f in files]


def _stage_sql(spec: TableSpec, present: set[str]) -> str:
    """SELECT turning an incoming frame (`_incoming`, with its row order `_ord`) into typed
    canonical rows with their uid, one row per key."""
    defaults = dict(spec.defaults)
    casts = ", ".join(
        f"coalesce(CAST({c if c in present else 'NULL'} AS {t}), {defaults.get(c, 'NULL')})"
        f" AS {c}" for c, t in spec.columns.items())
    uid0 = "CAST(uid AS VARCHAR)" if "uid" in present else "NULL"
    typed = f"SELECT {casts}, {uid0} AS uid0, _ord FROM _incoming"
    if not spec.is_fact:
        key = ", ".join(spec.key)
        return (f"SELECT * EXCLUDE (uid0) FROM ({typed})"
                f" QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY _ord) = 1")
    identity = [c for c in spec.columns if c not in spec.derived]
    content = ", ".join(f"coalesce(CAST({c} AS VARCHAR), chr(0))" for c in identity)
    # Identical rows are interchangeable, so their occurrence numbers need no order.
    # Hashed uids are unique by construction; a source's own ids may repeat in a file.
    dedupe = ("QUALIFY row_number() OVER (PARTITION BY uid ORDER BY _ord) = 1"
              if "uid" in present else "")
    return f"""
        WITH h AS (SELECT *, md5(concat_ws(chr(31), {content})) AS _h FROM ({typed})),
        u AS (SELECT * EXCLUDE (uid0, _h),
                     coalesce(uid0, _h || ':' || row_number() OVER (PARTITION BY _h)) AS uid
              FROM h)
        SELECT * FROM u {dedupe}"""


class Store:
    """A DuckDB store file. Use as a context manager, or call `close()`."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        if read_only and not path.exists():
            raise StoreError(f"no store at {path}", hint="import some files first")
        self.con = self._connect()
        if not read_only:
            self._migrate()

    # --- connection ------------------------------------------------------------------

    def _connect(self) -> duckdb.DuckDBPyConnection:
        new = not self.path.exists()
        if new:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with owner_only():
                con = duckdb.connect(str(self.path), read_only=self.read_only)
        except duckdb.Error as e:
            raise StoreError(
                f"cannot open the store: {str(e).splitlines()[0]}",
                file=str(self.path),
                hint="is another program (a notebook?) using it? close it and retry",
            ) from None
        if new:
            os.chmod(self.path, 0o600)
        con.execute("SET TimeZone = 'UTC'").fetchall()
        return con

    def close(self) -> None:
        with owner_only():  # closing checkpoints, which may write files
            self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        self.run(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
            " applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)"
        )
        done = {v for (v,) in self.run("SELECT version FROM schema_migrations")}
        for version, name, sql in _migrations():
            if version in done:
                continue
            with self.transaction():
                self.run(sql)
                self.run("INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                         [version, name])
        if not self.run("SELECT 1 FROM store_meta WHERE key = 'hmac_key'"):
            self.run("INSERT INTO store_meta VALUES ('hmac_key', ?)", [secrets.token_bytes(32)])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with owner_only():
            self.con.begin()
            try:
                yield
            except BaseException:
                self.con.rollback()
                raise
            self.con.commit()

    def run(self, sql: str, params: list[object] | None = None) -> list[tuple]:
        """Execute and drain (DuckDB 2 refuses new work while a result is unfetched)."""
        with owner_only():  # any statement may create the write-ahead log
            return self.con.execute(sql, params).fetchall()

    @property
    def hmac_key(self) -> bytes:
        """The store's secret for pseudonymising identifiers; never leaves the store."""
        rows = self.run("SELECT value FROM store_meta WHERE key = 'hmac_key'")
        if not rows:
            raise StoreError("the store has no pseudonymisation key", file=str(self.path))
        return bytes(rows[0][0])

    # --- reading ---------------------------------------------------------------------

    def persons(self) -> pd.DataFrame:
        return self.con.execute(
            """
            SELECT p.person_id,
                   (SELECT count(*) FROM imports i WHERE i.person_id = p.person_id) AS imports,
                   (SELECT count(*) FROM transactions t WHERE t.person_id = p.person_id)
                       AS transactions,
                   (SELECT count(*) FROM calls c WHERE c.person_id = p.person_id) AS calls,
                   (SELECT count(*) FROM energy e WHERE e.person_id = p.person_id) AS energy,
                   (SELECT count(*) FROM places l WHERE l.person_id = p.person_id) AS places
            FROM persons p ORDER BY p.person_id
            """
        ).df()

    def imports(self, person_id: str | None = None) -> pd.DataFrame:
        return self.con.execute(
            "SELECT import_id, person_id, source, path, status, rows_read, rows_inserted,"
            " rows_duplicate, rows_rejected, finished_at FROM imports"
            " WHERE ? IS NULL OR person_id = ? ORDER BY import_id",
            [person_id, person_id],
        ).df()

    def counts(self) -> dict[str, int]:
        """Rows per table, for the whole store (used by tests and `forget`)."""
        names = (*PERSON_TABLES, "imports", "import_issues")
        return {t: self.run(f"SELECT count(*) FROM {t}")[0][0] for t in names}

    # --- writing ---------------------------------------------------------------------

    def ensure_person(self, person_id: str) -> None:
        self.run(
            "INSERT INTO persons (person_id, display_name) SELECT ?, ?"
            " WHERE NOT EXISTS (SELECT 1 FROM persons WHERE person_id = ?)",
            [person_id, person_id, person_id],
        )

    def import_parsed(
        self,
        *,
        person_id: str,
        source: str,
        path: str,
        sha256: str,
        size_bytes: int,
        tables: dict[str, pd.DataFrame | pa.Table],
        rows_read: int,
        issues: list[tuple[int | None, str]],
        started_at: datetime,
    ) -> ImportCounts:
        """Write one parsed file in one transaction; on any error the store is unchanged."""
        unknown = set(tables) - set(TABLES)
        if unknown:
            raise StoreError(f"a parser returned unknown tables: {sorted(unknown)}")
        with self.transaction():
            self.ensure_person(person_id)
            import_id = self.run("SELECT coalesce(max(import_id), 0) + 1 FROM imports")[0][0]
            inserted = offered = 0
            for name in _ORDER:
                frame = tables.get(name)
                if frame is None or len(frame) == 0:
                    continue
                try:
                    n_in, n_offered = self._insert(name, frame, person_id, import_id)
                except duckdb.ConstraintException as e:
                    log.debug("constraint failed in %s: %s", name, e)
                    raise StoreError(f"{name}: a row breaks a rule of the schema (a parser"
                                     " bug; run with --debug for details)") from None
                if TABLES[name].is_fact:
                    inserted += n_in
                    offered += n_offered
            if issues:
                self.con.executemany(
                    "INSERT INTO import_issues VALUES (?, ?, ?)",
                    [(import_id, line, msg) for line, msg in issues],
                )
            counts = ImportCounts(import_id, rows_read, inserted, offered - inserted, len(issues))
            self.run(
                "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ok', ?, ?, ?, ?)",
                [import_id, person_id, source, path, sha256, size_bytes, started_at,
                 datetime.now(UTC), counts.rows_read, counts.rows_inserted,
                 counts.rows_duplicate, counts.rows_rejected],
            )
        return counts

    def _insert(self, name: str, frame: pd.DataFrame | pa.Table, person_id: str,
                import_id: int) -> tuple[int, int]:
        """Insert new rows of one table; returns (inserted, offered)."""
        spec = TABLES[name]
        con = self.con
        if isinstance(frame, pd.DataFrame):
            frame = frame.assign(_ord=range(len(frame)))
            present = set(frame.columns)
        else:
            frame = frame.append_column("_ord", pa.array(range(len(frame)), pa.int64()))
            present = set(frame.column_names)
        con.register("_incoming", frame)
        try:
            self.run(f"CREATE OR REPLACE TEMP TABLE _stage AS {_stage_sql(spec, present)}")
        except duckdb.Error as e:
            # DuckDB's message quotes the value: keep it out of the user's error, log it
            log.debug("cast into %s failed: %s", name, e)
            raise StoreError(f"{name}: a value does not fit the schema (a parser bug;"
                             " run with --debug for details)") from None
        finally:
            with suppress(duckdb.Error):  # after a failed statement the transaction is aborted
                con.unregister("_incoming")
        cols = list(spec.columns)
        key_cols = list(spec.key)
        if name == "contacts":
            self._assign_pseudonyms(person_id)
        offered = len(frame)
        match = " AND ".join(f"t.{k} = s.{k}" for k in key_cols)
        target = ["person_id", *cols] + (["uid"] if spec.is_fact else [])
        values = ["?", *cols] + (["uid"] if spec.is_fact else [])
        params: list[object] = [person_id]
        if spec.has_import_id:
            target.append("import_id")
            values.append("?")
            params.append(import_id)
        params.append(person_id)
        inserted = self.run(
            f"""
            INSERT INTO {name} ({", ".join(target)})
            SELECT {", ".join(values)} FROM _stage s
            WHERE NOT EXISTS (SELECT 1 FROM {name} t WHERE t.person_id = ? AND {match})
            """,
            params,
        )[0][0]
        self._add_referenced(name, person_id)
        self.run("DROP TABLE _stage")
        return inserted, offered

    def _assign_pseudonyms(self, person_id: str) -> None:
        """New contacts without a pseudonym get the next 'Contact N' of this person, in the
        order they first appear; a contact seen before keeps the pseudonym it has."""
        existing = self.run("SELECT count(*) FROM contacts WHERE person_id = ?", [person_id])[0][0]
        self.run(
            """
            CREATE OR REPLACE TEMP TABLE _stage AS
            SELECT s.* REPLACE (coalesce(s.pseudonym,
                       'Contact ' || (? + row_number() OVER (ORDER BY s._ord))) AS pseudonym)
            FROM _stage s
            WHERE NOT EXISTS (SELECT 1 FROM contacts t
                              WHERE t.person_id = ? AND t.contact_id = s.contact_id)
            """,
            [existing, person_id],
        )

    def _add_referenced(self, name: str, person_id: str) -> None:
        """Transactions and balances name accounts: make sure those rows exist."""
        if name in ("transactions", "balances"):
            self.run(
                """
                INSERT INTO accounts (person_id, account_id, currency)
                SELECT ?, account_id, any_value(currency) FROM _stage s
                WHERE NOT EXISTS (SELECT 1 FROM accounts a
                                  WHERE a.person_id = ? AND a.account_id = s.account_id)
                GROUP BY account_id
                """,
                [person_id, person_id],
            )

    def forget(self, person_id: str) -> dict[str, int]:
        """Remove every row about a person from every table, then rewrite the file so that
        no deleted page still holds their data. Returns rows removed per table."""
        removed: dict[str, int] = {}
        with self.transaction():
            removed["import_issues"] = self.run(
                "DELETE FROM import_issues WHERE import_id IN"
                " (SELECT import_id FROM imports WHERE person_id = ?)",
                [person_id],
            )[0][0]
            removed["imports"] = self.run(
                "DELETE FROM imports WHERE person_id = ?", [person_id]
            )[0][0]
            for table in PERSON_TABLES:
                removed[table] = self.run(
                    f"DELETE FROM {table} WHERE person_id = ?", [person_id]
                )[0][0]
        self._rewrite()
        return removed

    def _rewrite(self) -> None:
        """Copy the live rows to a fresh file and swap it in (DuckDB keeps deleted rows in
        its blocks until they are rewritten; a copy keeps only what is live)."""
        tmp = Path(str(self.path) + ".rewrite")
        for leftover in (tmp, Path(str(tmp) + ".wal")):
            leftover.unlink(missing_ok=True)
        db = self.run("SELECT current_database()")[0][0]
        with owner_only():
            self.run(f"ATTACH '{tmp}' AS _fresh")
            self.run(f'COPY FROM DATABASE "{db}" TO _fresh')
            self.run("DETACH _fresh")
            self.con.close()
        os.replace(tmp, self.path)
        Path(str(self.path) + ".wal").unlink(missing_ok=True)
        self.con = self._connect()
