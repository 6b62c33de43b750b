"""`forget`: remove every row about a person, and leave no copy in the file.

Deleting rows is one transaction, but DuckDB keeps deleted rows in its blocks until they are
rewritten, so the file is then copied (live rows only) to `<store>.rewrite` and swapped in.
A process killed between the two would leave the person's bytes in the file: the deleting
transaction therefore also writes a `forget_pending` mark into `store_meta`, which the fresh
copy does not keep. Whoever opens the store next and finds the mark finishes the rewrite
(`finish_interrupted`); the swap itself is one atomic rename.
"""

from __future__ import annotations

import logging
import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from .permissions import owner_only
from .tables import PERSON_TABLES

if TYPE_CHECKING:
    from .connection import Store

log = logging.getLogger(__name__)

PENDING = "forget_pending"  # store_meta key: rows were deleted, the file is not rewritten yet


def forget(store: Store, person_id: str) -> dict[str, int]:
    """Remove every row about a person from every table, then rewrite the file so that
    no deleted page still holds their data. Returns rows removed per table."""
    removed: dict[str, int] = {}
    with store.transaction():
        removed["import_issues"] = store.run(
            "DELETE FROM import_issues WHERE import_id IN"
            " (SELECT import_id FROM imports WHERE person_id = ?)",
            [person_id],
        )[0][0]
        removed["imports"] = store.run(
            "DELETE FROM imports WHERE person_id = ?", [person_id]
        )[0][0]
        for table in PERSON_TABLES:
            removed[table] = store.run(
                f"DELETE FROM {table} WHERE person_id = ?", [person_id]
            )[0][0]
        store.run(f"INSERT OR REPLACE INTO store_meta VALUES ('{PENDING}', ''::BLOB)")
    _test_stop("deleted")
    rewrite(store)
    return removed


def rewrite_pending(store: Store) -> bool:
    """Was a `forget` interrupted before its rewrite swapped the file?"""
    try:
        return bool(store.run(f"SELECT 1 FROM store_meta WHERE key = '{PENDING}'"))
    except duckdb.CatalogException:  # not a store of ours (yet): `check` says so
        return False


def leftovers(path: Path) -> list[Path]:
    """Files an interrupted rewrite leaves next to the store."""
    tmp = Path(f"{path}.rewrite")
    return [p for p in (tmp, Path(f"{tmp}.wal")) if p.exists()]


def finish_interrupted(store: Store) -> bool:
    """At opening: finish a `forget` whose rewrite was interrupted (the rows were deleted,
    their bytes are still in the file), and remove a stray copy. True if there was one."""
    if rewrite_pending(store):
        log.warning("%s: finishing an interrupted `forget` (rewriting the file)", store.path)
        rewrite(store)
        return True
    stray = leftovers(store.path)
    for path in stray:  # the swap was done: the copy is a leftover of no use
        path.unlink(missing_ok=True)
    return bool(stray)


def rewrite(store: Store) -> None:
    """Copy the live rows to a fresh file and swap it in (DuckDB keeps deleted rows in
    its blocks until they are rewritten; a copy keeps only what is live)."""
    tmp = Path(f"{store.path}.rewrite")
    for leftover in leftovers(store.path):
        leftover.unlink()
    db = store.run("SELECT current_database()")[0][0]
    with owner_only():
        store.run(f"ATTACH '{_sql_text(tmp)}' AS _fresh")
        store.run(f'COPY FROM DATABASE "{db}" TO _fresh')
        store.run(f"DELETE FROM _fresh.store_meta WHERE key = '{PENDING}'")
        _test_stop("copied")
        store.run("DETACH _fresh")
        store.run("CHECKPOINT")  # the old file owes nothing to its write-ahead log now
        store.con.close()
    _test_stop("closed")
    os.replace(tmp, store.path)
    _test_stop("swapped")
    Path(f"{store.path}.wal").unlink(missing_ok=True)
    store.reconnect()


def _sql_text(path: Path) -> str:
    return str(path).replace("'", "''")


def _test_stop(step: str) -> None:
    """Tests kill the process at each step of a `forget` (SELFDATA_TEST_KILL_FORGET=step)
    to check that the next start finishes it; unset, this does nothing."""
    if os.environ.get("SELFDATA_TEST_KILL_FORGET") == step:
        os.kill(os.getpid(), signal.SIGKILL)
