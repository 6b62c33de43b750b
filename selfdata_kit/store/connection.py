"""The DuckDB store file: open (owner-only), migrate, run statements, read the logs.

One file holds any number of persons. Writing a parsed file is `writer.py`, removing a
person `forget.py`; the schema is `schema/NNN_*.sql`, applied in order.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ..errors import StoreError
from . import beside, fold, forget, writer
from .failures import unusable
from .permissions import owner_only
from .person_id import check_person_id
from .tables import PERSON_TABLES, TableSpec, migrations, table_specs
from .writer import ImportCounts

DEFAULT_STORE = "selfdata.duckdb"

log = logging.getLogger(__name__)


def default_store_path() -> Path:
    return Path(os.environ.get("SELFDATA_STORE") or DEFAULT_STORE)


def open_store(path: str | Path | None = None, *, read_only: bool = False) -> Store:
    """Open (creating and migrating if needed) the store at `path`, default `$SELFDATA_STORE`."""
    return Store(Path(path) if path else default_store_path(), read_only=read_only)


class Store:
    """A DuckDB store file. Use as a context manager, or call `close()`."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        if read_only and not path.exists():
            raise StoreError(f"no store at {path}", hint="import some files first")
        self.con = self._connect()
        if not read_only:
            beside.remove_leftovers(path)  # the copy of an import killed midway
            self._migrate()
        self._finish_interrupted_forget()

    # --- connection ------------------------------------------------------------------

    def _connect(self) -> duckdb.DuckDBPyConnection:
        new = not self.path.exists()
        try:
            with owner_only():
                if new:  # a folder made for the store is the owner's only, like the store
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                con = duckdb.connect(str(self.path), read_only=self.read_only)
        except duckdb.Error as e:
            raise unusable(e, self.path) or StoreError(
                f"cannot open the store: {str(e).splitlines()[0]}", file=str(self.path),
            ) from None
        if new:
            os.chmod(self.path, 0o600)
        con.execute("SET TimeZone = 'UTC'").fetchall()
        fold.register(con)  # the label fold of content hashes (writer, migration 005)
        return con

    def _finish_interrupted_forget(self) -> None:
        """A `forget` killed before its rewrite leaves the person's bytes in the file:
        whoever opens the store next finishes it, a reading command too if it may write."""
        if not self.read_only:
            forget.finish_interrupted(self)
            return
        if not forget.rewrite_pending(self):
            return
        self.con.close()
        try:
            Store(self.path).close()  # opens for writing: that finishes the rewrite
        except StoreError as e:  # read-only file, a lock: the rows are gone already
            log.warning("%s: an interrupted `forget` could not be finished (%s); run"
                        " `selfdata forget` again", self.path, e.message)
        self.con = self._connect()

    def close(self) -> None:
        with owner_only(), self._failures():  # closing checkpoints, which may write files
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
        for version, name, sql in migrations():
            if version in done:
                continue
            with self.transaction():
                self.run(sql)
                self.run("INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                         [version, name])
        if not self.run("SELECT 1 FROM store_meta WHERE key = 'hmac_key'"):
            self.run("INSERT INTO store_meta VALUES ('hmac_key', ?)", [secrets.token_bytes(32)])

    @contextmanager
    def _failures(self) -> Iterator[None]:
        """A failure of the store file itself (damaged, locked, not writable, disk full)
        becomes its StoreUnusableError; anything else (a query bug) stays as it is."""
        try:
            yield
        except duckdb.Error as e:
            failure = unusable(e, self.path)
            if failure is None:
                raise
            raise failure from None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with owner_only(), self._failures():
            self.con.begin()
            try:
                yield
            except BaseException:
                with suppress(duckdb.Error):  # a damaged or lost connection cannot roll back
                    self.con.rollback()
                raise
            self.con.commit()

    def run(self, sql: str, params: list[object] | None = None) -> list[tuple]:
        """Execute and drain (DuckDB 2 refuses new work while a result is unfetched)."""
        with owner_only(), self._failures():  # any statement may create the write-ahead log
            return self.con.execute(sql, params).fetchall()

    @property
    def hmac_key(self) -> bytes:
        """The store's secret for pseudonymising identifiers; never leaves the store."""
        rows = self.run("SELECT value FROM store_meta WHERE key = 'hmac_key'")
        if not rows:
            raise StoreError("the store has no pseudonymisation key", file=str(self.path))
        return bytes(rows[0][0])

    @cached_property
    def table_specs(self) -> dict[str, TableSpec]:
        """The canonical tables' columns and types, as the migrations made them."""
        return table_specs(self.con)

    def reconnect(self) -> None:
        """A new connection to the same file (after it was replaced on disk)."""
        self.con = self._connect()

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

    def imported_files(self, person_id: str | None = None) -> list[tuple[int, str]]:
        """(import_id, sha256) of every import (of one person), oldest first."""
        return self.run("SELECT import_id, sha256 FROM imports WHERE ? IS NULL OR"
                        " person_id = ? ORDER BY import_id", [person_id, person_id])

    def import_issues(self, person_id: str | None = None) -> pd.DataFrame:
        """The rejected lines of every import (of one person)."""
        return self.con.execute(
            "SELECT i.import_id, i.path, s.line, s.message FROM import_issues s"
            " JOIN imports i USING (import_id) WHERE ? IS NULL OR i.person_id = ?"
            " ORDER BY i.import_id, s.line", [person_id, person_id]).df()

    def person_ids(self) -> list[str]:
        return [p for (p,) in self.run("SELECT person_id FROM persons ORDER BY 1")]

    def counts(self) -> dict[str, int]:
        """Rows per table, for the whole store (used by tests and `forget`)."""
        names = (*PERSON_TABLES, "imports", "import_issues")
        return {t: self.run(f"SELECT count(*) FROM {t}")[0][0] for t in names}

    # --- writing ---------------------------------------------------------------------

    def ensure_person(self, person_id: str) -> None:
        check_person_id(person_id)  # every way in checks it first; this is the last guard
        self.run(
            "INSERT INTO persons (person_id, display_name) SELECT ?, ?"
            " WHERE NOT EXISTS (SELECT 1 FROM persons WHERE person_id = ?)",
            [person_id, person_id, person_id],
        )

    def import_parsed(self, **kwargs: Any) -> ImportCounts:
        """Write one parsed file in one transaction; on any error the store is unchanged."""
        return writer.import_parsed(self, **kwargs)

    def forget(self, person_id: str) -> dict[str, int]:
        """Remove every row about a person from every table and rewrite the file."""
        return forget.forget(self, person_id)
